"""Which server answers (``GET /``), and what its version can do for paging.

OpenSearch forked from Elasticsearch 7.10 and both kept the search API this package uses; they
differ in where a point in time (PIT) is opened and in the sort tiebreaker a PIT offers:

- Elasticsearch 7.10+ opens a PIT at ``POST <index>/_pit`` and, from 7.12, sorts ties by
  ``_shard_doc`` (shard and Lucene document, unique and stable within the PIT).
- OpenSearch 2.4+ opens one at ``POST <index>/_search/point_in_time``; ``_shard_doc`` came only
  in 3.3. Before that the unique tiebreaker is ``_id`` (which OpenSearch still sorts on).

``GET /`` is the action ``cluster:monitor/main``, a cluster privilege that a user allowed only to
read log indices lacks (Elasticsearch grants it with ``monitor``; OpenSearch's security plugin
by name). Refused it, the server's version is unknown (`Server.unknown`): Elasticsearch is told
apart by the ``X-Elastic-Product`` header it puts on every answer since 7.14, refusals included,
and each choice is then one every supported version of that distribution accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from log_analyzer.sources.opensearch.errors import OpenSearchBadResponse

OPENSEARCH = "opensearch"
ELASTICSEARCH = "elasticsearch"
SUPPORTED = {OPENSEARCH: ((2, 0), (3, 999)), ELASTICSEARCH: ((7, 10), (9, 999))}
"""The first and last (major, minor) served: the versions whose search API this package is
written against (a point in time, ``search_after``, ``fields`` for formatted dates: Elasticsearch
from 7.10; OpenSearch 2 and 3). Others are refused rather than half-served: OpenSearch 1 and
Elasticsearch before 7.10 have no point in time, and a later major may change what is used."""
SUPPORTED_TEXT = "OpenSearch 2 or 3, or Elasticsearch 7.10 to 9"
OPENSEARCH_TAGLINE = "The OpenSearch Project: https://opensearch.org/"
"""The ``tagline`` of OpenSearch's ``GET /`` (``MainResponse.TAGLINE``); Elasticsearch's differs."""
_NUMBER = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True, slots=True)
class Server:
    """The distribution and version a cluster reports at ``GET /``."""

    distribution: str
    """``opensearch`` or ``elasticsearch`` (which reports no distribution)."""
    number: str
    """The version as the cluster wrote it (``2.19.1``, ``8.15.0-SNAPSHOT``); empty if unknown."""
    unknown: str | None = None
    """Why the version is not known (``GET /`` was refused); None when it was read."""

    @classmethod
    def unreadable(cls, product: str | None, why: str) -> Server:
        """A server whose ``GET /`` was refused: Elasticsearch if ``product`` says so."""
        elastic = (product or "").strip().lower() == "elasticsearch"
        return cls(ELASTICSEARCH if elastic else OPENSEARCH, "", why)

    def __str__(self) -> str:
        name = "OpenSearch" if self.distribution == OPENSEARCH else "Elasticsearch"
        if self.distribution not in (OPENSEARCH, ELASTICSEARCH):
            name = self.distribution
        return f"{name} {self.number}" if self.unknown is None else f"{name} (version unknown)"

    @property
    def version(self) -> tuple[int, int, int]:
        """Major, minor and patch (zeros when the number cannot be read)."""
        match = _NUMBER.match(self.number)
        if match is None:
            return (0, 0, 0)
        major, minor, patch = match.groups()
        return (int(major), int(minor), int(patch or 0))

    @property
    def supported(self) -> bool:
        """One of `SUPPORTED` (a version not known is given the benefit)."""
        if self.unknown is not None:
            return True
        bounds = SUPPORTED.get(self.distribution)
        return bounds is not None and bounds[0] <= self.version[:2] <= bounds[1]

    def refusal(self) -> str | None:
        """Why this server is not served, or None when it is."""
        if self.supported:
            return None
        return f"{self} is not supported: this service reads {SUPPORTED_TEXT}"

    def pit_path(self, index_path: str) -> str | None:
        """Where a PIT over ``index_path`` (already quoted) is opened; None without PIT.

        With the version unknown, the distribution's own path is tried: a server without it
        refuses, and the search is paged without a PIT.
        """
        if self.distribution == OPENSEARCH and (self.unknown or self.version[:2] >= (2, 4)):
            return f"/{index_path}/_search/point_in_time"
        if self.distribution == ELASTICSEARCH and (self.unknown or self.version[:2] >= (7, 10)):
            return f"/{index_path}/_pit"
        return None

    def tiebreaker(self, pit: bool) -> str:
        """The sort field that orders documents with the same time, for ``search_after``.

        Unique and stable with a PIT where ``_shard_doc`` exists; ``_id`` on OpenSearch without
        it; ``_doc`` on Elasticsearch without a PIT (it refuses to sort on ``_id``), which is
        unique within a shard only, so ties across shards may repeat or be skipped.
        """
        if pit and (
            # An unknown Elasticsearch sent X-Elastic-Product, so it is 7.14 or later.
            (self.distribution == ELASTICSEARCH and (self.unknown or self.version[:2] >= (7, 12)))
            or (self.distribution == OPENSEARCH and self.version[:2] >= (3, 3))
        ):
            return "_shard_doc"
        return "_id" if self.distribution == OPENSEARCH else "_doc"


def parse_root(body: Any) -> Server:
    """The server of a ``GET /`` answer."""
    version = body.get("version") if isinstance(body, dict) else None
    if not isinstance(version, dict) or not isinstance(version.get("number"), str):
        raise OpenSearchBadResponse(
            "the answer to GET / has no version.number: OPENSEARCH_URL does not point at an "
            "OpenSearch or Elasticsearch REST API"
        )
    distribution = version.get("distribution")
    if isinstance(distribution, str):
        return Server(distribution, version["number"])
    if body.get("tagline") == OPENSEARCH_TAGLINE:
        # OpenSearch in its compatibility mode (override_main_response_version, an option of
        # Amazon OpenSearch Service domains) reports 7.10.2 and drops its distribution.
        return Server(
            OPENSEARCH,
            "",
            f"it reports version {version['number']} without a distribution, as OpenSearch's "
            "compatibility mode (override_main_response_version) does",
        )
    return Server(ELASTICSEARCH, version["number"])
