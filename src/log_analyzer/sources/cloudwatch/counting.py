"""Counting in the service, where Logs Insights cannot: every matching event read and counted.

Each event gets its level by `levels.line_level`, the rule the Logs Insights count queries
follow, so both ways give the same numbers. The read stops at a cap: past it the counts would
be a sample of the window, and since the pipeline reports a store's counts as totals, none are
given then; the error says why, and the pipeline reports the window without true totals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from log_analyzer.logs.levels import Level
from log_analyzer.logs.totals import Histogram, Totals, histogram_of, level_of, totals_of
from log_analyzer.sources.base import Window
from log_analyzer.sources.cloudwatch.errors import CloudWatchUnavailable
from log_analyzer.sources.cloudwatch.levels import line_level
from log_analyzer.sources.cloudwatch.reading import EventReader
from log_analyzer.sources.cloudwatch.shapes import Event

_NS_PER_MS = 1_000_000


async def totals_by_paging(
    reader: EventReader, window: Window, text: str, why: str, cap: int
) -> Totals:
    """Events of the window by level and log stream, every one read."""
    counts: Counter[tuple[str, str]] = Counter()

    def take(events: list[Event]) -> None:
        counts.update((line_level(message), stream) for stream, _, message in events)

    query = await _read_all(reader, window, take, text, why, cap)
    return totals_of(
        ((level_of(level), stream, n) for (level, stream), n in counts.items()), query=query
    )


async def histogram_by_paging(
    reader: EventReader, window: Window, step_seconds: int, text: str, why: str, cap: int
) -> Histogram:
    """Events per ``step_seconds`` bucket and level, every one read; a bucket ends at its key."""
    counts: Counter[tuple[int, str]] = Counter()
    step_ms = step_seconds * 1000

    def take(events: list[Event]) -> None:
        counts.update(
            ((ts // step_ms + 1) * step_seconds, line_level(message)) for _, ts, message in events
        )

    query = await _read_all(reader, window, take, text, why, cap)
    sums: dict[int, dict[Level, float]] = {}
    for (bucket_end, word), n in counts.items():
        by_level = sums.setdefault(bucket_end, {})
        level = level_of(word)
        by_level[level] = by_level.get(level, 0.0) + n
    return histogram_of(
        sums,
        start_ns=window.start_ns,
        end_ns=window.end_ns,
        step_seconds=step_seconds,
        query=query,
    )


async def _read_all(
    reader: EventReader,
    window: Window,
    take: Callable[[list[Event]], None],
    text: str,
    why: str,
    cap: int,
) -> str:
    start, end = ms_range(window)
    read = await reader.every(start, end, take)
    if not read.complete:
        raise CloudWatchUnavailable(
            f"no true totals: {why}, and counting with FilterLogEvents stopped at the cap of "
            f"{cap:,} events read before the end of the window (what was counted would be a "
            "sample, not a total)"
        )
    return (
        f"{text}; every event read and counted in the service: a total of all "
        f"{read.scanned:,} events CloudWatch sent ({why})"
    )


def ms_range(window: Window) -> tuple[int, int]:
    """``[start, end)`` in whole milliseconds holding exactly the events of the window."""
    return -(-window.start_ns // _NS_PER_MS), -(-window.end_ns // _NS_PER_MS)
