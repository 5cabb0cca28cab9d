"""Normalize raw log lines into distinct messages.

Strip colour codes, parse JSON and logfmt, find the level, cap the length,
and collapse exact duplicates into one entry with a count.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Any, NamedTuple

from log_analyzer.logs.entries import STORE_LEVEL, LogEntry, Row
from log_analyzer.logs.redact import DEFAULT_PII, redact
from log_analyzer.logs.unicode import valid_unicode


class Level(Enum):
    """Severity, most severe first; `rank` orders evidence."""

    FATAL = "fatal"
    ERROR = "error"
    WARN = "warn"
    INFO = "info"
    DEBUG = "debug"
    UNKNOWN = "unknown"

    rank: int
    """0 for the most severe level (the order of definition above)."""

    def __init__(self, value: str) -> None:
        self.rank = len(type(self)._member_names_)

    # Members are singletons compared by identity; Enum's own hash is Python code (it hashes the
    # name), and levels are dictionary keys once per distinct message.
    __hash__ = object.__hash__


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
# A level word stands alone: not a part of a path, a file name or a hyphenated name
# (``celery/app/trace.py``, ``X-Trace-Id``, ``non-fatal``); Monolog's ``app.ERROR:`` is one.
_PLAIN_LEVEL = re.compile(
    r"(?<![/\\-])\b(FATAL|PANIC|CRIT(?:ICAL)?|EMERG|ERROR|ERR|SEVERE|WARN(?:ING)?|INFO|NOTICE"
    r"|DEBUG|TRACE)\b(?![/\\.-]\w)"
    r"|^([EWIF])\d{4} ",  # klog: E1123 14:02:03.123456 ...
)  # matched against upper-cased text
_KLOG = {"E": Level.ERROR, "W": Level.WARN, "I": Level.INFO, "F": Level.FATAL}
# MongoDB's severities: F, E, W, I, and D1 to D5 for its debug verbosities.
_MONGODB = {**_KLOG, "D": Level.DEBUG}
_LEVEL_HINTS = (
    "FATAL", "PANIC", "CRIT", "EMERG", "ERR", "SEVERE", "WARN", "INFO", "NOTICE", "DEBUG", "TRACE"
)  # fmt: skip


_NO_IDS: Mapping[str, str] = MappingProxyType({})


class NormalizedEntry(NamedTuple):
    """One distinct message, with how often and where it was seen.

    A named tuple, not a frozen dataclass: a window yields up to hundreds of thousands of
    these, and a frozen dataclass's ``__init__`` costs twice as much (``bench/``).
    """

    message: str
    level: Level
    count: int  # type: ignore[assignment]  # the field shadows tuple.count, which nothing uses
    first_ns: int
    last_ns: int
    sources: tuple[str, ...]
    """`pod/container` names the message came from, sorted."""
    truncated: bool = False
    source_counts: tuple[tuple[str, int], ...] = ()
    """How many of `count` came from each source."""
    ids: Mapping[str, str] = _NO_IDS
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


def parse_line(
    line: str,
    labels: Mapping[str, str],
    max_chars: int,
    *,
    pii: frozenset[str] = DEFAULT_PII,
) -> ParsedLine:
    """Extract message, level and identifiers from one raw line (JSON, logfmt or plain text).

    An over-long message is redacted (``pii`` as :func:`~log_analyzer.logs.redact.redact`
    takes it) before it is cut; see `cut`.
    """
    message, level, truncated, ids = _parse(
        line,
        _level_word(labels.get("level")),
        _level_word(labels.get(STORE_LEVEL)),
        max_chars,
        None,
        pii,
    )
    return ParsedLine(message, level, truncated, ids)


def _parse(
    line: str,
    label_level: Level | None,
    store_level: Level | None,
    max_chars: int,
    redactions: Counter[str] | None = None,
    pii: frozenset[str] = DEFAULT_PII,
) -> tuple[str, Level, bool, Mapping[str, str]]:
    """`parse_line` on the labels' levels, already looked up (they are shared by a stream)."""
    text = (_ANSI.sub("", line) if "\x1b" in line else line).strip()
    ids: Mapping[str, str] = _NO_IDS
    fields = _parse_structured(text) if _maybe_structured(text) else None
    level: Level | None
    if fields is not None:
        message = _message_from_fields(fields, text)
        level = _level_from_fields(fields)
        found = {key: str(fields[key]) for key in ID_KEYS if fields.get(key) not in (None, "")}
        if found:
            ids = MappingProxyType(found)
    else:
        cut_at, level = _plain_prefix(text[:200])
        message = text[cut_at:] if cut_at else text
    if level is None:
        level = label_level or store_level or Level.UNKNOWN
    message, truncated = cut(message, max_chars, redactions, pii=pii)
    return message, level, truncated, ids


