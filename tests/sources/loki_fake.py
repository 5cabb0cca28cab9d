"""A fake of Loki's query API over a fixed set of lines, answering in the recorded shapes.

BUILT IN THE TEST, NOT RECORDED: no Loki binary exists here, so Loki's answers for the lines
of `same_incident` are built by this module. It invents no shape: every body is a recorded
Loki 3 body (``tests/fixtures/loki/``, copies of ``contracts/loki-captured/``) with only its
``data.result`` replaced, written as those recordings write it:

- ``streams``: one stream per label set, its labels those Loki gave the recorded streams
  (``app``, ``container``, ``detected_level``, ``namespace``, ``node``, ``pod``,
  ``service_name``), its ``values`` ``[ns timestamp string, line]`` pairs;
- ``vector``: ``{"metric": {the grouping labels}, "value": [unix seconds, "count"]}``;
- ``matrix``: ``{"metric": ..., "values": [[unix seconds, "count"], ...]}``, timestamps
  multiples of the step, steps without lines left out.

What it does with the query follows Loki's documented rules (``contracts/REFERENCE.md``):
a log query keeps lines with ``start <= ts < end`` that pass the stream selector (``=``,
``=~`` fully anchored) and each line filter in turn (``|=``, ``!=``, ``|~``, ``!~``), at most
``limit`` of them from the end ``direction`` names; a metric query ``sum by (...)
(count_over_time(<log query> [range]))`` counts, at each evaluation time ``t``, the lines in
``(t - range, t]``, an instant query at ``time``, a range query at every multiple of ``step``
from ``start`` rounded down to ``end`` rounded up. Only the LogQL the service writes is parsed.
"""

from __future__ import annotations

import copy
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

import httpx

from tests.conftest import recorded
from tests.sources.same_incident import NAMESPACE, Line

_STRING = r'"(?:[^"\\]|\\.)*"'
_MATCHER = re.compile(rf"\s*([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*({_STRING})\s*,?")
_STAGE = re.compile(rf"\s*(\|=|\|~|!=|!~)\s*({_STRING})")
_METRIC = re.compile(
    r"sum(?: by \(([^)]*)\))? \(count_over_time\((.*) \[(\d+)(s|m|h|d)\]\)\)\Z", re.S
)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_NS = 1_000_000_000
MAX_ENTRIES = 5000
"""Loki's default ``max_entries_limit_per_query``."""

Labels = tuple[tuple[str, str], ...]


def _unquote(literal: str) -> str:
    """A Go double-quoted string's value (the escapes `logql.quote` writes)."""
    simple = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"'}

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        return chr(int(code[1:], 16)) if code[0] == "x" else simple[code]

    return re.sub(r"\\(x[0-9a-fA-F]{2}|.)", one, literal[1:-1])


def stream_labels(line: Line) -> Labels:
    """The labels Loki shows for the stream of ``line``, as in the recorded streams."""
    labels = {
        "app": line.container,
        "container": line.container,
        "detected_level": line.loki.value,
        "namespace": NAMESPACE,
        "node": line.node,
        "pod": line.pod,
        "service_name": line.container,
    }
    return tuple(sorted(labels.items()))


