"""Failures named after OpenSearch: unreachable, credentials refused, no index, a bad query,
an unsupported version; and the credentials and TLS settings as the client uses them."""

from __future__ import annotations

import asyncio
import base64
import ssl
import time
from typing import Any

import certifi
import httpx
import pytest

from log_analyzer.core.errors import InputError
from log_analyzer.sources.base import CountQuery, EntryQuery, LineFilter, Selection
from log_analyzer.sources.opensearch import SPEC, _tls
from log_analyzer.sources.opensearch.client import OpenSearchClient, RetryPolicy
from log_analyzer.sources.opensearch.errors import (
    OpenSearchBadResponse,
    OpenSearchQueryError,
    OpenSearchTimeout,
    OpenSearchUnavailable,
)
from log_analyzer.sources.opensearch.source import OpenSearchSource
from tests.conftest import settings_for_tests
from tests.sources.opensearch.conftest import Cluster, free_port, shop, source_of
from tests.sources.opensearch.gate import gate
from tests.sources.opensearch.seed import INDEX

pytestmark = pytest.mark.anyio


def _noop(_: httpx.AsyncClient) -> None:
    return None


async def test_an_unreachable_cluster_is_named(cluster: Cluster) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    async with source_of(url) as source:
        with pytest.raises(OpenSearchUnavailable) as caught:
            await source.entries(EntryQuery(cluster.window(), shop(), LineFilter.default(), 10))
        with pytest.raises(OpenSearchUnavailable):
            await source.ready()
    assert "cannot reach OpenSearch (OPENSEARCH_URL)" in caught.value.message
    assert caught.value.to_dict()["upstream"] == "opensearch"
    assert caught.value.code == "opensearch_unavailable"


async def test_a_missing_index_names_the_filter(cluster: Cluster) -> None:
    async with source_of(cluster.url) as source:
        for index in ("no-such-index", "nothing-matches-*"):
            selection = Selection.of({"index": index, "namespace": "shop"})
            with pytest.raises(OpenSearchQueryError) as caught:
                await source.totals(CountQuery(cluster.window(), selection, LineFilter.every()))
            assert caught.value.details["field"] == "filters.index"
            assert index in caught.value.message
            assert caught.value.status_code == 400


async def test_a_query_the_cluster_refuses_carries_its_reason(cluster: Cluster) -> None:
    async with httpx.AsyncClient(base_url=cluster.url, timeout=10) as http:
        client = OpenSearchClient(http)
        with pytest.raises(OpenSearchQueryError) as caught:
            await client.call("POST", "/fluent-bit/_search", {"query": {"no_such_query": {}}})
    assert caught.value.message.startswith("OpenSearch rejected the query: ")
    assert caught.value.details["status"] == 400


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        pytest.param({"pod": "checkout-(unclosed"}, "filters.pod", id="pod-regex"),
        pytest.param({"index": "_all"}, "filters.index", id="index-api-path"),
        pytest.param({"index": "logs a"}, "filters.index", id="index-space"),
        pytest.param({"index": "../_cluster"}, "filters.index", id="index-path"),
        pytest.param({"log_group": "x"}, "filters.log_group", id="other-store-filter"),
    ],
)
def test_bad_filter_values_name_the_field(filters: dict[str, str], field: str) -> None:
    with pytest.raises(InputError) as caught:
        SPEC.check(Selection.of(filters))
    assert caught.value.field == field and caught.value.status_code == 422


def test_a_good_selection_passes() -> None:
    SPEC.check(Selection.of({"index": "fluent-bit-*,app-logs", "pod": "api-.*"}))


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("credentials", "header"),
    [
        pytest.param(
            {"opensearch_username": "reader", "opensearch_password": "s3cret"},
            _basic("reader", "s3cret"),
            id="basic",
        ),
        pytest.param(
            {"opensearch_api_key": "a2V5OnNlY3JldA=="}, "ApiKey a2V5OnNlY3JldA==", id="api-key"
        ),
    ],
)
async def test_configured_credentials_are_sent(
    cluster: Cluster, credentials: dict[str, Any], header: str
) -> None:
    async with gate(cluster.url, allowed=header) as url:
        settings = settings_for_tests(opensearch_url=url, **credentials)
        async with SPEC.open(settings, _noop) as source:
            await source.ready()
            totals = await source.totals(CountQuery(cluster.window(), shop(), LineFilter.every()))
    assert totals.total == len(cluster.shop())


