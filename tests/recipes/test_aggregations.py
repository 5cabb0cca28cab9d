"""top_errors, logs_per_level, logs_per_hour and top_users, with known answers."""

from __future__ import annotations

import pytest

from log_analyzer.recipes.aggregations import LogsPerHour, LogsPerLevel, TopErrors, TopUsers
from log_analyzer.sources.loki.errors import LokiUnavailable
from tests.conftest import recorded
from tests.recipes.support import T0, Line, as_dicts, json_line, matrix, run, source, table, vector

RECORDED_START, RECORDED_END = 1795457333, 1795459133
"""The window the recorded matrix was queried over."""


@pytest.mark.anyio
async def test_logs_per_level_counts_every_line_by_level() -> None:
    body = vector(
        [({"detected_level": "error"}, 30), ({"detected_level": "info"}, 60),
         ({"detected_level": "warning"}, 10)],
        T0 + 1800,
    )  # fmt: skip
    log_source = source(vector_body=body)
    result = await run(LogsPerLevel(), log_source)
    assert result.queries == (
        'sum by (detected_level, pod, container) (count_over_time({namespace="shop"} [30m]))',
    )
    assert log_source.count_texts == list(result.queries)
    assert log_source.queries == []  # no log query: the numbers are all totals
    t = result.tables[0]
    assert (t.counts_are, t.source) == (
        "total",
        "loki count query over the whole window, by level (30m)",
    )
    assert t.rows == (("error", 30, 0.3), ("warn", 10, 0.1), ("info", 60, 0.6))
    assert result.facts == (
        "100 lines in the window (total)",
        "error: 30 lines (30.0%)",
        "warn: 10 lines (10.0%)",
        "info: 60 lines (60.0%)",
    )


@pytest.mark.anyio
async def test_logs_per_level_empty_window() -> None:
    result = await run(LogsPerLevel(), source(vector_body=vector([], T0)))
    assert result.tables[0].rows == ()
    assert result.notes == ("loki counted no line in the window",)


@pytest.mark.anyio
async def test_logs_per_hour_on_the_recorded_matrix() -> None:
    log_source = source(matrix_body=recorded("loki", "query_range-matrix.json")["body"])
    result = await run(LogsPerHour(), log_source, start=RECORDED_START, end=RECORDED_END)
    t = result.tables[0]
    assert t.columns == ("hour (UTC)", "error", "warn", "info", "total")
    # The whole recording lies in one clock hour: the sums of its points per level.
    assert t.rows == (("2026-11-23T18:00:00Z", 1653, 368, 400, 2421),)
    assert t.counts_are == "total"
    assert t.source == ("loki count query, 10 s buckets, by level, summed per clock hour")
    assert result.queries == (
        'sum by (detected_level) (count_over_time({namespace="shop"} [10s]))',
    )
    assert result.notes == (
        "the first or last hour is partial: the window does not start or end on it",
    )


@pytest.mark.anyio
async def test_logs_per_hour_sums_fine_buckets_per_clock_hour() -> None:
    body = matrix(
        [
            ({"detected_level": "error"}, [(T0 + 60, 5), (T0 + 3600, 7), (T0 + 3660, 2)]),
            ({"detected_level": "info"}, [(T0 + 7260, 4)]),
        ]
    )
    result = await run(LogsPerHour(), source(matrix_body=body), end=T0 + 3 * 3600)
    assert result.tables[0].source.startswith("loki count query, 60 s buckets")
    assert as_dicts(result.tables[0]) == [
        # the point at T0+3600 counts (T0+3540, T0+3600]: the first hour
        {"hour (UTC)": "2027-01-15T08:00:00Z", "error": 12, "info": 0, "total": 12},
        {"hour (UTC)": "2027-01-15T09:00:00Z", "error": 2, "info": 0, "total": 2},
        {"hour (UTC)": "2027-01-15T10:00:00Z", "error": 0, "info": 4, "total": 4},
    ]
    assert result.facts == (
        "18 lines over 3 hour(s) (total)",
        "the busiest hour starts at 2027-01-15T08:00:00Z: 12 lines",
    )
    assert result.notes == ()


def _log(ts: int, pod: str, level: str, msg: str) -> Line:
    return (ts, pod, json_line(level=level, msg=msg))


ERROR_LINES: list[Line] = [
    *(_log(T0 + 60 * i, "pay-1", "error", "payment declined by bank") for i in range(1, 4)),
    _log(T0 + 600, "pay-2", "error", "payment declined by bank"),
    _log(T0 + 900, "pay-2", "fatal", "database is down"),
    *(_log(T0 + 10 * i, "pay-1", "warn", "slow disk") for i in range(5)),
]
TOTALS = vector(
    [
        ({"detected_level": "error", "pod": "pay-1", "container": "app"}, 40),
        ({"detected_level": "warn", "pod": "pay-1", "container": "app"}, 10),
        ({"detected_level": "fatal", "pod": "pay-2", "container": "app"}, 1),
    ],
    T0 + 1800,
)


