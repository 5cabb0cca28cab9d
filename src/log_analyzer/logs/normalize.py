"""Normalize raw log lines into distinct messages.

Strip colour codes, parse JSON and logfmt, find the level, cap the length,
and collapse exact duplicates into one entry with a count.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Any

from log_analyzer.logs.flatten import LogEntry


class Level(Enum):
    """Severity, most severe first; `rank` orders evidence."""

    FATAL = "fatal"
    ERROR = "error"
    WARN = "warn"
    INFO = "info"
    DEBUG = "debug"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """0 for the most severe level."""
        return _RANK[self]


_RANK = {level: i for i, level in enumerate(Level)}
_LEVEL_WORDS: dict[str, Level] = {
    **dict.fromkeys(
        ("fatal", "panic", "crit", "critical", "emerg", "emergency", "alert"), Level.FATAL
    ),
    **dict.fromkeys(("error", "err", "eror", "severe"), Level.ERROR),
    **dict.fromkeys(("warn", "warning"), Level.WARN),
    **dict.fromkeys(("info", "information", "notice", "informational"), Level.INFO),
    **dict.fromkeys(("debug", "dbug", "trace", "trce", "verbose"), Level.DEBUG),
}
_LEVEL_KEYS = (
    "level",
    "lvl",
    "severity",
    "log.level",
    "levelname",
    "loglevel",
    "@l",
    "detected_level",
)
_MESSAGE_KEYS = ("msg", "message", "@m", "log", "text", "event")
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

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*(?:\x07|\x1b\\)")
_LOGFMT_PAIR = re.compile(r'([\w.@/-]+)=("(?:[^"\\]|\\.)*"|\S*)')
_PLAIN_LEVEL = re.compile(
    r"\b(FATAL|PANIC|CRIT(?:ICAL)?|EMERG|ERROR|ERR|SEVERE|WARN(?:ING)?|INFO|NOTICE|DEBUG|TRACE)\b"
    r"|^([EWIF])\d{4} ",  # klog: E1123 14:02:03.123456 ...
    re.IGNORECASE,
)
_KLOG = {"E": Level.ERROR, "W": Level.WARN, "I": Level.INFO, "F": Level.FATAL}


@dataclass(frozen=True, slots=True)
class NormalizedEntry:
    """One distinct message, with how often and where it was seen."""

    message: str
    level: Level
    count: int
    first_ns: int
    last_ns: int
    sources: tuple[str, ...]
    """`pod/container` names the message came from, sorted."""
    truncated: bool = False
    source_counts: tuple[tuple[str, int], ...] = ()
    """How many of `count` came from each source."""
    ids: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Request/trace identifiers found in the most recent occurrence."""


@dataclass(frozen=True, slots=True)
class ParsedLine:
    """A single line after parsing, before duplicates are merged."""

    message: str
    level: Level
    truncated: bool
    ids: Mapping[str, str]


def strip_ansi(text: str) -> str:
    """Remove terminal colour and cursor escape sequences."""
    return _ANSI.sub("", text) if "\x1b" in text else text


def parse_line(line: str, labels: Mapping[str, str], max_chars: int) -> ParsedLine:
    """Extract message, level and identifiers from one raw line (JSON, logfmt or plain text)."""
    text = strip_ansi(line).strip()
    fields = _parse_structured(text)
    ids: dict[str, str] = {}
    if fields is not None:
        message = _message_from_fields(fields, text)
        level = _level_from_fields(fields)
        for key in ID_KEYS:
            value = fields.get(key)
            if value not in (None, ""):
                ids[key] = str(value)
    else:
        message, level = text, None
    if level is None:
        level = (
            _level_word(labels.get("level"))
            or _plain_level(message)
            or _level_word(labels.get("detected_level"))
        )
    truncated = len(message) > max_chars
    if truncated:
        message = f"{message[:max_chars]} …[truncated {len(message) - max_chars} chars]"
    return ParsedLine(message, level or Level.UNKNOWN, truncated, MappingProxyType(ids))


def normalize(entries: Iterable[LogEntry], max_chars: int = 2000) -> tuple[NormalizedEntry, ...]:
    """Parse every entry and merge exact duplicates (same level and message).

    The result is ordered by the first time each message was seen.
    """
    merged: dict[tuple[Level, str], _Accumulator] = {}
    for entry in entries:
        parsed = parse_line(entry.line, entry.labels, max_chars)
        key = (parsed.level, parsed.message)
        acc = merged.get(key)
        if acc is None:
            merged[key] = acc = _Accumulator(parsed, entry.timestamp_ns)
        acc.add(entry, parsed)
    return tuple(acc.freeze() for acc in merged.values())


