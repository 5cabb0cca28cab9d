"""A cluster with ``search.allow_expensive_queries: false``: its filters move to the service.

osmem-server stores that cluster setting but still runs ``regexp`` and ``wildcard`` queries
(tried: ``PUT _cluster/settings`` then a regexp search answers 200), so a transport in front of
it answers each search holding such a clause with the refusal OpenSearch sends, and passes the
rest through. That refusal is built here from OpenSearch's code, not recorded: the field type
throws an ``OpenSearchException`` ("[regexp] queries cannot be executed when
'search.allow_expensive_queries' is set to false."), which the shard wraps in a
``query_shard_exception`` (400, "failed to create query: ...") and the search in a
``search_phase_execution_exception``; the root cause is the innermost, typed ``exception``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from log_analyzer.sources.base import CountQuery, EntryQuery, LineFilter, Order, Selection
from log_analyzer.sources.opensearch.client import OpenSearchClient
from log_analyzer.sources.opensearch.errors import OpenSearchExpensiveOff
from log_analyzer.sources.opensearch.hits import check_whole
from log_analyzer.sources.opensearch.source import EXPENSIVE_RETRY_SECONDS, OpenSearchSource
from tests.sources.opensearch.conftest import KEYWORD_INDEX, Cluster, source_of

pytestmark = pytest.mark.anyio

SELECTION = Selection.of(
    {"index": KEYWORD_INDEX, "namespace": "shop", "pod": "(checkout|payments)-.*"}
)
LINES = LineFilter(
    pattern="(?i)DEADLINE exceeded|too many clients|authorised",
    exclude=("checkout-5d8b9c-h7t2w", "sorry, too many"),
)


def refused(kind: str) -> dict[str, Any]:
    """OpenSearch's answer to a search holding a ``kind`` query (built, see the docstring)."""
    reason = (
        f"[{kind}] queries cannot be executed when 'search.allow_expensive_queries' is set "
        "to false."
    )
    return {
        "error": {
            "root_cause": [{"type": "exception", "reason": reason}],
            "type": "search_phase_execution_exception",
            "reason": "all shards failed",
            "phase": "query",
            "grouped": True,
            "failed_shards": [
                {
                    "shard": 0,
                    "index": KEYWORD_INDEX,
                    "node": "n1",
                    "reason": {
                        "type": "query_shard_exception",
                        "reason": f"failed to create query: {reason}",
                        "index": KEYWORD_INDEX,
                        "caused_by": {"type": "exception", "reason": reason},
                    },
                }
            ],
        },
        "status": 400,
    }


class RefusingExpensive(httpx.AsyncBaseTransport):
    """osmem-server, except that searches and counts holding regexp or wildcard are refused."""

    def __init__(self) -> None:
        self._server = httpx.AsyncHTTPTransport()
        self.refused: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        searches = request.url.path.endswith(("/_search", "/_count"))
        kind = next(
            (k for k in ("regexp", "wildcard") if f'"{k}"'.encode() in request.content), None
        )
        if searches and kind is not None:
            self.refused.append(kind)
            return httpx.Response(400, json=refused(kind))
        return await self._server.handle_async_request(request)

    async def aclose(self) -> None:
        await self._server.aclose()


def refusing_source(
    url: str, transport: RefusingExpensive, clock: Callable[[], float] = time.monotonic
) -> tuple[OpenSearchSource, httpx.AsyncClient]:
    http = httpx.AsyncClient(
        base_url=url, transport=transport, timeout=httpx.Timeout(30, connect=3)
    )
    client = OpenSearchClient(http, deadline_seconds=60)
    return OpenSearchSource(client, index=KEYWORD_INDEX, clock=clock), http


def rows_of(raw: Any) -> list[tuple[int, str, str]]:
    return sorted((ts, labels["pod"], line) for labels, ts, line in raw.decoded().rows)


async def test_entries_are_filtered_by_the_service_and_say_so(cluster: Cluster) -> None:
    query = EntryQuery(cluster.window(), SELECTION, LINES, 10_000, Order.NEWEST)
    async with source_of(cluster.url, index=KEYWORD_INDEX) as direct:
        want = await direct.entries(query)
    assert '"regexp"' in want.query and '"wildcard"' in want.query  # what the cluster refuses
    transport = RefusingExpensive()
    source, http = refusing_source(cluster.url, transport)
    async with http:
        got = await source.entries(query)
        again = await source.entries(query)
    assert rows_of(got) == rows_of(want) == rows_of(again) and rows_of(want)
    assert transport.refused == ["regexp"]  # once: the refusal is remembered
    for raw in (got, again):
        assert '"regexp"' not in raw.query and '"wildcard"' not in raw.query
        assert "the whole pod name matches (checkout|payments)-.*" in raw.query
        assert "lines hold none of 'checkout-5d8b9c-h7t2w', 'sorry, too many'" in raw.query
        assert "applied by the service: the cluster refuses regexp and wildcard" in raw.query


