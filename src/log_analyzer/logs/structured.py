"""Structured lines: JSON and logfmt parsed into fields, and the message they spell.

A JSON line's nested objects are flattened to dotted keys; a logfmt line counts as one only when
it names a level or a message. The message is the usual key's value, with the fields that say
why something failed (``error=``, ``status=``) kept beside it; ids are set aside by the caller.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from log_analyzer.logs.levels import LEVEL_KEYS
from log_analyzer.logs.unicode import valid_unicode

_MESSAGE_KEYS = (
    "msg",
    "message",
    "@m",
    "log",
    "text",
    "event",
    "Message",  # .NET's JSON console formatter
    "RenderedMessage",  # Serilog's JSON formatter
)
# Fields worth keeping next to the message because they usually say *why* something failed.
_DETAIL_KEYS = (
    "error",
    "err",
    "exception",
    "exc_info",
    "reason",
    "cause",
    "status",
    "status_code",
    "code",
    "stacktrace",
    "stack",
)
# Identifiers kept aside (not in the message) so duplicates still collapse.
ID_KEYS = (
    "trace_id",
    "traceid",
    "traceID",
    "span_id",
    "request_id",
    "req_id",
    "requestid",
    "x-request-id",
    "x_request_id",
    "correlation_id",
    "session_id",
)

_LOGFMT_PAIR = re.compile(r'([\w.@/-]+)=("(?:[^"\\]|\\.)*"|\S*)')


def maybe_structured(text: str) -> bool:
    """Whether ``text`` can be JSON or logfmt; False is final, True is checked by parsing."""
    if text[:1] == "{" and text[-1] == "}":
        return True
    return "=" in text and any(hint in text for hint in _LOGFMT_HINTS)


_MAX_JSON_DEPTH = 64
"""Deeper JSON is read as plain text: reading or writing it back could exhaust the stack."""
_JSON_NESTING = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _too_deep(text: str) -> bool:
    """Whether the JSON ``text`` nests deeper than `_MAX_JSON_DEPTH` (strings skipped)."""
    if text.count("{") + text.count("[") <= _MAX_JSON_DEPTH:
        return False  # the common case, at C speed
    depth = 0
    for token in _JSON_NESTING.finditer(text):
        bracket = token.group()
        if bracket in "{[":
            depth += 1
            if depth > _MAX_JSON_DEPTH:
                return True
        elif bracket in "}]":
            depth -= 1
    return False


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""A JSON escape of a surrogate: only text holding one can decode to a lone surrogate."""


def json_object(text: str) -> dict[str, Any] | None:
    """``text`` parsed as a JSON object; None if it is not JSON, not an object, or too deep.

    A log line of ``{"a":`` a thousand times makes the parser (or a later ``json.dumps`` of its
    fields) raise RecursionError, which must not end the whole step for every other line: a
    line nested deeper than `_MAX_JSON_DEPTH` is read as plain text.
    """
    if _too_deep(text):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    return valid_unicode(value) if _SURROGATE_ESCAPE.search(text) else value


def parse_structured(text: str) -> Mapping[str, Any] | None:
    """A JSON object's fields, flattened, or a logfmt line's that names a level or a message."""
    if text.startswith("{") and text.endswith("}"):
        value = json_object(text)
        return None if value is None else _flatten_json(value)
    if "=" in text:
        pairs = {k: unquote(v) for k, v in _LOGFMT_PAIR.findall(text)}
        # Plain sentences contain `=` too; only treat the line as logfmt when it looks like it.
        if any(k in pairs for k in LEVEL_KEYS) or any(k in pairs for k in _MESSAGE_KEYS):
            return pairs
    return None


def _flatten_json(obj: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, dict) and key in ("log", "error", "http"):
            for sub, v in value.items():
                out[f"{key}.{sub}"] = v
        out[key] = value
    return out


def unquote(value: str) -> str:
    """A logfmt value without its double quotes and escapes (as is when not quoted)."""
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            text = str(json.loads(value))
        except ValueError:
            return value[1:-1]
        return valid_unicode(text) if _SURROGATE_ESCAPE.search(value) else text
    return value


