"""True counts of a window, as every store reports them, and the spikes in them.

A log query stops at its limit; a store's count queries do not. :class:`Totals` says how many
lines the window really holds, by level and by source; :class:`Histogram` says when they came,
one bucket per step and level. :func:`find_spikes` flags buckets far above the window's robust
baseline (median and median absolute deviation).

Each value carries the store's own text of the query that produced it, for the summary and the
spans.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import median

from log_analyzer.logs.levels import Level

NICE_STEPS = (10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
"""Bucket widths in seconds, from 10s to one day."""
_NS = 1_000_000_000
_LEVELS = {level.value: level for level in Level}
_LEVEL_ALIASES = {
    "warning": Level.WARN,
    "critical": Level.FATAL,
    "crit": Level.FATAL,
    "panic": Level.FATAL,
    "emergency": Level.FATAL,
    "alert": Level.FATAL,
    "err": Level.ERROR,
    "severe": Level.ERROR,
    "notice": Level.INFO,
    "information": Level.INFO,
    "trace": Level.DEBUG,
}


@dataclass(frozen=True, slots=True)
class Totals:
    """Lines in the window by level and by source."""

    by_level: tuple[tuple[Level, int], ...]
    """Most severe first."""
    by_source: tuple[tuple[str, int], ...]
    """``pod/container`` (or the store's equivalent) names, most lines first."""
    total: int
    malformed: int = 0
    """Counts that were not numbers; counted here, left out of the totals."""
    query: str = ""
    """The store's own text of the query that counted them."""


MAX_COUNT = 2**53
"""No store counts this many lines (float's exact integers end here): a larger count, or a
negative or non-finite one, is malformed. Its digits would also reach the prompt's facts
(a count of 1e300 has 301)."""


def is_count(value: float) -> bool:
    """Whether ``value`` can be a count of lines."""
    return 0 <= value < MAX_COUNT


def totals_of(
    counts: Iterable[tuple[Level | None, str | None, int]],
    *,
    malformed: int = 0,
    query: str = "",
) -> Totals:
    """Totals from ``(level, source, lines)`` counts; a None level or source is not grouped.

    A count no store could hold (`is_count`) is malformed.
    """
    levels: dict[Level, int] = {}
    sources: dict[str, int] = {}
    total = 0
    for level, source, lines in counts:
        if not is_count(lines):
            malformed += 1
            continue
        total += lines
        if level is not None:
            levels[level] = levels.get(level, 0) + lines
        if source is not None:
            sources[source] = sources.get(source, 0) + lines
    return Totals(
        by_level=tuple(sorted(levels.items(), key=lambda kv: kv[0].rank)),
        by_source=tuple(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
        total=total,
        malformed=malformed,
        query=query,
    )


@dataclass(frozen=True, slots=True)
class Series:
    """Lines per bucket: one point per step, empty steps filled with zero."""

    step_seconds: int
    points: tuple[tuple[int, float], ...]
    """``(unix seconds, lines)``; each point counts the step that ends at its time."""
    malformed: int = 0


@dataclass(frozen=True, slots=True)
class Histogram:
    """Lines per bucket and level over a window, every step present."""

    step_seconds: int
    points: tuple[tuple[int, Mapping[Level, float]], ...]
    """``(unix seconds, lines by level)``; each point counts the step that ends at its time."""
    malformed: int = 0
    query: str = ""
    """The store's own text of the query that counted them."""

    def series(self, levels: Iterable[Level] | None = None) -> Series:
        """The lines of ``levels`` (every level when None) per bucket."""
        wanted = None if levels is None else frozenset(levels)
        points = tuple(
            (ts, sum(n for level, n in counts.items() if wanted is None or level in wanted))
            for ts, counts in self.points
        )
        return Series(self.step_seconds, points, self.malformed)


def histogram_of(
    counts: Mapping[int, Mapping[Level, float]],
    *,
    start_ns: int,
    end_ns: int,
    step_seconds: int,
    malformed: int = 0,
    query: str = "",
) -> Histogram:
    """A histogram from sparse counts keyed by bucket end (unix seconds), gaps filled with zero.

    The points cover every step whose bucket overlaps ``[start_ns, end_ns)``; counts a store
    returned off that grid (one step after the end, say) are kept, never dropped.
    """
    if step_seconds <= 0:
        raise ValueError("step_seconds must be positive")
    if not all(is_count(n) for levels in counts.values() for n in levels.values()):
        kept = {ts: {lv: n for lv, n in c.items() if is_count(n)} for ts, c in counts.items()}
        malformed += sum(len(c) for c in counts.values()) - sum(len(c) for c in kept.values())
        counts = kept
    first = (start_ns // _NS // step_seconds + 1) * step_seconds
    last = -(-end_ns // _NS // step_seconds) * step_seconds
    if counts:
        # Keep whatever the store returned, even off the expected grid, on a grid of the step.
        first = min(first, min(counts) - (min(counts) - first) % step_seconds)
        last = max(last, max(counts))
    empty: Mapping[Level, float] = {}
    stamps = sorted({*range(first, last + 1, step_seconds), *counts})
    points = tuple((ts, dict(counts.get(ts, empty))) for ts in stamps)
    return Histogram(step_seconds, points, malformed, query)


@dataclass(frozen=True, slots=True)
class Spike:
    """A run of consecutive buckets far above the baseline (times in unix seconds)."""

    start: int
    """Start of the first bucket of the run."""
    end: int
    """End of the last bucket of the run."""
    peak_ts: int
    """End of the highest bucket."""
    peak: float
    baseline: float
    """Median lines per bucket over the window."""
    factor: float
    """``peak / baseline`` (the baseline floored at one line)."""


FLOORED_BASELINE = "the factor counts a baseline under 1 line as 1"
"""Said wherever a spike's factor is shown and its baseline was under one line."""


def floored(spike: Spike) -> bool:
    """Whether the spike's factor was taken against one line, its baseline being under one."""
    return spike.baseline < 1.0


def bucket_step(start_ns: int, end_ns: int, target: int = 30) -> int:
    """The smallest nice step (10s ... 1d) giving at most ``target`` buckets over the window."""
    seconds = max(end_ns - start_ns, 0) / _NS
    for step in NICE_STEPS:
        if seconds / step <= target:
            return step
    return NICE_STEPS[-1]


MAD_SCALE = 1.4826
"""Turns a median absolute deviation into a standard deviation, for normally distributed data."""


def find_spikes(
    series: Series,
    *,
    threshold: float = 5.0,
    min_factor: float = 3.0,
    min_count: float = 10.0,
) -> tuple[Spike, ...]:
    """Runs of buckets far above the baseline.

    A bucket is a spike when it holds at least ``min_count`` lines, at least ``min_factor``
    times the baseline, and more than ``threshold`` robust deviations above it. The deviation
    is 1.4826 x the median absolute deviation, floored at the square root of the baseline (the
    noise of a count) and at one line, so a flat or near-empty window does not flag noise.
    Consecutive spike buckets are reported as one spike.
    """
    values = [value for _, value in series.points]
    if len(values) < 3:
        return ()
    baseline = median(values)
    mad = median(abs(value - baseline) for value in values)
    scale = max(MAD_SCALE * mad, math.sqrt(baseline), 1.0)
    floor = max(baseline, 1.0)
    step = series.step_seconds
    spikes: list[Spike] = []
    run: list[tuple[int, float]] = []
    for ts, value in (*series.points, (0, -math.inf)):
        if (
            value >= min_count
            and value >= min_factor * floor
            and value - baseline > threshold * scale
        ):
            run.append((ts, value))
            continue
        if run:
            peak_ts, peak = max(run, key=lambda point: point[1])
            spikes.append(
                Spike(run[0][0] - step, run[-1][0], peak_ts, peak, baseline, peak / floor)
            )
            run = []
    return tuple(spikes)


def level_of(value: str) -> Level:
    """The level a store's level value names (``unknown`` when it names none)."""
    word = value.strip().lower()
    return _LEVELS.get(word) or _LEVEL_ALIASES.get(word) or Level.UNKNOWN
