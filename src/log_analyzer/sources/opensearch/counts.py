"""Counts of a window: aggregation bodies and answers, and counts the service makes itself.

Totals come from a ``composite`` aggregation over the level, pod and container fields, each
with a bucket for documents that lack it, paged with ``after`` so no group is left out however
many pods the window holds. Buckets per step come from a ``date_histogram`` (``fixed_interval``
of the step, ``extended_bounds`` of the window, empty buckets kept) with a ``terms``
sub-aggregation on the level. A document without a level counts as ``unknown``. A numeric
level field (pino's and bunyan's) gives numbers as keys, each counted as the level word it
names (`hits.number_level`), so 50 and 55 both count as ``error``.

Where the service filters lines itself, OpenSearch cannot count what it would keep: the service
reads those documents and counts the ones it keeps (`Tally`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from log_analyzer.logs.entries import STORE_LEVEL, Row
from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import source_of
from log_analyzer.logs.totals import level_of
from log_analyzer.sources.base import Window
from log_analyzer.sources.opensearch.errors import OpenSearchBadResponse
from log_analyzer.sources.opensearch.hits import check_whole, number_level
from log_analyzer.sources.opensearch.mapping import IndexFields
from log_analyzer.sources.opensearch.query import Query

GROUPS_PAGE = 1000
"""Groups (level, pod, container) per page of the composite aggregation."""
LEVEL_BUCKETS = 100
"""Distinct level values counted per histogram bucket; any others count as unknown."""
_NS = 1_000_000_000
_MS = 1_000_000

Count = tuple[Level | None, str | None, int]


def _sources(fields: IndexFields) -> list[tuple[str, str]]:
    """``(name, field)`` of the groups the mapping can count by."""
    names = fields.names
    found = []
    for name, path in (("level", names.level), ("pod", names.pod), ("container", names.container)):
        countable = fields[path].countable
        if countable is not None:
            found.append((name, countable))
    return found


def groups_body(query: Query, fields: IndexFields, after: Mapping[str, Any] | None) -> Query:
    """One page of the totals: documents by level, pod and container."""
    body: Query = {"size": 0, "track_total_hits": True, "query": query}
    sources = _sources(fields)
    if sources:
        composite: Query = {
            "size": GROUPS_PAGE,
            "sources": [
                {name: {"terms": {"field": path, "missing_bucket": True}}} for name, path in sources
            ],
        }
        if after is not None:
            composite["after"] = dict(after)
        body["aggs"] = {"groups": {"composite": composite}}
    return body


def read_groups(answer: Any, fields: IndexFields) -> tuple[list[Count], Mapping[str, Any] | None]:
    """The counts of a page of groups, and where the next page starts (None after the last)."""
    if not isinstance(answer, dict):
        raise OpenSearchBadResponse("OpenSearch's answer to the count is not a JSON object")
    check_whole(answer, "count")
    sources = {name for name, _ in _sources(fields)}
    if not sources:
        return [(None, None, _total(answer))], None
    groups = answer.get("aggregations", {}).get("groups")
    buckets = groups.get("buckets") if isinstance(groups, dict) else None
    if not isinstance(buckets, list):
        raise OpenSearchBadResponse("OpenSearch's answer to the count has no groups")
    counts: list[Count] = []
    for bucket in buckets:
        key, number = bucket.get("key"), bucket.get("doc_count")
        if not isinstance(key, dict) or not isinstance(number, int):
            raise OpenSearchBadResponse("a group of OpenSearch's count is not a key and a count")
        level = _key_level(key.get("level")) if "level" in sources else None
        labels = {name: str(key[name]) for name in ("pod", "container") if key.get(name)}
        counts.append((level, source_of(labels) if labels else None, number))
    after = groups.get("after_key")
    more = len(buckets) >= GROUPS_PAGE and isinstance(after, dict)
    return counts, after if more else None


def _key_level(key: Any) -> Level:
    """The level of an aggregation key: a level word, or a numeric level field's number."""
    if key is None:
        return Level.UNKNOWN  # the composite's bucket of documents without a level
    return number_level(key) or level_of(str(key))


