"""What sits in front of a store answers for it: gateway pages, login redirects, web UIs.

The answers here are BUILT BY HAND, not recorded: nginx's 502 page is the text of
``ngx_http_error_502_page`` and ``ngx_http_error_tail`` in nginx's
``src/http/ngx_http_special_response.c``; the redirect is what an authenticating proxy (an
oauth2-proxy in front of Loki, say) sends a request without a session, a 302 with a
``Location``; the 200 page stands for a web UI (Grafana, OpenSearch Dashboards) whose address was
given instead of the store's API.
"""

from __future__ import annotations

import httpx
import pytest
import respx

from log_analyzer.sources.http import RetryPolicy, looks_like_html, page_text
from log_analyzer.sources.loki.client import LokiClient
from log_analyzer.sources.loki.errors import LokiBadResponse, LokiUnavailable
from log_analyzer.sources.loki.shapes import decode_streams, parse_json
from log_analyzer.sources.opensearch.client import OpenSearchClient
from log_analyzer.sources.opensearch.errors import OpenSearchBadResponse, OpenSearchUnavailable
from tests.conftest import LOKI_URL

pytestmark = pytest.mark.anyio
OPENSEARCH_URL = "http://opensearch.test:9200"
NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
LOGIN = "https://sso.example.com/oauth2/start?rd=%2Floki%2Fapi%2Fv1%2Fquery_range"
UI_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><title>Grafana</title>'
    "<style>body{margin:0}</style><script>window.grafanaBootData = {};</script></head>"
    '<body><div id="reactRoot">Loading Grafana &hellip;</div></body></html>'
)
ONCE = RetryPolicy(attempts=1)
QUERY = {"query": '{namespace="billing"}', "start": "1", "end": "2", "limit": "10"}


def test_a_gateway_page_reads_as_its_words() -> None:
    said = page_text(NGINX_502.encode())
    assert said.startswith('an HTML page "502 Bad Gateway" (from a proxy or web UI')
    assert said.endswith(": nginx")
    assert "<" not in said


def test_a_page_s_scripts_and_styles_are_not_words() -> None:
    said = page_text(UI_PAGE.encode())
    assert '"Grafana"' in said
    assert "Loading Grafana …" in said
    assert "grafanaBootData" not in said
    assert "margin" not in said


@pytest.mark.parametrize(
    "page",
    [b"<html><title>Bad</title>up <![foo[ x ]]>", b"<html><title>Bad</title>up <!x-- <![ bar"],
)
def test_a_page_python_s_parser_refuses_reads_as_its_words_so_far(page: bytes) -> None:
    # html.parser raises AssertionError at such a marked section or declaration.
    assert page_text(page).startswith('an HTML page "Bad" (from a proxy or web UI')
    assert "up" in page_text(page)


@pytest.mark.parametrize(
    "content",
    [b'{"status":"success"}', b"too many outstanding requests", b"parse error : <_> at 1"],
)
def test_store_answers_are_no_pages(content: bytes) -> None:
    assert not looks_like_html(content)
    assert page_text(content) == content.decode()


async def test_loki_behind_a_failing_gateway_is_named_with_the_page_s_words() -> None:
    with respx.mock(base_url=LOKI_URL) as mock:
        mock.get("/loki/api/v1/query_range").mock(
            return_value=httpx.Response(502, text=NGINX_502, headers={"content-type": "text/html"})
        )
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            with pytest.raises(LokiBadResponse) as caught:
                await LokiClient(http, retry=ONCE).query_range(QUERY)
    assert caught.value.message == (
        'Loki failed with HTTP 502: an HTML page "502 Bad Gateway" (from a proxy or web UI in '
        "front of the store?): nginx"
    )


async def test_a_login_redirect_in_front_of_loki_blames_loki_url() -> None:
    with respx.mock(base_url=LOKI_URL) as mock:
        mock.get("/loki/api/v1/query_range").mock(
            return_value=httpx.Response(302, headers={"location": LOGIN})
        )
        mock.get("/ready").mock(return_value=httpx.Response(302, headers={"location": LOGIN}))
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            client = LokiClient(http, retry=ONCE)
            with pytest.raises(LokiUnavailable) as caught:
                await client.query_range(QUERY)
            with pytest.raises(LokiUnavailable) as ready:
                await client.ready()
    for error in (caught.value, ready.value):
        assert f"HTTP 302 redirect to {LOGIN}" in error.message
        assert "set LOKI_URL to the API's own address" in error.message
        assert error.code == "loki_unavailable"
        assert error.details["status"] == 302


async def test_a_web_ui_at_loki_url_is_named_not_a_json_error() -> None:
    with respx.mock(base_url=LOKI_URL) as mock:
        mock.get("/loki/api/v1/query_range").mock(
            return_value=httpx.Response(200, text=UI_PAGE, headers={"content-type": "text/html"})
        )
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            body = await LokiClient(http, retry=ONCE).query_range(QUERY)
    for read in (
        lambda: parse_json(body.content),
        lambda: decode_streams(body.content, 10, complete=False),
    ):
        with pytest.raises(LokiBadResponse) as caught:
            read()
        assert 'answered with an HTML page "Grafana"' in caught.value.message
        assert "LOKI_URL points at a web UI" in caught.value.message


async def test_opensearch_behind_a_gateway_login_or_ui() -> None:
    with respx.mock(base_url=OPENSEARCH_URL) as mock:
        mock.get("/").mock(
            side_effect=[
                httpx.Response(502, text=NGINX_502, headers={"content-type": "text/html"}),
                httpx.Response(302, headers={"location": LOGIN}),
                httpx.Response(200, text=UI_PAGE, headers={"content-type": "text/html"}),
            ]
        )
        async with httpx.AsyncClient(base_url=OPENSEARCH_URL) as http:
            client = OpenSearchClient(http, retry=ONCE)
            with pytest.raises(OpenSearchBadResponse) as gateway:
                await client.server()
            with pytest.raises(OpenSearchUnavailable) as login:
                await client.server()
            with pytest.raises(OpenSearchBadResponse) as ui:
                await client.server()
    assert gateway.value.message.endswith(
        ': an HTML page "502 Bad Gateway" (from a proxy or web UI in front of the store?): nginx'
    )
    assert f"answered GET / with an HTTP 302 redirect to {LOGIN}" in login.value.message
    assert "set OPENSEARCH_URL to the API's own address" in login.value.message
    assert 'answered GET / with an HTML page "Grafana"' in ui.value.message
    assert "OPENSEARCH_URL points at a web UI" in ui.value.message