def cut(
    message: str,
    max_chars: int,
    redactions: Counter[str] | None = None,
    *,
    pii: frozenset[str] = DEFAULT_PII,
) -> tuple[str, bool]:
    """``message`` cut to ``max_chars`` with a visible marker, and whether it was cut.

    An over-long message is redacted first, so that no secret that straddles the cut leaves
    half of itself behind where no rule can recognise it; what that finds is counted into
    ``redactions``, when given.
    """
    if len(message) <= max_chars:
        return message, False
    redacted = redact(message, pii=pii)
    if redactions is not None:
        redactions.update(redacted.counts)
    message = redacted.text
    if len(message) <= max_chars:
        return message, False
    return f"{message[:max_chars]} …[truncated {len(message) - max_chars} chars]", True


def normalize(entries: Iterable[LogEntry], max_chars: int = 2000) -> tuple[NormalizedEntry, ...]:
    """Parse every entry and merge exact duplicates (same level and message).

    The result is in the order each message was first met in `entries` (flattened entries are
    oldest first, so that is the order of first appearance in time).
    """
    return normalize_rows(((e.labels, e.timestamp_ns, e.line) for e in entries), max_chars)


# Lines that continue the entry before them in the same stream, when a container runtime split a
# multi-line event (a stack trace) into one entry per line: frames, causes, elisions, a Python
# traceback's lines, and a Java exception's header right after the line that logged it.
_CONTINUATION = re.compile(
    r"(?:\s+at\s|\s*\.\.\. \d+ (?:more|common frames omitted)|\s*Caused by:|\s*Suppressed:"
    r"|Traceback \(most recent call last\):|\s+File \"[^\"\n]*\", line \d+"
    r"|During handling of the above exception|The above exception was the direct cause"
    r"|(?:[\w$]+\.)+[\w$]*(?:Error|Exception|Throwable)\b(?::|$)"
    r"|goroutine \d+ \[[^\]\n]*\]:$|\s+\S+\.go:\d+(?: \+0x[0-9a-f]+)?$)"
)
# Inside a Go goroutine dump, the function lines (``main.(*Server).handle(0xc0001, ...)``,
# ``created by net/http.(*Server).Serve in goroutine 1``) continue it too.
_GO_FRAME = re.compile(r"(?:created by \S|(?:[\w.-]+/)*[\w-]+\.[\w.*()$\[\]-]*\(.*\)$)")
# A Python traceback's code lines and final exception line continue it too, and so do the blank
# lines around the sentence that chains one traceback to the next.
_INDENTED = re.compile(r"\s{2,}\S")
_NAMED = re.compile(r"[A-Za-z_][\w.]*(?::|$)")  # UploadFailed: ..., or KeyboardInterrupt
_CHAINING = re.compile(r"During handling of the above|The above exception was the direct cause")
_RAISED = re.compile(r"[\w.$]+(?:Error|Exception|Warning|Exit|Interrupt)\b")
_JOIN_WITHIN_NS = 1_000_000_000
"""The longest gap between two lines of one split event: a runtime writes them at once."""


