"""Loki closing the connection without an answer: a slow query cut off, or a dropped link.

Loki's HTTP server (dskit) has a write timeout, ``http_server_write_timeout``, 30 s by
default (``vendor/github.com/grafana/dskit/server/server.go``, ``-server.http-write-timeout``),
shorter than its default query timeout: a query still running then loses its connection with no
status at all, which httpx reports as ``RemoteProtocolError`` ("Server disconnected without
sending a response.") or ``ReadError`` (a reset). That is not "cannot reach Loki".
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx

from log_analyzer.sources.loki import client as loki_client
from log_analyzer.sources.loki.client import LokiClient
from log_analyzer.sources.loki.errors import LokiTimeout, LokiUnavailable
from tests.conftest import LOKI_URL

pytestmark = pytest.mark.anyio
QUERY = {"query": '{namespace="billing"}', "start": "1", "end": "2", "limit": "10"}
DISCONNECTED = httpx.RemoteProtocolError("Server disconnected without sending a response.")


def clock(*readings: float) -> Iterator[float]:
    yield from readings


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(DISCONNECTED, id="disconnected"),
        pytest.param(httpx.ReadError("reset"), id="reset"),
    ],
)
async def test_a_query_cut_off_at_loki_s_write_timeout_is_a_timeout(
    monkeypatch: pytest.MonkeyPatch, cut: Exception
) -> None:
    readings = clock(100.0, 130.2)
    monkeypatch.setattr(loki_client, "_clock", lambda: next(readings))
    with respx.mock(base_url=LOKI_URL) as loki:
        route = loki.get("/loki/api/v1/query_range").mock(side_effect=cut)
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            with pytest.raises(LokiTimeout) as caught:
                await LokiClient(http).query_range(QUERY)
    assert route.call_count == 1  # Loki did take the query: never sent again
    message = caught.value.message
    assert message.startswith("Loki closed the connection without an answer after 30 s")
    assert "http_server_write_timeout (30 s by default)" in message
    assert caught.value.code == "loki_timeout"


async def test_a_connection_dropped_at_once_is_no_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    readings = clock(100.0, 100.3)
    monkeypatch.setattr(loki_client, "_clock", lambda: next(readings))
    with respx.mock(base_url=LOKI_URL) as loki:
        loki.get("/loki/api/v1/query_range").mock(side_effect=DISCONNECTED)
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            with pytest.raises(LokiUnavailable) as caught:
                await LokiClient(http).query_range(QUERY)
    message = caught.value.message
    assert "closed the connection without an answer after 0.3 s" in message
    assert "cannot reach Loki" not in message and "write_timeout" not in message