@pytest.mark.anyio
async def test_top_errors_patterns_and_true_totals() -> None:
    log_source = source(ERROR_LINES, vector_body=TOTALS)
    result = await run(TopErrors(), log_source)
    patterns = table(result, "Top error patterns")
    assert patterns.counts_are == "total"
    assert [row[:5] for row in patterns.rows] == [
        ("P2", "error", "payment declined by bank", 4, "pay-1/app (3), pay-2/app (1)"),
        ("P1", "fatal", "database is down", 1, "pay-2/app (1)"),
    ]
    # first seen in the window's leading 5% (90 s): probably there before, so not new
    assert patterns.rows[0][5:] == ("2027-01-15T08:01:00Z", "2027-01-15T08:10:00Z", "no")
    assert patterns.rows[1][5:] == ("2027-01-15T08:15:00Z", "2027-01-15T08:15:00Z", "yes")
    by_level = table(result, "Lines by level")
    assert by_level.counts_are == "total"
    assert by_level.rows == (("fatal", 1), ("error", 40), ("warn", 10))
    assert table(result, "Lines by source").rows == (("pay-1/app", 50), ("pay-2/app", 1))
    assert result.queries[0] == log_source.entry_texts[0]
    assert sorted(result.queries[1:]) == sorted(log_source.count_texts)
    assert result.facts == (
        "2 error/fatal patterns in 10 fetched lines (total); the most frequent, P2, has 4 lines "
        "from 2 source(s)",
        "51 matching lines in the window (total), 41 of them error or fatal",
    )


@pytest.mark.anyio
async def test_top_errors_quotes_a_source_that_is_no_name() -> None:
    # A stream named "pay-9 (9999), pay-1" must not read as two sources with their counts.
    lines = [_log(T0 + 60, "pay-9 (9999), pay-1", "error", "payment declined by bank")]
    result = await run(TopErrors(), source(lines, vector_body=TOTALS))
    assert table(result, "Top error patterns").rows[0][4] == '"pay-9 (9999), pay-1/app" (1)'


@pytest.mark.anyio
async def test_top_errors_sampled_top_and_missing_totals() -> None:
    log_source = source(ERROR_LINES, vector_body=LokiUnavailable("Loki is down"))
    result = await run(TopErrors(), log_source, limit=len(ERROR_LINES), params={"top": 1})
    patterns = table(result, "Top error patterns")
    assert patterns.counts_are == "sample"
    assert len(patterns.rows) == 1
    assert [t.title for t in result.tables] == ["Top error patterns"]
    assert result.notes == ("no true totals: Loki is down",)


@pytest.mark.anyio
async def test_top_errors_without_errors() -> None:
    result = await run(TopErrors(), source(ERROR_LINES[-5:], vector_body=TOTALS))
    assert table(result, "Top error patterns").rows == ()
    assert result.notes == ("no error or fatal pattern in the 5 fetched lines",)


USER_LINES: list[Line] = [
    (T0, "web-1", json_line(msg="req", path="/a", status=200, user="alice")),
    (T0 + 1, "web-1", json_line(msg="req", path="/a", status=502, user="alice")),
    (T0 + 2, "web-1", "method=GET path=/b status=200 user_id=alice"),
    (T0 + 3, "web-2", json_line(msg="req", path="/a", status=404, username="bob")),
    (T0 + 4, "web-2", '10.0.0.1 - - [x] "GET /c HTTP/1.1" 200 1'),
    (T0 + 5, "web-2", "started"),
]


@pytest.mark.anyio
async def test_top_users() -> None:
    log_source = source(USER_LINES)
    result = await run(TopUsers(), log_source)
    assert log_source.entry_texts[0] == '{namespace="shop"}'  # every line, not only errors
    t = result.tables[0]
    assert t.rows == (("alice", 3, 1, 0), ("bob", 1, 0, 1))
    assert t.counts_are == "total"
    assert result.facts == (
        '2 distinct users over 5 request lines (total); "alice" made the most: 3',
        "request lines without a user: 1",
    )
    top = await run(TopUsers(), source(USER_LINES), params={"top": 1}, limit=len(USER_LINES))
    assert top.tables[0].rows == (("alice", 3, 1, 0),)
    assert top.tables[0].counts_are == "sample"


@pytest.mark.anyio
async def test_a_fact_cites_a_long_user_in_part_and_the_table_holds_it_whole() -> None:
    # Facts are always in the prompt: 1,800 astral characters were 5,600 tokens there.
    user = "\U0001d504" * 1800
    lines = [
        (T0 + i, "web-1", json_line(msg="req", path="/a", status=200, user=user)) for i in range(2)
    ]
    result = await run(TopUsers(), source(lines))
    assert result.tables[0].rows == ((user, 2, 0, 0),)
    fact = result.facts[0]
    assert fact.endswith(" made the most: 2")
    assert len(fact.encode()) < 200 and "\u2026" in fact


@pytest.mark.anyio
async def test_top_users_note_without_a_user_field() -> None:
    result = await run(TopUsers(), source(USER_LINES[4:]))
    assert result.tables[0].rows == ()
    assert result.notes == ("no user field in the 2 fetched lines",)
