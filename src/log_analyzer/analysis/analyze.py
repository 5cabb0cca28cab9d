"""An analysis: what is failing in a window, from the store's entries and counts.

The store is queried (entries, the window's oldest, true counts, all at once), the worker
computes the summary and one evidence line per pattern, and the model is shown the summary's
numbers and as many patterns as fit, each source's most telling first.
"""

from __future__ import annotations

import logging

from opentelemetry.trace import Span

from log_analyzer.analysis.coverage import cover_window
from log_analyzer.analysis.events import SummaryEvent
from log_analyzer.analysis.gather import gather_evidence
from log_analyzer.analysis.processing import SummaryWork, summarize_window
from log_analyzer.analysis.request import AnalysisRequest
from log_analyzer.analysis.run import Head, JobContext
from log_analyzer.logs.prompt import analysis_material

logger = logging.getLogger(__name__)


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
        """Query the store, then compute the summary and evidence in a worker.

        When the first fetch stopped at the limit, coverage passes follow (`cover_window`).
        """
        request = self.request
        gathered = await gather_evidence(context.source, request, context.tracer)
        passes = context.options.coverage_passes
        work = SummaryWork(
            source=context.source.name,
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
        material = analysis_material(done.summary, request.question, done.evidence, done.order)
        return Head(SummaryEvent(done.summary), material, "Analysis")
