"""Search answers that cover only part of the indices are refused, never read as the window.

osmem-server has one shard per index and never fails one, so its answers pass through a
transport that marks them partial the ways a real cluster does. The shapes are BUILT BY HAND
from OpenSearch's ``SearchResponse.innerToXContent`` (``timed_out`` always written, ``_shards``
by ``RestActions.buildBroadcastShardsHeader``: ``total``, ``successful``, ``skipped``,
``failed`` and, when some failed, ``failures``; ``_clusters`` for cross-cluster searches) and
``ShardSearchFailure.toXContent`` (``shard``, ``index``, ``node``, ``reason: {type, reason}``),
not captured. A shard with no copy to search (a red index) is not counted as failed there, only
left out of ``successful``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from log_analyzer.sources.base import CountQuery, EntryQuery, LineFilter
from log_analyzer.sources.opensearch.client import OpenSearchClient
from log_analyzer.sources.opensearch.errors import OpenSearchBadResponse
from log_analyzer.sources.opensearch.hits import check_whole
from log_analyzer.sources.opensearch.source import OpenSearchSource
from tests.sources.opensearch.conftest import Cluster, shop
from tests.sources.opensearch.seed import INDEX

pytestmark = pytest.mark.anyio

Mark = Callable[[dict[str, Any]], None]


def failed_shard(body: dict[str, Any]) -> None:
    body["_shards"] = {
        "total": 2,
        "successful": 1,
        "skipped": 0,
        "failed": 1,
        "failures": [
            {
                "shard": 1,
                "index": INDEX,
                "node": "w3bQ8nRkTQ2Xx0yZ0aBcDe",
                "reason": {
                    "type": "es_rejected_execution_exception",
                    "reason": "rejected execution of search on the search thread pool",
                },
            }
        ],
    }


def missing_shard(body: dict[str, Any]) -> None:
    body["_shards"] = {"total": 2, "successful": 1, "skipped": 0, "failed": 0}


def timed_out(body: dict[str, Any]) -> None:
    body["timed_out"] = True


def skipped_cluster(body: dict[str, Any]) -> None:
    body["_clusters"] = {"total": 2, "successful": 1, "skipped": 1}


class Partial(httpx.AsyncBaseTransport):
    """Forwards to osmem-server; marks every ``_search`` answer with ``mark``."""

    def __init__(self, mark: Mark) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._mark = mark

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if not request.url.path.endswith("/_search") or request.method != "POST":
            return response
        body = json.loads(await response.aread())
        await response.aclose()
        self._mark(body)
        return httpx.Response(response.status_code, json=body)

    async def aclose(self) -> None:
        await self._inner.aclose()


CASES = [
    pytest.param(
        failed_shard,
        ("1 of 2 shards failed", "es_rejected_execution_exception: rejected execution"),
        id="failed-shard",
    ),
    pytest.param(missing_shard, ("only 1 of 2 shards answered", "is an index red"), id="red-index"),
    pytest.param(timed_out, ("timed out on the cluster",), id="timed-out"),
    pytest.param(skipped_cluster, ("1 of 2 remote clusters were skipped",), id="skipped-cluster"),
]


@pytest.mark.parametrize(("mark", "said"), CASES)
async def test_partial_answers_are_errors_not_counts(
    cluster: Cluster, mark: Mark, said: tuple[str, ...]
) -> None:
    async with httpx.AsyncClient(base_url=cluster.url, transport=Partial(mark)) as http:
        source = OpenSearchSource(OpenSearchClient(http), index=INDEX)
        window = cluster.window()
        for every in (LineFilter.every(), LineFilter.default()):
            with pytest.raises(OpenSearchBadResponse) as totals:
                await source.totals(CountQuery(window, shop(), every))
            with pytest.raises(OpenSearchBadResponse) as buckets:
                await source.histogram(CountQuery(window, shop(), every), 300)
            with pytest.raises(OpenSearchBadResponse) as entries:
                await source.entries(EntryQuery(window, shop(), every, 100))
            for caught in (totals, buckets, entries):
                assert all(text in caught.value.message for text in said), caught.value.message
                assert "it is not used" in caught.value.message


async def test_a_whole_answer_passes(cluster: Cluster) -> None:
    async with httpx.AsyncClient(base_url=cluster.url) as http:
        answer = (await http.post(f"/{INDEX}/_search", json={"size": 1})).json()
    assert answer["_shards"]["failed"] == 0
    check_whole(answer, "search")  # the server's own answer: nothing to refuse


@pytest.mark.parametrize(
    "shards",
    [
        pytest.param({"total": 5, "successful": 5, "skipped": 3, "failed": 0}, id="skipped-in-ok"),
        pytest.param({"total": 1, "successful": 1, "failed": 0}, id="no-skipped-field"),
    ],
)
def test_shards_skipped_by_the_pre_filter_are_not_missing(shards: dict[str, int]) -> None:
    # A shard whose time range cannot match is skipped without a search; that is whole.
    check_whole({"timed_out": False, "_shards": shards}, "search")


def test_a_missing_shard_among_skipped_ones_is_missing() -> None:
    # `successful` counts the skipped shards already (AbstractSearchAsyncAction.skipShard
    # increments both): 4 of 5 with 3 skipped leaves one shard that answered nothing.
    shards = {"total": 5, "successful": 4, "skipped": 3, "failed": 0}
    with pytest.raises(OpenSearchBadResponse, match="only 4 of 5 shards answered"):
        check_whole({"timed_out": False, "_shards": shards}, "search")


class PartialPit(httpx.AsyncBaseTransport):
    """Forwards to osmem-server; marks only the answer that opens a point in time partial.

    As OpenSearch does with allow_partial_pit_creation: the PIT holds the shards that
    answered, and the searches inside it report those alone, as if whole.
    """

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.closed: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if request.method == "DELETE":
            self.closed.append(request.url.path)
        if not request.url.path.endswith("/_search/point_in_time") or request.method != "POST":
            return response
        body = json.loads(await response.aread())
        await response.aclose()
        failed_shard(body)
        return httpx.Response(response.status_code, json=body)

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_a_point_in_time_opened_over_part_of_the_shards_is_refused(
    cluster: Cluster,
) -> None:
    transport = PartialPit()
    async with httpx.AsyncClient(base_url=cluster.url, transport=transport) as http:
        source = OpenSearchSource(OpenSearchClient(http), index=INDEX)
        query = EntryQuery(cluster.window(), shop(), LineFilter.default(), 100)
        with pytest.raises(OpenSearchBadResponse) as caught:
            await source.entries(query)
    assert "1 of 2 shards failed the opening of a point in time" in caught.value.message
    assert transport.closed == ["/_search/point_in_time"]  # the partial PIT is not left open
