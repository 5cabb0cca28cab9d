"""Loki's JSON answers, read into the pipeline's values: streams, vectors and matrices.

Everything here is pure. A body that is not the shape Loki documents raises `LokiBadResponse`,
so a broken proxy or a wrong `LOKI_URL` is reported as such, never as a crash.

Streams come in both encodings Loki 3 sends: plain ``[ts, line]`` pairs, and the
``categorize-labels`` triples ``[ts, line, {"structuredMetadata": {...}, "parsed": {...}}]``,
whose extra labels are merged into the entry's labels so downstream code sees one shape.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from log_analyzer.core.runtime import gc_paused
from log_analyzer.logs.entries import STORE_LEVEL, DecodedEntries, Row
from log_analyzer.logs.normalize import Level, source_of
from log_analyzer.logs.totals import Histogram, Totals, histogram_of, level_of, totals_of
from log_analyzer.sources.loki.errors import LokiBadResponse
from log_analyzer.sources.loki.logql import LEVEL_LABEL

_SOURCE_LABELS = ("pod", "container", "service_name", "app")
_MAX_NS = 253_402_300_799 * 1_000_000_000
"""The last second of year 9999: a later timestamp cannot be shown, so its entry is malformed."""


def parse_json(content: bytes) -> Mapping[str, Any]:
    """A Loki body as JSON, checked for ``status: success``."""
    try:
        with gc_paused():  # up to hundreds of thousands of objects, none of them cyclic
            body = json.loads(content)
    except ValueError as exc:
        raise LokiBadResponse(f"Loki returned a body that is not JSON: {exc}") from exc
    if not isinstance(body, dict) or body.get("status") != "success":
        raise LokiBadResponse("Loki returned JSON without status 'success'")
    return body


def decode_streams(content: bytes, limit: int) -> DecodedEntries:
    """The entries of a log query's body (a ``streams`` result), in the order Loki sent them.

    Loki stops at ``limit`` entries, so an answer of ``limit`` entries (malformed ones count:
    Loki returned them) may leave more in the window.
    """
    return stream_rows(parse_json(content), limit)


def stream_rows(body: Mapping[str, Any], limit: int) -> DecodedEntries:
    """`decode_streams` over an already parsed body."""
    rows: list[Row] = []
    append = rows.append
    malformed = 0
    for stream in _results(body, "streams"):
        labels = stream.get("stream")
        if labels is None:
            labels = {}
        if not isinstance(labels, Mapping):
            raise LokiBadResponse(f"a stream's labels are a {type(labels).__name__}, not an object")
        values = stream.get("values")
        if values is None:
            continue
        if not isinstance(values, list):
            raise LokiBadResponse(f"a stream's values are a {type(values).__name__}, not a list")
        base = MappingProxyType(_neutral({str(k): str(v) for k, v in labels.items()}))
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
                append((_with_categorized(base, value[2]), ts, line))
            else:
                append((base, ts, line))
    return DecodedEntries(rows, malformed, len(rows) + malformed >= limit)


def _with_categorized(base: Mapping[str, str], extra: Mapping[str, Any]) -> Mapping[str, str]:
    merged = dict(base)
    for group in ("structuredMetadata", "parsed"):
        values = extra.get(group)
        if isinstance(values, Mapping):
            merged.update({str(k): str(v) for k, v in values.items()})
    return MappingProxyType(_neutral(merged))


def _neutral(labels: dict[str, str]) -> dict[str, str]:
    """The labels, plus Loki's detected level under the pipeline's own name for it."""
    detected = labels.get(LEVEL_LABEL)
    if detected is not None:
        labels[STORE_LEVEL] = detected
    return labels


def parse_vector(body: Mapping[str, Any], query: str = "") -> Totals:
    """Totals from an instant query's ``vector`` body, grouped by any of level, pod, container."""
    counts: list[tuple[Level | None, str | None, int]] = []
    malformed = 0
    for item in _results(body, "vector"):
        metric = _metric(item)
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
