r"""Pure encoders: one analysis event in, the bytes of one format out.

- `text/plain`: a readable report for `curl -N` and terminals. Log text is anyone's to write, so
  nothing in it may drive the terminal or hide from the reader: control characters (an escape
  that clears the screen, a carriage return that overwrites a line, C1's one-byte CSI), the
  bidirectional overrides that reorder what is shown and the invisible characters are written
  as escapes that name them (``\x1b``, ``\u202e``: `inert_text`); only newlines and tabs stay.
  The model's answer can repeat what a log line told it, so a line of the answer never opens
  with the service's own markers (``===`` headings, ``--- done``, ``!!! ERROR``): `text_stream`
  writes a space before such a start, which needs what came before in the stream (one encoder
  per stream).
- `text/event-stream`: SSE, one typed event per analysis event.
- `application/x-ndjson`: one JSON object per line, with a `type` field.

In both JSON formats what JSON leaves raw but a terminal or a line reader acts on (DEL, C1
controls, U+2028 and its kin, bidi overrides, invisible characters) is written as a ``\u``
escape (`inert_json`): a JSON reader gets the text as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from log_analyzer.analysis.events import (
    ContextEvent,
    DoneEvent,
    Event,
    ResultEvent,
    SummaryEvent,
    TokenEvent,
)
from log_analyzer.api.recipe_report import result_data, result_text
from log_analyzer.api.report_json import context_data, summary_data
from log_analyzer.api.report_text import context_text, report_lines, summary_text
from log_analyzer.logs.terminal_text import inert_json, inert_text

TEXT = "text/plain"
SSE = "text/event-stream"
NDJSON = "application/x-ndjson"
MEDIA_TYPES = (TEXT, SSE, NDJSON)


def event_type(event: Event) -> str:
    """The SSE event name / NDJSON `type` of an event."""
    if isinstance(event, SummaryEvent):
        return "summary"
    if isinstance(event, ResultEvent):
        return "result"
    if isinstance(event, ContextEvent):
        return "context"
    if isinstance(event, TokenEvent):
        return "token"
    if isinstance(event, DoneEvent):
        return "done"
    return "error"


def event_data(event: Event) -> dict[str, Any]:
    """The JSON payload of an event."""
    if isinstance(event, SummaryEvent):
        return summary_data(event)
    if isinstance(event, ResultEvent):
        return result_data(event)
    if isinstance(event, ContextEvent):
        return context_data(event)
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


def _json(data: dict[str, Any]) -> str:
    """Compact JSON, UTF-8 as it is, with lone surrogates (no UTF-8 encoder takes one) as U+FFFD."""
    return inert_json(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def encode_sse(event: Event) -> str:
    """`event: <type>` and one `data:` line of compact JSON."""
    return f"event: {event_type(event)}\ndata: {_json(event_data(event))}\n\n"


def encode_ndjson(event: Event) -> str:
    """One JSON object with a `type` field, then a newline."""
    return _json({"type": event_type(event), **event_data(event)}) + "\n"


def encode_text(event: Event) -> str:
    """Human-readable text, safe to print on a terminal (see the module docstring)."""
    return inert_text(_event_text(event))


_MARKER_CHARACTERS = "=-!"
_MARKER_LENGTH = 3
"""A line opening with three of one of these characters reads as one of the service's markers."""


class _TextStream:
    """`encode_text` for one stream, with the model's lines kept from opening like a marker."""

    __slots__ = ("_held", "_line_start")

    def __init__(self) -> None:
        self._line_start = True
        self._held = ""

    def __call__(self, event: Event) -> str:
        if isinstance(event, TokenEvent):
            return inert_text(self._answer(event.text))
        text = encode_text(event)  # first: an event that fails to encode keeps what is held
        held, self._held = self._held, ""
        if text:
            self._line_start = text.endswith("\n")
        return inert_text(held) + text

    def _answer(self, text: str) -> str:
        out: list[str] = []
        for character in text:
            if self._held:
                if character == self._held[0]:
                    self._held += character
                    if len(self._held) == _MARKER_LENGTH:  # a marker's start: defused
                        out.append(" " + self._held)
                        self._held, self._line_start = "", False
                    continue
                out.append(self._held)
                self._held, self._line_start = "", False
            if self._line_start and character in _MARKER_CHARACTERS:
                self._held = character  # held until the next characters tell
                continue
            out.append(character)
            self._line_start = character == "\n"
        return "".join(out)


def text_stream() -> Callable[[Event], str]:
    """A text encoder for the events of one stream, in order (see the module docstring)."""
    return _TextStream()


def stream_encoder(media_type: str) -> Callable[[Event], str]:
    """The encoder for one stream of events in ``media_type``."""
    return text_stream() if media_type == TEXT else ENCODERS[media_type]


def _event_text(event: Event) -> str:
    """Human-readable text; tokens are passed through as they come."""
    if isinstance(event, TokenEvent):
        return event.text
    if isinstance(event, SummaryEvent):
        return summary_text(event)
    if isinstance(event, ResultEvent):
        return result_text(event)
    if isinstance(event, ContextEvent):
        return context_text(event)
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
    # A store's message may quote anything; on one line, it cannot pass for the service's.
    headline = report_lines([f"!!! ERROR [{error.get('code')}]{upstream}: {error.get('message')}"])
    return f"\n\n{headline}\n--- trace {event.trace_id}\n"


ENCODERS: dict[str, Callable[[Event], str]] = {
    TEXT: encode_text,
    SSE: encode_sse,
    NDJSON: encode_ndjson,
}


def _n(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"
