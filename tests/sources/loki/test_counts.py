"""Totals and bucket series from Loki metric queries, and what spike detection makes of them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from log_analyzer.logs.levels import Level
from log_analyzer.logs.totals import Series, bucket_step, find_spikes
from log_analyzer.sources.base import LineFilter, Selection
from log_analyzer.sources.loki.errors import LokiBadResponse as UnexpectedShape
from log_analyzer.sources.loki.logql import buckets_query, logql_range, totals_query
from log_analyzer.sources.loki.shapes import parse_matrix, parse_vector
from tests.conftest import LOKI_URL, recorded, recorded_response

S = 10**9
BILLING = Selection.of({"namespace": "billing"})
RECORDED_DEFAULT = LineFilter(pattern="(?i)(error|warn|failed|exception|panic|fatal)")


def series_of(
    body: dict[str, Any],
    *,
    start_ns: int,
    end_ns: int,
    step_seconds: int,
    levels: list[Level] | None = None,
) -> Series:
    histogram = parse_matrix(body, start_ns=start_ns, end_ns=end_ns, step_seconds=step_seconds)
    return histogram.series(levels)


def vector(*samples: tuple[dict[str, str], Any]) -> dict[str, Any]:
    result = [{"metric": m, "value": [1795459133, v]} for m, v in samples]
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


def matrix(*series: tuple[dict[str, str], list[list[Any]]]) -> dict[str, Any]:
    result = [{"metric": m, "values": v} for m, v in series]
    return {"status": "success", "data": {"resultType": "matrix", "result": result}}


# --- queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        pytest.param(60, 10, id="1m"),
        pytest.param(30 * 60, 60, id="30m"),
        pytest.param(3600, 120, id="1h"),
        pytest.param(6 * 3600, 900, id="6h"),
        pytest.param(24 * 3600, 3600, id="24h"),
        pytest.param(90 * 86400, 86400, id="longer-than-nice"),
        pytest.param(0, 10, id="empty-window"),
    ],
)
def test_bucket_step_is_nice_and_gives_at_most_30_buckets(seconds: int, expected: int) -> None:
    assert bucket_step(0, seconds * S) == expected
    assert seconds / expected <= 30 or expected == 86400


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        pytest.param(1800, "30m", id="minutes"),
        pytest.param(7200, "2h", id="hours"),
        pytest.param(86400, "1d", id="day"),
        pytest.param(90, "90s", id="seconds"),
        pytest.param(0, "1s", id="floor"),
    ],
)
def test_logql_range(seconds: int, expected: str) -> None:
    assert logql_range(seconds) == expected


def test_totals_query_matches_the_recorded_shape() -> None:
    query = totals_query(BILLING, RECORDED_DEFAULT, 0, 1800 * S)
    assert query == (
        'sum by (detected_level, pod, container) (count_over_time({namespace="billing"} '
        '|~ "(?i)(error|warn|failed|exception|panic|fatal)" [30m]))'
    )


def test_buckets_query_is_the_recorded_one() -> None:
    rec = recorded("loki", "query_range-matrix.json")
    assert buckets_query(BILLING, LineFilter.every(), 300) == rec["request"]["params"]["query"]


# --- vector --------------------------------------------------------------------------------------


@respx.mock(base_url=LOKI_URL)
def test_recorded_vector_by_pod(respx_mock: respx.MockRouter) -> None:
    respx_mock.get("/loki/api/v1/query").mock(
        return_value=recorded_response("loki", "query-vector.json")
    )
    body = httpx.get(f"{LOKI_URL}/loki/api/v1/query").json()
    totals = parse_vector(body)
    assert totals.total == 158 + 900 + 660 + 303
    assert totals.by_source[0] == ("checkout-2c386bbc4-lft7s", 900)
    assert [s for s, _ in totals.by_source] == [
        "checkout-2c386bbc4-lft7s",
        "frontend-3f1fd42a2-nbbb2",
        "payments-335bf992d-tb9qr",
        "cart-0c4647159-5sl68",
    ]
    assert totals.by_level == ()
    assert totals.malformed == 0


@pytest.mark.parametrize(
    ("body", "by_level", "by_source", "total", "malformed"),
    [
        pytest.param(
            vector(
                ({"detected_level": "error", "pod": "a", "container": "app"}, "10"),
                ({"detected_level": "warn", "pod": "a", "container": "app"}, "5"),
                ({"detected_level": "error", "pod": "b", "container": "app"}, "7"),
            ),
            ((Level.ERROR, 17), (Level.WARN, 5)),
            (("a/app", 15), ("b/app", 7)),
            22,
            0,
            id="level-and-source",
        ),
        pytest.param(
            vector(
                ({"detected_level": "critical"}, "1"),
                ({"detected_level": "warning"}, "2"),
                ({"detected_level": "unknown"}, "3"),
            ),
            ((Level.FATAL, 1), (Level.WARN, 2), (Level.UNKNOWN, 3)),
            (),
            6,
            0,
            id="level-aliases",
        ),
        pytest.param(
            vector(
                ({"detected_level": "error"}, "NaN"),
                ({"detected_level": "error"}, "x"),
                ({"detected_level": "error"}, None),
                ({"detected_level": "error"}, "4"),
            ),
            ((Level.ERROR, 4),),
            (),
            4,
            3,
            id="malformed-counted",
        ),
        pytest.param(
            vector(
                ({"detected_level": "error"}, "1e300"),
                ({"detected_level": "error"}, str(2**60)),
                ({"detected_level": "error"}, "4"),
            ),
            ((Level.ERROR, 4),),
            (),
            4,
            2,
            id="beyond-any-count",  # its digits alone filled the model's context
        ),
        pytest.param(vector(), (), (), 0, 0, id="empty"),
    ],
)
def test_parse_vector(
    body: dict[str, Any],
    by_level: tuple[tuple[Level, int], ...],
    by_source: tuple[tuple[str, int], ...],
    total: int,
    malformed: int,
) -> None:
    totals = parse_vector(body)
    assert totals.by_level == by_level
    assert totals.by_source == by_source
    assert totals.total == total
    assert totals.malformed == malformed


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="no-data"),
        pytest.param({"data": {"resultType": "streams", "result": []}}, id="wrong-type"),
        pytest.param({"data": {"resultType": "vector"}}, id="no-result"),
        pytest.param({"data": {"resultType": "vector", "result": [1]}}, id="bad-item"),
    ],
)
def test_unexpected_bodies_are_refused(body: dict[str, Any]) -> None:
    with pytest.raises(UnexpectedShape):
        parse_vector(body)


# --- matrix --------------------------------------------------------------------------------------


@respx.mock(base_url=LOKI_URL)
def test_recorded_matrix_fills_missing_steps_and_keeps_the_point_after_end(
    respx_mock: respx.MockRouter,
) -> None:
    rec = recorded("loki", "query_range-matrix.json")
    respx_mock.get("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-matrix.json")
    )
    body = httpx.get(f"{LOKI_URL}/loki/api/v1/query_range").json()
    params = rec["request"]["params"]
    start, end, step = int(params["start"]), int(params["end"]), int(params["step"])
    series = series_of(body, start_ns=start, end_ns=end, step_seconds=step)
    assert [ts for ts, _ in series.points] == list(range(1795457400, 1795459201, 300))
    assert series.points[-1][0] * S > end  # Loki aligned the end up to the step
    assert [v for _, v in series.points] == [15, 79, 73, 236, 709, 729, 580]
    errors = series_of(body, start_ns=start, end_ns=end, step_seconds=step, levels=[Level.ERROR])
    assert [v for _, v in errors.points] == [0, 0, 0, 132, 550, 529, 442]  # empty steps filled
    assert series.malformed == errors.malformed == 0


@pytest.mark.parametrize(
    ("values", "expected", "malformed"),
    [
        pytest.param([[120, "3"], [240, "5"]], [0, 3, 0, 5], 0, id="gaps-filled"),
        pytest.param(
            [[120, "3"], [180, "bad"], ["x", "1"], [240]], [0, 3, 0, 0], 3, id="malformed"
        ),
        pytest.param([[120, "3"], [180, "1e300"]], [0, 3, 0, 0], 1, id="beyond-any-count"),
        pytest.param([], [0, 0, 0, 0], 0, id="no-points"),
        pytest.param([[0, "2"], [60, "1"]], [2, 1, 0, 0, 0], 0, id="point-before-start-kept"),
    ],
)
def test_parse_matrix_grid(values: list[list[Any]], expected: list[float], malformed: int) -> None:
    # Window [30s, 230s) with 60s steps: buckets end at 60, 120, 180, 240.
    series = series_of(
        matrix(({"detected_level": "error"}, values)),
        start_ns=30 * S,
        end_ns=230 * S,
        step_seconds=60,
    )
    assert [v for _, v in series.points] == expected
    assert series.malformed == malformed


def test_parse_matrix_refuses_a_zero_step() -> None:
    with pytest.raises(ValueError, match="step"):
        parse_matrix(matrix(), start_ns=0, end_ns=S, step_seconds=0)


# --- spikes (detection itself is tested in tests/logs/test_totals.py) ---------------------------


def test_recorded_incident_is_a_level_shift_not_a_spike() -> None:
    rec = recorded("loki", "query_range-matrix.json")
    params = rec["request"]["params"]
    series = series_of(
        rec["body"],
        start_ns=int(params["start"]),
        end_ns=int(params["end"]),
        step_seconds=int(params["step"]),
    )
    assert find_spikes(series) == ()
