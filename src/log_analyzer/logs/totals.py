"""True totals of the window from Loki metric queries, and the spikes in them.

The log query stops at its limit; ``count_over_time`` does not. An instant ``vector`` query
summed by level and pod says how many lines the window really holds, and a ``matrix`` query
with one bucket per step says when they came. Loki leaves out steps with no lines and aligns
the range to the step (so one point may lie after the window's end); :func:`parse_matrix`
puts the empty steps back as zeros. :func:`find_spikes` flags buckets far above the window's
robust baseline (median and median absolute deviation).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any

from log_analyzer.logs.flatten import UnexpectedShape
from log_analyzer.logs.logql import LabelMatcher, count_query
from log_analyzer.logs.normalize import Level, source_of

LEVEL_LABEL = "detected_level"
"""The label Loki 3 adds at ingest with the level it detected in each line."""
TOTALS_BY = (LEVEL_LABEL, "pod", "container")
NICE_STEPS = (10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
"""Bucket widths in seconds, from 10s to one day."""
_NS = 1_000_000_000
_LEVELS = {level.value: level for level in Level}
_LEVEL_ALIASES = {"warning": Level.WARN, "critical": Level.FATAL, "trace": Level.DEBUG}


@dataclass(frozen=True, slots=True)
class Totals:
    """Lines in the window by level and by source, from an instant ``vector`` query."""

    by_level: tuple[tuple[Level, int], ...]
    """Most severe first."""
    by_source: tuple[tuple[str, int], ...]
    """``pod/container`` names, most lines first."""
    total: int
    malformed: int = 0
    """Samples whose value was not a number; counted here, left out of the totals."""


@dataclass(frozen=True, slots=True)
class Series:
    """Lines per bucket: one point per step, empty steps filled with zero."""

    step_seconds: int
    points: tuple[tuple[int, float], ...]
    """``(unix seconds, lines)``; each point counts the step that ends at its time."""
    malformed: int = 0


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


def bucket_step(start_ns: int, end_ns: int, target: int = 30) -> int:
    """The smallest nice step (10s ... 1d) giving at most ``target`` buckets over the window."""
    seconds = max(end_ns - start_ns, 0) / _NS
    for step in NICE_STEPS:
        if seconds / step <= target:
            return step
    return NICE_STEPS[-1]


def logql_range(seconds: int) -> str:
    """A LogQL range such as ``30m`` or ``90s`` for a whole number of seconds (at least 1)."""
    seconds = max(seconds, 1)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def totals_query(
    matchers: Sequence[LabelMatcher], line_regex: str | None, start_ns: int, end_ns: int
) -> str:
    """Instant query (evaluate at ``end_ns``) counting the window's lines by level and source."""
    window = math.ceil(max(end_ns - start_ns, 0) / _NS)
    return count_query(matchers, line_regex, logql_range(window), by=TOTALS_BY)


def buckets_query(
    matchers: Sequence[LabelMatcher], line_regex: str | None, step_seconds: int
) -> str:
    """Range query (with ``step=step_seconds``) counting lines per bucket, by level."""
    return count_query(matchers, line_regex, logql_range(step_seconds), by=(LEVEL_LABEL,))


def parse_vector(body: Mapping[str, Any]) -> Totals:
    """Totals from an instant query's ``vector`` body, grouped by any of level, pod, container."""
    levels: dict[Level, int] = {}
    sources: dict[str, int] = {}
    total = malformed = 0
    for metric, sample in _results(body, "vector", "value"):
        value = _count(sample)
        if value is None:
            malformed += 1
            continue
        total += value
        if LEVEL_LABEL in metric:
            level = level_of(metric[LEVEL_LABEL])
            levels[level] = levels.get(level, 0) + value
        if any(key in metric for key in ("pod", "container", "service_name", "app")):
            source = source_of(metric)
            sources[source] = sources.get(source, 0) + value
    return Totals(
        by_level=tuple(sorted(levels.items(), key=lambda kv: kv[0].rank)),
        by_source=tuple(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
        total=total,
        malformed=malformed,
    )


def parse_matrix(
    body: Mapping[str, Any],
    *,
    start_ns: int,
    end_ns: int,
    step_seconds: int,
    levels: Iterable[Level] | None = None,
) -> Series:
    """One series from a range query's ``matrix`` body: every series summed per step.

    The points cover every step whose bucket overlaps ``[start_ns, end_ns)`` (Loki may return
    one more after ``end_ns``, and it is kept), missing steps as zero. With ``levels``, only
    series whose ``detected_level`` is one of them are summed.
    """
    if step_seconds <= 0:
        raise ValueError("step_seconds must be positive")
    wanted = None if levels is None else frozenset(levels)
    sums: dict[int, float] = {}
    malformed = 0
    for metric, values in _results(body, "matrix", "values"):
        if wanted is not None and level_of(metric.get(LEVEL_LABEL, "")) not in wanted:
            continue
        if not isinstance(values, list):
            malformed += 1
            continue
        for sample in values:
            ts = _timestamp(sample)
            value = _number(sample)
            if ts is None or value is None:
                malformed += 1
                continue
            sums[ts] = sums.get(ts, 0.0) + value
    first = (start_ns // _NS // step_seconds + 1) * step_seconds
    last = -(-end_ns // _NS // step_seconds) * step_seconds
    if sums:
        # Keep whatever Loki returned, even off the expected grid, on a grid of the same step.
        first = min(first, min(sums) - (min(sums) - first) % step_seconds)
        last = max(last, max(sums))
    points = [(ts, sums.pop(ts, 0.0)) for ts in range(first, last + 1, step_seconds)]
    points.extend(sorted(sums.items()))  # off-grid timestamps, if Loki ever sends any
    points.sort()
    return Series(step_seconds, tuple(points), malformed)


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
    scale = max(1.4826 * mad, math.sqrt(baseline), 1.0)
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
    """The level a ``detected_level`` value names (Loki writes ``unknown`` when it found none)."""
    word = value.strip().lower()
    return _LEVELS.get(word) or _LEVEL_ALIASES.get(word) or Level.UNKNOWN


def _results(
    body: Mapping[str, Any], kind: str, field: str
) -> Iterable[tuple[Mapping[str, str], Any]]:
    data = body.get("data")
    if not isinstance(data, Mapping):
        raise UnexpectedShape("response has no 'data' object")
    if data.get("resultType") != kind:
        raise UnexpectedShape(f"expected resultType {kind!r}, got {data.get('resultType')!r}")
    result = data.get("result")
    if not isinstance(result, list):
        raise UnexpectedShape("response has no 'data.result' list")
    for item in result:
        if not isinstance(item, Mapping):
            raise UnexpectedShape(f"a result is a {type(item).__name__}, not an object")
        metric = item.get("metric")
        labels = {str(k): str(v) for k, v in metric.items()} if isinstance(metric, Mapping) else {}
        yield labels, item.get(field)


def _number(sample: Any) -> float | None:
    """The value of a ``[ts, "value"]`` sample, or None when it is not a finite number."""
    try:
        value = float(sample[1])
    except (TypeError, ValueError, IndexError):
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _count(sample: Any) -> int | None:
    value = _number(sample)
    return None if value is None else round(value)


def _timestamp(sample: Any) -> int | None:
    try:
        ts = float(sample[0])
    except (TypeError, ValueError, IndexError):
        return None
    return int(ts) if math.isfinite(ts) else None
