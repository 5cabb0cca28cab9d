"""A user allowed to read the log indices only: ``GET /`` is refused, the searches are not.

``GET /`` is the action ``cluster:monitor/main``, a cluster privilege (Elasticsearch grants it
with ``monitor``, ``manage`` or ``all``; OpenSearch's security plugin by its name), which a
role reading log indices need not hold. The refusals are BUILT BY HAND in the shape of
`gate.security_exception`, with the reasons the two security layers write: Elasticsearch's
``AuthorizationDenialMessages`` ("action [...] is unauthorized for user [...] with effective
roles [...], this action is granted by the cluster privileges [...]") and OpenSearch security's
("no permissions for [...] and User [...]"). Elasticsearch sends ``X-Elastic-Product:
Elasticsearch`` with every answer, refusals included (``RestController.dispatchRequest``, 7.14
and later); OpenSearch sends no such header.
"""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from log_analyzer.sources.base import CountQuery, EntryQuery, LineFilter
from log_analyzer.sources.opensearch.client import OpenSearchClient
from log_analyzer.sources.opensearch.errors import OpenSearchUnavailable
from log_analyzer.sources.opensearch.server import ELASTICSEARCH, OPENSEARCH, Server, parse_root
from log_analyzer.sources.opensearch.source import OpenSearchSource
from tests.sources.opensearch.conftest import Cluster, shop, source_of
from tests.sources.opensearch.seed import INDEX

pytestmark = pytest.mark.anyio
OPENSEARCH_SAYS = (
    "no permissions for [cluster:monitor/main] and User [name=reader, backend_roles=[], "
    "requestedTenant=null]"
)
ELASTIC_SAYS = (
    "action [cluster:monitor/main] is unauthorized for user [reader] with effective roles "
    "[logs_reader], this action is granted by the cluster privileges [monitor,manage,all]"
)


