"""The Loki queries that run beside the log query: true counts, and the window's oldest lines.

Neither can fail the request: a failure costs only what the query would have added, and the
summary says so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opentelemetry import trace

from log_analyzer.clients.loki import LogQuery
from log_analyzer.clients.protocols import LogSource
from log_analyzer.core.errors import ServiceError
from log_analyzer.logs.flatten import UnexpectedShape
from log_analyzer.logs.totals import (
    Series,
    Totals,
    bucket_step,
    buckets_query,
    parse_matrix,
    parse_vector,
    totals_query,
)

if TYPE_CHECKING:
    from log_analyzer.analysis.fetch import AnalysisRequest


@dataclass(frozen=True, slots=True)
class TrueCounts:
    """True totals and bucket counts, or why they are missing."""

    totals: Totals | None
    series: Series | None
    error: str | None


async def true_counts(
    source: LogSource, request: AnalysisRequest, tracer: trace.Tracer
) -> TrueCounts:
    """Totals by level, pod and container over the window, and lines per bucket (~30 steps)."""
    with tracer.start_as_current_span("query_loki_totals") as span:
        step = bucket_step(request.start_ns, request.end_ns)
        totals_logql = totals_query(
            request.matchers, request.line_regex, request.start_ns, request.end_ns
        )
        buckets_logql = buckets_query(request.matchers, request.line_regex, step)
        span.set_attribute("logql.totals_query", totals_logql)
        span.set_attribute("logql.buckets_query", buckets_logql)
        results = await asyncio.gather(
            source.query_metric_instant(totals_logql, request.end_ns),
            source.query_metric_range(buckets_logql, request.start_ns, request.end_ns, step),
            return_exceptions=True,
        )
        problems: list[str] = []
        vector, matrix = _body(results[0], problems), _body(results[1], problems)
        totals: Totals | None = None
        series: Series | None = None
        try:
            if vector is not None:
                totals = parse_vector(vector)
            if matrix is not None:
                series = parse_matrix(
                    matrix, start_ns=request.start_ns, end_ns=request.end_ns, step_seconds=step
                )
        except (UnexpectedShape, ValueError) as exc:
            problems.append(f"Loki returned an unexpected metric body: {exc}")
        if totals is not None:
            span.set_attribute("logs.total", totals.total)
        error = "; ".join(problems) or None
        if error:
            span.set_attribute("error.type", "totals_unavailable")
        return TrueCounts(totals, series, error)


def _body(
    result: Mapping[str, Any] | BaseException, problems: list[str]
) -> Mapping[str, Any] | None:
    if isinstance(result, ServiceError):
        problems.append(result.message)
        return None
    if isinstance(result, BaseException):
        raise result
    return result


def onset_limit(limit: int) -> int:
    """How many of the window's oldest lines are fetched besides the newest `limit`."""
    return max(1, limit // 5)


async def oldest_lines(
    source: LogSource, request: AnalysisRequest, logql: str, tracer: trace.Tracer
) -> tuple[Mapping[str, Any] | None, str | None]:
    """The oldest lines of the window (`direction=forward`).

    With `direction=backward` a busy window keeps only its newest lines, and the line that
    started the incident, usually near its beginning, is the first to go. A failure here only
    costs those lines; the summary says so.
    """
    with tracer.start_as_current_span("query_loki_onset") as span:
        limit = onset_limit(request.limit)
        span.set_attribute("logql.limit", limit)
        query = LogQuery(logql, request.start_ns, request.end_ns, limit, direction="forward")
        try:
            return await source.query_logs(query), None
        except ServiceError as exc:
            span.set_attribute("error.type", exc.code)
            return None, exc.message
