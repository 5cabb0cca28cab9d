"""error_spikes on synthetic series with known spikes, and on the recorded matrix."""

from __future__ import annotations

import pytest

from log_analyzer.logs.levels import Level
from log_analyzer.logs.totals import Spike
from log_analyzer.recipes.spikes import ErrorSpikes, PatternGrowth, compare_windows
from tests.conftest import SEVERE_LOGQL, recorded
from tests.recipes.support import T0, Line, as_dicts, json_line, matrix, run, source, table

S = 10**9
ERRORS = frozenset((Level.ERROR, Level.FATAL))
SPIKE = Spike(T0 + 600, T0 + 720, T0 + 720, 80.0, 2.0, 40.0)
"""A spike over [T0+600, T0+720); the window before it is [T0+480, T0+600)."""


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(
            [(T0 + 610, "a", Level.ERROR), (T0 + 700, "a", Level.FATAL)],
            (PatternGrowth("a", 2, 0),),
            id="new",
        ),
        pytest.param(
            [(T0 + 500, "a", Level.ERROR)] + [(T0 + 650, "a", Level.ERROR)] * 3,
            (PatternGrowth("a", 3, 1),),
            id="grew",
        ),
        pytest.param([(T0 + 500, "a", Level.ERROR), (T0 + 650, "a", Level.ERROR)], (), id="flat"),
        pytest.param([(T0 + 650, "a", Level.WARN)], (), id="other-level"),
        pytest.param(
            [(T0 + 479, "a", Level.ERROR), (T0 + 720, "a", Level.ERROR)], (), id="outside"
        ),
        pytest.param(
            [(T0 + 479, "a", Level.ERROR), (T0 + 600, "a", Level.ERROR)],
            (PatternGrowth("a", 1, 0),),
            id="bounds-half-open",
        ),
        pytest.param(
            [(T0 + 500, "b", Level.ERROR)] * 2
            + [(T0 + 650, "b", Level.ERROR)] * 6
            + [(T0 + 650, "a", Level.ERROR)] * 4,
            (PatternGrowth("a", 4, 0), PatternGrowth("b", 6, 2)),
            id="most-added-first",
        ),
    ],
)
def test_compare_windows(
    lines: list[tuple[int, str, Level]], expected: tuple[PatternGrowth, ...]
) -> None:
    ns_lines = [(ts * S, t, level) for ts, t, level in lines]
    assert compare_windows(ns_lines, SPIKE, ERRORS) == expected


def test_pattern_growth_factor_and_new() -> None:
    assert PatternGrowth("a", 5, 0).factor == 5.0 and PatternGrowth("a", 5, 0).new
    assert PatternGrowth("a", 6, 2).factor == 3.0 and not PatternGrowth("a", 6, 2).new


def _synthetic_matrix() -> dict[str, object]:
    """30 one-minute buckets over [T0, T0+1800): errors 1,2,3,... with 50 and 80 ending at
    T0+1200 and T0+1260; warnings a flat 5."""
    errors = [(T0 + 60 * i, float(1 + i % 3)) for i in range(1, 31)]
    errors[19] = (T0 + 1200, 50.0)
    errors[20] = (T0 + 1260, 80.0)
    warns = [(T0 + 60 * i, 5.0) for i in range(1, 31)]
    return matrix([({"detected_level": "error"}, errors), ({"detected_level": "warn"}, warns)])


def _err(ts: int, msg: str, level: str = "error") -> Line:
    return (ts, "pay-1", json_line(level=level, msg=msg))


LINES: list[Line] = [
    *(_err(T0 + 1150 + i, "payment gateway refused the charge") for i in range(5)),
    _err(T0 + 1100, "database connection reset by peer"),
    *(_err(T0 + 1200 + i, "database connection reset by peer") for i in range(3)),
    *(_err(T0 + 1030 + i, "cache lookup failed") for i in range(2)),
    *(_err(T0 + 1210 + i, "cache lookup failed") for i in range(2)),
    *(_err(T0 + 1220 + i, "slow disk warning", "warn") for i in range(4)),
    _err(T0 + 100, "payment gateway refused the charge"),  # long before: not "before"
]


@pytest.mark.anyio
async def test_synthetic_spike_with_known_answers() -> None:
    log_source = source(LINES, matrix_body=_synthetic_matrix())
    result = await run(ErrorSpikes(), log_source)

    buckets = table(result, "Lines per bucket")
    assert buckets.counts_are == "total"
    assert buckets.source == "loki count query, 60 s buckets, by level"
    assert len(buckets.rows) == 30
    assert buckets.rows[19] == ("2027-01-15T08:19:00Z", 50, 5, 55)

    spikes = table(result, "Spikes")
    assert spikes.counts_are == "total"
    assert as_dicts(spikes) == [
        {
            "level": "error",
            "start": "2027-01-15T08:19:00Z",  # T0 + 1140
            "end": "2027-01-15T08:21:00Z",  # T0 + 1260
            "peak at": "2027-01-15T08:21:00Z",
            "peak lines": 80,
            "baseline": 2.0,
            "factor": 40.0,
        }
    ]

    patterns = as_dicts(table(result, "Patterns new or grown in the spike"))
    assert [(p["pattern"], p["in spike"], p["before"], p["new"]) for p in patterns] == [
        ("payment gateway refused the charge", 5, 0, "yes"),
        ("database connection reset by peer", 3, 1, "no"),
    ]
    assert patterns[1]["growth"] == 3.0
    # A pattern new in the spike has no growth factor: it would divide by a floored 0.
    assert (patterns[0]["new"], patterns[0]["growth"]) == ("yes", None)
    assert table(result, "Patterns new or grown in the spike").counts_are == "total"

    severe = SEVERE_LOGQL
    assert result.queries == (
        f'sum by (detected_level) (count_over_time({{namespace="shop"}} {severe} [1m]))',
        f'{{namespace="shop"}} {severe}',
    )
    assert result.facts[0].startswith("error spike from 2027-01-15T08:19:00Z")
    assert "40.0x the median of 2.0 (total)" in result.facts[0]
    assert result.notes == ()


