"""Search answers read into the pipeline's rows: ``(labels, timestamp_ns, line)``.

Pure. A document's fields are read from ``_source`` by their dotted path, whether the document
nests them (``{"kubernetes": {"pod_name": ...}}``) or spells them flat. Its time comes from
``_source`` when that is an ISO 8601 text (nanoseconds kept), else from the ``fields`` value the
server formatted (a number in ``_source`` is epoch milliseconds or seconds, as the mapping's
format says), else from a number in ``_source`` read as epoch milliseconds. The Kubernetes
fields become the labels ``namespace``, ``pod``, ``container`` and ``node``, and the level
field `STORE_LEVEL`, so normalization and `source_of` read them as they read any store's. A
numeric level (pino's and bunyan's ``50``) becomes the word it names (``error``): a level label
is read as a word.

A document without a time or a message is malformed: counted, never silently dropped.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from log_analyzer.core.runtime import gc_paused
from log_analyzer.logs.clock import iso_ns
from log_analyzer.logs.entries import STORE_LEVEL, DecodedEntries, Row
from log_analyzer.logs.levels import Level, level_word
from log_analyzer.logs.unicode import valid_unicode
from log_analyzer.sources.base import may_hold_surrogates
from log_analyzer.sources.opensearch.errors import OpenSearchBadResponse, expensive_off
from log_analyzer.sources.opensearch.filters import ServiceFilter
from log_analyzer.sources.opensearch.mapping import FieldNames

_NS = 1_000_000_000
_MAX_NS = 253_402_300_799 * _NS
"""The last second of year 9999."""


@dataclass(frozen=True, slots=True)
class Pages:
    """The answers of one paged search, as read (a `RawEntries` payload: it pickles)."""

    contents: tuple[bytes, ...]
    more: bool
    """The window holds more matching documents than were read."""
    cut_at_bytes: int | None = None
    """Reading stopped at the byte cap after this many bytes."""


def parse_time(value: Any) -> int | None:
    """Nanoseconds since the epoch of an ISO 8601 text or of epoch milliseconds; else None."""
    ns: int | None = None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        ns = round(value * 1_000_000)
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        ns = int(value) * 1_000_000  # ASCII digits only ("²" is a digit to isdigit), bounded
    elif isinstance(value, str):
        ns = iso_ns(value)
    return ns if ns is not None and 0 <= ns < _MAX_NS else None


def lookup(source: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` of a document, nested or flat; None when absent."""
    if path in source:
        return source[path]
    head, dot, rest = path.partition(".")
    while dot:
        inner = source.get(head)
        if isinstance(inner, Mapping):
            found = lookup(inner, rest)
            if found is not None:
                return found
        step, dot, rest = rest.partition(".")
        head = f"{head}.{step}"
    return None