async def test_totals_and_buckets_are_counted_by_the_service(cluster: Cluster) -> None:
    query = CountQuery(cluster.window(), SELECTION, LINES)
    async with source_of(cluster.url, index=KEYWORD_INDEX) as direct:
        want = (await direct.totals(query), await direct.histogram(query, 60))
    transport = RefusingExpensive()
    source, http = refusing_source(cluster.url, transport)
    async with http:
        totals = await source.totals(query)
        histogram = await source.histogram(query, 60)
    assert totals.total == want[0].total > 0
    assert totals.by_level == want[0].by_level and totals.by_source == want[0].by_source
    assert histogram.points == want[1].points
    assert transport.refused == ["regexp"]
    assert "counted in the service" in totals.query and "applied by the service" in totals.query


async def test_a_cluster_that_refuses_again_is_an_error_naming_the_setting(
    cluster: Cluster,
) -> None:
    """Without any expensive clause left a refusal is not ours to work around: it is raised."""

    class RefusingAll(RefusingExpensive):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/_search"):
                return httpx.Response(400, json=refused("range"))
            return await super().handle_async_request(request)

    source, http = refusing_source(cluster.url, RefusingAll())
    query = EntryQuery(cluster.window(), SELECTION, LINES, 10, Order.NEWEST)
    async with http:
        with pytest.raises(
            OpenSearchExpensiveOff, match=r"search\.allow_expensive_queries is false"
        ):
            await source.entries(query)


def test_shards_refusing_the_clause_in_a_partial_answer_are_the_same_refusal() -> None:
    """A pattern over indices that map the field and indices that don't: 200, shards failed."""
    failure = refused("wildcard")["error"]["failed_shards"][0]
    answer = {
        "_shards": {"total": 2, "successful": 1, "skipped": 0, "failed": 1, "failures": [failure]},
        "hits": {"hits": []},
    }
    with pytest.raises(OpenSearchExpensiveOff, match=r"\[wildcard\] queries cannot be executed"):
        check_whole(answer, "search")


async def test_queries_refused_at_once_are_all_run_again_without_the_clauses(
    cluster: Cluster,
) -> None:
    """An analysis asks for entries and totals at once: both are refused before either retried."""

    class RefusingTogether(RefusingExpensive):
        def __init__(self) -> None:
            super().__init__()
            self.both = asyncio.Event()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await super().handle_async_request(request)
            if response.status_code == 400 and len(self.refused) <= 2:
                if len(self.refused) == 2:
                    self.both.set()
                await asyncio.wait_for(self.both.wait(), 10)  # both refused, then answered
            return response

    transport = RefusingTogether()
    source, http = refusing_source(cluster.url, transport)
    entries = EntryQuery(cluster.window(), SELECTION, LINES, 10_000, Order.NEWEST)
    counts = CountQuery(cluster.window(), SELECTION, LINES)
    async with http:
        got, totals = await asyncio.gather(source.entries(entries), source.totals(counts))
    assert len(transport.refused) == 2
    assert rows_of(got) and totals.total > 0
    assert "applied by the service" in got.query and "applied by the service" in totals.query


class SettingTurnedBackOn(RefusingExpensive):
    """Refuses expensive clauses until an administrator turns the setting back on."""

    def __init__(self) -> None:
        super().__init__()
        self.allowed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.allowed:
            return await self._server.handle_async_request(request)
        return await super().handle_async_request(request)


async def test_the_full_plan_is_tried_again_after_the_retry_interval(cluster: Cluster) -> None:
    now = [1000.0]
    transport = SettingTurnedBackOn()
    source, http = refusing_source(cluster.url, transport, lambda: now[0])
    query = EntryQuery(cluster.window(), SELECTION, LINES, 10_000, Order.NEWEST)
    async with http:
        first = await source.entries(query)
        transport.allowed = True  # the administrator allows expensive queries again
        now[0] += EXPENSIVE_RETRY_SECONDS - 1
        still = await source.entries(query)
        now[0] += 1
        retried = await source.entries(query)
        after = await source.entries(query)
    assert transport.refused == ["regexp"]
    for raw in (first, still):
        assert '"regexp"' not in raw.query
        assert "applied by the service: the cluster refuses regexp and wildcard" in raw.query
    for raw in (retried, after):
        assert '"regexp"' in raw.query and "applied by the service" not in raw.query
    assert rows_of(first) == rows_of(still) == rows_of(retried) == rows_of(after)
    assert rows_of(first)


async def test_a_cluster_still_refusing_after_the_interval_is_refused_once_more(
    cluster: Cluster,
) -> None:
    now = [0.0]
    transport = RefusingExpensive()
    source, http = refusing_source(cluster.url, transport, lambda: now[0])
    query = CountQuery(cluster.window(), SELECTION, LINES)
    async with http:
        await source.totals(query)
        now[0] += EXPENSIVE_RETRY_SECONDS / 2
        await source.totals(query)
        now[0] += EXPENSIVE_RETRY_SECONDS
        totals = await source.totals(query)
        await source.totals(query)
    assert transport.refused == ["regexp", "regexp"]
    assert totals.total > 0 and "applied by the service" in totals.query
