"""Normalize raw log lines into distinct messages.

Strip colour codes, parse JSON and logfmt, find the level, cap the length,
and collapse exact duplicates into one entry with a count.
"""

from __future__ import annotations

import json
import re
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
)  # matched against upper-cased text
_KLOG = {"E": Level.ERROR, "W": Level.WARN, "I": Level.INFO, "F": Level.FATAL}
_LEVEL_HINTS = (
    "FATAL", "PANIC", "CRIT", "EMERG", "ERR", "SEVERE", "WARN", "INFO", "NOTICE", "DEBUG", "TRACE"
)  # fmt: skip


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
    message, level, truncated, ids = _parse(
        line, _level_word(labels.get("level")), _level_word(labels.get("detected_level")), max_chars
    )
    return ParsedLine(message, level, truncated, ids)


def _parse(
    line: str, label_level: Level | None, detected_level: Level | None, max_chars: int
) -> tuple[str, Level, bool, Mapping[str, str]]:
    """`parse_line` on the labels' levels, already looked up (they are shared by a stream)."""
    text = (_ANSI.sub("", line) if "\x1b" in line else line).strip()
    ids: Mapping[str, str] = _NO_IDS
    fields = _parse_structured(text) if text[:1] == "{" or "=" in text else None
    level: Level | None
    if fields is not None:
        message = _message_from_fields(fields, text)
        level = _level_from_fields(fields)
        found = {key: str(fields[key]) for key in ID_KEYS if fields.get(key) not in (None, "")}
        if found:
            ids = MappingProxyType(found)
    else:
        message, level = text, None
    if level is None:
        level = label_level or _plain_level(message) or detected_level or Level.UNKNOWN
    if len(message) > max_chars:
        message = f"{message[:max_chars]} …[truncated {len(message) - max_chars} chars]"
        return message, level, True, ids
    return message, level, False, ids


def normalize(entries: Iterable[LogEntry], max_chars: int = 2000) -> tuple[NormalizedEntry, ...]:
    """Parse every entry and merge exact duplicates (same level and message).

    The result is ordered by the first time each message was seen.
    """
    # Keyed by message alone (hashing a `Level` runs Python code); the rare message seen at
    # two levels keeps its other levels in `other`.
    merged: dict[str, _Accumulator] = {}
    other: dict[tuple[Level, str], _Accumulator] = {}
    order: list[_Accumulator] = []
    # Entries of one stream share their labels object: look its levels and source up once.
    streams: dict[int, tuple[Mapping[str, str], Level | None, Level | None, str]] = {}
    for entry in entries:
        labels = entry.labels
        stream = streams.get(id(labels))
        if stream is None or stream[0] is not labels:
            stream = (
                labels,
                _level_word(labels.get("level")),
                _level_word(labels.get("detected_level")),
                source_of(labels),
            )
            streams[id(labels)] = stream
        message, level, truncated, ids = _parse(entry.line, stream[1], stream[2], max_chars)
        acc = merged.get(message)
        if acc is not None and acc.level is not level:
            acc = other.get((level, message))
            if acc is None:
                other[level, message] = acc = _Accumulator(
                    message, level, truncated, ids, entry.timestamp_ns, stream[3]
                )
                order.append(acc)
                continue
        if acc is None:
            merged[message] = acc = _Accumulator(
                message, level, truncated, ids, entry.timestamp_ns, stream[3]
            )
            order.append(acc)
        else:
            acc.add(entry.timestamp_ns, stream[3], ids)
    return tuple(acc.freeze() for acc in order)


def source_of(labels: Mapping[str, str]) -> str:
    """`pod/container` (or whichever of the two exists, or the service name) of an entry."""
    pod, container = labels.get("pod"), labels.get("container")
    if pod and container:
        return f"{pod}/{container}"
    return pod or container or labels.get("service_name") or labels.get("app") or "unknown"


_NO_IDS: Mapping[str, str] = MappingProxyType({})


class _Accumulator:
    __slots__ = (
        "count",
        "first_ns",
        "ids",
        "last_ns",
        "level",
        "message",
        "source",
        "sources",
        "truncated",
    )

    def __init__(
        self,
        message: str,
        level: Level,
        truncated: bool,
        ids: Mapping[str, str],
        ts: int,
        source: str,
    ) -> None:
        self.message = message
        self.level = level
        self.truncated = truncated
        self.ids = ids
        self.count = 1
        self.first_ns = self.last_ns = ts
        # Most messages come from one source: a dict is made only when a second one shows up.
        self.source = source
        self.sources: dict[str, int] | None = None

    def add(self, ts: int, source: str, ids: Mapping[str, str]) -> None:
        self.count += 1
        if ts < self.first_ns:
            self.first_ns = ts
        if ts >= self.last_ns:
            self.last_ns = ts
            if ids:
                self.ids = ids
        sources = self.sources
        if sources is None:
            if source == self.source:
                return
            self.sources = sources = {self.source: self.count - 1}
        sources[source] = sources.get(source, 0) + 1

    def freeze(self) -> NormalizedEntry:
        if self.sources is None:
            names: tuple[str, ...] = (self.source,)
            counts: tuple[tuple[str, int], ...] = ((self.source, self.count),)
        else:
            counts = tuple(sorted(self.sources.items()))
            names = tuple(name for name, _ in counts)
        return NormalizedEntry(
            self.message,
            self.level,
            self.count,
            self.first_ns,
            self.last_ns,
            names,
            self.truncated,
            counts,
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
    # Searching the level regex over every line is slow; most lines hold none of the words, and
    # no match can start before the first of these prefixes, found with cheap substring scans.
    head = text[:200].upper()
    match = _PLAIN_LEVEL.match(head) if head[:1] in _KLOG else None
    if match is None:
        found = [
            position for hint in _LEVEL_HINTS if hint in head and (position := head.find(hint)) >= 0
        ]
        if found:
            match = _PLAIN_LEVEL.search(head, min(found))
    if match is None:
        return None
    if match.group(2):
        return _KLOG[match.group(2).upper()]
    return _LEVEL_WORDS.get(match.group(1).lower())