def message_from_fields(fields: Mapping[str, Any], raw: str) -> str:
    """The message of a structured line, with the fields that say why something failed.

    Then the other short values the logger wrote beside its message (`_context`): zap, slog,
    logr and structlog put what a line is about in fields (``"msg": "config updated", "key":
    "es.max_idle_conns", "old": 100, "new": 2``), and the message alone says nothing.
    """
    message = next((str(fields[k]) for k in _MESSAGE_KEYS if isinstance(fields.get(k), str)), None)
    if message is None:
        return _fields_as_message(fields) or raw
    details = [
        f"{k}={_compact(fields[k])}" for k in _DETAIL_KEYS if fields.get(k) not in (None, "")
    ]
    return " ".join([message, *details, *_context(fields)])


MAX_CONTEXT_FIELDS = 6
"""Context fields kept after a message, the first ones written."""
MAX_CONTEXT_CHARS = 80
"""A longer value (a payload, a whole request) is left out: it is what the pattern would mask."""
# Who wrote a line and where: the same on every line of a logger, so they tell nothing.
_WRITER_KEYS = frozenset(
    (
        "logger", "logger_name", "loggerName", "name", "caller", "source", "file", "filename",
        "line", "lineno", "func", "funcName", "function", "module", "thread", "thread_name",
        "threadName", "process", "processName", "pid", "hostname", "host", "v", "@version",
        "level_value", "Category", "SourceContext", "EventId", "stream", "_p", "time_nano",
        "service", "app", "MessageTemplate", "s", "c", "id", "ctx",
    )
)  # fmt: skip
"""MongoDB's severity, component, message id and connection (``s``, ``c``, ``id``, ``ctx``) too."""


def _context(fields: Mapping[str, Any]) -> list[str]:
    """``key=value`` of the short scalar fields no usual key names, in the order written."""
    kept: list[str] = []
    for key, value in fields.items():
        # A dotted key is a flattened copy of an object's field, or a writer's (``log.origin``);
        # an identifier's (``reqId``, ``job_id``) names one request or object, never the event.
        if (
            key in _NOT_CONTEXT
            or "." in key
            or key.endswith(_ID_ENDINGS)
            or value is None
            or isinstance(value, dict | list)
        ):
            continue
        pair = f"{key}={value if isinstance(value, str) else _compact(value)}"
        if len(pair) <= MAX_CONTEXT_CHARS:
            kept.append(pair)
            if len(kept) == MAX_CONTEXT_FIELDS:
                break
    return kept


# A logfmt line has one of the level or message keys followed by `=`; most `=` lines have none.
_LOGFMT_HINTS = tuple(f"{key}=" for key in (*LEVEL_KEYS, *_MESSAGE_KEYS) if key != "log.level")

_TIME_KEYS = frozenset(
    ("ts", "time", "timestamp", "Timestamp", "@t", "@timestamp", "date", "datetime")
)
_SKIP_KEYS = frozenset((*ID_KEYS, *LEVEL_KEYS, *_TIME_KEYS))
_KNOWN_KEYS = frozenset((*_MESSAGE_KEYS, *_DETAIL_KEYS))
_NOT_CONTEXT = _SKIP_KEYS | _KNOWN_KEYS | _WRITER_KEYS
_ID_ENDINGS = ("_id", "-id", "Id", "ID", "_ids", "Ids", "IDs")


def _fields_as_message(fields: Mapping[str, Any]) -> str:
    # No message key: the remaining fields are the message, minus identifiers, level and time,
    # so lines that differ only in those still collapse into one entry.
    return " ".join(
        f"{k}={_compact(v)}"
        for k, v in fields.items()
        if k not in _SKIP_KEYS and not ("." in k and k.split(".", 1)[0] in fields)
    )


_ENCODE = json.JSONEncoder(separators=(",", ":")).encode
"""`json.dumps` with these separators, without building an encoder on every call."""


def _compact(value: Any) -> str:
    """``value`` as compact JSON writes it; a string as it is."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)  # as JSON writes it, without an encoder's round trip
    if isinstance(value, float) and math.isfinite(value):
        return float.__repr__(value)
    return _ENCODE(value)
