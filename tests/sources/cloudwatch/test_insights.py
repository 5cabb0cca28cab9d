"""True counts by Logs Insights, with botocore's Stubber (aiobotocore's `AioStubber`).

No emulator runs Logs Insights' ``stats``, so these answers are built by hand: their shape is
what the Logs Insights documentation shows (one row per group, each cell a ``field``/``value``
pair, the bin's value as a UTC ``YYYY-MM-DD HH:MM:SS.mmm`` stamp), and the Stubber checks every
request and every answer against CloudWatch Logs' real service model, so a parameter or a field
the API does not have fails the test.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiobotocore.stub import AioStubber
from botocore.stub import ANY

from log_analyzer.logs.levels import Level
from log_analyzer.sources.base import CountQuery, LineFilter, Selection, Window
from log_analyzer.sources.cloudwatch.client import CloudWatchClient
from log_analyzer.sources.cloudwatch.errors import CloudWatchTimeout, CloudWatchUnavailable
from log_analyzer.sources.cloudwatch.source import CloudWatchSource, PollPolicy
from tests.sources.cloudwatch.conftest import logs_client

pytestmark = pytest.mark.anyio

GROUP = "/aws/containerinsights/shop/application"
# 2026-11-23 10:00:00 UTC to 10:30:00.5 UTC
START_MS = 1_795_428_000_000
END_MS = START_MS + 30 * 60_000 + 500
WINDOW = Window(START_MS * 1_000_000, END_MS * 1_000_000)
NO_WAIT = PollPolicy(initial_seconds=0, max_seconds=0)
STATISTICS = {"recordsMatched": 2652.0, "recordsScanned": 12_541.0, "bytesScanned": 2_083_914.0}


def cells(**values: str) -> list[dict[str, str]]:
    return [{"field": name, "value": value} for name, value in values.items()]


@asynccontextmanager
async def stubbed(**options: Any) -> AsyncIterator[tuple[CloudWatchSource, AioStubber]]:
    async with logs_client() as logs:
        with AioStubber(logs) as stubber:
            source = CloudWatchSource(
                CloudWatchClient(logs, deadline_seconds=5), poll=NO_WAIT, **options
            )
            yield source, stubber
            stubber.assert_no_pending_responses()


def query(line_filter: LineFilter, **more: str) -> CountQuery:
    return CountQuery(WINDOW, Selection.of({"log_group": GROUP, **more}), line_filter)


async def test_totals_by_level_and_stream_from_one_stats_query() -> None:
    async with stubbed() as (source, stub):
        stub.add_response(
            "start_query",
            {"queryId": "q-totals"},
            {
                "logGroupName": GROUP,
                "startTime": START_MS // 1000,
                "endTime": END_MS // 1000 + 1,
                "queryString": ANY,
                "limit": 10_000,
            },
        )
        stub.add_response("get_query_results", {"status": "Running", "results": []})
        stub.add_response(
            "get_query_results",
            {
                "status": "Complete",
                "statistics": STATISTICS,
                "results": [
                    cells(store_level="error", **{"@logStream": "checkout-7d9c"}, lines="2300"),
                    cells(store_level="warn", **{"@logStream": "payments-5f6d"}, lines="150"),
                    cells(store_level="fatal", **{"@logStream": "payments-5f6d"}, lines="1"),
                    # A group whose level is null: Insights leaves the field out.
                    cells(**{"@logStream": "frontend-6b8d"}, lines="201"),
                ],
            },
            {"queryId": "q-totals"},
        )
        totals = await source.totals(query(LineFilter.default(), log_stream_prefix="pay"))
    assert totals.total == 2652
    assert dict(totals.by_level) == {
        Level.FATAL: 1,
        Level.ERROR: 2300,
        Level.WARN: 150,
        Level.UNKNOWN: 201,
    }
    assert totals.by_source[0] == ("checkout-7d9c", 2300)
    text = totals.query
    assert text.startswith(f'Logs Insights logGroupName="{GROUP}": ')
    assert f"toMillis(@timestamp) >= {START_MS} and toMillis(@timestamp) < {END_MS}" in text
    assert "filter @logStream like /^pay/" in text
    severe = "(?i)(error|eror|warn|fail|exception|panic|fatal|crit|emerg|alert\\])|"
    assert f"filter @message like /{severe}" in text
    assert text.endswith("stats count(*) as lines by store_level, @logStream")


@pytest.mark.parametrize(
    ("step", "bin_name", "stamp", "end"),
    [
        (300, "bin(5m)", "2026-11-23 10:05:00.000", 1_795_428_600),
        (86_400, "bin(1d)", "2026-11-23 00:00:00.000", 1_795_478_400),
    ],
    ids=["5m", "1d"],
)
async def test_histogram_from_bins(step: int, bin_name: str, stamp: str, end: int) -> None:
    async with stubbed() as (source, stub):
        stub.add_response("start_query", {"queryId": "q-bins"})
        stub.add_response(
            "get_query_results",
            {
                "status": "Complete",
                "statistics": STATISTICS,
                "results": [
                    cells(**{bin_name: stamp}, store_level="error", lines="1900"),
                    cells(**{bin_name: stamp}, store_level="INFO", lines="12"),
                ],
            },
        )
        histogram = await source.histogram(query(LineFilter.every()), step)
    points = dict(histogram.points)
    assert points[end] == {Level.ERROR: 1900, Level.INFO: 12}
    assert sum(sum(by.values()) for by in points.values()) == 1912
    assert histogram.query.endswith(f"stats count(*) as lines by {bin_name}, store_level")
    assert histogram.step_seconds == step


async def test_a_query_past_the_deadline_is_stopped() -> None:
    async with logs_client() as logs:
        with AioStubber(logs) as stub:
            # One poll, then a wait far longer than the deadline.
            slow = PollPolicy(initial_seconds=60, max_seconds=60)
            source = CloudWatchSource(CloudWatchClient(logs, deadline_seconds=0.3), poll=slow)
            stub.add_response("start_query", {"queryId": "q-slow"})
            stub.add_response("get_query_results", {"status": "Running", "results": []})
            stub.add_response("stop_query", {"success": True}, {"queryId": "q-slow"})
            with pytest.raises(CloudWatchTimeout, match="SOURCE_QUERY_DEADLINE_SECONDS"):
                await source.totals(query(LineFilter.every()))
            stub.assert_no_pending_responses()


async def test_an_endpoint_without_insights_is_paged_and_not_asked_again() -> None:
    page = {
        "events": [
            {"logStreamName": "api", "timestamp": START_MS + 5, "message": "ERROR boom"},
            {"logStreamName": "api", "timestamp": START_MS + 9, "message": '{"level":"info"}'},
        ],
        "searchedLogStreams": [],
    }
    async with stubbed() as (source, stub):
        stub.add_client_error("start_query", "UnknownOperationException", http_status_code=400)
        stub.add_response("filter_log_events", page)
        stub.add_response("filter_log_events", page)  # the second count: no StartQuery
        first = await source.totals(query(LineFilter.every()))
        second = await source.totals(query(LineFilter.every()))
    for totals in (first, second):
        assert dict(totals.by_level) == {Level.ERROR: 1, Level.INFO: 1}
        assert "Logs Insights is not available" in totals.query


async def test_a_refused_insights_query_is_counted_by_paging() -> None:
    async with stubbed() as (source, stub):
        stub.add_client_error(
            "start_query", "MalformedQueryException", "unexpected symbol", http_status_code=400
        )
        stub.add_response(
            "filter_log_events",
            {"events": [{"logStreamName": "a", "timestamp": START_MS, "message": "x"}]},
        )
        totals = await source.totals(query(LineFilter(pattern="x")))
    assert totals.total == 1
    assert "Logs Insights refused the count query" in totals.query
    assert "unexpected symbol" in totals.query


async def test_event_rows_are_no_stats_answer() -> None:
    event_rows = [
        cells(**{"@ptr": "CmAKJwoj", "@timestamp": "2026-11-23 10:01:00.000"}, lines="3"),
    ]
    async with stubbed() as (source, stub):
        stub.add_response("start_query", {"queryId": "q"})
        stub.add_response("get_query_results", {"status": "Complete", "results": event_rows})
        stub.add_response("filter_log_events", {"events": []})
        totals = await source.totals(query(LineFilter.every()))
    assert totals.total == 0
    assert "event rows and no counts" in totals.query


@pytest.mark.parametrize("status", ["Failed", "Unknown"])
async def test_an_insights_query_that_failed_is_counted_by_paging(status: str) -> None:
    async with stubbed() as (source, stub):
        stub.add_response("start_query", {"queryId": "q-failed"})
        stub.add_response("get_query_results", {"status": "Running", "results": []})
        stub.add_response("get_query_results", {"status": status, "results": []})
        stub.add_response(
            "filter_log_events",
            {"events": [{"logStreamName": "a", "timestamp": START_MS, "message": "ERROR x"}]},
        )
        totals = await source.totals(query(LineFilter.every()))
    assert dict(totals.by_level) == {Level.ERROR: 1}
    assert f"the Logs Insights count query ended with status {status!r}" in totals.query
    assert "every event read and counted in the service" in totals.query


@pytest.mark.parametrize(
    ("status", "error", "said"),
    [
        pytest.param("Timeout", CloudWatchTimeout, "timed out on CloudWatch's side", id="timeout"),
        pytest.param("Cancelled", CloudWatchUnavailable, "was cancelled", id="cancelled"),
    ],
)
async def test_an_insights_query_timed_out_or_cancelled_is_reported(
    status: str, error: type[Exception], said: str
) -> None:
    async with stubbed() as (source, stub):
        stub.add_response("start_query", {"queryId": "q-ended"})
        stub.add_response("get_query_results", {"status": status, "results": []})
        with pytest.raises(error, match=said):
            await source.histogram(query(LineFilter.every()), 300)


async def test_insights_at_its_concurrency_limit_is_counted_by_paging() -> None:
    # StartQuery refuses a query past the account's concurrent Insights queries with a 400
    # (grafana/grafana#26307); the error code is the one its API model lists. The message is
    # made up.
    async with stubbed() as (source, stub):
        for _ in range(3):  # the tests' retry setting: 3 tries, no waits
            stub.add_client_error(
                "start_query", "LimitExceededException", "too many queries", http_status_code=400
            )
        stub.add_response(
            "filter_log_events",
            {"events": [{"logStreamName": "a", "timestamp": START_MS, "message": "WARN y"}]},
        )
        totals = await source.totals(query(LineFilter.every()))
    assert dict(totals.by_level) == {Level.WARN: 1}
    assert "Logs Insights is at its limit of concurrent queries" in totals.query
    assert "every event read and counted in the service" in totals.query


class SlowPages(CloudWatchClient):
    async def filter_events(self, params: Any) -> Any:
        await asyncio.sleep(0.2)
        return await super().filter_events(params)


async def test_one_deadline_bounds_insights_and_the_paging_after_it() -> None:
    async with logs_client() as logs:
        with AioStubber(logs) as stub:
            poll = PollPolicy(initial_seconds=0.2, max_seconds=0.2)
            source = CloudWatchSource(SlowPages(logs, deadline_seconds=0.3), poll=poll)
            stub.add_response("start_query", {"queryId": "q-failed"})
            stub.add_response("get_query_results", {"status": "Running", "results": []})
            stub.add_response("get_query_results", {"status": "Failed", "results": []})
            stub.add_response("filter_log_events", {"events": []})
            # 0.2 s of Logs Insights, then 0.2 s of paging: past the 0.3 s of one deadline.
            with pytest.raises(CloudWatchTimeout, match="SOURCE_QUERY_DEADLINE_SECONDS"):
                await source.totals(query(LineFilter.every()))
