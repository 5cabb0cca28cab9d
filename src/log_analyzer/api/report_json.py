"""The summary and context events as JSON: every count labelled total or sample.

True totals come from the store's count queries over the whole window; the fetched entries,
their levels, sources and patterns are a sample whenever the store stopped at the limit. The
same events as text are :mod:`log_analyzer.api.report_text`'s.
"""

from __future__ import annotations

from typing import Any

from log_analyzer.analysis.events import ContextEvent, SummaryEvent
from log_analyzer.logs.changes import Change
from log_analyzer.logs.clock import utc, utc_seconds
from log_analyzer.logs.condense import Pattern
from log_analyzer.logs.summary import LogSummary, coverage_of
from log_analyzer.logs.suspects import Suspect

PATTERNS_IN_JSON = 100
"""The JSON summary lists this many patterns and states how many more there are."""


def summary_data(event: SummaryEvent) -> dict[str, Any]:
    """The `summary` event's JSON payload."""
    return {"summary": _summary_dict(event.summary), "notes": list(event.notes)}


def context_data(event: ContextEvent) -> dict[str, Any]:
    """The `context` event's JSON payload."""
    fit = event.fit
    return {
        "n_ctx": fit.n_ctx,
        "max_tokens": fit.max_tokens,
        "prompt_tokens": fit.prompt_tokens,
        "utilisation": round(fit.utilisation, 3),
        "unit": fit.unit,
        "included": fit.included,
        "omitted": fit.omitted,
        "lines_omitted": fit.lines_omitted,
        "ids": list(fit.ids),
        "suspects": list(fit.leads),
        "notes": list(event.notes),
    }


def _summary_dict(s: LogSummary) -> dict[str, Any]:
    return {
        "window": {"start": utc(s.start_ns), "end": utc(s.end_ns)},
        "source": s.source,
        "query": s.query,
        "queries": list(s.queries),
        "counts_are": "sample" if s.sampled else "total",
        "limit": s.limit,
        "fetched_lines": s.fetched,
        "oldest_lines_added": s.onset_lines,
        "oldest_lines_error": s.onset_error,
        "distinct_messages": s.distinct,
        "by_level": {level.value: n for level, n in s.by_level},
        "by_source": dict(s.by_source),
        "top_messages": [
            {
                "message": m.message,
                "level": m.level.value,
                "count": m.count,
                "sources": list(m.sources),
            }
            for m in s.top_messages
        ],
        "patterns_total": len(s.patterns),
        "patterns": [_pattern_dict(p) for p in s.patterns[:PATTERNS_IN_JSON]],
        "patterns_not_listed": max(0, len(s.patterns) - PATTERNS_IN_JSON),
        "totals": None
        if s.totals is None
        else {
            "counts_are": "total",
            "lines": s.totals.total,
            "by_level": {level.value: n for level, n in s.totals.by_level},
            "by_source": dict(s.totals.by_source),
            "malformed_samples": s.totals.malformed,
        },
        "totals_error": s.totals_error,
        "buckets": None
        if s.series is None
        else {
            "counts_are": "total",
            "step_seconds": s.series.step_seconds,
            "points": [[ts, value] for ts, value in s.series.points],
        },
        "spikes": [
            {
                "start": utc_seconds(sp.start),
                "end": utc_seconds(sp.end),
                "peak_at": utc_seconds(sp.peak_ts),
                "peak": sp.peak,
                "baseline": sp.baseline,
                "factor": round(sp.factor, 2),
            }
            for sp in s.spikes
        ],
        "truncated_lines": s.truncated_lines,
        "redactions": s.redactions,
        "malformed_entries": s.malformed,
        "coverage": _coverage_dict(s),
        "onsets": [utc(onset) for onset in s.onsets_ns],
        "suspects": [_suspect_dict(suspect) for suspect in s.suspects],
        "changes": [_change_dict(change, s) for change in s.changes],
        "changes_note": s.changes_note,
        "entries_over_limit": s.over_limit,
        "answer_cut_at_bytes": s.cut_at_bytes,
        "joined_lines": s.joined_lines,
    }


def _coverage_dict(s: LogSummary) -> dict[str, Any]:
    covered = coverage_of(s)
    return {
        "lines_total": covered.lines_total,
        "lines_seen": covered.lines_seen,
        "patterns": covered.patterns,
        "complete": covered.complete,
        "passes": s.coverage_passes,
        "excluded_patterns": s.excluded_texts,
        "statement": covered.statement,
    }


def _suspect_dict(suspect: Suspect) -> dict[str, Any]:
    return {
        "rank": suspect.rank,
        "pattern": suspect.pattern,
        "text": suspect.text,
        "level": suspect.level.value,
        "sources": list(suspect.sources),
        "first_seen": utc(suspect.first_ns),
        "score": suspect.score,
        "reasons": list(suspect.reasons),
    }


def _change_dict(change: Change, s: LogSummary) -> dict[str, Any]:
    pattern = next((p.id for p in s.patterns if p.template == change.template), None)
    return {
        "pattern": pattern,
        "template": change.template,
        "level": change.level.value,
        "kind": change.kind,
        "onset": utc(change.onset_ns),
        "first_seen": utc(change.first_ns),
        "offset_seconds": change.offset_seconds,
        "recent_lines": change.recent,
        "baseline_lines": change.baseline,
        "sources": list(change.sources),
        "example": change.example,
    }


def _pattern_dict(p: Pattern) -> dict[str, Any]:
    return {
        "id": p.id,
        "template": p.template,
        "count": p.count,
        "level": p.level.value,
        "first_seen": utc(p.first_ns),
        "last_seen": utc(p.last_ns),
        "new": p.new,
        "sources": dict(p.source_counts),
        "examples": list(p.examples),
        "ids": [{"key": key, "value": value} for key, value in p.ids],
    }