def regroup_continuations(rows: list[Row]) -> tuple[list[Row], int]:
    """Join continuation lines to the entry they continue; return the rows and how many joined.

    Only lines of one stream, each within a second of the line before, are joined, and only
    lines that look like a continuation (`_CONTINUATION`), or that follow one inside a Python
    traceback. The joined entry keeps its first line's time and place; the others are gone.
    A list with no continuation line comes back as it is.
    """
    if not any(_CONTINUATION.match(line) for _, _, line in rows):
        return rows, 0
    joined: dict[int, list[str]] = {}
    dropped: set[int] = set()
    for positions in _streams(rows):
        head = previous = -1
        in_traceback = in_goroutine = chained = after_frame = False
        for position in positions:
            _, ts, line = rows[position]
            near = previous >= 0 and ts - rows[previous][1] <= _JOIN_WITHIN_NS
            blank = not line.strip()
            indented = in_traceback and _INDENTED.match(line) is not None
            # The final line of a Python traceback: its exception, right after a frame's code.
            raised = in_traceback and (
                _RAISED.match(line) is not None or (after_frame and _NAMED.match(line) is not None)
            )
            continues = near and (
                _CONTINUATION.match(line) is not None
                or indented
                or raised
                or (in_goroutine and _GO_FRAME.match(line) is not None)
                or (chained and blank)
            )
            after_frame = continues and indented
            if continues:
                joined.setdefault(head, [rows[head][2]]).append(line)
                dropped.add(position)
                in_traceback = in_traceback or line.startswith("Traceback (")
                in_goroutine = in_goroutine or line.startswith("goroutine ")
                if raised:
                    in_traceback = False
                    chained = True  # another traceback may be chained to it
                elif not blank:
                    chained = _CHAINING.match(line) is not None
            else:
                head = position
                in_traceback = line.startswith("Traceback (")
                in_goroutine = line.startswith("goroutine ")
                chained = False
            previous = position
    out = [
        (labels, ts, "\n".join(joined[position]) if position in joined else line)
        for position, (labels, ts, line) in enumerate(rows)
        if position not in dropped
    ]
    return out, len(dropped)


def _streams(rows: list[Row]) -> list[list[int]]:
    """The positions of ``rows`` per stream, each in time order.

    A stream is its labels less the level a store detected (`STORE_LEVEL`): a store that
    detects levels sends a trace's first line (``error``) and its frames (no level) as two
    streams, yet they are one container's output. Each store stream is put in time order on its
    own first (one sent newest first is reversed, so lines of equal time keep their order).
    """
    keys: dict[int, tuple[tuple[str, str], ...]] = {}
    per_labels: dict[int, list[int]] = {}
    for position, (labels, _, _) in enumerate(rows):
        per_labels.setdefault(id(labels), []).append(position)
        if id(labels) not in keys:
            keys[id(labels)] = tuple(sorted((k, v) for k, v in labels.items() if k != STORE_LEVEL))
    merged: dict[tuple[tuple[str, str], ...], list[int]] = {}
    for label_id, positions in per_labels.items():
        if rows[positions[0]][1] > rows[positions[-1]][1]:
            positions.reverse()
        merged.setdefault(keys[label_id], []).extend(positions)
    streams = list(merged.values())
    for positions in streams:
        positions.sort(key=lambda position: rows[position][1])
    return streams


def normalize_rows(
    rows: Iterable[Row],
    max_chars: int = 2000,
    redactions: Counter[str] | None = None,
    *,
    pii: frozenset[str] = DEFAULT_PII,
) -> tuple[NormalizedEntry, ...]:
    """`normalize` over `(labels, timestamp_ns, line)` rows, as a store's decoder gives them.

    Over-long messages are redacted before they are cut (see `cut`); ``redactions``, when
    given, counts what that found, line by line.
    """
    # A message seen once is its own final entry; a repeat gets a tally, frozen at the end.
    # Keyed by message alone; the rare message seen at two levels keeps its other levels in
    # `other`.
    seen: dict[str, int] = {}
    other: dict[tuple[Level, str], int] = {}
    found: list[NormalizedEntry | _Tally] = []
    # A plain line's prefix and the level it names depend on the skeleton of its head only
    # (the patterns read where digits are, never their values; level words hold none).
    plain_prefixes: dict[bytes, tuple[int, Level | None]] = {}
    # Entries of one stream share their labels object: look its levels and source up once.
    streams: dict[int, _Stream] = {}
    labels: Mapping[str, str] | None = None
    stream = _Stream({}, None, None, "")
    for entry_labels, ts, line in rows:
        if entry_labels is not labels:
            labels = entry_labels
            known = streams.get(id(labels))
            if known is None or known.labels is not labels:
                known = streams[id(labels)] = _Stream.of(labels, pii)
            stream = known
        text = (_ANSI.sub("", line) if "\x1b" in line else line).strip()
        if (text[:1] == "{" or "=" in text) and _maybe_structured(text):
            message, level, truncated, ids = _parse(
                text, stream.level, stream.detected, max_chars, redactions, pii
            )
        else:
            ids = _NO_IDS
            head = text[:200]
            key = head.encode("utf-8", "surrogatepass").translate(_ONES)
            known_prefix = plain_prefixes.get(key)
            if known_prefix is None:
                known_prefix = plain_prefixes[key] = _plain_prefix(head)
            cut_at, plain = known_prefix
            message = text[cut_at:] if cut_at else text
            level = plain or stream.level or stream.detected or Level.UNKNOWN
            truncated = False
            if len(message) > max_chars:
                message, truncated = cut(message, max_chars, redactions, pii=pii)
        position = seen.get(message)
        if position is not None and found[position].level is not level:
            position = other.get((level, message))
            if position is None:
                other[level, message] = len(found)
        elif position is None:
            seen[message] = len(found)
        if position is None:
            found.append(
                NormalizedEntry(
                    message, level, 1, ts, ts, stream.sources, truncated, stream.counted, ids
                )
            )
            continue
        item = found[position]
        tally = item if isinstance(item, _Tally) else _Tally(item)
        if tally is not item:
            found[position] = tally
        tally.add(ts, stream.source, ids)
    return tuple(item.entry() if isinstance(item, _Tally) else item for item in found)


