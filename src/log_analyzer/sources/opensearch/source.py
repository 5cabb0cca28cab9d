"""OpenSearch (or Elasticsearch) as a `LogSource`: the pipeline's queries as searches.

Entries are pages of a search sorted by time (`search.PagedSearch`), read until ``limit``
documents were kept; where the service filters lines itself it may read more, up to
``max_scan`` documents, and says so in the query text. Counts are aggregations where
OpenSearch decides every condition, and the service's own count of the documents it reads
where it does not (`tallies`), and none when that count would stop at ``max_scan``. A cluster
that refuses regexp and wildcard queries (``search.allow_expensive_queries: false``) is asked
again without them, the service applying them (`filters`), and not asked for them again for
`EXPENSIVE_RETRY_SECONDS` (an administrator may turn the setting back on).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from functools import partial
from typing import Any, TypeVar

from log_analyzer.logs.levels import Level
from log_analyzer.logs.totals import Histogram, Totals, histogram_of, totals_of
from log_analyzer.sources.base import CountQuery, EntryQuery, Order, RawEntries, Selection
from log_analyzer.sources.opensearch.client import OpenSearchClient
from log_analyzer.sources.opensearch.cluster import Cluster, index_path
from log_analyzer.sources.opensearch.counts import (
    Count,
    Tally,
    buckets_body,
    groups_body,
    read_buckets,
    read_groups,
)
from log_analyzer.sources.opensearch.errors import OpenSearchExpensiveOff
from log_analyzer.sources.opensearch.filters import ServiceFilter
from log_analyzer.sources.opensearch.hits import DocReader, Pages, decode_pages
from log_analyzer.sources.opensearch.mapping import FieldNames, IndexFields
from log_analyzer.sources.opensearch.query import TIME_FORMAT, Plan, Query, describe, plan
from log_analyzer.sources.opensearch.search import PagedSearch
from log_analyzer.sources.opensearch.server import Server
from log_analyzer.sources.opensearch.tallies import MAX_SCAN, Tallies

logger = logging.getLogger(__name__)
T = TypeVar("T")
NAME = "opensearch"
PAGE_SIZE = 2000
"""Hits per page of a search."""
EXPENSIVE_RETRY_SECONDS = 600.0
"""How long queries are planned without regexp and wildcard clauses after the cluster refused
one; then the full plan is tried again, at the cost of one refused search if it still refuses."""


class OpenSearchSource:
    """Answers the pipeline's queries with searches over an `OpenSearchClient`."""

    name = NAME

    def __init__(
        self,
        client: OpenSearchClient,
        *,
        index: str,
        names: FieldNames | None = None,
        max_scan: int = 50_000,
        page_size: int = PAGE_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._index = index
        self._names = names or FieldNames()
        self._max_scan = max_scan
        self._page = page_size
        self._cluster = Cluster(client, index=index, names=self._names)
        self._pit = True
        self._clock = clock
        self._cheap_until = -math.inf
        """Until when (``clock``) queries are planned without regexp and wildcard clauses."""
        self._tallies = Tallies(client, self._names, page=page_size, max_scan=max_scan)

    async def entries(self, query: EntryQuery) -> RawEntries:
        """The newest or oldest matching documents of the window, at most ``limit``."""
        async with self._client.deadline("search for entries"):
            return await self._cheap_if_refused(partial(self._entries, query))

    async def _entries(self, query: EntryQuery, expensive: bool) -> RawEntries:
        index = self.index_of(query.selection)
        server = await self._cluster.server()
        fields = await self._cluster.fields(index)
        found = plan(fields, query.window, query.selection, query.line_filter, expensive=expensive)
        keep = found.service
        reader = DocReader(self._names)
        contents: list[bytes] = []
        room = self._client.max_response_bytes
        read = kept = 0
        more = capped = False
        cut = None
        newest = query.order is Order.NEWEST
        search = self._search(server, index, self._body(found.query), newest)
        async with search:
            shown = search.shown(self._page if keep else min(self._page, query.limit + 1))
            while True:
                size = self._page if keep else min(self._page, query.limit + 1 - kept)
                page = await search.page(size, room)
                if not page.complete:
                    cut, more = self._client.max_response_bytes - room + len(page.content), True
                    break
                contents.append(page.content)
                room -= len(page.content)
                read += len(page.hits)
                if keep is None:
                    kept += len(page.hits)
                else:
                    kept += await asyncio.to_thread(_kept, page.hits, reader, keep)
                if len(page.hits) < size:
                    break
                if kept > query.limit:
                    more = True
                    break
                if keep is not None and read >= self._max_scan:
                    more = capped = True
                    break
        self._pit = self._pit and not search.pit_refused
        text = describe(index, shown, keep)
        if capped:
            text += (
                f"; stopped after reading {read:,} documents ({MAX_SCAN}), "
                f"{min(kept, query.limit):,} of them kept"
            )
        decode = partial(decode_pages, names=self._names, keep=keep)
        return RawEntries(text, Pages(tuple(contents), more, cut), decode, query.limit)

    async def totals(self, query: CountQuery) -> Totals:
        """The window's documents by level and by pod/container."""
        async with self._client.deadline("count of the window"):
            return await self._cheap_if_refused(partial(self._totals, query))

    async def _totals(self, query: CountQuery, expensive: bool) -> Totals:
        index = self.index_of(query.selection)
        await self._cluster.server()
        fields = await self._cluster.fields(index)
        found = plan(fields, query.window, query.selection, query.line_filter, expensive=expensive)
        exact = found.leveled if found.service is not None else found.query
        counts: list[Count] = []
        texts = []
        if exact is not None:
            grouped, shown = await self._groups(index, exact, fields)
            counts += grouped
            texts.append(describe(index, shown, None))
        malformed = 0
        if found.service is not None:
            tally, text = await self._tally(index, found, found.service)
            counts += tally.counts()
            malformed = tally.malformed
            texts.append(text)
        return totals_of(counts, malformed=malformed, query="; and ".join(texts))

    async def histogram(self, query: CountQuery, step_seconds: int) -> Histogram:
        """The window's documents per ``step_seconds`` bucket and level."""
        async with self._client.deadline("count per bucket"):
            return await self._cheap_if_refused(partial(self._histogram, query, step_seconds))

    async def _histogram(self, query: CountQuery, step_seconds: int, expensive: bool) -> Histogram:
        index = self.index_of(query.selection)
        window = query.window
        await self._cluster.server()
        fields = await self._cluster.fields(index)
        found = plan(fields, window, query.selection, query.line_filter, expensive=expensive)
        exact = found.leveled if found.service is not None else found.query
        sums: dict[int, dict[Level, float]] = {}
        texts = []
        if exact is not None:
            body = buckets_body(exact, fields, window, step_seconds)
            answer = await self._client.call("POST", f"/{index_path(index)}/_search", body)
            sums = read_buckets(answer, step_seconds)
            texts.append(describe(index, body, None))
        malformed = 0
        if found.service is not None:
            tally, text = await self._tally(index, found, found.service)
            _merge(sums, tally.buckets(step_seconds))
            malformed = tally.malformed
            texts.append(text)
        return histogram_of(
            sums,
            start_ns=window.start_ns,
            end_ns=window.end_ns,
            step_seconds=step_seconds,
            malformed=malformed,
            query="; and ".join(texts),
        )

    async def _cheap_if_refused(self, run: Callable[[bool], Awaitable[T]]) -> T:
        """``run(expensive)``; again without regexp and wildcard clauses if the cluster refuses.

        The refusal is remembered for `EXPENSIVE_RETRY_SECONDS` (the setting is the cluster's),
        so queries are planned without those clauses from the start until then.
        """
        refused_before = self._cheap_until > -math.inf
        expensive = self._clock() >= self._cheap_until
        try:
            answer = await run(expensive)
        except OpenSearchExpensiveOff as exc:
            if not expensive:
                raise
            if self._clock() >= self._cheap_until:  # the first query refused says it
                logger.warning(
                    "%s; those filters are applied by the service for the next %.0f minutes",
                    exc,
                    EXPENSIVE_RETRY_SECONDS / 60,
                )
            self._cheap_until = self._clock() + EXPENSIVE_RETRY_SECONDS
            return await run(False)
        if expensive and refused_before and self._cheap_until <= self._clock():
            logger.info("OpenSearch runs regexp and wildcard queries again")
            self._cheap_until = -math.inf
        return answer

    async def ready(self) -> None:
        """The cluster answers ``GET /`` with a supported version, and its health is not red."""
        await self._cluster.ready()

    async def probe(self, seconds: float) -> None:
        """Check the server's version now if it answers within ``seconds``; later otherwise."""
        await self._cluster.probe(seconds)

    def index_of(self, selection: Selection) -> str:
        """The index expression a query reads: ``filters.index``, else ``OPENSEARCH_INDEX``."""
        return selection.get("index") or self._index

    def _body(self, query: Query) -> Query:
        names = self._names
        return {
            "query": query,
            "_source": [names.time, *names.strings],
            "fields": [{"field": names.time, "format": TIME_FORMAT}],
        }

    def _search(self, server: Server, index: str, body: Query, newest_first: bool) -> PagedSearch:
        return PagedSearch(
            self._client,
            server,
            index_path(index),
            body,
            time_field=self._names.time,
            newest_first=newest_first,
            use_pit=self._pit,
        )

    async def _groups(
        self, index: str, query: Query, fields: IndexFields
    ) -> tuple[list[Count], Query]:
        counts: list[Count] = []
        after: Mapping[str, Any] | None = None
        first = groups_body(query, fields, None)
        while True:
            body = groups_body(query, fields, after)
            answer = await self._client.call("POST", f"/{index_path(index)}/_search", body)
            page, after = read_groups(answer, fields)
            counts += page
            if after is None:
                return counts, first

    async def _tally(self, index: str, found: Plan, keep: ServiceFilter) -> tuple[Tally, str]:
        """Read the documents the service decides on, newest first, and count those kept."""
        query = found.unleveled if found.unleveled is not None else found.query
        server = await self._cluster.server()

        made: list[PagedSearch] = []

        def search(query: Query) -> PagedSearch:
            made.append(self._search(server, index, self._body(query), True))
            return made[-1]

        try:
            return await self._tallies.scan(index, index_path(index), query, keep, search)
        finally:
            self._pit = self._pit and not any(paged.pit_refused for paged in made)


def _kept(hits: Iterable[Any], reader: DocReader, keep: ServiceFilter) -> int:
    count = 0
    for hit in hits:
        row = reader.row(hit)
        if row is not None and keep.keeps(row[0], row[2]):
            count += 1
    return count


def _merge(into: dict[int, dict[Level, float]], more: Mapping[int, Mapping[Level, float]]) -> None:
    for ts, counts in more.items():
        target = into.setdefault(ts, {})
        for level, n in counts.items():
            target[level] = target.get(level, 0.0) + n
