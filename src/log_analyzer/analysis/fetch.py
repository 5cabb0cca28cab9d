"""Fetch, flatten, normalize and redact: everything that happens before the first byte is sent.

Errors here reach the caller as a plain HTTP error, because nothing has been streamed yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from opentelemetry import trace

from log_analyzer.clients.loki import LogQuery
from log_analyzer.clients.protocols import LogSource
from log_analyzer.core.errors import LokiBadResponse
from log_analyzer.logs.flatten import UnexpectedShape, flatten_streams
from log_analyzer.logs.logql import LabelMatcher, log_query
from log_analyzer.logs.normalize import NormalizedEntry, normalize
from log_analyzer.logs.redact import redact
from log_analyzer.logs.summary import LogSummary, summarize


@dataclass(frozen=True, slots=True)
class AnalysisRequest:
    """A validated request, in the pipeline's own terms."""

    start_ns: int
    end_ns: int
    matchers: tuple[LabelMatcher, ...]
    line_regex: str | None
    limit: int
    question: str | None = None
    namespace: str | None = None


@dataclass(frozen=True, slots=True)
class FetchedLogs:
    """Redacted, de-duplicated entries and the numbers computed from them."""

    entries: tuple[NormalizedEntry, ...]
    summary: LogSummary


async def fetch_logs(
    source: LogSource,
    request: AnalysisRequest,
    *,
    max_line_chars: int,
    tracer: trace.Tracer,
) -> FetchedLogs:
    """Query the source, then flatten, normalize and redact, each step in its own span."""
    logql = log_query(request.matchers, request.line_regex)
    with tracer.start_as_current_span("query_loki") as span:
        span.set_attribute("logql.query", logql)
        span.set_attribute("logql.limit", request.limit)
        body = await source.query_logs(
            LogQuery(logql, request.start_ns, request.end_ns, request.limit)
        )
        result = (body.get("data") or {}).get("result")
        returned = (
            sum(len(s.get("values") or ()) for s in result) if isinstance(result, list) else 0
        )
        span.set_attribute("logs.returned", returned)

    with tracer.start_as_current_span("flatten_logs") as span:
        try:
            flat = flatten_streams(body)
        except UnexpectedShape as exc:
            raise LokiBadResponse(f"Loki returned an unexpected body: {exc}") from exc
        span.set_attribute("logs.flattened_count", len(flat.entries))
        span.set_attribute("logs.malformed_count", flat.malformed)

    with tracer.start_as_current_span("normalize_logs") as span:
        entries = normalize(flat.entries, max_chars=max_line_chars)
        entries, redactions = _redact_all(entries)
        span.set_attribute("logs.normalized_count", len(entries))
        span.set_attribute("logs.redactions", redactions)

    summary = summarize(
        entries,
        start_ns=request.start_ns,
        end_ns=request.end_ns,
        logql=logql,
        limit=request.limit,
        redactions=redactions,
        malformed=flat.malformed,
    )
    return FetchedLogs(entries, summary)


def _redact_all(
    entries: Sequence[NormalizedEntry],
) -> tuple[tuple[NormalizedEntry, ...], int]:
    out: list[NormalizedEntry] = []
    total = 0
    for entry in entries:
        result = redact(entry.message)
        if result.total:
            total += result.total * entry.count
            entry = replace(entry, message=result.text)
        out.append(entry)
    return tuple(out), total
