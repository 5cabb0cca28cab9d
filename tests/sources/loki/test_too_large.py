"""An answer too large for Loki's own gRPC messages: asked for again with fewer entries.

Loki's components pass answers to one another over gRPC, 4 MiB a message by default; a log
query over long lines at limit 5,000 can pass it, and Loki answers HTTP 500 with grpc-go's
ResourceExhausted text, as users report it from real Loki (grafana/loki#2271 on push,
higress-group/higress#2456 on queries: "rpc error: code = ResourceExhausted desc = trying to
send message larger than max (42129669 vs. 4194304)"). BUILT BY HAND from those texts; the
answer that fits is the recording.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from log_analyzer.sources.base import EntryQuery, LineFilter, Selection, Window
from log_analyzer.sources.loki.client import LokiClient
from log_analyzer.sources.loki.errors import LokiAnswerTooLarge, LokiBadResponse, LokiTimeout
from log_analyzer.sources.loki.source import MIN_LIMIT, LokiSource
from tests.conftest import LOKI_URL, recorded, recorded_response

pytestmark = pytest.mark.anyio
TOO_LARGE = (
    "rpc error: code = ResourceExhausted desc = grpc: received message larger than max "
    "(5242880 vs. 4194304)\n"
)
PARAMS = recorded("loki", "query_range-streams.json")["request"]["params"]
QUERY = EntryQuery(
    Window(int(PARAMS["start"]), int(PARAMS["end"])),
    Selection.of({"namespace": "billing"}),
    LineFilter(),
    5000,
)


def fits_at(most: int) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        limit = int(parse_qs(request.url.query.decode())["limit"][0])
        if limit > most:
            return httpx.Response(500, text=TOO_LARGE)
        return recorded_response("loki", "query_range-streams.json")

    return answer


async def test_a_too_large_answer_is_asked_for_again_with_half_the_limit() -> None:
    with respx.mock(base_url=LOKI_URL) as loki:
        route = loki.get("/loki/api/v1/query_range").mock(side_effect=fits_at(1250))
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            raw = await LokiSource(LokiClient(http)).entries(QUERY)
    limits = [int(parse_qs(c.request.url.query.decode())["limit"][0]) for c in route.calls]
    assert limits == [5000, 2500, 1250]
    assert raw.limit == 1250
    assert "; limit lowered from 5,000 to 1,250: Loki could not pass a larger answer" in raw.query
    assert "grpc_server_max_recv_msg_size" in raw.query
    assert raw.decoded().rows  # the recorded answer, read as ever


async def test_too_large_even_at_the_fewest_entries_is_an_error() -> None:
    with respx.mock(base_url=LOKI_URL) as loki:
        route = loki.get("/loki/api/v1/query_range").mock(side_effect=fits_at(0))
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            with pytest.raises(LokiAnswerTooLarge) as caught:
                await LokiSource(LokiClient(http)).entries(QUERY)
    limits = [int(parse_qs(c.request.url.query.decode())["limit"][0]) for c in route.calls]
    assert limits[-1] >= MIN_LIMIT and limits[-1] // 2 < MIN_LIMIT
    assert isinstance(caught.value, LokiBadResponse)
    assert caught.value.code == "loki_bad_response"
    assert "message larger than max (5242880 vs. 4194304)" in caught.value.message


async def test_another_server_error_is_not_asked_again() -> None:
    with respx.mock(base_url=LOKI_URL) as loki:
        route = loki.get("/loki/api/v1/query_range").mock(
            return_value=httpx.Response(500, text="failed to get index: boom")
        )
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            with pytest.raises(LokiBadResponse) as caught:
                await LokiSource(LokiClient(http)).entries(QUERY)
    assert route.call_count == 1
    assert not isinstance(caught.value, LokiAnswerTooLarge)


async def test_the_lowered_limit_reaches_the_fewest_entries() -> None:
    with respx.mock(base_url=LOKI_URL) as loki:
        route = loki.get("/loki/api/v1/query_range").mock(side_effect=fits_at(MIN_LIMIT))
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            raw = await LokiSource(LokiClient(http)).entries(QUERY)
    limits = [int(parse_qs(c.request.url.query.decode())["limit"][0]) for c in route.calls]
    assert limits == [5000, 2500, 1250, 625, 312, 156, MIN_LIMIT]
    assert raw.limit == MIN_LIMIT


async def test_one_deadline_bounds_every_try() -> None:
    async def slow_too_large(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.1)
        return httpx.Response(500, text=TOO_LARGE)

    transport = httpx.MockTransport(slow_too_large)
    async with httpx.AsyncClient(base_url=LOKI_URL, transport=transport) as http:
        client = LokiClient(http, deadline_seconds=0.35)
        with pytest.raises(LokiTimeout, match="SOURCE_QUERY_DEADLINE_SECONDS"):
            await LokiSource(client).entries(QUERY)  # seven tries of 0.1 s each
