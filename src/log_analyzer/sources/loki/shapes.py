"""Loki's JSON answers, read into the pipeline's values: streams, vectors and matrices.

Everything here is pure. A body that is not the shape Loki documents raises `LokiBadResponse`,
so a broken proxy or a wrong `LOKI_URL` is reported as such, never as a crash.

Streams come in both encodings Loki 3 sends: plain ``[ts, line]`` pairs, and the
``categorize-labels`` triples ``[ts, line, {"structuredMetadata": {...}, "parsed": {...}}]``,
whose extra labels are merged into the entry's labels so downstream code sees one shape. The
labels the settings name for the pod and container (`LabelNames`) are also given under the
pipeline's ``pod`` and ``container``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import ijson

from log_analyzer.core.runtime import gc_paused
from log_analyzer.logs.entries import STORE_LEVEL, DecodedEntries, Row
from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import source_of
from log_analyzer.logs.totals import Histogram, Totals, histogram_of, level_of, totals_of
from log_analyzer.logs.unicode import valid_unicode
from log_analyzer.sources.base import may_hold_surrogates
from log_analyzer.sources.http import looks_like_html, page_text
from log_analyzer.sources.loki.errors import LokiBadResponse
from log_analyzer.sources.loki.labels import LABELS, LabelNames
from log_analyzer.sources.loki.logql import LEVEL_LABEL

_SOURCE_LABELS = ("pod", "container", "service_name", "app")
_MAX_NS = 253_402_300_799 * 1_000_000_000
"""The last second of year 9999: a later timestamp cannot be shown, so its entry is malformed."""


def parse_json(content: bytes) -> Mapping[str, Any]:
    """A Loki body as JSON, checked for ``status: success``."""
    try:
        with gc_paused():  # up to hundreds of thousands of objects, none of them cyclic
            body = json.loads(content)
    except (ValueError, RecursionError) as exc:  # nested past the recursion limit: the latter
        raise _not_json(content, exc) from exc
    if not isinstance(body, dict) or body.get("status") != "success":
        raise LokiBadResponse("Loki returned JSON without status 'success'")
    checked: Mapping[str, Any] = valid_unicode(body) if may_hold_surrogates(content) else body
    return checked


def _not_json(content: bytes, exc: Exception) -> LokiBadResponse:
    if looks_like_html(content):
        return LokiBadResponse(
            f"Loki's URL answered with {page_text(content)}, which is not JSON: LOKI_URL points "
            "at a web UI or a proxy's page (Grafana's own address, say), not at Loki's HTTP API"
        )
    return LokiBadResponse(f"Loki returned a body that is not JSON: {exc}")


def decode_streams(
    content: bytes,
    limit: int,
    *,
    newest_first: bool = True,
    complete: bool = True,
    labels: LabelNames = LABELS,
) -> DecodedEntries:
    """The entries of a log query's body (a ``streams`` result), in the order Loki sent them.

    Loki stops at ``limit`` entries, so an answer of ``limit`` entries (malformed ones count:
    Loki returned them) may leave more in the window. Entries past ``limit`` (a misbehaving
    proxy's doing) are dropped, keeping the newest (or, with ``newest_first`` false, the oldest),
    and counted. A body that is not ``complete`` (cut at the byte cap) yields the entries that
    arrived whole before the cut.
    """
    if complete:
        decoded = stream_rows(parse_json(content), limit, labels)
    else:
        decoded = _salvaged_rows(content, limit, labels)
    return _within_limit(decoded, limit, newest_first)


def stream_rows(body: Mapping[str, Any], limit: int, labels: LabelNames = LABELS) -> DecodedEntries:
    """`decode_streams` over an already parsed body (entries past ``limit`` kept)."""
    rows: list[Row] = []
    malformed = 0
    for stream in _results(body, "streams"):
        base = _stream_labels(stream.get("stream"), labels)
        values = stream.get("values")
        if values is None:
            continue
        if not isinstance(values, list):
            raise LokiBadResponse(f"a stream's values are a {type(values).__name__}, not a list")
        malformed += _append_rows(rows, base, values, labels)
    return DecodedEntries(rows, malformed, len(rows) + malformed >= limit)


def _stream_labels(given: object, labels: LabelNames) -> Mapping[str, str]:
    if given is None:
        given = {}
    if not isinstance(given, Mapping):
        raise LokiBadResponse(f"a stream's labels are a {type(given).__name__}, not an object")
    return MappingProxyType(_neutral({str(k): str(v) for k, v in given.items()}, labels))


def _append_rows(
    rows: list[Row], base: Mapping[str, str], values: Iterable[Any], labels: LabelNames
) -> int:
    """Append a stream's well-formed values to ``rows``; return how many were malformed."""
    append = rows.append
    malformed = 0
    for value in values:
        try:
            ts, line = int(value[0]), value[1]
        except (TypeError, ValueError, IndexError, KeyError):
            malformed += 1
            continue
        if (line.__class__ is not str and not isinstance(line, str)) or not 0 <= ts < _MAX_NS:
            malformed += 1
            continue
        if len(value) > 2 and isinstance(value[2], Mapping) and value[2]:
            append((_with_categorized(base, value[2], labels), ts, line))
        else:
            append((base, ts, line))
    return malformed


def _salvaged_rows(content: bytes, limit: int, labels: LabelNames) -> DecodedEntries:
    """The whole entries at the start of a body cut short, read as a stream of JSON events.

    Loki writes each stream's labels before its values, so the values that arrived belong to
    known labels; a value cut in the middle, and anything after it, is not there.
    """
    rows: list[Row] = []
    malformed = 0
    base: Mapping[str, str] = MappingProxyType({})
    status = None
    events = ijson.parse(content, use_float=True)
    scrub = valid_unicode if may_hold_surrogates(content) else _same
    try:
        for prefix, event, value in events:
            if prefix == "status" and event == "string":
                status = value
            elif prefix == "data.result.item.stream" and event == "start_map":
                base = _stream_labels(scrub(_built(event, value, events)), labels)
            elif prefix == "data.result.item.values.item" and event == "start_array":
                entry = scrub(_built(event, value, events))
                malformed += _append_rows(rows, base, [entry], labels)
            elif prefix == "data.result.item" and event == "end_map":
                base = MappingProxyType({})
    except ijson.JSONError as exc:
        # The parser stops where the bytes end, inside a string or a number as like as not; it
        # cannot tell that from bad JSON, but a body Loki began as a success was simply cut.
        if status is None:
            raise _not_json(content, exc) from exc
    if status != "success":
        raise LokiBadResponse("Loki returned JSON without status 'success'")
    return DecodedEntries(rows, malformed, True, cut_at_bytes=len(content))


def _same(value: Any) -> Any:
    return value


def _built(event: str, value: Any, events: Iterator[tuple[str, str, Any]]) -> Any:
    """The whole value that starts with (``event``, ``value``), read from ``events``."""
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for _, inner, item in events:
        builder.event(inner, item)
        if inner in ("start_map", "start_array"):
            depth += 1
        elif inner in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                return builder.value
    raise ijson.IncompleteJSONError("the body ends inside a value")


def _within_limit(decoded: DecodedEntries, limit: int, newest_first: bool) -> DecodedEntries:
    rows = decoded.rows
    over = len(rows) - limit
    if over <= 0:
        return decoded
    rows.sort(key=_timestamp_of, reverse=newest_first)
    del rows[limit:]
    return DecodedEntries(
        rows, decoded.malformed, True, over_limit=over, cut_at_bytes=decoded.cut_at_bytes
    )


def _timestamp_of(row: Row) -> int:
    return row[1]


def _with_categorized(
    base: Mapping[str, str], extra: Mapping[str, Any], labels: LabelNames
) -> Mapping[str, str]:
    merged = dict(base)
    for group in ("structuredMetadata", "parsed"):
        values = extra.get(group)
        if isinstance(values, Mapping):
            merged.update({str(k): str(v) for k, v in values.items()})
    return MappingProxyType(_neutral(merged, labels))


def _neutral(given: dict[str, str], labels: LabelNames) -> dict[str, str]:
    """The labels, plus Loki's detected level, pod and container under the pipeline's names."""
    detected = given.get(LEVEL_LABEL)
    if detected is not None:
        given[STORE_LEVEL] = detected
    return labels.canonical(given) if labels.renamed else given


def parse_vector(body: Mapping[str, Any], query: str = "", labels: LabelNames = LABELS) -> Totals:
    """Totals from an instant query's ``vector`` body, grouped by any of level, pod, container."""
    counts: list[tuple[Level | None, str | None, int]] = []
    malformed = 0
    for item in _results(body, "vector"):
        metric = labels.canonical(_metric(item))
        value = _number(item.get("value"))
        if value is None:
            malformed += 1
            continue
        level = level_of(metric[LEVEL_LABEL]) if LEVEL_LABEL in metric else None
        source = source_of(metric) if any(k in metric for k in _SOURCE_LABELS) else None
        counts.append((level, source, round(value)))
    return totals_of(counts, malformed=malformed, query=query)


def parse_matrix(
    body: Mapping[str, Any], *, start_ns: int, end_ns: int, step_seconds: int, query: str = ""
) -> Histogram:
    """Lines per step and level from a range query's ``matrix`` body (by ``detected_level``).

    Loki leaves out steps with no lines and aligns the range to the step (so one point may lie
    after the window's end): the histogram puts the empty steps back as zeros and keeps the rest.
    """
    sums: dict[int, dict[Level, float]] = {}
    malformed = 0
    for item in _results(body, "matrix"):
        level = level_of(_metric(item).get(LEVEL_LABEL, ""))
        values = item.get("values")
        if not isinstance(values, list):
            malformed += 1
            continue
        for sample in values:
            ts, value = _timestamp(sample), _number(sample)
            if ts is None or value is None:
                malformed += 1
                continue
            counts = sums.setdefault(ts, {})
            counts[level] = counts.get(level, 0.0) + value
    return histogram_of(
        sums,
        start_ns=start_ns,
        end_ns=end_ns,
        step_seconds=step_seconds,
        malformed=malformed,
        query=query,
    )


def _results(body: Mapping[str, Any], kind: str) -> Iterable[Mapping[str, Any]]:
    data = body.get("data")
    if not isinstance(data, Mapping):
        raise LokiBadResponse("Loki's answer has no 'data' object")
    if data.get("resultType") != kind:
        raise LokiBadResponse(
            f"Loki's answer has resultType {data.get('resultType')!r}, expected {kind!r}"
        )
    result = data.get("result")
    if not isinstance(result, list):
        raise LokiBadResponse("Loki's answer has no 'data.result' list")
    for item in result:
        if not isinstance(item, Mapping):
            raise LokiBadResponse(f"a result in Loki's answer is a {type(item).__name__}")
        yield item


def _metric(item: Mapping[str, Any]) -> dict[str, str]:
    metric = item.get("metric")
    return {str(k): str(v) for k, v in metric.items()} if isinstance(metric, Mapping) else {}


def _number(sample: Any) -> float | None:
    """The value of a ``[ts, "value"]`` sample, or None when it is not a finite count."""
    try:
        value = float(sample[1])
    except (TypeError, ValueError, IndexError, KeyError, OverflowError):
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _timestamp(sample: Any) -> int | None:
    try:
        ts = float(sample[0])
    except (TypeError, ValueError, IndexError, KeyError, OverflowError):
        return None
    return int(ts) if math.isfinite(ts) else None
