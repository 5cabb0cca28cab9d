"""Where things broke: the onsets of a window's counts per bucket, coarse then precise.

An onset is the bucket where the error lines (or, for a store that levels no line, every
counted line) rose: the start of a spike, or a step up of the rate. The run looks just before
each onset for what changed (`changes.changes_before`). Pure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from log_analyzer.logs.levels import Level
from log_analyzer.logs.totals import Histogram, find_spikes

SEVERE_LEVELS = (Level.FATAL, Level.ERROR)


def onset_levels(histogram: Histogram) -> tuple[Level, ...] | None:
    """The levels whose lines per bucket onsets are found in (None: every level).

    Errors and worse; but a store that gives no line a level counts every line ``unknown``
    (Loki 2, Loki 3 with level discovery off, an index without a level field), and its errors
    cannot be told from the rest: then every counted line is, as the request's line filter
    selected them (by default, the lines that look like errors or warnings).
    """
    for _, counts in histogram.points:
        if any(count and level is not Level.UNKNOWN for level, count in counts.items()):
            return SEVERE_LEVELS
    return None


Onset = tuple[int, tuple[Level, ...] | None]
"""An onset's start (unix seconds) and the levels it was found in (None: every counted line)."""


def onsets_in(histogram: Histogram) -> tuple[Onset, ...]:
    """Where things broke (`coarse_onsets` of the `onset_levels`), and in which levels' lines.

    When the errors rose nowhere sharply (no spike of theirs: none at all, a few scattered old
    ones, or lines the store could not level, such as klog's ``E0602`` under Loki 3), a spike of
    every counted line (by default those that look like errors or warnings) is an onset too:
    a storm of warnings, or of errors the store does not know as errors, is where things broke
    just the same; or, as for errors, the largest step up of them (a storm that fills half the
    window raises the median too much to be a spike). Its levels are then None, so its precise
    onset is looked for in every counted line.
    """
    levels = onset_levels(histogram)
    series = histogram.series(levels)
    spikes = [(spike.start, spike.peak) for spike in find_spikes(series)]
    found: list[Onset] = [
        (start, levels) for start in coarse_onsets(series.points, series.step_seconds, spikes)
    ]
    if levels is not None and not spikes and len(found) < 2:
        every = histogram.series(None)
        wider = find_spikes(every)
        start = (
            min(spike.start for spike in wider)
            if wider
            else step_up(every.points, every.step_seconds)
        )
        # Where the errors have an onset of their own, or rose too, theirs stands for it.
        taken = {onset for onset, _ in found}
        if (
            start is not None
            and start not in taken
            and not _rose_at(series.points, start, every.step_seconds)
        ):
            found.append((start, None))
    return tuple(sorted(found, key=lambda onset: onset[0]))


def _rose_at(points: Sequence[tuple[int, float]], start: int, step_seconds: int) -> bool:
    """Whether ``points`` rose by `STEP_UP_MIN_LINES` over the three buckets from ``start``.

    Against the three before it: where the errors rose too, their own onset stands for it.
    """
    after = sum(value for end, value in points if start < end <= start + 3 * step_seconds)
    before = sum(value for end, value in points if start - 3 * step_seconds < end <= start)
    return after - before >= STEP_UP_MIN_LINES


def coarse_onsets(
    points: Sequence[tuple[int, float]], step_seconds: int, spikes: Sequence[tuple[int, float]]
) -> tuple[int, ...]:
    """Where things broke, to the bucket (unix seconds).

    The start of each spike, else of the first bucket with errors and then the largest step up
    of the error rate after it, if any (`step_up`): a second incident on top of a first seldom
    makes a spike of its own, since the first already raised the window's median. When errors
    were there from the window's first bucket (a background of old errors, or a window opened
    inside the incident), or the buckets before the first are too few to say they were not
    (`_quiet_start`), the largest step up anywhere is the onset, if there is one: an incident
    that fills half the window raises the median too much to be a spike.

    ``points`` are error lines per bucket (each point counts the step that ends at its time),
    ``spikes`` the ``(start, peak)`` of each spike found in them. At most two onsets: the first
    spike's, and the highest one's when that is another (two incidents at once).
    """
    if spikes:
        first = min(spikes)[0]
        highest = max(spikes, key=lambda spike: spike[1])[0]
        return (first,) if highest == first else (first, highest)
    for index, (end, count) in enumerate(points):
        if count > 0:
            if index == 0 or not _quiet_start(points, index):
                rose = step_up(points, step_seconds)
                return () if rose is None else (rose,)
            later = step_up(points[index + 2 :], step_seconds)
            onset = end - step_seconds
            return (onset,) if later is None else (onset, later)
    return ()


