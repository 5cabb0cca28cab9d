"""Everything that happens before the first byte is sent: query, flatten, normalize, condense.

The log query and the two metric queries (true totals, and counts per bucket) run concurrently.
A failing log query fails the request with a plain HTTP error, because nothing has been streamed
yet; failing metric queries only cost the true totals, and the summary says why they are missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any, TypeVar

from opentelemetry import trace

from log_analyzer.analysis.side_queries import oldest_lines, true_counts
from log_analyzer.clients.loki import LogQuery
from log_analyzer.clients.protocols import LogSource
from log_analyzer.core.errors import LokiBadResponse
from log_analyzer.core.runtime import gc_paused
from log_analyzer.logs.condense import Pattern, condense
from log_analyzer.logs.flatten import LogEntry, UnexpectedShape, flatten_streams, stream_rows
from log_analyzer.logs.logql import LabelMatcher, log_query
from log_analyzer.logs.masking import skeleton
from log_analyzer.logs.normalize import NormalizedEntry, normalize_rows
from log_analyzer.logs.redact import may_contain_secret, redact, same_for_all_digits
from log_analyzer.logs.summary import LogSummary, summarize
from log_analyzer.logs.totals import (
    find_spikes,
)

T = TypeVar("T")


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
    """Redacted, de-duplicated entries and the numbers computed from them and from Loki."""

    entries: tuple[NormalizedEntry, ...]
    summary: LogSummary


async def fetch_logs(
    source: LogSource,
    request: AnalysisRequest,
    *,
    max_line_chars: int,
    tracer: trace.Tracer,
) -> FetchedLogs:
    """Query the source, then flatten, normalize, redact and condense, each step in a span."""
    logql = log_query(request.matchers, request.line_regex)
    counts_task = asyncio.create_task(true_counts(source, request, tracer))
    onset_task = asyncio.create_task(oldest_lines(source, request, logql, tracer))
    try:
        body = await _query(source, request, logql, tracer)
    except BaseException:
        counts_task.cancel()
        onset_task.cancel()
        raise
    counts = await counts_task
    onset, onset_error = await onset_task
    # Only a sampled window needs its beginning: otherwise the newest lines are all the lines.
    sampled = _returned(body) >= request.limit
    extra = onset if sampled else None

    done = process_body(
        body,
        max_line_chars=max_line_chars,
        window_start_ns=request.start_ns,
        window_end_ns=request.end_ns,
        tracer=tracer,
        onset=extra,
    )
    summary = summarize(
        done.entries,
        start_ns=request.start_ns,
        end_ns=request.end_ns,
        logql=logql,
        limit=request.limit,
        redactions=done.redactions,
        malformed=done.malformed,
        patterns=done.patterns,
        totals=counts.totals,
        series=counts.series,
        spikes=find_spikes(counts.series) if counts.series is not None else (),
        totals_error=counts.error,
        onset_lines=done.onset_lines,
        onset_error=onset_error if sampled else None,
    )
    return FetchedLogs(done.entries, summary)


@dataclass(frozen=True, slots=True)
class RawLogs:
    """Flattened entries as Loki returned them, for recipes that read fields of raw lines."""

    entries: tuple[LogEntry, ...]
    logql: str
    limit: int
    malformed: int

    @property
    def sampled(self) -> bool:
        """True when Loki stopped at the limit, so the window holds more lines."""
        return len(self.entries) + self.malformed >= self.limit


async def fetch_raw(source: LogSource, request: AnalysisRequest, tracer: trace.Tracer) -> RawLogs:
    """Run the log query alone and flatten it; no metric queries, no normalization."""
    logql = log_query(request.matchers, request.line_regex)
    body = await _query(source, request, logql, tracer)
    with tracer.start_as_current_span("flatten_logs") as span:
        flat = _loki_shape(flatten_streams, body)
        span.set_attribute("logs.flattened_count", len(flat.entries))
    return RawLogs(flat.entries, logql, request.limit, flat.malformed)


async def _query(
    source: LogSource, request: AnalysisRequest, logql: str, tracer: trace.Tracer
) -> Mapping[str, Any]:
    with tracer.start_as_current_span("query_loki") as span:
        span.set_attribute("logql.query", logql)
        span.set_attribute("logql.limit", request.limit)
        body = await source.query_logs(
            LogQuery(logql, request.start_ns, request.end_ns, request.limit)
        )
        span.set_attribute("logs.returned", _returned(body))
        return body


def _loki_shape(parse: Callable[[Mapping[str, Any]], T], body: Mapping[str, Any]) -> T:
    try:
        return parse(body)
    except UnexpectedShape as exc:
        raise LokiBadResponse(f"Loki returned an unexpected body: {exc}") from exc


@dataclass(frozen=True, slots=True)
class ProcessedLogs:
    """A log query's body flattened, normalized, redacted and condensed."""

    lines: int
    malformed: int
    entries: tuple[NormalizedEntry, ...]
    redactions: int
    patterns: tuple[Pattern, ...]
    onset_lines: int = 0
    """Lines added from the oldest end of the window (not already among the newest)."""


