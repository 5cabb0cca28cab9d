"""Paging through a sorted search with ``search_after``, inside a point in time where possible.

Documents are sorted by the time field, newest or oldest first, with a tiebreaker so that
documents of the same millisecond come in a fixed order and ``search_after`` (the last hit's
sort values) resumes exactly after the last one read. A point in time (PIT) keeps every page on
the same view of the index, so documents indexed meanwhile do not shift the pages; a cluster
without PIT, or a user without the privilege to open one, is paged without it. `Server` says
which PIT call and which tiebreaker a version has.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from log_analyzer.sources.opensearch.client import OpenSearchClient
from log_analyzer.sources.opensearch.errors import OpenSearchBadResponse, OpenSearchError
from log_analyzer.sources.opensearch.hits import check_whole, search_hits
from log_analyzer.sources.opensearch.query import Query
from log_analyzer.sources.opensearch.server import OPENSEARCH, Server

PIT_KEEP_ALIVE = "2m"
"""Each page renews the PIT; an abandoned one is freed by the cluster after this long."""
NO_PIT_STATUSES = frozenset({400, 403, 404, 405, 501})
"""Answers to opening a PIT that mean "page without one": no such API here, or no privilege."""
_CLOSE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Page:
    """One page of hits, and its bytes as read."""

    content: bytes
    hits: list[Any]
    complete: bool
    """False when the page was cut at the byte cap (``hits`` is then empty)."""


class PagedSearch:
    """Pages of one sorted search, opened and closed as an async context manager."""

    def __init__(
        self,
        client: OpenSearchClient,
        server: Server,
        index_path: str,
        body: Query,
        *,
        time_field: str,
        newest_first: bool,
        use_pit: bool = True,
    ) -> None:
        self._client = client
        self._server = server
        self._index_path = index_path
        self._body = body
        self._time_field = time_field
        self._order = "desc" if newest_first else "asc"
        self._use_pit = use_pit
        self._pit: str | None = None
        self._after: list[Any] | None = None
        self.pit_refused = False
        """Opening a PIT was refused (the caller may stop trying)."""

    @property
    def sort(self) -> list[Query]:
        """The sort: time, then the tiebreaker the server and the PIT allow."""
        tiebreaker = self._server.tiebreaker(self._pit is not None)
        return [
            {self._time_field: {"order": self._order, "unmapped_type": "date"}},
            {tiebreaker: {"order": self._order}},
        ]

    def shown(self, size: int) -> Query:
        """The body of the first page as an engineer would send it (no PIT id)."""
        return {**self._body, "size": size, "sort": self.sort, "track_total_hits": False}

    async def __aenter__(self) -> PagedSearch:
        path = self._server.pit_path(self._index_path) if self._use_pit else None
        if path is None:
            return self
        try:
            answer = await self._client.call("POST", path, params={"keep_alive": PIT_KEEP_ALIVE})
        except OpenSearchError as exc:
            if exc.details.get("status") not in NO_PIT_STATUSES or "field" in exc.details:
                raise
            self.pit_refused = True
            return self
        # OpenSearch names the id ``pit_id``, Elasticsearch ``id``.
        pit = (answer.get("pit_id") or answer.get("id")) if isinstance(answer, dict) else None
        self._pit = pit if isinstance(pit, str) else None
        if isinstance(answer, dict):
            # OpenSearch opens a PIT over the shards that answered (allow_partial_pit_creation);
            # the searches inside it then count only those as their total, so a shard left
            # out here would never show as failed.
            try:
                check_whole(answer, "opening of a point in time")
            except OpenSearchError:
                await self.__aexit__(None, None, None)  # not left open until it expires
                raise
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pit, self._pit = self._pit, None
        if pit is None:
            return
        body: Query
        if self._server.distribution == OPENSEARCH:
            path, body = "/_search/point_in_time", {"pit_id": [pit]}
        else:
            path, body = "/_pit", {"id": pit}
        try:
            async with asyncio.timeout(_CLOSE_SECONDS):
                await self._client.call("DELETE", path, body, retry=False)
        except (OpenSearchError, TimeoutError):
            pass  # the cluster frees it after PIT_KEEP_ALIVE anyway

    async def page(self, size: int, room: int) -> Page:
        """The next ``size`` hits, their answer read up to ``room`` bytes."""
        body: Query = {**self._body, "size": size, "sort": self.sort, "track_total_hits": False}
        if self._after is not None:
            body["search_after"] = self._after
        if self._pit is not None:
            body["pit"] = {"id": self._pit, "keep_alive": PIT_KEEP_ALIVE}
            path = "/_search"
        else:
            path = f"/{self._index_path}/_search"
        answer = await self._client.send("POST", path, body, room=room)
        if not answer.complete:
            return Page(answer.content, [], complete=False)
        # Tens of milliseconds for a page of thousands of hits: off the event loop.
        hits, parsed = await asyncio.to_thread(search_hits, answer.content)
        if hits:
            last = hits[-1].get("sort") if isinstance(hits[-1], dict) else None
            if not isinstance(last, list):
                raise OpenSearchBadResponse("a hit of a sorted search has no sort values")
            self._after = last
        pit = parsed.get("pit_id")
        if self._pit is not None and isinstance(pit, str):
            self._pit = pit  # a cluster may hand out a new id with each page
        return Page(answer.content, hits, complete=True)
