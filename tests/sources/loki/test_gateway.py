"""Loki behind the gateway of its Helm chart: ``/ready`` is not passed, the API is.

The chart's nginx (``production/helm/loki/templates/_helpers.tpl``) answers ``/`` itself and
passes ``/loki/api/v1/...`` to the query frontend, and nothing for ``/ready``, which nginx's
default answers with its 404 page (``ngx_http_error_404_page`` and the tail, BUILT BY HAND from
``src/http/ngx_http_special_response.c``). ``/loki/api/v1/status/buildinfo`` is served by every
Loki component next to ``/ready`` (``pkg/loki/loki.go``); its body is ``build.VersionInfo``
(``pkg/util/build/build.go``), with made-up values.
"""

from __future__ import annotations

import httpx
import pytest
import respx

from log_analyzer.sources.loki.client import LokiClient
from log_analyzer.sources.loki.errors import LokiUnavailable
from tests.conftest import LOKI_URL, recorded_response

pytestmark = pytest.mark.anyio
NGINX_404 = (
    "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
BUILDINFO = {
    "version": "3.5.0",
    "revision": "5aa8bd27",
    "branch": "HEAD",
    "buildUser": "root@buildkitsandbox",
    "buildDate": "2026-11-20T10:00:00Z",
    "goVersion": "go1.24.4",
}


def gateway_404() -> httpx.Response:
    return httpx.Response(404, text=NGINX_404, headers={"content-type": "text/html"})


async def test_a_gateway_without_ready_is_ready_when_the_api_answers() -> None:
    with respx.mock(base_url=LOKI_URL) as loki:
        loki.get("/ready").mock(return_value=gateway_404())
        info = loki.get("/loki/api/v1/status/buildinfo").mock(
            return_value=httpx.Response(200, json=BUILDINFO)
        )
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            await LokiClient(http, tenant="team-a").ready()
    assert info.call_count == 1
    assert info.calls.last.request.headers["x-scope-orgid"] == "team-a"


async def test_a_url_serving_neither_is_not_ready() -> None:
    with respx.mock(base_url=LOKI_URL) as loki:
        loki.get("/ready").mock(return_value=gateway_404())
        loki.get("/loki/api/v1/status/buildinfo").mock(return_value=gateway_404())
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            with pytest.raises(LokiUnavailable) as caught:
                await LokiClient(http).ready()
    message = caught.value.message
    assert "serves no /ready (a gateway in front of Loki?)" in message
    assert "/loki/api/v1/status/buildinfo answered HTTP 404" in message
    assert '"404 Not Found"' in message and "<" not in message


async def test_loki_s_own_not_ready_is_still_not_ready() -> None:
    with respx.mock(base_url=LOKI_URL, assert_all_called=False) as loki:
        loki.get("/ready").mock(
            return_value=recorded_response("loki", "reconstructed-ready-not-ready.json")
        )
        info = loki.get("/loki/api/v1/status/buildinfo")
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            with pytest.raises(LokiUnavailable, match="Loki is not ready: HTTP 503"):
                await LokiClient(http).ready()
    assert not info.called


WEB_UI_PAGE = (  # BUILT BY HAND: what a web UI (or a catch-all proxy) answers for any path
    '<!DOCTYPE html><html lang="en"><head><title>Grafana</title></head>'
    "<body><div id=reactRoot>Loading Grafana</div><script>boot()</script></body></html>"
)


@pytest.mark.parametrize(
    ("ready", "path"),
    [
        pytest.param(
            httpx.Response(200, text=WEB_UI_PAGE, headers={"content-type": "text/html"}),
            "/ready",
            id="page-at-ready",
        ),
        pytest.param(gateway_404(), "/loki/api/v1/status/buildinfo", id="page-at-buildinfo"),
    ],
)
async def test_a_web_page_answering_200_is_not_loki_being_ready(
    ready: httpx.Response, path: str
) -> None:
    # LOKI_URL at a web UI: every query was refused as "an HTML page ... not Loki's HTTP API"
    # while /ready reported Loki "ok", because the page came with a 200.
    page = httpx.Response(200, text=WEB_UI_PAGE, headers={"content-type": "text/html"})
    with respx.mock(base_url=LOKI_URL, assert_all_called=False) as loki:
        loki.get("/ready").mock(return_value=ready)
        loki.get("/loki/api/v1/status/buildinfo").mock(return_value=page)
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            with pytest.raises(LokiUnavailable) as caught:
                await LokiClient(http).ready()
    message = caught.value.message
    assert message.startswith(f'Loki is not ready: {path} answered with an HTML page "Grafana"')
    assert "LOKI_URL points at a web UI or a proxy's page" in message
    assert "<" not in message
