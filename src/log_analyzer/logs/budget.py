"""Choose which evidence fits the model's context window.

Token counts come from the caller (the model's own tokenizer); this module only decides. Evidence
is ranked by severity, then frequency, then recency, and packed first-fit in that order, so a
rare fatal line always outranks a thousand copies of a warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from log_analyzer.logs.normalize import NormalizedEntry

MIN_COMPLETION_TOKENS = 64


@dataclass(frozen=True, slots=True)
class CompletionBudget:
    """How many tokens the answer may use, and why it is less than asked, if it is."""

    max_tokens: int
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Packing:
    """Indexes of the chosen entries (in priority order) and the tokens they cost."""

    chosen: tuple[int, ...]
    tokens: int


def completion_budget(n_ctx: int, requested: int) -> CompletionBudget:
    """Reserve room for the answer, leaving at least half the context for the prompt."""
    if requested <= n_ctx // 2:
        return CompletionBudget(requested)
    reduced = max(min(n_ctx // 4, requested), min(MIN_COMPLETION_TOKENS, n_ctx // 2))
    return CompletionBudget(
        reduced,
        f"answer limited to {reduced} tokens (MAX_TOKENS is {requested}) "
        f"to leave room for evidence in the {n_ctx}-token context",
    )


def priority_order(entries: Sequence[NormalizedEntry]) -> list[int]:
    """Indexes of `entries`: most severe first, then most frequent, then most recent."""
    return sorted(
        range(len(entries)),
        key=lambda i: (entries[i].level.rank, -entries[i].count, -entries[i].last_ns),
    )


def pack(costs: Sequence[int], order: Sequence[int], budget: int) -> Packing:
    """Take entries in `order` while they fit in `budget`; one too large is skipped, not cut."""
    chosen: list[int] = []
    used = 0
    for index in order:
        cost = costs[index]
        if used + cost <= budget:
            chosen.append(index)
            used += cost
    return Packing(tuple(chosen), used)


def shrink(packing: Packing, costs: Sequence[int], excess: int) -> Packing:
    """Drop the lowest-priority chosen entries until at least `excess` tokens are freed."""
    chosen = list(packing.chosen)
    freed = 0
    while chosen and freed < excess:
        freed += costs[chosen.pop()]
    return Packing(tuple(chosen), packing.tokens - freed)


def evidence_line(
    entry: NormalizedEntry, *, with_date: bool = False, max_chars: int | None = None
) -> str:
    """One compact, self-describing line of evidence for the prompt.

    A message longer than `max_chars` is cut with a visible marker, so one stack trace cannot
    take the room of a dozen distinct failures.
    """
    fmt = "%Y-%m-%dT%H:%M:%SZ" if with_date else "%H:%M:%SZ"
    first = _clock(entry.first_ns, fmt)
    seen = first if entry.count == 1 else f"{first}..{_clock(entry.last_ns, fmt)}"
    sources = ",".join(entry.sources[:3]) + (
        f" +{len(entry.sources) - 3} more" if len(entry.sources) > 3 else ""
    )
    message = entry.message
    if max_chars is not None and len(message) > max_chars:
        message = f"{message[:max_chars]} …[{len(message) - max_chars} more chars]"
    return f"[{entry.level.value.upper()} x{entry.count} {seen} {sources}] {message}"


def _clock(ns: int, fmt: str) -> str:
    return datetime.fromtimestamp(ns // 1_000_000_000, tz=UTC).strftime(fmt)
