"""Evidence lines per pattern and packing them into the token budget."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from log_analyzer.logs.condense import Pattern
from log_analyzer.logs.evidence import (
    PatternPacking,
    diversity_order,
    evidence_line,
    omitted_line,
    pack_patterns,
    shrink_patterns,
)
from log_analyzer.logs.normalize import Level

T0 = int(datetime(2026, 11, 23, 14, 2, 3, tzinfo=UTC).timestamp()) * 10**9


def pat(
    number: int,
    count: int = 1,
    sources: tuple[str, ...] = ("pod-a/app",),
    level: Level = Level.ERROR,
    new: bool = True,
    examples: tuple[str, ...] = ("boom 1",),
    last_s: int = 0,
) -> Pattern:
    return Pattern(
        id=f"P{number}",
        template="boom <NUM>",
        count=count,
        level=level,
        first_ns=T0,
        last_ns=T0 + last_s * 10**9,
        new=new,
        sources=sources,
        source_counts=tuple(
            (s, count - len(sources) + 1 if i == 0 else 1) for i, s in enumerate(sources)
        ),
        examples=examples,
        ids=(),
        entries=(0,),
    )


@pytest.mark.parametrize(
    ("pattern", "line"),
    [
        pytest.param(
            pat(3, count=1204, sources=("checkout-abc/checkout", "a/x", "b/y"), last_s=1737),
            "P3 ERROR x1,204 14:02:03Z..14:31:00Z new checkout-abc/checkout,+2 | boom <NUM> "
            "| e.g. boom 1",
            id="full",
        ),
        pytest.param(
            pat(1, level=Level.FATAL, new=False, examples=()),
            "P1 FATAL x1 14:02:03Z ongoing pod-a/app | boom <NUM>",
            id="one-time-no-example",
        ),
        pytest.param(
            pat(2, examples=("multi\n\tline  trace",)),
            "P2 ERROR x1 14:02:03Z new pod-a/app | boom <NUM> | e.g. multi line trace",
            id="example-on-one-line",
        ),
        pytest.param(
            pat(4, sources=()),
            "P4 ERROR x1 14:02:03Z new unknown | boom <NUM> | e.g. boom 1",
            id="no-source",
        ),
    ],
)
def test_evidence_line(pattern: Pattern, line: str) -> None:
    assert evidence_line(pattern) == line


def test_evidence_line_with_date_and_long_example() -> None:
    line = evidence_line(pat(1, examples=("x" * 50,)), with_date=True, max_example_chars=10)
    assert line.startswith("P1 ERROR x1 2026-11-23T14:02:03Z new")
    assert line.endswith("e.g. xxxxxxxxxx…")


def test_diversity_takes_each_sources_best_first() -> None:
    patterns = [
        pat(1, sources=("a",)),
        pat(2, sources=("a",)),
        pat(3, sources=("a", "b")),
        pat(4, sources=("b",)),
        pat(5, sources=("c",)),
    ]
    assert diversity_order(patterns) == [0, 2, 4, 1, 3]


def test_a_quiet_pod_is_not_crowded_out_by_a_noisy_one() -> None:
    noisy = [pat(i, count=1000 - i, sources=("pod-a/app",)) for i in range(1, 51)]
    quiet = pat(51, count=1, sources=("pod-b/app",))
    patterns = [*noisy, quiet]
    packing = pack_patterns(patterns, [10] * len(patterns), budget=100)
    assert "P51" in packing.ids
    assert packing.ids == (*(f"P{i}" for i in range(1, 10)), "P51")
    assert packing.tokens == 100


@pytest.mark.parametrize(
    ("costs", "budget", "chosen", "omitted_lines"),
    [
        pytest.param([5, 5, 5], 15, (0, 1, 2), 0, id="all-fit"),
        pytest.param([5, 50, 5], 15, (0, 2), 20, id="too-large-skipped-not-cut"),
        pytest.param([5, 5, 5], 0, (), 60, id="no-room"),
        pytest.param([5, 5, 5], -3, (), 60, id="negative-budget"),
    ],
)
def test_pack_patterns_remainder(
    costs: list[int], budget: int, chosen: tuple[int, ...], omitted_lines: int
) -> None:
    patterns = [pat(1, count=10), pat(2, count=20), pat(3, count=30)]
    packing = pack_patterns(patterns, costs, budget)
    assert packing.chosen == chosen
    assert packing.omitted_patterns == 3 - len(chosen)
    assert packing.omitted_lines == omitted_lines


def test_pack_patterns_needs_one_cost_per_pattern() -> None:
    with pytest.raises(ValueError, match="one cost"):
        pack_patterns([pat(1)], [], 10)


@pytest.mark.parametrize("seed", range(25))
def test_never_over_budget_and_remainder_is_exact(seed: int) -> None:
    rng = random.Random(seed)
    pods = [f"pod-{i}/app" for i in range(rng.randint(1, 6))]
    patterns = [
        pat(
            i,
            count=rng.randint(1, 5000),
            sources=tuple(rng.sample(pods, rng.randint(1, min(2, len(pods))))),
        )
        for i in range(1, rng.randint(1, 60))
    ]
    costs = [rng.randint(1, 80) for _ in patterns]
    budget = rng.randint(0, 1500)
    packing = pack_patterns(patterns, costs, budget)
    assert packing.tokens == sum(costs[i] for i in packing.chosen) <= budget
    assert list(packing.chosen) == sorted(packing.chosen)
    assert packing.omitted_patterns + len(packing.chosen) == len(patterns)
    assert packing.omitted_lines + sum(patterns[i].count for i in packing.chosen) == sum(
        p.count for p in patterns
    )
    # Nothing left out would still have fitted.
    assert all(
        costs[i] > budget - packing.tokens for i in range(len(patterns)) if i not in packing.chosen
    )


def test_shrink_drops_lowest_priority_and_updates_the_remainder() -> None:
    patterns = [pat(1, count=10), pat(2, count=20), pat(3, count=30)]
    costs = [5, 5, 5]
    packing = pack_patterns(patterns, costs, 15)
    smaller = shrink_patterns(packing, patterns, costs, 6)
    assert smaller == PatternPacking((0,), ("P1",), 5, 2, 50)


@pytest.mark.parametrize(
    ("packing", "line"),
    [
        pytest.param(
            PatternPacking((), (), 0, 23, 1204), "23 more patterns, 1,204 lines, omitted", id="many"
        ),
        pytest.param(PatternPacking((), (), 0, 1, 1), "1 more pattern, 1 line, omitted", id="one"),
        pytest.param(PatternPacking((0,), ("P1",), 3, 0, 0), None, id="nothing-omitted"),
    ],
)
def test_omitted_line(packing: PatternPacking, line: str | None) -> None:
    assert omitted_line(packing) == line
