"""What a source knows of its cluster: its version, its readiness, and its indices' mappings.

The version (``GET /``) decides the paging calls (`Server`); it is read once, at start when the
cluster answers in time (`probe`), else by the first query. A mapping is read per index
expression and kept for `MAPPING_TTL_SECONDS`, so a query does not ask for it each time.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import quote

from log_analyzer.sources.opensearch.client import OpenSearchClient
from log_analyzer.sources.opensearch.errors import (
    OpenSearchError,
    OpenSearchQueryError,
    OpenSearchUnavailable,
)
from log_analyzer.sources.opensearch.mapping import (
    MAPPING_TTL_SECONDS,
    FieldNames,
    IndexFields,
    mapping_path,
    resolve,
)
from log_analyzer.sources.opensearch.server import Server

logger = logging.getLogger(__name__)


def index_path(index: str) -> str:
    """The index expression as a URL path segment (commas, wildcards and ``:`` kept)."""
    return quote(index, safe=",*:")


class Cluster:
    """The server and the mappings of one cluster, read through an `OpenSearchClient`."""

    def __init__(self, client: OpenSearchClient, *, index: str, names: FieldNames) -> None:
        self._client = client
        self._index = index
        self._names = names
        self._server: Server | None = None
        self._mappings: dict[str, tuple[float, IndexFields]] = {}

    async def server(self) -> Server:
        """The server's version, read on first use; a refused version raises."""
        if self._server is None:
            self._server = await self._client.server()
        if (refused := self._server.refusal()) is not None:
            raise OpenSearchUnavailable(refused)
        return self._server

    async def fields(self, index: str) -> IndexFields:
        """The mapped fields of ``index``, from the cache while it is fresh."""
        cached = self._mappings.get(index)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        answer = await self._client.call("GET", mapping_path(index_path(index), self._names))
        fields = resolve(answer, self._names, index)
        fields.check_time(index)
        self._mappings[index] = (now + MAPPING_TTL_SECONDS, fields)
        return fields

    async def ready(self) -> None:
        """The cluster answers ``GET /`` with a supported version, and its health is not red."""
        async with self._client.deadline("readiness check"):
            server = await self._client.server(retry=False)
            self._server = server
            if (refused := server.refusal()) is not None:
                raise OpenSearchUnavailable(refused)
            try:
                health = await self._client.call("GET", "/_cluster/health", retry=False)
            except OpenSearchError as exc:
                status = exc.details.get("status")
                if status == 403 or (status == 404 and self._client.aws_service == "aoss"):
                    # A user may search without the privilege to read cluster health (and
                    # OpenSearch Serverless may not serve it); refused GET / as well, it must
                    # at least read the default index's mapping.
                    if server.unknown is not None:
                        await self._mapping_readable()
                    return
                details = {k: v for k, v in exc.details.items() if k != "upstream"}
                raise type(exc)(f"{server}: {exc.message}", **details) from exc
            status = health.get("status") if isinstance(health, dict) else None
            if status == "red":
                raise OpenSearchUnavailable(
                    f"{server}: cluster health is red (a primary shard is unassigned; "
                    "searches of its indices fail)"
                )

    async def _mapping_readable(self) -> None:
        try:
            await self.fields(self._index)
        except OpenSearchQueryError:
            return  # the default index is missing or mapped oddly: a request's matter
        except OpenSearchError as exc:
            details = {k: v for k, v in exc.details.items() if k != "upstream"}
            raise type(exc)(f"{self._server}: {exc.message}", **details) from exc

    async def probe(self, seconds: float) -> None:
        """Check the server's version now if it answers within ``seconds``; later otherwise.

        A server of an unsupported version is logged now and refused by every query and
        readiness check (so `/ready` names it), without stopping the service's other stores;
        an unreachable one is asked again by the first query or readiness check.
        """
        try:
            async with self._client.deadline("version check", seconds, "the check at start"):
                server = await self._client.server(retry=False)
        except OpenSearchError as exc:
            logger.warning("OpenSearch is not answering at start: %s", exc.message)
            return
        self._server = server
        if server.unknown is not None:
            logger.warning(
                "OPENSEARCH_URL: its version cannot be read, so it is served as %s of any "
                "supported version: %s",
                server.distribution,
                server.unknown,
            )
        if (refused := server.refusal()) is not None:
            logger.error("OPENSEARCH_URL: %s; its queries will be refused", refused)