class _Tally:
    """A message seen more than once, while lines are read."""

    __slots__ = ("count", "first", "first_ns", "ids", "last_ns", "sources")

    def __init__(self, first: NormalizedEntry) -> None:
        self.first = first
        self.count = first.count
        self.first_ns = first.first_ns
        self.last_ns = first.last_ns
        self.ids = first.ids
        self.sources = dict(first.source_counts)

    @property
    def level(self) -> Level:
        return self.first.level

    def add(self, ts: int, source: str, ids: Mapping[str, str]) -> None:
        self.count += 1
        if ts < self.first_ns:
            self.first_ns = ts
        if ts >= self.last_ns:
            self.last_ns = ts
            if ids:
                self.ids = ids
        self.sources[source] = self.sources.get(source, 0) + 1

    def entry(self) -> NormalizedEntry:
        counts = tuple(sorted(self.sources.items()))
        return self.first._replace(
            count=self.count,
            first_ns=self.first_ns,
            last_ns=self.last_ns,
            sources=tuple(name for name, _ in counts),
            source_counts=counts,
            ids=self.ids,
        )


_ONES = bytes.maketrans(b"0123456789", b"1111111111")


class _Stream:
    """What normalize needs from one stream's labels, looked up once."""

    __slots__ = ("counted", "detected", "labels", "level", "source", "sources")

    def __init__(
        self, labels: Mapping[str, str], level: Level | None, detected: Level | None, source: str
    ) -> None:
        self.labels = labels
        self.level = level
        self.detected = detected
        self.source = source
        self.sources = (source,)
        self.counted = ((source, 1),)

    @classmethod
    def of(cls, labels: Mapping[str, str], pii: frozenset[str] = DEFAULT_PII) -> _Stream:
        # A label value is shown and sent like a message, so it is redacted like one.
        return cls(
            labels,
            _level_word(labels.get("level")),
            _level_word(labels.get(STORE_LEVEL)),
            redact(source_of(labels), pii=pii).text,
        )


def source_of(labels: Mapping[str, str]) -> str:
    """`pod/container` (or whichever of the two exists, or the service name) of an entry."""
    pod, container = labels.get("pod"), labels.get("container")
    if pod and container:
        return f"{pod}/{container}"
    return pod or container or labels.get("service_name") or labels.get("app") or "unknown"


def _maybe_structured(text: str) -> bool:
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


def _parse_structured(text: str) -> Mapping[str, Any] | None:
    if text.startswith("{") and text.endswith("}"):
        value = json_object(text)
        return None if value is None else _flatten_json(value)
    if "=" in text:
        pairs = {k: unquote(v) for k, v in _LOGFMT_PAIR.findall(text)}
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


def unquote(value: str) -> str:
    """A logfmt value without its double quotes and escapes (as is when not quoted)."""
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            text = str(json.loads(value))
        except ValueError:
            return value[1:-1]
        return valid_unicode(text) if _SURROGATE_ESCAPE.search(value) else text
    return value