def source_of(labels: Mapping[str, str]) -> str:
    """`pod/container` (or whichever of the two exists, or the service name) of an entry."""
    pod, container = labels.get("pod"), labels.get("container")
    if pod and container:
        return f"{pod}/{container}"
    return pod or container or labels.get("service_name") or labels.get("app") or "unknown"


class _Accumulator:
    __slots__ = ("count", "first_ns", "ids", "last_ns", "parsed", "sources")

    def __init__(self, parsed: ParsedLine, ts: int) -> None:
        self.parsed = parsed
        self.count = 0
        self.first_ns = self.last_ns = ts
        self.sources: Counter[str] = Counter()
        self.ids: Mapping[str, str] = parsed.ids

    def add(self, entry: LogEntry, parsed: ParsedLine) -> None:
        self.count += 1
        self.first_ns = min(self.first_ns, entry.timestamp_ns)
        if entry.timestamp_ns >= self.last_ns:
            self.last_ns = entry.timestamp_ns
            if parsed.ids:
                self.ids = parsed.ids
        self.sources[source_of(entry.labels)] += 1

    def freeze(self) -> NormalizedEntry:
        p = self.parsed
        return NormalizedEntry(
            p.message,
            p.level,
            self.count,
            self.first_ns,
            self.last_ns,
            tuple(sorted(self.sources)),
            p.truncated,
            tuple(sorted(self.sources.items())),
            self.ids,
        )


def _parse_structured(text: str) -> Mapping[str, Any] | None:
    if text.startswith("{") and text.endswith("}"):
        try:
            value = json.loads(text)
        except ValueError:
            return None
        return _flatten_json(value) if isinstance(value, dict) else None
    if "=" in text:
        pairs = {k: _unquote(v) for k, v in _LOGFMT_PAIR.findall(text)}
        # Plain sentences contain `=` too; only treat the line as logfmt when it looks like it.
        if any(k in pairs for k in _LEVEL_KEYS) or any(k in pairs for k in _MESSAGE_KEYS):
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


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            return str(json.loads(value))
        except ValueError:
            return value[1:-1]
    return value


def _message_from_fields(fields: Mapping[str, Any], raw: str) -> str:
    message = next((str(fields[k]) for k in _MESSAGE_KEYS if isinstance(fields.get(k), str)), None)
    if message is None:
        return _fields_as_message(fields) or raw
    details = [
        f"{k}={_compact(fields[k])}" for k in _DETAIL_KEYS if fields.get(k) not in (None, "")
    ]
    return " ".join([message, *details]) if details else message


_TIME_KEYS = frozenset(("ts", "time", "timestamp", "@t", "@timestamp", "date", "datetime"))
_SKIP_KEYS = frozenset((*ID_KEYS, *_LEVEL_KEYS, *_TIME_KEYS))


def _fields_as_message(fields: Mapping[str, Any]) -> str:
    # No message key: the remaining fields are the message, minus identifiers, level and time,
    # so lines that differ only in those still collapse into one entry.
    return " ".join(
        f"{k}={_compact(v)}"
        for k, v in fields.items()
        if k not in _SKIP_KEYS and not ("." in k and k.split(".", 1)[0] in fields)
    )


def _compact(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _level_from_fields(fields: Mapping[str, Any]) -> Level | None:
    for key in _LEVEL_KEYS:
        level = _level_word(fields.get(key))
        if level is not None:
            return level
    return None


def _level_word(value: Any) -> Level | None:
    if isinstance(value, str):
        return _LEVEL_WORDS.get(value.strip().lower())
    if isinstance(value, int) and not isinstance(value, bool):  # bunyan/pino numeric levels
        return (
            Level.FATAL
            if value >= 60
            else Level.ERROR
            if value >= 50
            else Level.WARN
            if value >= 40
            else Level.INFO
            if value >= 30
            else Level.DEBUG
        )
    return None


def _plain_level(text: str) -> Level | None:
    match = _PLAIN_LEVEL.search(text, 0, 200)
    if match is None:
        return None
    if match.group(2):
        return _KLOG[match.group(2).upper()]
    return _LEVEL_WORDS.get(match.group(1).lower())