def number_level(value: Any) -> Level | None:
    """The level a number names, as pino and bunyan number them (40 warn, 50 error); else None.

    A floating-point mapping hands back floats (``50.0``); a fraction counts as the whole
    number below it, as a ``range`` from 40 selects 40.5 and not 39.5.
    """
    if isinstance(value, float) and math.isfinite(value):
        value = math.floor(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return level_word(value)
    return None


def _first(value: Any) -> Any:
    """A scalar, or the first scalar of a list."""
    if isinstance(value, list):
        return next((item for item in value if not isinstance(item, dict | list)), None)
    return value


def _text(value: Any) -> str | None:
    """A label's value as text: a scalar, or the first scalar of a list."""
    value = _first(value)
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _level(value: Any) -> str | None:
    """The level label: a number as the level word it names, anything else as its text."""
    level = number_level(_first(value))
    return level.value if level is not None else _text(value)


def _line(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _text(value)


class DocReader:
    """Reads hits into rows; entries with the same labels share one labels object."""

    def __init__(self, names: FieldNames) -> None:
        self._names = names
        self._fields = (*names.labels, (STORE_LEVEL, names.level))
        self._labels: dict[tuple[str | None, ...], Mapping[str, str]] = {}

    def row(self, hit: Any) -> Row | None:
        """The row of a hit, or None when it is malformed."""
        source = hit.get("_source") if isinstance(hit, dict) else None
        if not isinstance(source, dict):
            return None
        names = self._names
        raw = lookup(source, names.time)
        # An ISO text keeps its nanoseconds; a number means what the mapping's format says
        # (epoch_millis by default, epoch_second too), which the server's formatted value tells.
        ts = parse_time(raw) if isinstance(raw, str) and not raw.isdigit() else None
        if ts is None:
            formatted = hit.get("fields", {}).get(names.time)
            ts = parse_time(formatted[0]) if isinstance(formatted, list) and formatted else None
        if ts is None:
            ts = parse_time(raw)
        line = _line(lookup(source, names.message))
        if ts is None or line is None:
            return None
        values = (
            *(_text(lookup(source, path)) for _, path in self._fields[:-1]),
            _level(lookup(source, names.level)),
        )
        labels = self._labels.get(values)
        if labels is None:
            built = {label: value for (label, _), value in zip(self._fields, values, strict=True)}
            labels = MappingProxyType({k: v for k, v in built.items() if v is not None})
            self._labels[values] = labels
        return (labels, ts, line)


def search_hits(content: bytes, what: str = "search") -> tuple[list[Any], Mapping[str, Any]]:
    """The hits of a search answer, and the answer; failed shards make it a bad response."""
    try:
        with gc_paused():  # thousands of small objects, none of them cyclic
            body = json.loads(content)
    except (ValueError, RecursionError) as exc:  # nested past the recursion limit: the latter
        raise OpenSearchBadResponse(
            f"OpenSearch's answer to the {what} is not JSON: {exc}"
        ) from exc
    if may_hold_surrogates(content):
        body = valid_unicode(body)
    if not isinstance(body, dict):
        raise OpenSearchBadResponse(f"OpenSearch's answer to the {what} is not a JSON object")
    check_whole(body, what)
    hits = body.get("hits")
    if not isinstance(hits, dict) or not isinstance(hits.get("hits"), list):
        raise OpenSearchBadResponse(f"OpenSearch's answer to the {what} has no hits.hits list")
    return hits["hits"], body


def check_whole(body: Mapping[str, Any], what: str) -> None:
    """Raise `OpenSearchBadResponse` when a search answer covers only part of the indices.

    A search answers 200 with what the shards that answered found: shards that failed (a
    rejected execution, a query one index's mapping cannot run) are listed in
    ``_shards.failures``; shards with no copy to ask (a red index) are only missing from
    ``_shards.successful``; ``timed_out`` says shards stopped at the cluster's search timeout;
    ``_clusters.skipped`` counts remote clusters left out. Read as they are, such hits and
    counts would pass for the whole window.
    """
    shards = body.get("_shards")
    if isinstance(shards, Mapping):
        total, ok, failed = shards.get("total"), shards.get("successful"), shards.get("failed")
        if isinstance(failed, int) and failed > 0:
            if (off := expensive_off(_first_failure(shards))) is not None:
                raise off  # shards of an index where the field is mapped refused the clause
            raise OpenSearchBadResponse(
                f"{failed} of {total if isinstance(total, int) else '?'} shards failed the "
                f"{what}, so its answer is incomplete (it is not used): {_first_failure(shards)}"
            )
        # ``successful`` counts the shards the pre-filter skipped too (``skipShard``).
        if isinstance(total, int) and isinstance(ok, int) and ok < total:
            raise OpenSearchBadResponse(
                f"only {ok} of {total} shards answered the {what} (the others have no "
                "copy to search: is an index red?), so its answer is incomplete (it is "
                "not used); check GET _cluster/health?level=indices"
            )
    if body.get("timed_out") is True:
        raise OpenSearchBadResponse(
            f"the {what} timed out on the cluster (its search timeout, "
            "search.default_search_timeout), so its answer holds only what the shards found "
            "in time (it is not used); raise that timeout or narrow the window or filters"
        )
    clusters = body.get("_clusters")
    clusters = clusters if isinstance(clusters, Mapping) else {}
    left_out = clusters.get("skipped")
    if isinstance(left_out, int) and left_out > 0:
        raise OpenSearchBadResponse(
            f"{left_out} of {clusters.get('total', '?')} remote clusters were skipped by the "
            f"{what} (unavailable, skip_unavailable set), so its answer is incomplete (it is "
            "not used)"
        )


def _first_failure(shards: Mapping[str, Any]) -> str:
    failures = shards.get("failures")
    if isinstance(failures, list) and failures and isinstance(failures[0], dict):
        reason = failures[0].get("reason")
        if isinstance(reason, dict):
            return f"{reason.get('type', '')}: {reason.get('reason', '')}"
        return str(reason)
    return "no reason given"


def decode_pages(
    pages: Pages, limit: int, *, names: FieldNames, keep: ServiceFilter | None = None
) -> DecodedEntries:
    """The entries of a paged search, in the order searched, at most ``limit``.

    ``keep`` is what the service checks itself; documents it rejects are not entries at all.
    """
    reader = DocReader(names)
    rows: list[Row] = []
    malformed = 0
    more = pages.more
    hits = (hit for content in pages.contents for hit in search_hits(content)[0])
    for hit in hits:
        row = reader.row(hit)
        if row is None:
            malformed += 1
        elif keep is None or keep.keeps(row[0], row[2]):
            if len(rows) == limit:
                more = True
                break
            rows.append(row)
    return DecodedEntries(rows, malformed, more, cut_at_bytes=pages.cut_at_bytes)