class FakeLoki:
    """Answers ``/loki/api/v1/query_range`` and ``/loki/api/v1/query`` over ``lines``."""

    def __init__(self, lines: Iterable[Line]) -> None:
        self._lines = sorted(((line.ts_ms * 1_000_000, stream_labels(line), line.text)
                              for line in lines), key=lambda item: item[0])  # fmt: skip
        self._times = [ts for ts, _, _ in self._lines]
        self.queries: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        if request.method == "POST":
            params.update(parse_qsl(request.content.decode()))
        query = params["query"]
        self.queries.append(query)
        metric = _METRIC.match(query)
        if request.url.path.endswith("/query"):
            assert metric is not None, f"an instant query must be a metric query: {query}"
            return self._vector(metric, int(params["time"]))
        if metric is not None:
            return self._matrix(metric, int(params["start"]), int(params["end"]),
                                int(params["step"]))  # fmt: skip
        return self._streams(query, params)

    def _streams(self, query: str, params: Mapping[str, str]) -> httpx.Response:
        limit = int(params["limit"])
        assert limit <= MAX_ENTRIES, f"Loki refuses limit {limit} (max_entries_limit_per_query)"
        keep = _log_query(query)
        start, end = int(params["start"]), int(params["end"])
        window = self._lines[bisect_left(self._times, start) : bisect_left(self._times, end)]
        backward = params.get("direction", "backward").lower() == "backward"
        ordered = reversed(window) if backward else iter(window)
        streams: dict[Labels, list[list[str]]] = defaultdict(list)
        taken = 0
        for ts, labels, text in ordered:
            if taken == limit:
                break
            if keep(labels, text):
                streams[labels].append([str(ts), text])
                taken += 1
        result = [{"stream": dict(labels), "values": values} for labels, values in streams.items()]
        return _answer("query_range-streams.json", result)

    def _counts(self, expr: re.Match[str], begin_ns: int, end_ns: int) -> dict[Labels, int]:
        """Matching lines with ``begin_ns < ts <= end_ns``, per value of the grouping labels."""
        by = [name.strip() for name in (expr.group(1) or "").split(",") if name.strip()]
        keep = _log_query(expr.group(2))
        counts: dict[Labels, int] = defaultdict(int)
        first, last = bisect_right(self._times, begin_ns), bisect_right(self._times, end_ns)
        for _, labels, text in self._lines[first:last]:
            if keep(labels, text):
                values = dict(labels)
                counts[tuple((name, values[name]) for name in by if name in values)] += 1
        return counts

    def _vector(self, expr: re.Match[str], time_ns: int) -> httpx.Response:
        range_ns = int(expr.group(3)) * _UNITS[expr.group(4)] * _NS
        at = _seconds(time_ns)
        counts = self._counts(expr, time_ns - range_ns, time_ns)
        result = [{"metric": dict(group), "value": [at, str(n)]} for group, n in counts.items()]
        return _answer("query-vector-by-level-pod-container.json", result)

    def _matrix(self, expr: re.Match[str], start: int, end: int, step: int) -> httpx.Response:
        range_ns = int(expr.group(3)) * _UNITS[expr.group(4)] * _NS
        first = start // _NS // step * step
        last = -(-end // _NS // step) * step
        series: dict[Labels, list[list[Any]]] = defaultdict(list)
        for t in range(first, last + 1, step):
            for group, n in sorted(self._counts(expr, t * _NS - range_ns, t * _NS).items()):
                series[group].append([t, str(n)])
        result = [{"metric": dict(group), "values": values} for group, values in series.items()]
        return _answer("query_range-matrix-by-level.json", result)


def _log_query(query: str) -> Callable[[Labels, str], bool]:
    """The test a log query puts each line to: its selector, then its line filters in order."""
    assert query.startswith("{"), query
    position, terms = 1, []
    while query[position] != "}":
        matcher = _MATCHER.match(query, position)
        assert matcher is not None, f"not a selector the service writes: {query}"
        terms.append((matcher.group(1), matcher.group(2), _unquote(matcher.group(3))))
        position = matcher.end()
    stages = []
    rest = query[position + 1 :]
    while rest.strip():
        stage = _STAGE.match(rest)
        assert stage is not None, f"not a line filter the service writes: {rest}"
        stages.append((stage.group(1), _unquote(stage.group(2))))
        rest = rest[stage.end() :]

    def selected(labels: Labels) -> bool:
        values = dict(labels)
        for name, op, value in terms:
            have = values.get(name, "")
            matched = re.fullmatch(value, have) is not None if "~" in op else have == value
            if matched is op.startswith("!"):
                return False
        return True

    def passes(text: str) -> bool:
        for op, value in stages:
            found = re.search(value, text) is not None if "~" in op else value in text
            if found is op.startswith("!"):
                return False
        return True

    return lambda labels, text: selected(labels) and passes(text)


def _seconds(ns: int) -> int | float:
    return ns // _NS if ns % _NS == 0 else ns / _NS


def _answer(recording: str, result: list[dict[str, Any]]) -> httpx.Response:
    """The recorded body with its ``data.result`` replaced, sent as Loki sends it."""
    rec = recorded("loki", recording)
    body = copy.deepcopy(rec["body"])
    body["data"]["result"] = result
    return httpx.Response(200, json=body, headers={"content-type": rec["content_type"]})
