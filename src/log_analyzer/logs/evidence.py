"""Evidence by pattern: one compact line per pattern, packed into the prompt's token budget.

A line reads ``P3 ERROR x1,204 14:02:03Z..14:31:00Z new checkout-abc/checkout,+2 | <template> |
e.g. <example>``, so the model can cite ``P3`` and the summary can list the same ids. Packing
takes the best pattern of every source first, so one noisy pod cannot fill the whole context,
then fills by priority; whatever does not fit is stated, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from log_analyzer.logs.budget import Packing, pack, shrink
from log_analyzer.logs.clock import DATE_TIME, TIME, utc
from log_analyzer.logs.condense import Pattern

MAX_EXAMPLE_CHARS = 300


@dataclass(frozen=True, slots=True)
class PatternPacking:
    """The patterns chosen for the prompt and what was left out."""

    chosen: tuple[int, ...]
    """Indexes into the packed patterns, in priority order."""
    ids: tuple[str, ...]
    """The chosen patterns' ids, in the same order."""
    tokens: int
    """What the chosen lines cost; never more than the budget."""
    omitted_patterns: int
    omitted_lines: int


def evidence_line(
    pattern: Pattern, *, with_date: bool = False, max_example_chars: int = MAX_EXAMPLE_CHARS
) -> str:
    """One line of evidence: id, level, count, when, novelty, where, template and an example."""
    fmt = DATE_TIME if with_date else TIME
    first, last = utc(pattern.first_ns, fmt), utc(pattern.last_ns, fmt)
    seen = first if first == last else f"{first}..{last}"
    parts = [
        f"{pattern.id} {pattern.level.value.upper()} x{pattern.count:,} {seen} "
        f"{'new' if pattern.new else 'ongoing'} {_where(pattern)}",
        pattern.template,
    ]
    if pattern.examples:
        example = " ".join(pattern.examples[0].split())  # one line, whatever the message held
        if len(example) > max_example_chars:
            example = example[:max_example_chars] + "…"
        if example != " ".join(pattern.template.split()):  # a template without variables
            parts.append(f"e.g. {example}")
    return " | ".join(parts)


def diversity_order(patterns: Sequence[Pattern]) -> list[int]:
    """Indexes of ``patterns`` (given in priority order): each source's best first, then the rest.

    A pattern is taken in the first round when one of its sources has no pattern yet; the rest
    follow in priority order.
    """
    covered: set[str] = set()
    first: list[int] = []
    rest: list[int] = []
    for index, pattern in enumerate(patterns):
        if any(source not in covered for source in pattern.sources):
            covered.update(pattern.sources)
            first.append(index)
        else:
            rest.append(index)
    return first + rest


def pack_patterns(patterns: Sequence[Pattern], costs: Sequence[int], budget: int) -> PatternPacking:
    """Choose the patterns whose lines fit in ``budget`` tokens (``costs[i]`` prices line ``i``).

    ``patterns`` come in priority order (as :func:`~log_analyzer.logs.condense.condense` returns
    them). The remainder line, if the prompt states one, must be priced outside ``budget``.
    """
    if len(costs) != len(patterns):
        raise ValueError("one cost per pattern is needed")
    packing = pack(costs, diversity_order(patterns), max(budget, 0))
    chosen = tuple(sorted(packing.chosen))
    taken = set(chosen)
    return PatternPacking(
        chosen=chosen,
        ids=tuple(patterns[i].id for i in chosen),
        tokens=packing.tokens,
        omitted_patterns=len(patterns) - len(chosen),
        omitted_lines=sum(p.count for i, p in enumerate(patterns) if i not in taken),
    )


def shrink_patterns(
    packing: PatternPacking, patterns: Sequence[Pattern], costs: Sequence[int], excess: int
) -> PatternPacking:
    """Drop the lowest-priority chosen patterns until at least ``excess`` tokens are freed."""
    smaller = shrink(Packing(packing.chosen, packing.tokens), costs, excess)
    dropped = packing.chosen[len(smaller.chosen) :]
    return PatternPacking(
        chosen=smaller.chosen,
        ids=packing.ids[: len(smaller.chosen)],
        tokens=smaller.tokens,
        omitted_patterns=packing.omitted_patterns + len(dropped),
        omitted_lines=packing.omitted_lines + sum(patterns[i].count for i in dropped),
    )


def omitted_line(packing: PatternPacking) -> str | None:
    """``23 more patterns, 1,204 lines, omitted``, or None when nothing was left out."""
    if not packing.omitted_patterns:
        return None
    patterns = "pattern" if packing.omitted_patterns == 1 else "patterns"
    lines = "line" if packing.omitted_lines == 1 else "lines"
    return (
        f"{packing.omitted_patterns:,} more {patterns}, {packing.omitted_lines:,} {lines}, omitted"
    )


def _where(pattern: Pattern) -> str:
    if not pattern.source_counts:
        return "unknown"
    top = min(pattern.source_counts, key=lambda item: (-item[1], item[0]))[0]
    others = len(pattern.source_counts) - 1
    return f"{top},+{others}" if others else top
