"""Counts the service makes itself by reading documents, one scan shared by the calls needing it.

Where the service filters lines itself (see `filters`), OpenSearch cannot count what it keeps,
so the documents are read, newest first, and the kept ones counted (`counts.Tally`). Past
``max_scan`` documents no counts are given: what was counted would be a sample, and the error
says so (as the other stores do when their counts would be partial).

An analysis asks for the totals and the buckets of the same window at once: both need the same
documents, so a second call waits for the scan the first one started rather than reading them
again. The scan has its own deadline, and runs to its end (or that deadline) even when a caller
leaves, so the other caller still gets its answer.

Reading a page into rows and matching it is CPU work of tens of milliseconds per page; it runs
in a thread, so the event loop keeps serving meanwhile.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from log_analyzer.sources.opensearch.client import OpenSearchClient
from log_analyzer.sources.opensearch.counts import Tally
from log_analyzer.sources.opensearch.errors import OpenSearchBadResponse, OpenSearchUnavailable
from log_analyzer.sources.opensearch.filters import ServiceFilter
from log_analyzer.sources.opensearch.hits import DocReader
from log_analyzer.sources.opensearch.mapping import FieldNames
from log_analyzer.sources.opensearch.query import Query, describe
from log_analyzer.sources.opensearch.search import PagedSearch

MAX_SCAN = "OPENSEARCH_MAX_SCAN_DOCUMENTS"
Scan = tuple[Tally, str]
"""The counts, and the text of the query that made them."""
_Key = tuple[str, str, ServiceFilter]


class Tallies:
    """Scans of one source, shared between the calls that ask for the same one at once."""

    def __init__(
        self, client: OpenSearchClient, names: FieldNames, *, page: int, max_scan: int
    ) -> None:
        self._client = client
        self._names = names
        self._page = page
        self._max_scan = max_scan
        self._running: dict[_Key, asyncio.Task[Scan]] = {}

    async def scan(
        self,
        index: str,
        index_path: str,
        query: Query,
        keep: ServiceFilter,
        search: Callable[[Query], PagedSearch],
    ) -> Scan:
        """The tally of the documents of ``query`` that ``keep`` keeps, and its query text.

        ``search`` opens the paged search of a body (sorted newest first).
        """
        key = (index, json.dumps(query, sort_keys=True), keep)
        task = self._running.get(key)
        if task is None:
            task = asyncio.create_task(self._scan(index, index_path, query, keep, search))
            self._running[key] = task
            task.add_done_callback(lambda done: self._finished(key, done))
        return await asyncio.shield(task)

    def _finished(self, key: _Key, task: asyncio.Task[Scan]) -> None:
        if self._running.get(key) is task:
            del self._running[key]
        if not task.cancelled():
            task.exception()  # retrieved here: the callers may all have left

    async def _scan(
        self,
        index: str,
        index_path: str,
        query: Query,
        keep: ServiceFilter,
        search: Callable[[Query], PagedSearch],
    ) -> Scan:
        tally = Tally()
        reader = DocReader(self._names)
        async with self._client.deadline("count in the service"):
            paged = search(query)
            async with paged:
                shown = paged.shown(self._page)
                while True:
                    page = await paged.page(self._page, self._client.max_response_bytes)
                    if not page.complete:
                        raise OpenSearchBadResponse(
                            f"a page of {self._page:,} documents is larger than "
                            "SOURCE_MAX_RESPONSE_BYTES; it was not read"
                        )
                    await asyncio.to_thread(_count, page.hits, reader, keep, tally)
                    if len(page.hits) < self._page:
                        break
                    if tally.read >= self._max_scan:
                        tally.capped = True
                        break
            if tally.capped:
                answer = await self._client.call("POST", f"/{index_path}/_count", {"query": query})
                total = answer.get("count") if isinstance(answer, dict) else None
                of = f" of the {total:,}" if isinstance(total, int) else ""
                raise OpenSearchUnavailable(
                    f"no true totals: the service matches these lines itself ({keep.describe()}) "
                    f"and stopped after reading {tally.read:,}{of} documents ({MAX_SCAN}); "
                    "what it counted would be a sample"
                )
            text = f"{describe(index, shown, keep)}; counted in the service"
        return tally, text


def _count(hits: list[Any], reader: DocReader, keep: ServiceFilter, tally: Tally) -> None:
    for hit in hits:
        row = reader.row(hit)
        if row is None:
            tally.malformed += 1
        elif keep.keeps(row[0], row[2]):
            tally.add(row)
    tally.read += len(hits)