class NoMonitor(httpx.AsyncBaseTransport):
    """osmem-server behind a user who may read indices but not ``GET /``."""

    def __init__(self, reason: str, product: str | None = None) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._reason = reason
        self._product = product
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/":
            return await self._inner.handle_async_request(request)
        self.refused += 1
        cause = {"type": "security_exception", "reason": self._reason}
        body = {"error": {"root_cause": [cause], **cause}, "status": 403}
        headers = {"content-type": "application/json"}
        if self._product:
            headers["x-elastic-product"] = self._product
        return httpx.Response(403, content=json.dumps(body).encode(), headers=headers)

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_a_reader_without_cluster_monitor_is_served(
    cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    window = cluster.window()
    counts = CountQuery(window, shop(), LineFilter.default())
    entries = EntryQuery(window, shop(), LineFilter.default(), 300)
    async with source_of(cluster.url) as full:
        expected = (
            await full.totals(counts),
            await full.histogram(counts, 300),
            (await full.entries(entries)).decoded().rows,
        )
    transport = NoMonitor(OPENSEARCH_SAYS)
    async with httpx.AsyncClient(base_url=cluster.url, transport=transport) as http:
        source = OpenSearchSource(OpenSearchClient(http), index=INDEX)
        with caplog.at_level(logging.WARNING):
            await source.probe(5)
        await source.ready()
        got = (
            await source.totals(counts),
            await source.histogram(counts, 300),
            (await source.entries(entries)).decoded().rows,
        )
    assert transport.refused >= 2  # asked at start and by /ready; refused both times
    assert got[0].by_level == expected[0].by_level and got[0].total == expected[0].total
    assert got[1].points == expected[1].points
    assert got[2] == expected[2]
    assert "its version cannot be read" in caplog.text
    assert "cluster:monitor/main" in caplog.text and "no permissions for" in caplog.text


@pytest.mark.parametrize(
    ("product", "distribution", "pit", "tiebreaker"),
    [
        pytest.param(None, OPENSEARCH, "/logs/_search/point_in_time", "_id", id="opensearch"),
        pytest.param("Elasticsearch", ELASTICSEARCH, "/logs/_pit", "_shard_doc", id="elastic"),
    ],
)
async def test_the_refusal_tells_the_distribution(
    product: str | None, distribution: str, pit: str, tiebreaker: str
) -> None:
    transport = NoMonitor(ELASTIC_SAYS if product else OPENSEARCH_SAYS, product)
    async with httpx.AsyncClient(base_url="http://cluster", transport=transport) as http:
        server = await OpenSearchClient(http).server()
    assert server.distribution == distribution and server.unknown is not None
    assert "cluster:monitor/main" in server.unknown
    assert server.supported and server.refusal() is None
    assert server.pit_path("logs") == pit
    assert server.tiebreaker(True) == tiebreaker
    assert server.tiebreaker(False) == ("_doc" if product else "_id")
    assert str(server).endswith("(version unknown)")


def test_a_read_version_is_still_checked() -> None:
    assert not Server(ELASTICSEARCH, "7.9.3").supported
    assert Server.unreadable("Elasticsearch", "refused").supported


# As Amazon OpenSearch Service answers GET / in compatibility mode (the answer quoted in
# opensearch-project/opensearch-java#573; OpenSearch#898 drops the distribution in that mode):
# 7.10.2, no distribution, OpenSearch's tagline (MainResponse.TAGLINE).
COMPATIBILITY_ROOT = {
    "name": "50101469e0d4fa",
    "cluster_name": "123456789012:logs",
    "version": {
        "number": "7.10.2",
        "build_type": "tar",
        "build_hash": "unknown",
        "build_snapshot": False,
        "lucene_version": "9.5.0",
        "minimum_wire_compatibility_version": "7.10.0",
        "minimum_index_compatibility_version": "7.0.0",
    },
    "tagline": "The OpenSearch Project: https://opensearch.org/",
}


def test_opensearch_in_compatibility_mode_is_no_elasticsearch_7() -> None:
    server = parse_root(COMPATIBILITY_ROOT)
    assert server.distribution == OPENSEARCH and server.supported
    assert server.unknown is not None and "override_main_response_version" in server.unknown
    assert server.pit_path("logs") == "/logs/_search/point_in_time"
    assert server.tiebreaker(True) == "_id"
    # Elasticsearch 7.10.2 itself, with its own tagline, is Elasticsearch: its PIT path.
    elastic = {**COMPATIBILITY_ROOT, "tagline": "You Know, for Search"}
    assert parse_root(elastic) == Server(ELASTICSEARCH, "7.10.2")
    assert parse_root(elastic).pit_path("logs") == "/logs/_pit"


async def test_opensearch_in_compatibility_mode_is_served(
    cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    class Compatible(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self._inner = httpx.AsyncHTTPTransport()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == "/":
                return httpx.Response(200, json=COMPATIBILITY_ROOT)
            return await self._inner.handle_async_request(request)

        async def aclose(self) -> None:
            await self._inner.aclose()

    counts = CountQuery(cluster.window(), shop(), LineFilter.every())
    async with httpx.AsyncClient(base_url=cluster.url, transport=Compatible()) as http:
        source = OpenSearchSource(OpenSearchClient(http), index=INDEX)
        with caplog.at_level(logging.WARNING):
            await source.probe(5)
        await source.ready()
        totals = await source.totals(counts)
    assert totals.total == len(cluster.shop())
    assert "compatibility mode" in caplog.text


class Refusing(httpx.AsyncBaseTransport):
    """osmem-server behind a user refused ``GET /``, cluster health, and maybe all else."""

    def __init__(self, *, everything: bool) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._everything = everything

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path in ("/", "/_cluster/health") or self._everything:
            action = "indices:admin/mappings/fields/get" if "_mapping" in path else "cluster"
            cause = {
                "type": "security_exception",
                "reason": f"no permissions for [{action}] and User [name=reader]",
            }
            body = {"error": {"root_cause": [cause], **cause}, "status": 403}
            return httpx.Response(403, json=body)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_readiness_without_get_or_health_reads_the_default_index(cluster: Cluster) -> None:
    async with httpx.AsyncClient(
        base_url=cluster.url, transport=Refusing(everything=False)
    ) as http:
        await OpenSearchSource(OpenSearchClient(http), index=INDEX).ready()
    async with httpx.AsyncClient(base_url=cluster.url, transport=Refusing(everything=True)) as http:
        with pytest.raises(OpenSearchUnavailable) as caught:
            await OpenSearchSource(OpenSearchClient(http), index=INDEX).ready()
    assert caught.value.message.startswith("OpenSearch (version unknown): OpenSearch denied")
    assert "indices:admin/mappings/fields/get" in caught.value.message
