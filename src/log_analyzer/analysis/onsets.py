"""The store queries of "what changed before it broke": every line just before each onset.

An onset is where the error lines rose: the start of a spike, or of the first bucket with
errors (`logs.onsets.coarse_onsets`, from the true counts per bucket). A bucket is minutes
long, so the onset is then placed to `FINE_STEP_SECONDS` with one small count query around
it: the first fine bucket well above what was usual *before* the onset (a window's own median
is the incident's rate once the incident fills most of it). Two entry queries follow, with no
line filter (a cause is seldom an error): the `LEAD_SECONDS` before the onset up to the end of
the bucket that holds its first errors (a cause is often logged in the same seconds as the
first errors; the coarse bucket's end when no fine bucket stood out), and the
`BASELINE_SECONDS` before those. A bucket holds its end (a point counts the step that ends at
it), so the windows read up to and including the end's nanosecond.

In a busy namespace the window just before the onset holds more lines than one fetch returns,
and the newest of them are the storm's first lines and the namespace's usual chatter: a
configuration reload a minute before the onset is past the limit. When that fetch stopped at
the limit, the window is read once more without the lines of the patterns it returned (texts
that name them, `logs.exclusions`, computed in a worker: `read_beyond_the_known`).

These run alongside the analysis' own queries and can only add evidence: a failure is
reported, never fatal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, replace
from statistics import median

from opentelemetry import trace

from log_analyzer.analysis.request import AnalysisRequest
from log_analyzer.core.errors import ServiceError
from log_analyzer.logs.levels import Level
from log_analyzer.logs.onsets import first_rise, onsets_in
from log_analyzer.logs.totals import Histogram
from log_analyzer.sources.base import (
    CountQuery,
    EntryQuery,
    LineFilter,
    LogSource,
    Order,
    RawEntries,
    Window,
)

LEAD_SECONDS = 300
"""The window just before an onset where its cause is looked for: five minutes, as a cause is
often logged minutes before the errors it brings (pods restarted onto upgraded nodes start with
a smaller limit and run out of it under load; in the baseline the change was what is usual)."""
BASELINE_SECONDS = 600
"""The window before that, for what is usual."""
FINE_STEP_SECONDS = 10
ONSET_LINES = 1000
"""Lines fetched per window (the newest, those closest to the onset)."""
_NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class OnsetEvidence:
    """Every line (up to `ONSET_LINES`) just before one onset, and before that."""

    onset_ns: int
    recent: RawEntries
    baseline: RawEntries
    recent_window: Window
    baseline_window: Window
    beyond: RawEntries | None = None
    """The recent window read again without the patterns of ``recent``, when that stopped at
    the limit (`read_beyond_the_known`); None when it was not, or could not be, read."""


async def before_onsets(
    source: LogSource,
    request: AnalysisRequest,
    histogram: Awaitable[Histogram | None],
    tracer: trace.Tracer,
) -> tuple[tuple[OnsetEvidence, ...], str | None]:
    """The lines before each onset of the window's errors; or why there are none.

    ``histogram`` is the analysis' own count of lines per bucket, awaited here.
    """
    counted = await histogram
    if counted is None:
        return (), "no counts per bucket, so no onset to look before"
    coarse = onsets_in(counted)
    if not coarse:
        return (), "no onset: the window had no errors, or had them from its start"
    step = counted.step_seconds
    with tracer.start_as_current_span(f"query_{source.name}_before_onset") as span:
        span.set_attribute("db.system.name", source.name)
        span.set_attribute("log.onset_levels", ";".join(_named(levels) for _, levels in coarse))
        try:
            found = await asyncio.gather(
                *(
                    _evidence(
                        source,
                        request,
                        levels,
                        start,
                        step,
                        usual_before(counted.series(levels).points, start),
                    )
                    for start, levels in coarse
                )
            )
        except ServiceError as exc:
            span.set_attribute("error.type", exc.code)
            return (), f"the lines before the onset could not be fetched: {exc.message}"
        span.set_attribute("log.onsets", len(found))
        span.set_attribute("db.query.text", "; ".join(e.recent.query for e in found))
    return tuple(found), None


async def read_beyond_the_known(
    source: LogSource,
    request: AnalysisRequest,
    evidence: Sequence[OnsetEvidence],
    exclusions: Sequence[tuple[str, ...]],
    tracer: trace.Tracer,
) -> tuple[OnsetEvidence, ...]:
    """Each onset's recent window read again without the texts of ``exclusions``.

    ``exclusions`` holds one tuple per onset; an empty one means that window was read whole.
    A failed read costs only its lines.
    """

    async def beyond(onset: OnsetEvidence, texts: tuple[str, ...]) -> OnsetEvidence:
        if not texts:
            return onset
        every_other = LineFilter(exclude=texts)
        query = EntryQuery(
            onset.recent_window, request.selection, every_other, ONSET_LINES, Order.NEWEST
        )
        return replace(onset, beyond=await source.entries(query))

    with tracer.start_as_current_span(f"query_{source.name}_before_onset_beyond") as span:
        span.set_attribute("db.system.name", source.name)
        span.set_attribute("log.excluded_texts", sum(len(texts) for texts in exclusions))
        try:
            return tuple(
                await asyncio.gather(
                    *(
                        beyond(onset, texts)
                        for onset, texts in zip(evidence, exclusions, strict=True)
                    )
                )
            )
        except ServiceError as exc:
            span.set_attribute("error.type", exc.code)
            return tuple(evidence)


async def _evidence(
    source: LogSource,
    request: AnalysisRequest,
    levels: tuple[Level, ...] | None,
    start: int,
    step: int,
    usual: float,
) -> OnsetEvidence:
    onset, until = await _precise(source, request, levels, start, step, usual)
    recent = Window(onset - LEAD_SECONDS * _NS, until + 1)  # a bucket holds its end
    baseline = Window(recent.start_ns - BASELINE_SECONDS * _NS, recent.start_ns)
    every = LineFilter.every()
    recent_entries, baseline_entries = await asyncio.gather(
        source.entries(EntryQuery(recent, request.selection, every, ONSET_LINES, Order.NEWEST)),
        source.entries(EntryQuery(baseline, request.selection, every, ONSET_LINES, Order.NEWEST)),
    )
    return OnsetEvidence(
        onset,
        recent_entries,
        baseline_entries,
        recent,
        baseline,
    )


async def _precise(
    source: LogSource,
    request: AnalysisRequest,
    levels: tuple[Level, ...] | None,
    start: int,
    step: int,
    usual: float,
) -> tuple[int, int]:
    """The onset to `FINE_STEP_SECONDS`, and where the window its cause is looked in ends.

    The onset is the first fine bucket well above ``usual``, the error lines per coarse bucket
    before it, looked for from a bucket before the coarse one to a bucket after it. Without a
    precise onset the coarse bucket's start stands for it, and the whole bucket is looked in.
    """
    around = Window((start - step) * _NS, (start + 2 * step) * _NS + 1)
    counts = CountQuery(around, request.selection, request.line_filter)
    coarse = (start * _NS, (start + step) * _NS)
    try:
        fine = (await source.histogram(counts, FINE_STEP_SECONDS)).series(levels)
    except ServiceError:
        return coarse  # the coarse bucket will do
    rise = first_rise(fine.points, FINE_STEP_SECONDS, usual * FINE_STEP_SECONDS / step)
    if rise is None:
        return coarse
    return rise * _NS, (rise + FINE_STEP_SECONDS) * _NS


def _named(levels: tuple[Level, ...] | None) -> str:
    """The levels onsets are found in, for the span: ``error,fatal``, or ``every``."""
    return "every" if levels is None else ",".join(sorted(level.value for level in levels))


USUAL_BUCKETS = 5
"""What is usual before an onset: the median of this many buckets just before it."""


def usual_before(points: Sequence[tuple[int, float]], start: int) -> float:
    """The median error lines per bucket of the `USUAL_BUCKETS` before ``start``; 0 when none.

    Just before, not since the window's start: before a second incident, the first one's errors
    are what is usual, and a median over the quiet minutes before the first one would take
    their noise for the second one's onset, a minute early, and look for its cause too early.
    """
    before = [value for end, value in points if end <= start][-USUAL_BUCKETS:]
    return median(before) if before else 0.0
