"""The store queries of an analysis, run concurrently: entries, the window's oldest, true counts.

They run in one task group, so none outlives the request: if the entries query fails (the
request fails with a proper HTTP status, nothing has been streamed yet) or the request is
cancelled, the others are cancelled too. The side queries cannot fail the request: a failure
costs only what the query would have added, and the summary says why it is missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from opentelemetry import trace

from log_analyzer.analysis.processing import Counted, Gathered
from log_analyzer.analysis.request import AnalysisRequest
from log_analyzer.core.errors import ServiceError
from log_analyzer.logs.totals import bucket_step
from log_analyzer.sources.base import EntryQuery, LogSource, Order, RawEntries

T = TypeVar("T")


def onset_limit(limit: int) -> int:
    """How many of the window's oldest lines are fetched besides the newest `limit`."""
    return max(1, limit // 5)


async def gather_evidence(
    source: LogSource,
    request: AnalysisRequest,
    tracer: trace.Tracer,
    *,
    counts: bool = True,
) -> Gathered:
    """Query the store for an analysis; only the entries query can fail the request.

    Besides the newest entries, the window's oldest are fetched: with the newest alone a busy
    window keeps only its end, and the line that started the incident, usually near its
    beginning, is the first to go. They are used only when the newest did not hold the whole
    window. The window's `true_counts` are asked for alongside, unless ``counts`` is false:
    then the caller asks for them itself and joins them to the summary later
    (`processing.finish_window`), so that mining need not wait for them.
    """
    oldest_query = request.entries(limit=onset_limit(request.limit), order=Order.OLDEST)
    try:
        async with asyncio.TaskGroup() as group:
            newest = group.create_task(
                query_entries(source, request.entries(), tracer, f"query_{source.name}")
            )
            onset_span = f"query_{source.name}_onset"
            oldest = group.create_task(
                optional(lambda: query_entries(source, oldest_query, tracer, onset_span))
            )
            counted = group.create_task(window_counts(source, request, tracer)) if counts else None
    except* Exception as failed:
        raise failed.exceptions[0] from None
    (oldest_entries, oldest_error) = oldest.result()
    totals, histogram, counts_error = counted.result() if counted else (None, None, None)
    return Gathered(newest.result(), oldest_entries, oldest_error, totals, histogram, counts_error)


async def window_counts(
    source: LogSource, request: AnalysisRequest, tracer: trace.Tracer
) -> Counted:
    """The `true_counts` of the request's window, in buckets of its usual step."""
    step = bucket_step(request.window.start_ns, request.window.end_ns)
    return await true_counts(source, request, step, tracer)


async def query_entries(
    source: LogSource, query: EntryQuery, tracer: trace.Tracer, span_name: str
) -> RawEntries:
    """One entries query, in a span that records the store's own text of it."""
    with tracer.start_as_current_span(span_name) as span:
        span.set_attribute("db.system.name", source.name)
        span.set_attribute("log.limit", query.limit)
        span.set_attribute("log.order", query.order.value)
        try:
            raw = await source.entries(query)
        except ServiceError as exc:
            span.set_attribute("error.type", exc.code)
            raise
        span.set_attribute("db.query.text", raw.query)
        return raw


async def true_counts(
    source: LogSource, request: AnalysisRequest, step: int, tracer: trace.Tracer
) -> Counted:
    """Totals by level and source over the window, and lines per bucket; or why not."""
    with tracer.start_as_current_span(f"query_{source.name}_totals") as span:
        span.set_attribute("db.system.name", source.name)
        counts = request.counts()
        (totals, totals_error), (histogram, histogram_error) = await asyncio.gather(
            optional(lambda: source.totals(counts)),
            optional(lambda: source.histogram(counts, step)),
        )
        if totals is not None:
            span.set_attribute("db.query.text", totals.query)
            span.set_attribute("logs.total", totals.total)
        if histogram is not None:
            span.set_attribute("db.query.buckets_text", histogram.query)
        errors = [e for e in (totals_error, histogram_error) if e]
        if errors:
            span.set_attribute("error.type", "totals_unavailable")
        return totals, histogram, "; ".join(dict.fromkeys(errors)) or None


async def optional(work: Callable[[], Awaitable[T]]) -> tuple[T | None, str | None]:
    """The result of ``work()``, or None and the message of the `ServiceError` it raised.

    ``work`` is called here, not by the caller, so a task cancelled before it starts leaves no
    coroutine behind that was never awaited.
    """
    try:
        return await work(), None
    except ServiceError as exc:
        return None, exc.message