QUIET_START_LINES = 3.0
"""The buckets before the first error are a quiet start when, at the rate of errors after it,
this many lines were to be expected in them (no line then happens about one time in twenty)."""


def _quiet_start(points: Sequence[tuple[int, float]], index: int) -> bool:
    """Whether no error before ``index`` means none were being logged, not chance.

    An error logged once a minute since before the window leaves its first bucket or two empty
    often enough; taking its first line for an onset finds nothing before it but noise.
    """
    after = [value for _, value in points[index:]]
    return index * sum(after) / len(after) >= QUIET_START_LINES


STEP_UP_FACTOR = 1.5
"""A bucket at least this many times the buckets before it is a step up of the error rate."""
STEP_UP_MIN_LINES = 20
"""... and at least this many lines above them (a few lines more is noise)."""


STEP_UP_Z = 5.0
"""... or, under a storm that a second incident adds less than half to, the lines of three
buckets at least this many standard deviations above the three before them (a count of lines
varies by its square root: the difference of two counts by the root of their sum) ..."""
STEP_SHARPNESS = 3.0
"""... when that rise is at least this many times the change over the three buckets before it
and over the three after it: a step between two levels, not a stretch of a ramp (a storm that
ramps up smoothly rises as much in every three buckets)."""


def step_up(points: Sequence[tuple[int, float]], step_seconds: int) -> int | None:
    """The start of the bucket where the rate rose most above the three before it, if any did.

    A rise counts when the bucket holds `STEP_UP_FACTOR` times the median of the three buckets
    before it and `STEP_UP_MIN_LINES` lines more, or when it starts a step between two levels
    (`_steps_between_levels`); the largest rise (in lines) wins.
    """
    best: tuple[float, int] | None = None
    for index in range(3, len(points)):
        end, count = points[index]
        before = sorted(value for _, value in points[index - 3 : index])[1]
        rise = count - before
        rose = count >= STEP_UP_FACTOR * before and rise >= STEP_UP_MIN_LINES
        rose = rose or _steps_between_levels(points, index)
        if rose and (best is None or rise > best[0]):
            best = (rise, end - step_seconds)
    return None if best is None else best[1]


def _steps_between_levels(points: Sequence[tuple[int, float]], index: int) -> bool:
    """Whether the error rate steps up at ``index`` from one level to a higher one.

    Four runs of three buckets are compared: two before ``index`` (earlier, before) and two
    from it (after, later). After must exceed before by `STEP_UP_MIN_LINES` lines a bucket and
    by `STEP_UP_Z` standard deviations, and by `STEP_SHARPNESS` times as much as before differs
    from earlier and later from after. So the step needs five buckets after its start.
    """
    if index < 6 or index + 6 > len(points):
        return False
    earlier, before, after, later = (
        sum(value for _, value in points[start : start + 3])
        for start in (index - 6, index - 3, index, index + 3)
    )
    rise = after - before
    drift = max(abs(before - earlier), abs(later - after))
    return (
        rise >= 3 * STEP_UP_MIN_LINES
        and rise >= STEP_UP_Z * math.sqrt(after + before)
        and rise >= STEP_SHARPNESS * drift
    )


def first_rise(points: Sequence[tuple[int, float]], step_seconds: int, usual: float) -> int | None:
    """The start (unix seconds) of the first bucket of ``points`` well above ``usual`` lines.

    Well above: at least two lines, `STEP_UP_FACTOR` times ``usual`` (the error lines per
    bucket of this size before the onset), so a second incident's rise on top of a first one's
    errors is found too, and three standard deviations above it, so that a few old errors
    that happen to fall together (a count of ``usual`` on average varies by its square root)
    do not pass for the onset and end the search for its cause before the cause. None when no
    bucket is.
    """
    floor = max(2.0, STEP_UP_FACTOR * usual, usual + 3 * math.sqrt(usual))
    for end, count in points:
        if count >= floor:
            return end - step_seconds
    return None