@pytest.mark.parametrize(
    ("credentials", "says"),
    [
        pytest.param({}, "OpenSearch refused our credentials", id="none-401"),
        pytest.param(
            {"opensearch_username": "reader", "opensearch_password": "wrong"},
            "OpenSearch refused our credentials",
            id="wrong-401",
        ),
        pytest.param(
            {"opensearch_username": "reader", "opensearch_password": "no-search"},
            "lacks a privilege",
            id="forbidden-403",
        ),
    ],
)
async def test_refused_credentials_are_named(
    cluster: Cluster, credentials: dict[str, Any], says: str
) -> None:
    allowed = _basic("reader", "s3cret")
    async with gate(cluster.url, allowed=allowed, forbidden=_basic("reader", "no-search")) as url:
        settings = settings_for_tests(opensearch_url=url, **credentials)
        async with SPEC.open(settings, _noop) as source:
            with pytest.raises(OpenSearchUnavailable) as caught:
                await source.entries(EntryQuery(cluster.window(), shop(), LineFilter.default(), 10))
    assert says in caught.value.message
    assert "security_exception" in caught.value.message
    assert "s3cret" not in caught.value.message and "wrong" not in caught.value.message


# BUILT BY HAND: the ``GET /`` answers of servers this package refuses, with the fields of the
# root endpoint that `server.parse_root` reads (osmem-server only ever reports OpenSearch 3.8).
_ROOTS = {
    "Elasticsearch 7.9.3": {"version": {"number": "7.9.3", "build_flavor": "default"}},
    "Elasticsearch 10.0.0": {"version": {"number": "10.0.0", "build_flavor": "default"}},
    "OpenSearch 1.3.19": {"version": {"number": "1.3.19", "distribution": "opensearch"}},
}


