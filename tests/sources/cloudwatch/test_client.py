"""CloudWatch Logs' failures as the service's errors: denied, throttled, unreachable, not found.

Refusals come from botocore's Stubber (each error code one CloudWatch Logs documents for the
operation; the Stubber checks the requests against the service model); the unreachable
endpoint and the unknown log group are real (a closed port, moto's server).
"""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
import stamina
from aiobotocore.stub import AioStubber
from botocore.stub import ANY

from log_analyzer.sources.base import EntryQuery, LineFilter, Order, Selection, Window
from log_analyzer.sources.cloudwatch.client import CloudWatchClient, RetryPolicy
from log_analyzer.sources.cloudwatch.errors import (
    CloudWatchBadResponse,
    CloudWatchQueryError,
    CloudWatchTimeout,
    CloudWatchUnavailable,
)
from log_analyzer.sources.cloudwatch.source import CloudWatchSource
from tests.sources.cloudwatch.conftest import Emulator, emulated_source, logs_client

pytestmark = pytest.mark.anyio

GROUP = "/ecs/orders"
WINDOW = Window(1_795_428_000_000_000_000, 1_795_429_800_000_000_000)
PAGE = {"events": [{"logStreamName": "api", "timestamp": 1_795_428_000_001, "message": "ok"}]}


def entries_query(group: str = GROUP) -> EntryQuery:
    """The oldest entries: one FilterLogEvents page when it holds no ``nextToken``."""
    selection = Selection.of({"log_group": group})
    return EntryQuery(WINDOW, selection, LineFilter.every(), 10, Order.OLDEST)


async def test_access_denied_names_cloudwatch_and_the_missing_permission() -> None:
    async with logs_client() as logs:
        with AioStubber(logs) as stub:
            stub.add_client_error(
                "filter_log_events",
                "AccessDeniedException",
                "User: arn:aws:sts::123456789012:assumed-role/log-analyzer/x is not authorized "
                "to perform: logs:FilterLogEvents",
            )
            source = CloudWatchSource(CloudWatchClient(logs))
            with pytest.raises(CloudWatchUnavailable) as raised:
                await source.entries(entries_query())
    error = raised.value
    assert error.status_code == 502
    assert error.code == "cloudwatch_unavailable"
    assert error.to_dict()["upstream"] == "cloudwatch"
    assert "CloudWatch Logs denied FilterLogEvents" in error.message
    assert "permission logs:FilterLogEvents" in error.message
    assert "k8s/aws/log-analyzer-cloudwatch-policy.json" in error.message


@pytest.mark.parametrize("code", ["ThrottlingException", "ServiceUnavailableException"])
async def test_throttling_is_retried_then_answered(code: str) -> None:
    async with logs_client() as logs:
        with AioStubber(logs) as stub:
            stub.add_client_error("filter_log_events", code, "Rate exceeded")
            stub.add_client_error("filter_log_events", code, "Rate exceeded")
            stub.add_response("filter_log_events", PAGE)
            source = CloudWatchSource(CloudWatchClient(logs))
            raw = await source.entries(entries_query())
            stub.assert_no_pending_responses()
    assert [line for _, _, line in raw.decoded().rows] == ["ok"]


async def test_a_full_insights_queue_is_retried() -> None:
    async with logs_client() as logs:
        with AioStubber(logs) as stub:
            stub.add_client_error("start_query", "LimitExceededException", "too many queries")
            stub.add_response("start_query", {"queryId": "q"})
            client = CloudWatchClient(logs)
            assert (
                await client.start_query(
                    {"logGroupName": GROUP, "startTime": 1, "endTime": 2, "queryString": "stats"}
                )
                == "q"
            )
            stub.assert_no_pending_responses()


async def test_throttling_past_the_tries_is_an_error_naming_cloudwatch() -> None:
    async with logs_client() as logs:
        with AioStubber(logs) as stub:
            for _ in range(3):  # the tests' retry setting: 3 tries, no waits
                stub.add_client_error("filter_log_events", "ThrottlingException", "Rate exceeded")
            source = CloudWatchSource(CloudWatchClient(logs))
            with pytest.raises(CloudWatchUnavailable, match="throttling") as raised:
                await source.entries(entries_query())
    assert raised.value.message.startswith("CloudWatch Logs is throttling")


async def test_throttling_waits_count_against_the_deadline() -> None:
    policy = RetryPolicy(attempts=10, initial_wait_seconds=0.2, max_wait_seconds=0.2)
    async with logs_client() as logs:
        with AioStubber(logs) as stub, stamina.set_testing(False):
            for _ in range(10):
                stub.add_client_error("filter_log_events", "ThrottlingException", "Rate exceeded")
            source = CloudWatchSource(CloudWatchClient(logs, policy, deadline_seconds=0.5))
            began = time.monotonic()
            with pytest.raises(CloudWatchTimeout, match="SOURCE_QUERY_DEADLINE_SECONDS"):
                await source.entries(entries_query())
    assert time.monotonic() - began < 2  # not ten tries' waits


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_an_unreachable_endpoint_is_named() -> None:
    async with logs_client(f"http://127.0.0.1:{_closed_port()}") as logs:
        source = CloudWatchSource(CloudWatchClient(logs, deadline_seconds=10))
        with pytest.raises(CloudWatchUnavailable, match="cannot reach CloudWatch Logs"):
            await source.entries(entries_query())
        with pytest.raises(CloudWatchUnavailable, match="cannot reach CloudWatch Logs"):
            await source.ready()


