"""LokiClient retries: what is retried, what is not, and what the caller sees at the end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

from log_analyzer.core.errors import ServiceError
from log_analyzer.sources.loki.client import MAX_GET_QUERY_CHARS, LokiClient
from log_analyzer.sources.loki.errors import (
    LokiBadResponse,
    LokiQueryError,
    LokiTimeout,
    LokiUnavailable,
)
from log_analyzer.sources.loki.shapes import parse_json
from tests.conftest import LOKI_URL, recorded, recorded_response

pytestmark = pytest.mark.anyio
QUERY = {"query": '{namespace="billing"}', "start": "1", "end": "2", "limit": "10"}
OK = recorded_response("loki", "query_range-streams.json")


@pytest.mark.parametrize(
    ("first", "calls"),
    [
        pytest.param(httpx.ConnectError("refused"), 2, id="connect-error"),
        pytest.param(httpx.ConnectTimeout("slow connect"), 2, id="connect-timeout"),
        pytest.param(
            recorded_response("loki", "reconstructed-error-too-many-outstanding.json"), 2, id="429"
        ),
        pytest.param(httpx.Response(502, text="bad gateway"), 2, id="502"),
        pytest.param(httpx.Response(503, text="unavailable"), 2, id="503"),
        pytest.param(
            recorded_response("loki", "reconstructed-error-query-timeout.json"), 2, id="504"
        ),
    ],
)
async def test_transient_failures_are_retried(
    loki_mock: respx.MockRouter, first: httpx.Response | Exception, calls: int
) -> None:
    route = loki_mock.get("/loki/api/v1/query_range").mock(side_effect=[first, OK])
    async with httpx.AsyncClient(base_url=LOKI_URL) as http:
        body = await LokiClient(http).query_range(QUERY)
    assert body.complete
    assert parse_json(body.content)["status"] == "success"
    assert route.call_count == calls


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        pytest.param(recorded_response("loki", "error-parse.json"), LokiQueryError, id="400"),
        pytest.param(httpx.ReadTimeout("slow query"), LokiTimeout, id="read-timeout"),
        pytest.param(httpx.Response(500, text="boom"), ServiceError, id="500"),
    ],
)
async def test_final_failures_are_not_retried(
    loki_mock: respx.MockRouter, answer: httpx.Response | Exception, error: type[ServiceError]
) -> None:
    route = loki_mock.get("/loki/api/v1/query_range")
    if isinstance(answer, Exception):
        route.mock(side_effect=answer)
    else:
        route.mock(return_value=answer)
    async with httpx.AsyncClient(base_url=LOKI_URL) as http:
        with pytest.raises(error):
            await LokiClient(http).query_range(QUERY)
    assert route.call_count == 1


async def test_retries_stop_and_the_last_answer_is_reported(loki_mock: respx.MockRouter) -> None:
    route = loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=httpx.Response(503, text="still starting")
    )
    async with httpx.AsyncClient(base_url=LOKI_URL) as http:
        with pytest.raises(ServiceError) as caught:
            await LokiClient(http).query_range(QUERY)
    assert route.call_count == 3  # the test cap; production uses LOKI_RETRY_ATTEMPTS
    assert "HTTP 503" in caught.value.message and "still starting" in caught.value.message


async def test_ready_is_never_retried(loki_mock: respx.MockRouter) -> None:
    route = loki_mock.get("/ready").mock(side_effect=httpx.ConnectError("refused"))
    async with httpx.AsyncClient(base_url=LOKI_URL) as http:
        with pytest.raises(LokiUnavailable):
            await LokiClient(http).ready()
    assert route.call_count == 1


async def test_a_long_query_goes_as_a_form_encoded_post(loki_mock: respx.MockRouter) -> None:
    recording = recorded("loki", "query_range-long-query-post.json")
    params = recording["request"]["params"]
    assert len(params["query"]) > MAX_GET_QUERY_CHARS  # the recorded 18,763-character query
    route = loki_mock.post("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-long-query-post.json")
    )
    async with httpx.AsyncClient(base_url=LOKI_URL) as http:
        body = await LokiClient(http).query_range(params)
    sent = route.calls.last.request
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert dict(parse_qsl(sent.content.decode(), strict_parsing=True)) == params
    assert not sent.url.query  # nothing in the URL
    assert parse_json(body.content)["data"]["resultType"] == "streams"


async def test_a_short_query_stays_a_get(loki_mock: respx.MockRouter) -> None:
    route = loki_mock.get("/loki/api/v1/query_range").mock(return_value=OK)
    async with httpx.AsyncClient(base_url=LOKI_URL) as http:
        await LokiClient(http).query_range(QUERY)
    assert dict(route.calls.last.request.url.params) == QUERY


async def test_a_404_blames_the_url_not_the_query(loki_mock: respx.MockRouter) -> None:
    loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=httpx.Response(404, text="404 page not found")
    )
    async with httpx.AsyncClient(base_url=LOKI_URL) as http:
        with pytest.raises(LokiUnavailable) as caught:
            await LokiClient(http).query_range(QUERY)
    assert caught.value.code == "loki_unavailable"
    assert "LOKI_URL" in caught.value.message and "path prefix" in caught.value.message
    assert "404 page not found" in caught.value.message


class _Drip(httpx.AsyncByteStream):
    """A body that never ends: one byte, then a pause, forever (it counts what it sent)."""

    def __init__(self) -> None:
        self.sent = 0
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            self.sent += 1
            yield b" "
            await asyncio.sleep(0.01)

    async def aclose(self) -> None:
        self.closed = True


async def test_a_dripping_answer_is_cut_off_at_the_deadline(loki_mock: respx.MockRouter) -> None:
    drip = _Drip()
    loki_mock.get("/loki/api/v1/query_range").mock(return_value=httpx.Response(200, stream=drip))
    async with httpx.AsyncClient(base_url=LOKI_URL) as http:
        with pytest.raises(LokiTimeout) as caught:
            await LokiClient(http, deadline_seconds=0.2).query_range(QUERY)
    assert "within 0.2 s" in caught.value.message
    assert "SOURCE_QUERY_DEADLINE_SECONDS" in caught.value.message
    assert drip.sent > 1 and drip.closed


async def test_a_query_waiting_for_its_turn_keeps_its_deadline(
    loki_mock: respx.MockRouter,
) -> None:
    # A Loki that never answers, one query in flight at a time: the queries queued behind it
    # end at their own deadline, not each after the deadlines of all before it.
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return OK

    loki_mock.get("/loki/api/v1/query_range").mock(side_effect=hang)
    async with httpx.AsyncClient(base_url=LOKI_URL) as http:
        client = LokiClient(http, max_concurrency=1, deadline_seconds=0.3)
        queries = [client.query_range(QUERY) for _ in range(5)]
        outcomes = await asyncio.wait_for(asyncio.gather(*queries, return_exceptions=True), 1.2)
    assert all(isinstance(outcome, LokiTimeout) for outcome in outcomes)


async def test_an_answer_is_read_up_to_the_byte_cap_only(loki_mock: respx.MockRouter) -> None:
    whole = OK.content
    loki_mock.get("/loki/api/v1/query_range").mock(return_value=httpx.Response(200, content=whole))
    async with httpx.AsyncClient(base_url=LOKI_URL) as http:
        cut = await LokiClient(http, max_response_bytes=1000).query_range(QUERY)
        exact = await LokiClient(http, max_response_bytes=len(whole)).query_range(QUERY)
    assert (cut.complete, cut.content) == (False, whole[:1000])
    assert (exact.complete, exact.content) == (True, whole)


class CorruptGzip(httpx.AsyncBaseTransport):
    """BUILT: what a broken proxy sends, a body that says gzip and is not (no Loki shape).

    The body is a stream, read only when the client reads it, as from a socket
    (`httpx.MockTransport` would read, and so decode, it before the client sees it).
    """

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip")
        )


async def test_an_answer_that_cannot_be_decoded_is_named_after_loki() -> None:
    async with httpx.AsyncClient(base_url=LOKI_URL, transport=CorruptGzip()) as http:
        with pytest.raises(LokiBadResponse) as caught:
            await LokiClient(http).query(QUERY)
    assert caught.value.message.startswith(
        "Loki's answer cannot be decoded (Content-Encoding: gzip): "
    )
    assert caught.value.details["upstream"] == "loki"
