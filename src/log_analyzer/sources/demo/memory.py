"""A log store held in memory, filtered and counted like a real one: the demo's, and any other.

It is given every line of an incident at once, each with the labels of the stream that wrote it
and the level the store would report for it. Every query reads that one set of lines, so
entries, totals and buckets agree whatever window, selection or line filter is asked. Like a
store that detects levels, it reports each entry with its level among the labels, so the lines
of one stream at two levels come back as two streams (Loki does the same).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping

from log_analyzer.logs.entries import STORE_LEVEL, Row
from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import source_of
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

NAME = "demo"
_NS = 1_000_000_000

MemoryLine = tuple[int, Mapping[str, str], str, str]
"""``(timestamp ns, the labels of the stream that wrote it, the store's level, raw line)``.

Lines of one stream should share one labels object: it is looked up once per stream.
"""


class MemorySource:
    """Serves ``lines`` as a store would: ``name`` in requests, ``title`` in its query texts."""

    def __init__(
        self, lines: Iterable[MemoryLine], *, name: str = NAME, title: str = "in-memory store"
    ) -> None:
        self.name = name
        self.title = title
        self._lines = sorted(lines, key=_time_of)
        self._times = [line[0] for line in self._lines]
        self._sources = {id(line[1]): source_of(line[1]) for line in self._lines}
        # The level each line was written at, as a store that detects levels reports it; the
        # rows of one stream and level share one labels object, as a store's decoder gives them.
        self._rows_labels = {
            (id(labels), level): {**labels, STORE_LEVEL: level}
            for _, labels, level, _ in self._lines
        }

    async def entries(self, query: EntryQuery) -> RawEntries:
        """The matching lines from the end the query asks, at most ``limit``."""
        matching = list(self._matching(query.window, query.selection, query.line_filter))
        if query.order is Order.NEWEST:
            matching.reverse()
        kept = matching[: query.limit]
        rows: list[Row] = [
            (self._rows_labels[id(labels), level], ts, line) for ts, labels, level, line in kept
        ]
        payload = (rows, len(matching) > query.limit)
        return RawEntries(self._describe(query.selection, query.line_filter), payload,
                          decode_rows, query.limit)  # fmt: skip

    async def totals(self, query: CountQuery) -> Totals:
        """The matching lines by level and pod/container."""
        counts = [
            (level_of(level), self._sources[id(labels)], 1)
            for _, labels, level, _ in self._matching(
                query.window, query.selection, query.line_filter
            )
        ]
        return totals_of(counts, query=self._describe(query.selection, query.line_filter))

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
            query=self._describe(query.selection, query.line_filter),
        )

    async def ready(self) -> None:
        """Always ready."""

    def _matching(
        self, window: Window, selection: Selection, line_filter: LineFilter
    ) -> Iterator[MemoryLine]:
        keep = _line_test(line_filter)
        selected: dict[int, bool] = {}
        lines = self._lines
        for position in range(bisect_left(self._times, window.start_ns), len(lines)):
            line = lines[position]
            if line[0] >= window.end_ns:
                break
            labels = line[1]
            chosen = selected.get(id(labels))
            if chosen is None:
                chosen = selected[id(labels)] = _selected(labels, selection)
            if chosen and keep(line[3]):
                yield line

    def _describe(self, selection: Selection, line_filter: LineFilter) -> str:
        parts = [", ".join(f"{k}={v!r}" for k, v in selection.filters) or "every stream"]
        if line_filter.severe:
            parts.append(f"lines matching {SEVERE_PATTERN}")
        if line_filter.pattern:
            parts.append(f"lines matching {line_filter.pattern}")
        parts.extend(f"lines without {text!r}" for text in line_filter.exclude)
        return f"{self.title}: " + "; ".join(parts)


def _time_of(line: MemoryLine) -> int:
    return line[0]


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