async def test_an_unknown_log_group_names_the_filter(emulator: Emulator) -> None:
    async with emulated_source(emulator) as source:
        with pytest.raises(CloudWatchQueryError) as raised:
            await source.entries(entries_query("/no/such/group"))
        await source.ready()  # DescribeLogGroups answers
    assert raised.value.details["field"] == "filters.log_group"
    assert "/no/such/group" in raised.value.message


async def test_a_refused_filter_pattern_is_dropped_and_the_read_made_again() -> None:
    async with logs_client() as logs:
        with AioStubber(logs) as stub:
            stub.add_client_error(
                "filter_log_events", "InvalidParameterException", "Invalid filter pattern"
            )
            stub.add_response(
                "filter_log_events",
                {"events": [*PAGE["events"], {**PAGE["events"][0], "message": "HikariPool down"}]},
                {
                    "logGroupName": GROUP,
                    "startTime": ANY,
                    "endTime": ANY,
                    "limit": ANY,
                    "interleaved": True,
                },  # no filterPattern this time
            )
            source = CloudWatchSource(CloudWatchClient(logs))
            query = EntryQuery(
                WINDOW,
                Selection.of({"log_group": GROUP}),
                LineFilter(pattern="HikariPool"),
                10,
                Order.OLDEST,
            )
            raw = await source.entries(query)
            stub.assert_no_pending_responses()
    assert [line for _, _, line in raw.decoded().rows] == ["HikariPool down"]
    assert 'no filter pattern (CloudWatch refused "%HikariPool%")' in raw.query


async def test_pages_without_events_but_with_a_token_are_read_on() -> None:
    # CloudWatch may answer a page with no events and a nextToken while the window holds more
    # (awslabs/cloudwatch-logs-customize-alarms#8 shows such a page: events and
    # searchedLogStreams empty, nextToken set); the read goes on until a page has no token.
    empty: dict[str, object] = {"events": [], "searchedLogStreams": []}
    async with logs_client() as logs:
        with AioStubber(logs) as stub:
            stub.add_response("filter_log_events", {**empty, "nextToken": "t1"})
            stub.add_response(
                "filter_log_events", {**empty, "nextToken": "t2"}, {**_params(), "nextToken": "t1"}
            )
            stub.add_response("filter_log_events", PAGE, {**_params(), "nextToken": "t2"})
            read = await CloudWatchSource(CloudWatchClient(logs)).entries(entries_query())
            stub.assert_no_pending_responses()
    rows = read.decoded().rows
    assert [line for _, _, line in rows] == ["ok"]
    assert not read.decoded().more


def _params() -> dict[str, object]:
    return {
        "logGroupName": GROUP,
        "startTime": WINDOW.start_ns // 1_000_000,
        "endTime": WINDOW.end_ns // 1_000_000 - 1,
        "limit": ANY,
        "interleaved": True,
    }


@pytest.mark.parametrize(
    ("code", "status"),
    [
        pytest.param("InternalFailure", 500, id="500"),
        pytest.param("", 502, id="502-no-code"),
        pytest.param("", 504, id="504-no-code"),
        pytest.param("RequestTimeout", 400, id="request-timeout"),
    ],
)
async def test_server_errors_are_retried_as_botocore_would(code: str, status: int) -> None:
    # botocore's own retries are off; its standard mode counts these as transient
    # (botocore/retries/standard.py: statuses 500, 502, 503, 504 and the timeout codes).
    async with logs_client() as logs:
        with AioStubber(logs) as stub:
            stub.add_client_error("filter_log_events", code, "", http_status_code=status)
            stub.add_response("filter_log_events", PAGE)
            raw = await CloudWatchSource(CloudWatchClient(logs)).entries(entries_query())
            stub.assert_no_pending_responses()
    assert [line for _, _, line in raw.decoded().rows] == ["ok"]


async def test_a_refusal_is_not_retried() -> None:
    async with logs_client() as logs:
        with AioStubber(logs) as stub:
            stub.add_client_error(
                "filter_log_events", "InvalidParameterException", "bad", http_status_code=400
            )
            with pytest.raises(CloudWatchQueryError):
                await CloudWatchSource(CloudWatchClient(logs)).entries(entries_query())
            stub.assert_no_pending_responses()


async def test_a_web_page_where_cloudwatch_should_be_is_a_bad_response() -> None:
    # CLOUDWATCH_ENDPOINT_URL at a proxy's or portal's page that answers every request with a
    # 200: botocore parses the page as an answer without fields, so the window read as empty,
    # "0 lines (all matching lines in the window)", and /ready said ok.
    page = b"<html><head><title>Portal</title></head><body>sign in</body></html>"

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(page)}\r\n"
        writer.write(head.encode() + b"Connection: close\r\n\r\n" + page)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, logs_client(f"http://127.0.0.1:{port}") as logs:
        source = CloudWatchSource(CloudWatchClient(logs, deadline_seconds=10))
        with pytest.raises(CloudWatchBadResponse) as read:
            await source.entries(entries_query())
        with pytest.raises(CloudWatchBadResponse) as ready:
            await source.ready()
    assert "FilterLogEvents answered without its events" in read.value.message
    assert "DescribeLogGroups answered without its logGroups" in ready.value.message
    assert "CLOUDWATCH_ENDPOINT_URL" in read.value.message
