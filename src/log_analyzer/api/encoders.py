"""Pure encoders: one analysis event in, the bytes of one format out.

- `text/plain`: a readable report for `curl -N` and terminals.
- `text/event-stream`: SSE, one typed event per analysis event.
- `application/x-ndjson`: one JSON object per line, with a `type` field.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from log_analyzer.analysis.events import DoneEvent, Event, SummaryEvent, TokenEvent
from log_analyzer.logs.summary import LogSummary

TEXT = "text/plain"
SSE = "text/event-stream"
NDJSON = "application/x-ndjson"
MEDIA_TYPES = (TEXT, SSE, NDJSON)
_TOP_CHARS = 160


def event_type(event: Event) -> str:
    """The SSE event name / NDJSON `type` of an event."""
    if isinstance(event, SummaryEvent):
        return "summary"
    if isinstance(event, TokenEvent):
        return "token"
    if isinstance(event, DoneEvent):
        return "done"
    return "error"


def event_data(event: Event) -> dict[str, Any]:
    """The JSON payload of an event."""
    if isinstance(event, SummaryEvent):
        fit = event.fit
        return {
            "summary": _summary_dict(event.summary),
            "context": None
            if fit is None
            else {
                "n_ctx": fit.n_ctx,
                "max_tokens": fit.max_tokens,
                "prompt_tokens": fit.prompt_tokens,
                "utilisation": round(fit.utilisation, 3),
                "entries_included": fit.entries_included,
                "entries_omitted": fit.entries_omitted,
                "lines_omitted": fit.lines_omitted,
            },
            "notes": list(event.notes),
        }
    if isinstance(event, TokenEvent):
        return {"text": event.text}
    if isinstance(event, DoneEvent):
        return {
            "model": event.model,
            "prompt_tokens": event.prompt_tokens,
            "completion_tokens": event.completion_tokens,
            "finish_reason": event.finish_reason,
            "duration_seconds": event.duration_seconds,
            "trace_id": event.trace_id,
        }
    return {"error": event.error, "trace_id": event.trace_id}


def encode_sse(event: Event) -> str:
    """`event: <type>` and one `data:` line of compact JSON."""
    payload = json.dumps(event_data(event), ensure_ascii=False, separators=(",", ":"))
    return f"event: {event_type(event)}\ndata: {payload}\n\n"


def encode_ndjson(event: Event) -> str:
    """One JSON object with a `type` field, then a newline."""
    payload = {"type": event_type(event), **event_data(event)}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n"


def encode_text(event: Event) -> str:
    """Human-readable text; tokens are passed through as they come."""
    if isinstance(event, TokenEvent):
        return event.text
    if isinstance(event, SummaryEvent):
        return _summary_text(event)
    if isinstance(event, DoneEvent):
        tokens = (
            f"prompt {_n(event.prompt_tokens)} tokens, completion {_n(event.completion_tokens)} "
            "tokens"
        )
        return (
            f"\n\n--- done: model {event.model or 'none'}, {tokens}, "
            f"finish {event.finish_reason or 'n/a'}, {event.duration_seconds:.2f} s, "
            f"trace {event.trace_id}\n"
        )
    error = event.error
    upstream = f" ({error['upstream']})" if "upstream" in error else ""
    return (
        f"\n\n!!! ERROR [{error.get('code')}]{upstream}: {error.get('message')}\n"
        f"--- trace {event.trace_id}\n"
    )


ENCODERS: dict[str, Callable[[Event], str]] = {
    TEXT: encode_text,
    SSE: encode_sse,
    NDJSON: encode_ndjson,
}


def _summary_dict(s: LogSummary) -> dict[str, Any]:
    return {
        "window": {"start": _iso(s.start_ns), "end": _iso(s.end_ns)},
        "logql": s.logql,
        "counts_are": "sample" if s.sampled else "total",
        "limit": s.limit,
        "fetched_lines": s.fetched,
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
        "truncated_lines": s.truncated_lines,
        "redactions": s.redactions,
        "malformed_entries": s.malformed,
    }


def _summary_text(event: SummaryEvent) -> str:
    s = event.summary
    scope = (
        f"SAMPLE: Loki stopped at the limit of {s.limit:,}; the window holds more"
        if s.sampled
        else "all matching lines in the window"
    )
    kind = "sample" if s.sampled else "total"
    out = [
        "=== Log summary ===",
        f"Window:  {_iso(s.start_ns)} .. {_iso(s.end_ns)}",
        f"Query:   {s.logql}",
        f"Fetched: {s.fetched:,} lines ({scope}); {s.distinct:,} distinct messages",
        f"By level ({kind}): " + (", ".join(f"{lv.value} {n:,}" for lv, n in s.by_level) or "none"),
        f"By pod/container ({kind}): "
        + (", ".join(f"{src} {n:,}" for src, n in s.by_source[:8]) or "none")
        + (f", +{len(s.by_source) - 8} more" if len(s.by_source) > 8 else ""),
    ]
    if s.top_messages:
        out.append(f"Most frequent messages ({kind} counts):")
        for m in s.top_messages:
            text = m.message.replace("\n", " ⏎ ")
            if len(text) > _TOP_CHARS:
                text = text[:_TOP_CHARS] + "…"
            out.append(f"  {m.count:>6,}  {m.level.value.upper():<7} {text}")
    extras = []
    if s.truncated_lines:
        extras.append(f"{s.truncated_lines:,} over-long lines truncated")
    if s.redactions:
        extras.append(f"{s.redactions:,} secrets redacted")
    if s.malformed:
        extras.append(f"{s.malformed:,} malformed entries skipped")
    if extras:
        out.append("Handling: " + "; ".join(extras))
    if event.fit is not None:
        f = event.fit
        out.append(
            f"Context: {f.entries_included:,} of {f.entries_included + f.entries_omitted:,} "
            f"distinct messages sent to the model ({f.prompt_tokens:,} prompt tokens of "
            f"{f.n_ctx - f.max_tokens:,} available; {f.max_tokens:,} reserved for the answer)"
            + (
                f"; left out: {f.entries_omitted:,} messages ({f.lines_omitted:,} lines)"
                if f.entries_omitted
                else ""
            )
        )
    out.extend(f"Note: {note}" for note in event.notes)
    out.append("=== Analysis ===\n" if event.fit is not None else "")
    return "\n".join(out) + "\n"


def _iso(ns: int) -> str:
    return datetime.fromtimestamp(ns // 1_000_000_000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _n(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"
