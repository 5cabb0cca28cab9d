"""Size the answer and pack priced lines into the context window.

Token counts come from the caller (the model's own tokenizer); this module only decides. Lines
are packed first-fit in the order given (the caller's priority: `logs.evidence` puts each
source's most telling pattern first), so a line too long to fit is skipped, never cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
