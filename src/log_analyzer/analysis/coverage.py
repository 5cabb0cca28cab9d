"""Coverage passes: read what the first fetch of a busy window did not.

A fetch stops at the request's limit; in a busy window the lines past it are mostly more of the
loud patterns already known, but the line that explains the incident may be among them. Each
pass asks the store for the window again, leaving out the lines of every known pattern (by a
text that names each exactly, `logs.exclusions`), and the summary is computed again with what
it returned. Passes stop when one returns fewer lines than the limit (every matching line is
then in a known pattern), when no new pattern can be named, or after the configured number.

A failed pass costs only its lines: the summary says so, and the analysis goes on. A pass that
reads nothing new (the usual end: every line is in a known pattern, or in one no text could
name) changes only the coverage statement, so the summary is not computed again for it.
"""

from __future__ import annotations

from dataclasses import replace

from log_analyzer.analysis.gather import query_entries
from log_analyzer.analysis.job import JobContext
from log_analyzer.analysis.processing import (
    PassWork,
    SummaryDone,
    SummaryWork,
    entries_new,
    summarize_window,
)
from log_analyzer.analysis.request import AnalysisRequest
from log_analyzer.core.errors import ServiceError


async def cover_window(
    context: JobContext,
    request: AnalysisRequest,
    work: SummaryWork,
    done: SummaryDone,
    passes: int,
) -> SummaryDone:
    """Run up to ``passes`` coverage passes after ``done``; the summary of all that was read."""
    source = context.source
    for number in range(1, passes + 1):
        if not done.exclusions:
            break
        line_filter = replace(request.line_filter, exclude=done.exclusions)
        query = request.entries(line_filter=line_filter)
        gathered = work.gathered
        try:
            raw = await query_entries(
                source, query, context.tracer, f"query_{source.name}_coverage"
            )
        except ServiceError as exc:
            # Nothing new was read: the summary stands, and says why it is not complete.
            summary = replace(done.summary, coverage_error=exc.message)
            return replace(done, summary=summary, exclusions=(), read=frozenset())
        new, more = await context.compute(entries_new, PassWork(raw, done.read))
        if not new:
            summary = replace(
                done.summary,
                covered=not more,
                coverage_passes=done.summary.coverage_passes + 1,
                excluded_texts=len(done.exclusions),
            )
            return replace(done, summary=summary, exclusions=(), read=frozenset())
        gathered = replace(gathered, passes=(*gathered.passes, raw), excluded=done.exclusions)
        work = replace(work, gathered=gathered, more_passes=number < passes)
        done = await context.compute(summarize_window, work)
        context.record(done.steps)
    return done
