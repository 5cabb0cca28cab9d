"""slow_requests on synthetic JSON, logfmt and text lines with known percentiles."""

from __future__ import annotations

import pytest

from log_analyzer.recipes.slow import OperationStats, Sample, SlowRequests, operation_stats
from tests.recipes.support import T0, Line, as_dicts, json_line, run, source, table

LINES: list[Line] = [
    # GET /orders/{id}: 100 ms ... 1000 ms, JSON with a unit-suffixed key
    *(
        (T0 + i, "api-1", json_line(method="GET", path=f"/orders/{i}", status=200,
                                    duration_ms=100 * i))
        for i in range(1, 11)
    ),
    # POST /checkout: 2.5 s ... 4 s, logfmt with a unit in the value
    *(
        (T0 + 20 + i, "api-2", f"level=info method=POST path=/checkout status=200 latency={v}s")
        for i, v in enumerate(("2.5", "3", "3.5", "4"))
    ),
    (T0 + 30, "worker-1", "cache warmup took 1234ms"),
    (T0 + 31, "worker-1", "reindex finished in 1.5s"),
    (T0 + 32, "worker-1", "upstream request timed out"),
    (T0 + 33, "proxy-1", "GET /api/slow -> 504 Gateway Timeout"),
    (T0 + 34, "api-1", "healthy"),
    (T0 + 35, "api-1", "retrying in 5s"),  # when, not how long
]  # fmt: skip


@pytest.mark.anyio
async def test_percentiles_and_slowest_operations() -> None:
    log_source = source(LINES)
    result = await run(SlowRequests(), log_source, params={"top": 10, "slow_seconds": 1})

    # every line of the selected streams is read: no line filter
    assert log_source.entry_texts[0] == '{namespace="shop"}'
    assert result.queries == ('{namespace="shop"}',)

    overall = table(result, "Durations")
    assert overall.counts_are == "total"
    assert overall.source == "20 fetched entries (below the limit of 1,000: every matching line)"
    # 16 durations: 0.1 .. 1.0, 1.234, 1.5, 2.5, 3, 3.5, 4 (nearest rank)
    assert as_dicts(overall) == [
        {
            "lines with a duration": 16,
            "p50 s": 0.8,
            "p95 s": 4.0,
            "p99 s": 4.0,
            "max s": 4.0,
            "over 1 s": 6,
            "timeouts": 2,
        }
    ]
    slowest = table(result, "Slowest operations")
    names = [row[0] for row in slowest.rows]
    assert names[0] == "POST /checkout"
    assert str(names[1]).startswith("pattern: reindex finished in")
    assert str(names[2]).startswith("pattern: cache warmup took")
    assert names[3] == "GET /orders/{id}"
    assert names[4] == "GET /api/slow"
    assert str(names[5]).startswith("pattern: upstream request timed out")
    assert slowest.rows[0] == ("POST /checkout", 4, 3.0, 4.0, 4.0, 4, 0)
    assert slowest.rows[3] == ("GET /orders/{id}", 10, 0.5, 1.0, 1.0, 0, 0)
    assert slowest.rows[4] == ("GET /api/slow", 0, None, None, None, 0, 1)
    assert table(result, "Where the durations were read").rows == (
        ("duration_ms", 10),
        ("latency", 4),
        ("text:in", 1),
        ("text:took", 1),
    )
    assert result.facts[0] == "p50 0.8 s, p95 4 s, p99 4 s over 16 lines with a duration (total)"
    assert "6 lines took longer than 1 s" in result.facts
    assert 'slowest operation by p95: "POST /checkout" (4.0 s)' in result.facts
    assert "2 lines report a timeout" in result.facts
    assert result.notes == ()


@pytest.mark.anyio
async def test_top_and_threshold_params() -> None:
    result = await run(SlowRequests(), source(LINES), params={"top": 2, "slow_seconds": 3.2})
    assert len(table(result, "Slowest operations").rows) == 2
    assert as_dicts(table(result, "Durations"))[0]["over 3.2 s"] == 2  # 3.5 and 4


@pytest.mark.anyio
async def test_sampled_when_the_limit_is_reached() -> None:
    result = await run(SlowRequests(), source(LINES), limit=len(LINES))
    assert {t.counts_are for t in result.tables} == {"sample"}
    assert "(sample)" in result.facts[0]


@pytest.mark.anyio
async def test_no_duration_is_a_note() -> None:
    result = await run(SlowRequests(), source([(T0, "a", "ok"), (T0 + 1, "a", "fine")]))
    assert result.notes == ("no line carried a duration among 2 fetched lines",)
    assert table(result, "Durations").rows == ((0, None, None, None, None, 0, 0),)
    assert table(result, "Slowest operations").rows == ()
    assert result.facts == ()


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        pytest.param(
            [("a", float(v), False) for v in range(1, 101)],
            (OperationStats("a", 100, 50.0, 95.0, 100.0, 99, 0),),
            id="one-to-hundred",
        ),
        pytest.param(
            [("fast", 0.1, False), ("slow", 2.0, True), ("slow", None, True), ("x", None, True)],
            (
                OperationStats("slow", 1, 2.0, 2.0, 2.0, 1, 2),
                OperationStats("fast", 1, 0.1, 0.1, 0.1, 0, 0),
                OperationStats("x", 0, None, None, None, 0, 1),
            ),
            id="by-p95-timeouts-only-last",
        ),
        pytest.param(
            [("b", 1.0, False), ("a", 1.0, False), ("a", 3.0, False)],
            (
                OperationStats("a", 2, 1.0, 3.0, 3.0, 1, 0),  # 1.0 is not over 1.0
                OperationStats("b", 1, 1.0, 1.0, 1.0, 0, 0),
            ),
            id="p95-ranks",
        ),
    ],
)
def test_operation_stats(samples: list[Sample], expected: tuple[OperationStats, ...]) -> None:
    assert operation_stats(samples, slow_seconds=1.0) == expected
