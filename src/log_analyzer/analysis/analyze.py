"""An analysis: what is failing in a window, from the store's entries and counts.

The store is queried (entries, the window's oldest, true counts, all at once), a worker
computes the summary and one evidence line per pattern, and the model is shown the summary's
numbers and as many patterns as fit, the suspects' first, then each source's most telling.

What changed before the errors' onsets needs only the counts per bucket and the lines before
each onset, not the window's own lines: it is queried and computed beside the summary (in the
other worker), once, and joined to it at the end, when the suspects are ranked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from opentelemetry.trace import Span

from log_analyzer.analysis.coverage import cover_window
from log_analyzer.analysis.events import SummaryEvent
from log_analyzer.analysis.gather import gather_evidence, optional, window_counts
from log_analyzer.analysis.job import Head, JobContext
from log_analyzer.analysis.onset_work import OnsetsWork, changes_near_onsets, onset_exclusions
from log_analyzer.analysis.onsets import before_onsets, read_beyond_the_known
from log_analyzer.analysis.processing import (
    Counted,
    FinishWork,
    OnsetsDone,
    SummaryWork,
    finish_window,
    summarize_window,
)
from log_analyzer.analysis.request import AnalysisRequest
from log_analyzer.core.errors import ServiceError
from log_analyzer.logs.analysis_prompt import analysis_material
from log_analyzer.logs.totals import Histogram

logger = logging.getLogger(__name__)

NOTHING = (
    "the model was not asked: the store found no matching line in the window, so there is "
    "nothing for the model to analyse (check the filters, the window and the line filter)"
)


class AnalysisJob:
    """One analysis of one request."""

    span_name = "analyze_logs_stream"

    def __init__(self, request: AnalysisRequest) -> None:
        self.request = request

    def describe(self, span: Span) -> None:
        """Name what is analysed on the root span and in the log."""
        request = self.request
        namespace = request.selection.get("namespace") or ""
        span.set_attributes(
            {
                "namespace": namespace,
                "log_limit": request.limit,
                "log.source": request.source,
            }
        )
        logger.info(
            "Starting log analysis",
            extra={
                "namespace": namespace,
                "limit": request.limit,
                "source": request.source,
                "filters": request.selection.as_dict(),
            },
        )

    async def prepare(self, context: JobContext) -> Head:
        """Query the store, compute the summary and what changed before the onsets, rank.

        When the first fetch stopped at the limit, coverage passes follow (`cover_window`).
        """
        request = self.request
        source, tracer = context.source, context.tracer
        try:
            async with asyncio.TaskGroup() as group:
                counts = group.create_task(window_counts(source, request, tracer))
                onsets = group.create_task(self._onsets(context, counts))
                gathered = await gather_evidence(source, request, tracer, counts=False)
                passes = context.options.coverage_passes
                work = SummaryWork(
                    source=source.name,
                    gathered=gathered,
                    window=request.window,
                    limit=request.limit,
                    max_line_chars=context.options.max_line_chars,
                    pii=context.options.pii,
                    more_passes=passes > 0,
                )
                done = await context.compute(summarize_window, work)
                context.record(done.steps)
                done = await cover_window(context, request, work, done, passes)
                counted, found = await counts, await onsets
        except* Exception as failed:
            raise failed.exceptions[0] from None
        done = await context.compute(finish_window, FinishWork(done, counted, found))
        context.record(done.steps)
        summary = done.summary
        material = analysis_material(summary, request.question, done.evidence, done.order)
        lines = summary.fetched or (summary.totals.total if summary.totals else 0)
        return Head(SummaryEvent(summary), material, "Analysis", None if lines else NOTHING)

    async def _onsets(self, context: JobContext, counts: Awaitable[Counted]) -> OnsetsDone:
        """What changed just before each onset of the errors, or why nothing is said of it."""

        async def histogram() -> Histogram | None:
            return (await counts)[1]

        source, request, tracer = context.source, self.request, context.tracer
        found, error = await optional(lambda: before_onsets(source, request, histogram(), tracer))
        evidence, note = found if found is not None else ((), error)
        if not evidence:
            return OnsetsDone(note=note)
        work = OnsetsWork(evidence, context.options.max_line_chars, context.options.pii)
        try:
            exclusions = await context.compute(onset_exclusions, work)
            if any(exclusions):
                evidence = await read_beyond_the_known(
                    source, request, evidence, exclusions, tracer
                )
                work = OnsetsWork(evidence, context.options.max_line_chars, context.options.pii)
            done = await context.compute(changes_near_onsets, work)
        except ServiceError as exc:
            # Like a failed query before the onset, it costs only what it would have added.
            onsets_ns = tuple(onset.onset_ns for onset in evidence)
            note = f"what changed before the onset could not be computed: {exc.message}"
            return OnsetsDone(onsets_ns, note=note)
        context.record(done.steps)
        return done
