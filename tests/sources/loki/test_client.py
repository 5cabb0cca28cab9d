"""LokiClient retries: what is retried, what is not, and what the caller sees at the end."""

from __future__ import annotations

import httpx
import pytest
import respx

from log_analyzer.core.errors import ServiceError
from log_analyzer.sources.loki.client import LokiClient
from log_analyzer.sources.loki.errors import LokiQueryError, LokiTimeout, LokiUnavailable
from log_analyzer.sources.loki.shapes import parse_json
from tests.conftest import LOKI_URL, recorded_response

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
        content = await LokiClient(http).query_range(QUERY)
    assert parse_json(content)["status"] == "success"
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
