"""Turn Loki's `streams` result into one time-ordered list of entries that keep their labels.

Handles both encodings Loki 3 sends: plain `[ts, line]` pairs, and the `categorize-labels` triples
`[ts, line, {"structuredMetadata": {...}, "parsed": {...}}]`, whose extra labels are merged into the
entry's labels so downstream code sees one shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One log line as Loki returned it."""

    timestamp_ns: int
    line: str
    labels: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class FlattenedLogs:
    """Entries oldest first, plus what the response said about itself."""

    entries: tuple[LogEntry, ...]
    stream_count: int
    malformed: int
    """Values that were not `[ts, line, ...]` and were skipped; reported, never silent."""


class UnexpectedShape(ValueError):
    """The body is not a Loki `streams` query response."""


def flatten_streams(body: Mapping[str, Any]) -> FlattenedLogs:
    """Flatten a `/loki/api/v1/query_range` log-query response body."""
    data = body.get("data")
    if not isinstance(data, Mapping):
        raise UnexpectedShape("response has no 'data' object")
    if data.get("resultType") != "streams":
        raise UnexpectedShape(f"expected resultType 'streams', got {data.get('resultType')!r}")
    result = data.get("result")
    if not isinstance(result, list):
        raise UnexpectedShape("response has no 'data.result' list")

    entries: list[LogEntry] = []
    malformed = 0
    for stream in result:
        if not isinstance(stream, Mapping):
            raise UnexpectedShape(f"a stream is a {type(stream).__name__}, not an object")
        labels = stream.get("stream") or {}
        base = MappingProxyType(dict(labels))
        for value in stream.get("values") or ():
            try:
                ts, line = int(value[0]), value[1]
            except (TypeError, ValueError, IndexError):
                malformed += 1
                continue
            if not isinstance(line, str):
                malformed += 1
                continue
            entry_labels: Mapping[str, str] = base
            if len(value) > 2 and isinstance(value[2], Mapping) and value[2]:
                entry_labels = _with_categorized(base, value[2])
            entries.append(LogEntry(ts, line, entry_labels))
    entries.sort(key=lambda e: e.timestamp_ns)
    return FlattenedLogs(tuple(entries), len(result), malformed)


def _with_categorized(base: Mapping[str, str], extra: Mapping[str, Any]) -> Mapping[str, str]:
    merged = dict(base)
    for group in ("structuredMetadata", "parsed"):
        values = extra.get(group)
        if isinstance(values, Mapping):
            merged.update({str(k): str(v) for k, v in values.items()})
    return MappingProxyType(merged)
