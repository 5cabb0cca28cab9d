"""Evidence by pattern: one compact line per pattern, and the order patterns get room in.

A line reads ``P3 ERROR x1,204 14:02:03Z..14:31:00Z new checkout-abc/checkout,+2 | <template> |
e.g. <example>``, so the model can cite ``P3`` and the summary can list the same ids. The log
text in it (source, template, example) is written as a field (`untrusted_text.log_field`): no
``|`` of its own reads as a separator. The best
pattern of every source gets room first, so one noisy pod cannot fill the whole context, then
the rest by priority; the fitter states whatever does not fit, never dropping it silently.
"""

from __future__ import annotations

from collections.abc import Sequence

from log_analyzer.logs.clock import DATE_TIME, TIME, utc
from log_analyzer.logs.condense import Pattern
from log_analyzer.logs.tables import named
from log_analyzer.logs.untrusted_text import log_field

MAX_EXAMPLE_CHARS = 300


def evidence_line(
    pattern: Pattern, *, with_date: bool = False, max_example_chars: int = MAX_EXAMPLE_CHARS
) -> str:
    """One line of evidence: id, level, count, when, novelty, where, template and an example."""
    fmt = DATE_TIME if with_date else TIME
    first, last = utc(pattern.first_ns, fmt), utc(pattern.last_ns, fmt)
    seen = first if first == last else f"{first}..{last}"
    parts = [
        f"{pattern.id} {pattern.level.value.upper()} x{pattern.count:,} {seen} "
        f"{'new' if pattern.new else 'ongoing'} {log_field(_where(pattern))}",
        log_field(pattern.template),
    ]
    if pattern.examples:
        example = " ".join(pattern.examples[0].split())  # one line, whatever the message held
        if len(example) > max_example_chars:
            example = example[:max_example_chars] + "…"
        if example != " ".join(pattern.template.split()):  # a template without variables
            parts.append(f"e.g. {log_field(example)}")
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


def _where(pattern: Pattern) -> str:
    if not pattern.source_counts:
        return "unknown"
    top = named(min(pattern.source_counts, key=lambda item: (-item[1], item[0]))[0])
    others = len(pattern.source_counts) - 1
    return f"{top},+{others}" if others else top
