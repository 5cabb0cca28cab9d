"""traffic_summary on synthetic request lines with known ratios and growth, and the recorded
vector grouped by level, pod and container for the true volume."""

from __future__ import annotations

import pytest

from log_analyzer.recipes.traffic import TrafficSummary
from tests.recipes.support import T0, Line, as_dicts, json_line, run, source, table


def _web1(i: int) -> Line:
    status = 502 if i in (3, 15) else 200
    return (T0 + 30 * i, "web-1", json_line(method="GET", path=f"/orders/{i}", status=status))


def _web2(ts: int, status: int = 201) -> Line:
    return (ts, "web-2", f'10.0.0.1 - - [x] "POST /cart?id={ts} HTTP/1.1" {status} 0')


LINES: list[Line] = [
    *(_web1(i) for i in range(20)),  # 10 per half of [T0, T0+600)
    _web2(T0 + 100),
    _web2(T0 + 200),
    *(_web2(T0 + 310 + 20 * j, 404 if j == 4 else 201) for j in range(10)),
    (T0 + 5, "web-1", "cache warmed"),  # not a request
]


@pytest.mark.anyio
async def test_traffic_with_known_answers() -> None:
    log_source = source(LINES)  # counts come from the recorded grouped vector
    result = await run(
        TrafficSummary(), log_source, end=T0 + 600, params={"bucket": "5m", "top": 10}
    )

    assert log_source.entry_texts[0] == '{namespace="shop"}'
    assert result.queries == (
        'sum by (detected_level, pod, container) (count_over_time({namespace="shop"} [10m]))',
        '{namespace="shop"}',
    )
    by_source = table(result, "Requests by source")
    assert by_source.counts_are == "total"
    assert by_source.columns == (
        "source", "requests", "1xx", "2xx", "3xx", "4xx", "5xx", "unknown", "5xx ratio"
    )  # fmt: skip
    assert by_source.rows == (
        ("web-1/app", 20, 0, 18, 0, 0, 2, 0, 0.1),
        ("web-2/app", 12, 0, 11, 0, 1, 0, 0, 0.0),
    )
    over_time = table(result, "Status classes over time")
    assert over_time.rows == (
        ("2027-01-15T08:00:00Z", 0, 11, 0, 0, 1, 0),
        ("2027-01-15T08:05:00Z", 0, 18, 0, 1, 1, 0),
    )
    assert over_time.source.endswith(", 300 s buckets")
    assert as_dicts(table(result, "Error ratio")) == [
        {
            "requests": 32,
            "with a status": 32,
            "5xx": 2,
            "4xx": 1,
            "5xx ratio": 0.0625,
            "4xx ratio": 0.0312,
        }
    ]
    growing = table(result, "Fastest-growing sources")
    assert growing.rows == (("web-2/app", 2, 10, 5.0),)
    assert growing.source.endswith("halves split at 2027-01-15T08:05:00Z")

    volume = table(result, "Line volume by source")
    assert volume.counts_are == "total"
    assert volume.rows == (  # each pod's levels summed
        ("checkout-d535a7e07-b7mn7/checkout", 900),
        ("frontend-63ac8c59d-5jbmf/frontend", 600 + 60),
        ("payments-faea4125d-z7lst/payments", 3 + 1 + 300),
        ("cart-f9c2a5bee-gxtcw/cart", 150 + 8),
    )
    assert result.facts == (
        "2,022 lines in the window (total); 32 fetched lines name a request (total)",
        'busiest source: "web-1/app" with 20 requests',
        "5xx ratio 6.2%, 4xx ratio 3.1% of 32 requests with a status",
        'fastest-growing source: "web-2/app", 2 -> 10 requests (5.0x) from the first half of the '
        "window to the second",
    )
    assert result.notes == ()


@pytest.mark.anyio
async def test_auto_bucket_and_top() -> None:
    result = await run(TrafficSummary(), source(LINES), end=T0 + 600, params={"top": 1})
    assert len(table(result, "Requests by source").rows) == 1
    assert len(table(result, "Line volume by source").rows) == 1
    over_time = table(result, "Status classes over time")
    assert over_time.source.endswith(", 30 s buckets")  # about 30 buckets over 10 minutes
    assert len(over_time.rows) == 20  # T0 .. T0+570


@pytest.mark.anyio
async def test_sampled_and_no_requests() -> None:
    lines: list[Line] = [(T0, "a", "hello"), (T0 + 1, "a", "world")]
    result = await run(TrafficSummary(), source(lines), end=T0 + 600, limit=2)
    fetched = [t for t in result.tables if t.title != "Line volume by source"]
    assert {t.counts_are for t in fetched} == {"sample"}
    assert table(result, "Line volume by source").counts_are == "total"
    assert result.notes == ("no line named a request (route or status) among 2 fetched",)


@pytest.mark.anyio
async def test_a_source_new_in_the_second_half_has_no_growth_factor() -> None:
    # web-2 sends nothing in the first half: "0 -> 10 requests (10.0x)" divided by a floored
    # first half; there is no factor to give, and the fact says the source is new instead.
    late = [line for line in LINES if line[1] == "web-1" or line[0] >= T0 + 300]
    result = await run(TrafficSummary(), source(late), end=T0 + 600, params={"bucket": "5m"})

    assert table(result, "Fastest-growing sources").rows == (("web-2/app", 0, 10, None),)
    assert (
        'fastest-growing source: "web-2/app", 0 -> 10 requests (none in the first half) from '
        "the first half of the window to the second"
    ) in result.facts
