"""A store URL with ``user:password@``: sent as basic authentication, never shown.

A gateway in front of Loki (the Helm chart's nginx with basic auth on, a hosted Loki) wants
basic authentication; httpx sends a URL's user and password that way.
"""

from __future__ import annotations

from base64 import b64encode

import httpx
import pytest
import respx

from log_analyzer.sources.loki import SPEC as LOKI
from log_analyzer.sources.opensearch import SPEC as OPENSEARCH
from tests.conftest import recorded_response, settings_for_tests

pytestmark = pytest.mark.anyio
GATEWAY = "http://team-a:s3cr%40t@loki-gateway.logging.svc/"


def _noop(_: httpx.AsyncClient) -> None:
    return None


def test_where_a_store_is_names_no_password() -> None:
    loki = settings_for_tests(loki_url=GATEWAY)
    assert LOKI.where(loki) == "http://loki-gateway.logging.svc/"
    search = settings_for_tests(opensearch_url="https://reader:pw@search.example:9200")
    assert OPENSEARCH.where(search).startswith("https://search.example:9200/ (index ")
    assert "pw" not in OPENSEARCH.where(search)
    assert LOKI.where(settings_for_tests(loki_url="http://loki:3100")) == "http://loki:3100/"


async def test_the_url_s_user_and_password_go_as_basic_auth() -> None:
    with respx.mock(base_url="http://loki-gateway.logging.svc") as gateway:
        ready = gateway.get("/ready").mock(
            return_value=recorded_response("loki", "reconstructed-ready.json")
        )
        async with LOKI.open(settings_for_tests(loki_url=GATEWAY), _noop) as source:
            await source.ready()
    sent = ready.calls.last.request
    assert sent.headers["authorization"] == "Basic " + b64encode(b"team-a:s3cr@t").decode()