def test_t0_is_the_time_the_expected_strings_assume() -> None:
    from log_analyzer.logs.clock import utc_seconds

    assert utc_seconds(T0 + 1140) == "2027-01-15T08:19:00Z"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "spiked"),
    [
        pytest.param({}, True, id="defaults"),
        pytest.param({"sensitivity": 20}, True, id="strict-still-finds-it"),
        pytest.param({"min_count": 100}, False, id="min-count-above-peak"),
    ],
)
async def test_params_change_what_counts(params: dict[str, float], spiked: bool) -> None:
    result = await run(ErrorSpikes(), source(LINES, matrix_body=_synthetic_matrix()), params=params)
    assert bool(table(result, "Spikes").rows) is spiked
    if not spiked:
        assert result.notes == ("no spike was found, so no pattern comparison ran",)
        assert result.facts == (
            "no error spike: the busiest 60 s bucket holds 80 error/fatal lines (total)",
        )
        assert len(result.queries) == 1  # no log query when there is nothing to compare


@pytest.mark.anyio
async def test_sampled_lines_are_labelled_and_a_late_sample_is_flagged() -> None:
    late = [line for line in LINES if line[0] >= T0 + 1150]
    result = await run(
        ErrorSpikes(), source(late, matrix_body=_synthetic_matrix()), limit=len(late)
    )
    patterns = table(result, "Patterns new or grown in the spike")
    assert patterns.counts_are == "sample"
    assert patterns.source == (
        f"{len(late)} fetched entries (the limit was reached: a sample of the window)"
    )
    assert any("the fetched sample begins at 2027-01-15T08:19:10Z" in n for n in result.notes)


@pytest.mark.anyio
async def test_recorded_matrix_over_two_hours() -> None:
    """The recorded 5 m matrix: errors start at 1795458300 after a quiet window."""
    end = 1795459133
    result = await run(
        ErrorSpikes(),
        source([], matrix_body=recorded("loki", "query_range-matrix.json")["body"]),
        start=end - 7200,
        end=end,
    )
    spikes = as_dicts(table(result, "Spikes"))
    assert [(s["level"], s["peak lines"], s["factor"]) for s in spikes] == [
        ("warn", 129, 129.0),
        ("error", 550, 550.0),
    ]
    error = spikes[1]
    # 1795458000 (the bucket before the point at 1795458300) to the point at 1795459200
    assert (error["start"], error["end"]) == ("2026-11-23T18:20:00Z", "2026-11-23T18:40:00Z")
    assert error["peak at"] == "2026-11-23T18:30:00Z"  # 1795458600: 550 lines
    assert spikes[0]["start"] == "2026-11-23T18:10:00Z"  # warn: 13 lines at 1795457700
    assert result.notes == ("no line was fetched, so no pattern comparison could run",)


@pytest.mark.anyio
async def test_a_spike_over_a_quiet_baseline_says_how_its_factor_was_taken() -> None:
    # Errors only in the spike: the median bucket holds 0 lines, the factor is against 1 line.
    errors = [(T0 + 60 * i, 0.0) for i in range(1, 31)]
    errors[20] = (T0 + 1260, 30.0)
    log_source = source(LINES, matrix_body=matrix([({"detected_level": "error"}, errors)]))
    result = await run(ErrorSpikes(), log_source)

    spikes = as_dicts(table(result, "Spikes"))
    assert (spikes[0]["baseline"], spikes[0]["factor"]) == (0.0, 30.0)
    assert result.facts[0].endswith(
        "30.0x the median of 0.0 (total; the factor counts a baseline under 1 line as 1)"
    )


@pytest.mark.anyio
async def test_spikes_of_two_levels_at_once_are_noted_once() -> None:
    # Errors and warnings spike over the same buckets while the sample begins inside the window
    # before them: one note says so, not one per level with the same words.
    errors = [(T0 + 60 * i, 1.0) for i in range(1, 31)]
    warns = [(T0 + 60 * i, 1.0) for i in range(1, 31)]
    errors[20] = warns[20] = (T0 + 1260, 40.0)
    body = matrix([({"detected_level": "error"}, errors), ({"detected_level": "warn"}, warns)])
    late = [line for line in LINES if line[0] >= T0 + 1150]
    result = await run(ErrorSpikes(), source(late, matrix_body=body), limit=len(late))

    assert [s["level"] for s in as_dicts(table(result, "Spikes"))] == ["error", "warn"]
    sample_notes = [n for n in result.notes if n.startswith("the fetched sample begins")]
    assert len(sample_notes) == 1