def _total(answer: Mapping[str, Any]) -> int:
    total = answer.get("hits", {}).get("total")
    value = total.get("value") if isinstance(total, dict) else total
    if not isinstance(value, int):
        raise OpenSearchBadResponse("OpenSearch's answer to the count has no hits.total")
    return value


def buckets_body(query: Query, fields: IndexFields, window: Window, step_seconds: int) -> Query:
    """Documents per step of the window, by level."""
    histogram: Query = {
        "date_histogram": {
            "field": fields.names.time,
            "fixed_interval": f"{step_seconds}s",
            "min_doc_count": 0,
            "extended_bounds": {
                "min": window.start_ns // _MS,
                "max": max(window.start_ns, window.end_ns - 1) // _MS,
            },
        }
    }
    level = fields[fields.names.level].countable
    if level is not None:
        histogram["aggs"] = {"levels": {"terms": {"field": level, "size": LEVEL_BUCKETS}}}
    return {"size": 0, "query": query, "aggs": {"buckets": histogram}}


def read_buckets(answer: Any, step_seconds: int) -> dict[int, dict[Level, float]]:
    """Counts by bucket end (unix seconds) and level; a bucket counts ``[start, start+step)``."""
    if isinstance(answer, dict):
        check_whole(answer, "count per bucket")
    histogram = answer.get("aggregations", {}).get("buckets") if isinstance(answer, dict) else None
    buckets = histogram.get("buckets") if isinstance(histogram, dict) else None
    if not isinstance(buckets, list):
        raise OpenSearchBadResponse("OpenSearch's answer to the buckets has no date histogram")
    sums: dict[int, dict[Level, float]] = {}
    for bucket in buckets:
        key, number = bucket.get("key"), bucket.get("doc_count")
        if not isinstance(key, int) or not isinstance(number, int):
            raise OpenSearchBadResponse("a bucket of OpenSearch's histogram has no key or count")
        counts: dict[Level, float] = {}
        levels = bucket.get("levels", {}).get("buckets", [])
        for item in levels if isinstance(levels, list) else []:
            level = _key_level(item.get("key"))
            counts[level] = counts.get(level, 0.0) + float(item.get("doc_count", 0))
        rest = number - sum(counts.values())  # no level, or past LEVEL_BUCKETS
        if rest > 0:
            counts[Level.UNKNOWN] = counts.get(Level.UNKNOWN, 0.0) + rest
        if number:
            sums[key // 1000 + step_seconds] = counts
    return sums


@dataclass(slots=True)
class Tally:
    """Documents the service read and kept, for counts OpenSearch could not make."""

    kept: list[tuple[int, Level, str | None]] = field(default_factory=list)
    """``(timestamp_ns, level, source)`` of each kept document."""
    read: int = 0
    malformed: int = 0
    capped: bool = False
    """Reading stopped at the cap: the counts are of a sample, not of the window."""

    def add(self, row: Row) -> None:
        """Count a kept document."""
        labels, ts, _ = row
        level = labels.get(STORE_LEVEL)
        source = source_of(labels) if "pod" in labels or "container" in labels else None
        self.kept.append((ts, level_of(level) if level else Level.UNKNOWN, source))

    def counts(self) -> list[Count]:
        """The kept documents by level and source."""
        grouped = Counter((level, source) for _, level, source in self.kept)
        return [(level, source, n) for (level, source), n in grouped.items()]

    def buckets(self, step_seconds: int) -> dict[int, dict[Level, float]]:
        """The kept documents by bucket end (as `read_buckets`) and level."""
        sums: dict[int, dict[Level, float]] = {}
        for ts, level, _ in self.kept:
            counts = sums.setdefault((ts // _NS // step_seconds + 1) * step_seconds, {})
            counts[level] = counts.get(level, 0.0) + 1
        return sums