def process_body(
    body: Mapping[str, Any],
    *,
    max_line_chars: int,
    window_start_ns: int,
    window_end_ns: int,
    tracer: trace.Tracer | None = None,
    onset: Mapping[str, Any] | None = None,
) -> ProcessedLogs:
    """The CPU-bound middle of the pipeline, each step in its own span.

    `onset` is a second body holding the window's oldest lines; those not already in `body`
    join it.

    It runs without an `await`, so nothing else on the event loop runs meanwhile, and with the
    cyclic garbage collector paused: the step builds one object per line and keeps them all
    alive, and without the pause the collector walks them again and again although they hold no
    reference cycles (about a fifth of the step's time on 100,000 lines; `bench/`). Reference
    counting still frees everything as usual, and collection resumes when the step ends.
    """
    tracer = tracer or trace.NoOpTracer()
    with gc_paused():
        with tracer.start_as_current_span("flatten_logs") as span:
            flat = _loki_shape(stream_rows, body)
            rows, added = flat.rows, 0
            if onset is not None:
                seen = {(ts, line) for _, ts, line in rows}
                extra = [row for row in _loki_shape(stream_rows, onset).rows
                         if (row[1], row[2]) not in seen]  # fmt: skip
                rows, added = rows + extra, len(extra)
                span.set_attribute("logs.onset_added", added)
            span.set_attribute("logs.flattened_count", len(rows))
            span.set_attribute("logs.malformed_count", flat.malformed)

        with tracer.start_as_current_span("normalize_logs") as span:
            # Rows come per stream; ordering the distinct messages by first sighting afterwards
            # costs less than sorting every line first.
            normalized = sorted(normalize_rows(rows, max_chars=max_line_chars), key=_FIRST)
            entries, redactions, skeletons = _redact_all(normalized)
            span.set_attribute("logs.normalized_count", len(entries))
            span.set_attribute("logs.redactions", redactions)

        with tracer.start_as_current_span("mine_patterns") as span:
            patterns = condense(
                entries,
                window_start_ns=window_start_ns,
                window_end_ns=window_end_ns,
                skeletons=skeletons,
            )
            span.set_attribute("logs.patterns", len(patterns))
        done = ProcessedLogs(
            len(rows), flat.malformed, entries, redactions, patterns, onset_lines=added
        )
        # Freed while the collector is paused, so its first pass afterwards never walks them.
        del flat, rows, normalized, skeletons
    return done


_FIRST = attrgetter("first_ns")


def _returned(body: Mapping[str, Any]) -> int:
    result = (body.get("data") or {}).get("result")
    if not isinstance(result, list):
        return 0
    return sum(len(s.get("values") or ()) for s in result if isinstance(s, Mapping))


def _redact_all(
    entries: Sequence[NormalizedEntry],
) -> tuple[tuple[NormalizedEntry, ...], int, list[bytes]]:
    """Redact every entry; also return the skeleton of each resulting message, for the miner.

    Whether a message may hold a secret, and mostly whether one is found, depends on its
    skeleton only (see `redact.same_for_all_digits`), so messages that differ only in their
    digits are checked once: the common case costs one skeleton and two lookups. Messages of
    one skeleton share one key object, so the keys kept for the miner take little memory.
    """
    out: list[NormalizedEntry] = []
    keys: list[bytes] = []
    shared: dict[bytes, bytes] = {}
    suspect: set[bytes] = set()
    total = 0
    for entry in entries:
        message = entry.message
        key = skeleton(message)
        first = shared.get(key)
        if first is None:
            shared[key] = key
            if may_contain_secret(message):
                suspect.add(key)
        else:
            key = first
        if key in suspect:
            result = redact(message)
            if result.total:
                total += result.total * entry.count
                entry = replace(entry, message=result.text)
                key = skeleton(result.text)
            elif same_for_all_digits(message):
                suspect.discard(key)  # every message of this skeleton is as clean as this one
        out.append(entry)
        keys.append(key)
    return tuple(out), total, keys
