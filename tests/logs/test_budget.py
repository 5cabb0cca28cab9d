"""Ranking evidence, packing it into the context budget, and sizing the answer."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from log_analyzer.logs.budget import (
    MIN_COMPLETION_TOKENS,
    CompletionBudget,
    Packing,
    completion_budget,
    pack,
    shrink,
)
from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import NormalizedEntry

T0_S = int(datetime(2026, 11, 23, 14, 2, 3, tzinfo=UTC).timestamp())
T0 = T0_S * 10**9 + 123_456_789  # 2026-11-23T14:02:03.123456789Z


def ne(
    message: str,
    level: Level,
    count: int = 1,
    last_ns: int = T0,
    first_ns: int = T0,
    sources: tuple[str, ...] = ("pod-a/app",),
) -> NormalizedEntry:
    return NormalizedEntry(message, level, count, first_ns, last_ns, sources)


# --- pack() --------------------------------------------------------------------------------------


def test_pack_skips_an_oversized_item_and_keeps_packing() -> None:
    costs = [5, 100, 3, 4]
    packing = pack(costs, [0, 1, 2, 3], budget=10)
    assert packing == Packing((0, 2), 8)


def test_pack_returns_chosen_in_priority_order() -> None:
    costs = [1, 1, 1, 1]
    assert pack(costs, [3, 0, 2, 1], budget=3) == Packing((3, 0, 2), 3)


@pytest.mark.parametrize(
    ("costs", "budget", "expected"),
    [
        pytest.param([], 10, Packing((), 0), id="nothing"),
        pytest.param([4, 6], 10, Packing((0, 1), 10), id="exact-fit"),
        pytest.param([11], 10, Packing((), 0), id="single-too-big"),
        pytest.param([3, 3], 0, Packing((), 0), id="zero-budget"),
        pytest.param([0, 5], 0, Packing((0,), 0), id="free-item-fits-zero"),
    ],
)
def test_pack_cases(costs: list[int], budget: int, expected: Packing) -> None:
    assert pack(costs, list(range(len(costs))), budget) == expected


@pytest.mark.parametrize("seed", range(20))
def test_pack_never_exceeds_the_budget(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(100):
        n = rng.randint(0, 40)
        costs = [rng.choice((rng.randint(0, 20), rng.randint(0, 500))) for _ in range(n)]
        order = list(range(n))
        rng.shuffle(order)
        budget = rng.randint(0, 1000)

        packing = pack(costs, order, budget)

        assert packing.tokens <= budget
        assert packing.tokens == sum(costs[i] for i in packing.chosen)
        assert len(set(packing.chosen)) == len(packing.chosen)
        # chosen keeps the priority order it was given
        positions = [order.index(i) for i in packing.chosen]
        assert positions == sorted(positions)
        # first-fit: every skipped entry would have overflowed at its turn
        used = 0
        for index in order:
            if index in packing.chosen:
                used += costs[index]
            else:
                assert used + costs[index] > budget


# --- shrink() ------------------------------------------------------------------------------------


def test_shrink_drops_from_the_lowest_priority() -> None:
    costs = [10, 20, 30, 40]
    packing = Packing((3, 0, 2, 1), 100)
    assert shrink(packing, costs, excess=25) == Packing((3, 0), 50)


@pytest.mark.parametrize(
    ("excess", "expected"),
    [
        pytest.param(0, Packing((0, 1, 2), 60), id="nothing-to-free"),
        pytest.param(-5, Packing((0, 1, 2), 60), id="negative-excess"),
        pytest.param(1, Packing((0, 1), 30), id="one-token-drops-one-entry"),
        pytest.param(30, Packing((0, 1), 30), id="exactly-one-entry"),
        pytest.param(31, Packing((0,), 10), id="just-over-one-entry"),
        pytest.param(1000, Packing((), 0), id="more-than-everything"),
    ],
)
def test_shrink_cases(excess: int, expected: Packing) -> None:
    assert shrink(Packing((0, 1, 2), 60), [10, 20, 30], excess) == expected


@pytest.mark.parametrize("seed", range(10))
def test_shrink_frees_at_least_the_excess_and_no_more_entries_than_needed(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(100):
        n = rng.randint(0, 30)
        costs = [rng.randint(1, 300) for _ in range(n)]
        order = list(range(n))
        rng.shuffle(order)
        packing = pack(costs, order, rng.randint(0, 3000))
        excess = rng.randint(0, packing.tokens + 50)

        smaller = shrink(packing, costs, excess)

        kept = len(smaller.chosen)
        assert smaller.chosen == packing.chosen[:kept]
        assert smaller.tokens == sum(costs[i] for i in smaller.chosen)
        freed = packing.tokens - smaller.tokens
        if excess <= packing.tokens:
            assert freed >= excess
        else:
            assert smaller.chosen == ()
        if kept < len(packing.chosen):
            # keeping one more entry would not have freed enough
            assert freed - costs[packing.chosen[kept]] < excess


# --- completion_budget() -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n_ctx", "requested"),
    [
        pytest.param(4096, 512, id="small-request"),
        pytest.param(4096, 2048, id="exactly-half"),
        pytest.param(2048, 1, id="one-token"),
    ],
)
def test_completion_budget_keeps_a_request_that_fits_half(n_ctx: int, requested: int) -> None:
    assert completion_budget(n_ctx, requested) == CompletionBudget(requested, None)


@pytest.mark.parametrize(
    ("n_ctx", "requested", "reduced"),
    [
        pytest.param(4096, 2049, 1024, id="just-over-half"),
        pytest.param(4096, 8192, 1024, id="more-than-context"),
        pytest.param(2048, 1500, 512, id="quarter-of-2048"),
        pytest.param(200, 150, MIN_COMPLETION_TOKENS, id="floor"),
        pytest.param(100, 90, 50, id="floor-capped-at-half"),
    ],
)
def test_completion_budget_reduces_with_a_note(n_ctx: int, requested: int, reduced: int) -> None:
    budget = completion_budget(n_ctx, requested)
    assert budget.max_tokens == reduced
    assert budget.note is not None
    assert str(reduced) in budget.note
    assert str(requested) in budget.note
    assert str(n_ctx) in budget.note
    assert budget.note == (
        f"answer limited to {reduced} tokens (MAX_TOKENS is {requested}) "
        f"to leave room for evidence in the {n_ctx}-token context"
    )


@pytest.mark.parametrize("seed", range(5))
def test_completion_budget_always_leaves_half_the_context(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(500):
        n_ctx = rng.randint(2, 200_000)
        requested = rng.randint(1, 2 * n_ctx)
        budget = completion_budget(n_ctx, requested)
        assert 0 < budget.max_tokens <= requested
        assert budget.max_tokens <= n_ctx // 2
        assert (budget.note is None) == (budget.max_tokens == requested)