@pytest.mark.parametrize("server", sorted(_ROOTS))
async def test_an_unsupported_version_is_found_at_start_and_refused(
    server: str, cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    def root(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/", "nothing but the version is asked of it"
        return httpx.Response(200, json=_ROOTS[server])

    refusal = (
        f"{server} is not supported: this service reads OpenSearch 2 or 3, "
        "or Elasticsearch 7.10 to 9"
    )
    transport = httpx.MockTransport(root)
    async with httpx.AsyncClient(transport=transport, base_url="http://cluster") as http:
        source = OpenSearchSource(OpenSearchClient(http), index="logs")
        await source.probe(5)  # the other stores keep serving
        assert f"OPENSEARCH_URL: {refusal}" in caplog.text
        with pytest.raises(OpenSearchUnavailable) as in_query:
            await source.entries(EntryQuery(cluster.window(), shop(), LineFilter.default(), 10))
        with pytest.raises(OpenSearchUnavailable) as in_ready:
            await source.ready()
    assert in_query.value.message == in_ready.value.message == refusal


async def test_the_emulator_is_a_supported_opensearch(cluster: Cluster) -> None:
    async with source_of(cluster.url) as source:
        await source.probe(5)
        await source.ready()


def test_tls_is_verified_by_default_and_may_use_a_ca_bundle() -> None:
    assert _tls(settings_for_tests(opensearch_url="https://os:9200")) is True
    off = settings_for_tests(opensearch_url="https://os:9200", opensearch_verify_tls=False)
    assert _tls(off) is False
    bundle = certifi.where()  # any PEM file of CA certificates will do
    context = _tls(
        settings_for_tests(opensearch_url="https://os:9200", opensearch_ca_bundle=bundle)
    )
    assert isinstance(context, ssl.SSLContext) and context.verify_mode is ssl.CERT_REQUIRED


async def test_a_whole_query_keeps_to_the_deadline(cluster: Cluster) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)  # never answers in time; no body of a real server is invented
        raise AssertionError("the deadline should have cancelled this request")

    transport = httpx.MockTransport(slow)
    async with httpx.AsyncClient(transport=transport, base_url="http://cluster") as http:
        client = OpenSearchClient(http, deadline_seconds=0.2)
        source = OpenSearchSource(client, index="logs")
        started = time.monotonic()
        with pytest.raises(OpenSearchTimeout) as caught:
            await source.totals(CountQuery(cluster.window(), shop(), LineFilter.every()))
    assert time.monotonic() - started < 2
    assert "within 0.2 s (SOURCE_QUERY_DEADLINE_SECONDS)" in caught.value.message
    assert caught.value.code == "opensearch_timeout"


async def test_throttling_is_tried_again(cluster: Cluster) -> None:
    """BUILT BY HAND: the first two answers are 429s worded as a throttled cluster words one;
    every later request goes on to osmem-server (which never throttles)."""
    refused: list[str] = []

    async with httpx.AsyncClient(base_url=cluster.url, timeout=10) as upstream:

        async def throttle_twice(request: httpx.Request) -> httpx.Response:
            if len(refused) < 2:
                refused.append(request.url.path)
                cause = {"type": "rejected_execution_exception", "reason": "search queue full"}
                body = {"error": {"root_cause": [cause], **cause}, "status": 429}
                return httpx.Response(429, json=body)
            answer = await upstream.request(
                request.method,
                request.url.path,
                params=request.url.params,
                content=request.content,
                headers={"content-type": "application/json"},
            )
            return httpx.Response(answer.status_code, content=answer.content)

        transport = httpx.MockTransport(throttle_twice)
        async with httpx.AsyncClient(transport=transport, base_url="http://cluster") as http:
            retry = RetryPolicy(initial_wait_seconds=0.01, max_wait_seconds=0.05)
            source = OpenSearchSource(OpenSearchClient(http, retry), index=INDEX)
            totals = await source.totals(CountQuery(cluster.window(), shop(), LineFilter.every()))
    assert refused == ["/", "/"]  # the version check, twice, then everything passed
    assert totals.total == len(cluster.shop())


async def test_throttling_past_the_retries_is_named() -> None:
    """BUILT BY HAND: a cluster that answers every request with 429."""

    def throttled(request: httpx.Request) -> httpx.Response:
        cause = {"type": "rejected_execution_exception", "reason": "search queue full"}
        return httpx.Response(429, json={"error": {"root_cause": [cause], **cause}, "status": 429})

    transport = httpx.MockTransport(throttled)
    async with httpx.AsyncClient(transport=transport, base_url="http://cluster") as http:
        retry = RetryPolicy(attempts=2, initial_wait_seconds=0.01, max_wait_seconds=0.05)
        with pytest.raises(OpenSearchUnavailable) as caught:
            await OpenSearchClient(http, retry).server()
    assert caught.value.message == (
        "OpenSearch is throttling searches: rejected_execution_exception: search queue full"
    )


async def test_an_answer_that_cannot_be_decoded_is_named_after_opensearch() -> None:
    """BUILT: what a broken proxy sends, a body that says gzip and is not (no OpenSearch shape).

    The body is a stream, read only when the client reads it, as from a socket
    (`httpx.MockTransport` would read, and so decode, it before the client sees it).
    """

    class CorruptGzip(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            stream = httpx.ByteStream(b"not gzip")
            return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=stream)

    async with httpx.AsyncClient(transport=CorruptGzip(), base_url="http://cluster") as http:
        with pytest.raises(OpenSearchBadResponse) as caught:
            await OpenSearchClient(http).call("GET", "/_cluster/health")
    assert caught.value.message.startswith(
        "OpenSearch's answer cannot be decoded (Content-Encoding: gzip): "
    )
    assert caught.value.details["upstream"] == "opensearch"


async def test_the_start_check_names_its_own_limit_not_the_query_deadline(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The check at start waits a fixed few seconds, whatever SOURCE_QUERY_DEADLINE_SECONDS says:
    # naming that setting sent an operator to change something that does not bound it.
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        raise AssertionError("the check's limit should have cancelled this request")

    transport = httpx.MockTransport(slow)
    async with httpx.AsyncClient(transport=transport, base_url="http://cluster") as http:
        source = OpenSearchSource(OpenSearchClient(http, deadline_seconds=60), index="logs")
        await source.probe(0.2)
    assert "did not finish the version check within 0.2 s (the check at start)" in caplog.text
    assert "SOURCE_QUERY_DEADLINE_SECONDS" not in caplog.text
