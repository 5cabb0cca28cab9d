"""Traffic aggregates over synthetic request rows, with known answers."""

from __future__ import annotations

import pytest

from log_analyzer.logs.requests import STATUS_CLASSES, RequestInfo
from log_analyzer.logs.traffic import (
    ErrorRatio,
    GrowthRow,
    RequestRow,
    TrafficRow,
    UserCount,
    error_ratio,
    fastest_growing,
    status_classes_over_time,
    top_users,
    traffic_by_source,
)

S = 10**9
T0 = 1_800_000_000  # unix seconds, a multiple of 60


def info(
    status: int | None = None,
    *,
    user: str | None = None,
    method: str | None = "GET",
    route: str | None = "/x",
) -> RequestInfo:
    return RequestInfo(method, route, status, user)


# --- aggregations --------------------------------------------------------------------------------

ROWS: list[RequestRow] = [
    (T0 * S, "web-1/app", info(200), 5),
    (T0 * S + 30 * S, "web-1/app", info(502), 2),
    (T0 * S + 60 * S, "web-2/app", info(404), 1),
    (T0 * S + 150 * S, "web-2/app", info(200), 3),
    (T0 * S + 170 * S, "web-2/app", info(None), 1),
]


def test_traffic_by_source_busiest_first() -> None:
    traffic = traffic_by_source(ROWS)
    assert traffic.rows == (
        TrafficRow("web-1/app", 7, (("2xx", 5), ("5xx", 2))),
        TrafficRow("web-2/app", 5, (("2xx", 3), ("4xx", 1), ("unknown", 1))),
    )
    assert (traffic.requests, traffic.entries) == (12, 5)


def test_traffic_by_operation() -> None:
    rows: list[RequestRow] = [
        (0, "a", info(200, route="/x"), 1),
        (0, "b", info(200, route="/y", method="POST"), 4),
    ]
    traffic = traffic_by_source(rows, group="operation")
    assert [row.name for row in traffic.rows] == ["POST /y", "GET /x"]


def test_status_classes_over_time_fills_empty_buckets() -> None:
    series = status_classes_over_time(ROWS, 60)
    assert [bucket.start for bucket in series.buckets] == [T0, T0 + 60, T0 + 120]
    as_dicts = [dict(bucket.counts) for bucket in series.buckets]
    assert all(tuple(d) == STATUS_CLASSES for d in as_dicts)
    assert as_dicts[0]["2xx"] == 5 and as_dicts[0]["5xx"] == 2
    assert as_dicts[1]["4xx"] == 1 and sum(as_dicts[1].values()) == 1
    assert as_dicts[2]["2xx"] == 3 and as_dicts[2]["unknown"] == 1
    assert (series.bucket_seconds, series.requests, series.entries) == (60, 12, 5)


def test_status_classes_over_time_empty_and_invalid() -> None:
    assert status_classes_over_time([], 60).buckets == ()
    with pytest.raises(ValueError, match="positive"):
        status_classes_over_time(ROWS, 0)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(
            ROWS,
            ErrorRatio(12, 11, 2, 1, 2 / 11, 1 / 11, 5),
            id="unknown-status-not-in-denominator",
        ),
        pytest.param(
            [(0, "a", info(503), 1), (0, "a", info(200), 3)],
            ErrorRatio(4, 4, 1, 0, 0.25, 0.0, 2),
            id="quarter-5xx",
        ),
        pytest.param(
            [(0, "a", info(None), 3)], ErrorRatio(3, 0, 0, 0, None, None, 1), id="no-status-known"
        ),
        pytest.param([], ErrorRatio(0, 0, 0, 0, None, None, 0), id="empty"),
    ],
)
def test_error_ratio(rows: list[RequestRow], expected: ErrorRatio) -> None:
    assert error_ratio(rows) == expected


def _window(per_minute: dict[str, tuple[int, int]]) -> list[RequestRow]:
    """Ten minutes of rows: each source sends (first, second) requests per minute per half."""
    rows: list[RequestRow] = []
    for minute in range(10):
        for source, (first, second) in per_minute.items():
            count = first if minute < 5 else second
            if count:
                rows.append(((T0 + minute * 60) * S, source, info(200), count))
    return rows


def test_fastest_growing_finds_the_source_that_doubles() -> None:
    rows = _window({"doubling": (10, 20), "flat": (30, 30), "shrinking": (20, 5)})
    growth = fastest_growing(rows, start_ns=T0 * S, end_ns=(T0 + 600) * S)
    assert growth.rows == (GrowthRow("doubling", 50, 100, 2.0),)
    assert growth.midpoint_ns == (T0 + 300) * S
    assert (growth.requests, growth.entries) == (50 + 100 + 300 + 125, 30)


def test_fastest_growing_ranks_and_ignores_small_sources() -> None:
    rows = _window({"tripling": (2, 6), "doubling": (10, 20), "new": (0, 4), "tiny": (0, 1)})
    growth = fastest_growing(rows, min_count=10)
    assert [(r.name, r.factor) for r in growth.rows] == [
        ("new", 20.0),  # from nothing: the first half is floored at one request
        ("tripling", 3.0),
        ("doubling", 2.0),
    ]
    assert fastest_growing(rows, min_count=10, n=1).rows[0].name == "new"


def test_fastest_growing_window_bounds_and_empty() -> None:
    rows = _window({"a": (10, 20)})
    inside = fastest_growing(rows, start_ns=(T0 + 300) * S, end_ns=(T0 + 600) * S, min_count=1)
    assert (inside.entries, inside.requests) == (5, 100)
    assert inside.midpoint_ns == (T0 + 450) * S
    assert fastest_growing([], min_count=1).rows == ()
    assert fastest_growing(rows, end_ns=T0 * S).entries == 0


def test_fastest_growing_by_operation() -> None:
    rows = [
        (T0 * S, "pod-a", info(200, route="/pay"), 5),
        ((T0 + 100) * S, "pod-b", info(200, route="/pay"), 15),
    ]
    growth = fastest_growing(rows, min_count=1, group="operation")
    assert growth.rows == (GrowthRow("GET /pay", 5, 15, 3.0),)


def test_top_users() -> None:
    rows: list[RequestRow] = [
        (0, "a", info(200, user="alice"), 10),
        (0, "a", info(502, user="bob"), 4),
        (0, "b", info(404, user="bob"), 2),
        (0, "b", info(200, user="bob"), 6),
        (0, "b", info(200, user="carol"), 1),
        (0, "b", info(500), 7),
    ]
    top = top_users(rows, n=2)
    assert top.users == (UserCount("bob", 12, 4, 2), UserCount("alice", 10, 0, 0))
    assert (top.distinct_users, top.without_user, top.requests, top.entries) == (3, 7, 30, 6)


def test_top_users_ties_by_name_and_empty() -> None:
    rows: list[RequestRow] = [(0, "a", info(200, user=u), 1) for u in ("zed", "amy")]
    assert [u.user for u in top_users(rows).users] == ["amy", "zed"]
    assert top_users([]).users == ()
