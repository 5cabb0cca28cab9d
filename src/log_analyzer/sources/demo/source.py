"""The bundled incident as a `LogSource`, filtered and counted like a real store would.

The incident is generated once, for the 30 minutes before the source was opened; every query
reads that one set of lines, so entries, totals and buckets agree whatever the window asked.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping

from log_analyzer.logs.entries import STORE_LEVEL, Row
from log_analyzer.logs.normalize import Level, source_of
from log_analyzer.logs.regex import compile_re2
from log_analyzer.logs.totals import Histogram, Totals, histogram_of, level_of, totals_of
from log_analyzer.sources.base import (
    SEVERE_PATTERN,
    CountQuery,
    EntryQuery,
    LineFilter,
    Order,
    RawEntries,
    Selection,
    Window,
    decode_rows,
)
from log_analyzer.sources.demo.incident import Line, incident_lines, labels_of

NAME = "demo"
INCIDENT_SECONDS = 1800
_NS = 1_000_000_000


class DemoSource:
    """Serves the bundled incident of the 30 minutes before ``now_ns``."""

    name = NAME

    def __init__(self, now_ns: int | None = None, seed: int = 7) -> None:
        end = now_ns if now_ns is not None else time.time_ns()
        self._lines = incident_lines(end - INCIDENT_SECONDS * _NS, end, seed)
        self._labels = {app: labels_of(app) for app in {line[1] for line in self._lines}}
        # The level each line was written at, as a store that detects levels would report it.
        self._rows_labels = {
            (app, level): {**self._labels[app], STORE_LEVEL: level}
            for _, app, level, _ in self._lines
        }

    async def entries(self, query: EntryQuery) -> RawEntries:
        """The matching lines from the end the query asks, at most ``limit``."""
        matching = list(self._matching(query.window, query.selection, query.line_filter))
        if query.order is Order.NEWEST:
            matching.reverse()
        kept = matching[: query.limit]
        rows: list[Row] = [
            (self._rows_labels[app, level], ts, line) for ts, app, level, line in kept
        ]
        payload = (rows, len(matching) > query.limit)
        return RawEntries(_describe(query.selection, query.line_filter), payload, decode_rows,
                          query.limit)  # fmt: skip

    async def totals(self, query: CountQuery) -> Totals:
        """The matching lines by level and pod/container."""
        counts = [
            (level_of(level), source_of(self._labels[app]), 1)
            for _, app, level, _ in self._matching(query.window, query.selection, query.line_filter)
        ]
        return totals_of(counts, query=_describe(query.selection, query.line_filter))

    async def histogram(self, query: CountQuery, step_seconds: int) -> Histogram:
        """The matching lines per step and level; a point counts the step that ends at it."""
        sums: dict[int, dict[Level, float]] = {}
        for ts, _, level, _ in self._matching(query.window, query.selection, query.line_filter):
            end = -(-ts // _NS // step_seconds) * step_seconds
            counts = sums.setdefault(end, {})
            counts[level_of(level)] = counts.get(level_of(level), 0.0) + 1
        return histogram_of(
            sums,
            start_ns=query.window.start_ns,
            end_ns=query.window.end_ns,
            step_seconds=step_seconds,
            query=_describe(query.selection, query.line_filter),
        )

    async def ready(self) -> None:
        """Always ready."""

    def _matching(
        self, window: Window, selection: Selection, line_filter: LineFilter
    ) -> Iterable[Line]:
        keep = _line_test(line_filter)
        for line in self._lines:
            ts, app = line[0], line[1]
            inside = window.start_ns <= ts < window.end_ns
            if inside and _selected(self._labels[app], selection) and keep(line[3]):
                yield line


def _selected(labels: Mapping[str, str], selection: Selection) -> bool:
    for name, value in selection.filters:
        if name == "pod":
            if compile_re2(value).fullmatch(labels.get("pod", "")) is None:
                return False
        elif labels.get(name) != value:
            return False
    return True


def _line_test(line_filter: LineFilter) -> Callable[[str], bool]:
    tests: list[Callable[[str], object]] = []
    if line_filter.severe:
        tests.append(compile_re2(SEVERE_PATTERN).search)
    if line_filter.pattern:
        tests.append(compile_re2(line_filter.pattern).search)
    excluded = line_filter.exclude

    def keep(line: str) -> bool:
        return all(test(line) for test in tests) and not any(text in line for text in excluded)

    return keep


def _describe(selection: Selection, line_filter: LineFilter) -> str:
    parts = [", ".join(f"{k}={v!r}" for k, v in selection.filters) or "every stream"]
    if line_filter.severe:
        parts.append(f"lines matching {SEVERE_PATTERN}")
    if line_filter.pattern:
        parts.append(f"lines matching {line_filter.pattern}")
    parts.extend(f"lines without {text!r}" for text in line_filter.exclude)
    return "demo incident: " + "; ".join(parts)