def _message_from_fields(fields: Mapping[str, Any], raw: str) -> str:
    message = next((str(fields[k]) for k in _MESSAGE_KEYS if isinstance(fields.get(k), str)), None)
    if message is None:
        return _fields_as_message(fields) or raw
    details = [
        f"{k}={_compact(fields[k])}" for k in _DETAIL_KEYS if fields.get(k) not in (None, "")
    ]
    return " ".join([message, *details]) if details else message


# A logfmt line has one of the level or message keys followed by `=`; most `=` lines have none.
_LOGFMT_HINTS = tuple(f"{key}=" for key in (*_LEVEL_KEYS, *_MESSAGE_KEYS) if key != "log.level")

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
    if "ctx" in fields and "c" in fields:  # MongoDB's own log: {"t":..,"s":"E","c":..,"ctx":..}
        severity = fields.get("s")
        if isinstance(severity, str) and severity[:1] in _MONGODB:
            return _MONGODB[severity[:1]]
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


_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_STAMP = (
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:[.,]\d{1,9})?(?:Z| ?[+-]\d{2}:?\d{2}| ?UTC)?"
    r"|\d{4}/\d{2}/\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"
    rf"|(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? )?(?:{_MONTHS}) +\d{{1,2}},? \d{{2}}:\d{{2}}:\d{{2}}"
    r"(?:\.\d+)?(?: \d{4})?"
    r"|\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"
)
_LEVEL_WORD = (
    r"FATAL|PANIC|CRITICAL|CRIT|EMERG|ALERT|ERROR|ERR|SEVERE|WARNING|WARN|INFO|NOTICE|DEBUG|TRACE"
)
# What a logging library writes before the message of a plain line: a timestamp and a level
# (at least the level, or a klog header), then a process id, threads or a component in
# brackets, and a dotted logger name. The message is what follows.
_PREFIX = re.compile(
    "".join(
        (
            rf"(?:\[?(?:{_STAMP})\]?[ \t]+)?",
            r"(?:(?P<klog>[EWIF])\d{4} \d{2}:\d{2}:\d{2}\.\d+ +\d+ [\w./-]+:\d+\] ",
            rf"|(?:\[(?P<bracketed>(?i:{_LEVEL_WORD}))\]",
            rf"|(?P<level>{_LEVEL_WORD}|(?i:{_LEVEL_WORD})(?=:)))",
            r"(?::(?:[\w.$-]+:)?[ \t]*| +-[ \t]+|[ \t]+))",
            r"(?:\d+ --- |\d+#\d+: (?:\*\d+ )?)?",
            r"(?:\[[^\]\n]{1,80}\][ \t]*){0,3}",
            r"(?:[\w$-]+(?:\.[\w$-]+)+ *(?::| -) +)?",
        )
    )
)
_STAMP_ONLY = re.compile(rf"\[?(?:{_STAMP})\]?[ \t]+(?=\S)")
# Celery's worker prefix, time and level in one bracket with the process' name:
# ``[2026-03-14 09:41:12,345: ERROR/ForkPoolWorker-3] Task orders.sync[1f2e] raised ...``.
_CELERY = re.compile(rf"\[(?:{_STAMP}): (?P<level>{_LEVEL_WORD})/[^\]\n]{{1,80}}\][ \t]+(?=\S)")


def _plain_prefix(head: str) -> tuple[int, Level | None]:
    """How many leading characters of a plain line are its logging prefix, and its level.

    ``2026-03-14T09:41:12Z ERROR [cart] failed to reserve stock`` has the message ``failed to
    reserve stock`` and the level error, as the same event logged as JSON by another pod would.
    A line that opens with neither a timestamp nor a level keeps its text; one that opens with
    a timestamp alone loses only that. The level, when the prefix names none, is looked for in
    the text as before.
    """
    match = _CELERY.match(head) if head[:1] == "[" else None
    if match is not None:
        return match.end(), _LEVEL_WORDS[match.group("level").lower()]
    match = _PREFIX.match(head)
    if match is not None and match.end() < len(head.rstrip()):
        if match.group("klog"):
            return match.end(), _KLOG[match.group("klog")]
        word = match.group("bracketed") or match.group("level")
        return match.end(), _LEVEL_WORDS.get(word.lower()) if word else None
    stamp = _STAMP_ONLY.match(head)
    cut = stamp.end() if stamp is not None else 0
    return cut, _plain_level(head)


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
