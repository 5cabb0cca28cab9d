"""How pods write a message: the log formats of the golden incidents.

A shape turns one message, written at one moment at one level, into the raw line (or lines) a
container writes: JSON, logfmt, klog, a Spring Boot prefix, a `<TS> ERROR [component]` prefix,
CoreDNS's, PostgreSQL's. Stack traces and Go panics are written one entry per line, as a
container runtime splits them; the lines after the first carry no level of their own, so a
store that detects levels reports them as ``unknown``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

Written = tuple[tuple[str, str], ...]
"""``(store level, raw line)`` per entry, in the order they were written."""
Shape = Callable[[int, str, str], Written]
"""``(timestamp ns, level, message) -> entries``."""
CONTINUATION_LEVEL = "unknown"
_KLOG = {"fatal": "F", "error": "E", "warn": "W", "info": "I", "debug": "I"}


def _moment(ts_ns: int) -> datetime:
    return datetime.fromtimestamp(ts_ns / 1e9, UTC)


def _iso(ts_ns: int) -> str:
    return _moment(ts_ns).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def json_shape(logger: str, **extra: str) -> Shape:
    """A JSON object per line (zap, pino, structlog), with ``extra`` fields."""

    def write(ts_ns: int, level: str, message: str) -> Written:
        body = {"ts": _iso(ts_ns), "level": level, "logger": logger, "msg": message, **extra}
        return ((level, json.dumps(body)),)

    return write


def logfmt_shape(caller: str) -> Shape:
    """A logfmt line (go-kit, logrus)."""

    def write(ts_ns: int, level: str, message: str) -> Written:
        escaped = message.replace('"', '\\"')
        return ((level, f'time={_iso(ts_ns)} level={level} caller={caller} msg="{escaped}"'),)

    return write


def klog_shape(place: str) -> Shape:
    """A klog line: ``E1203 14:05:00.123456       1 controller.go:217] message``."""

    def write(ts_ns: int, level: str, message: str) -> Written:
        moment = _moment(ts_ns)
        head = f"{_KLOG[level]}{moment:%m%d %H:%M:%S}.{moment.microsecond:06d}"
        return ((level, f"{head}       1 {place}] {message}"),)

    return write


def prefix_shape(component: str) -> Shape:
    """Plain text: ``<TS> ERROR [component] message``."""

    def write(ts_ns: int, level: str, message: str) -> Written:
        return ((level, f"{_iso(ts_ns)} {level.upper()} [{component}] {message}"),)

    return write


def spring_shape(thread: str, logger: str, trace: Sequence[str] = ()) -> Shape:
    """Spring Boot's console line; with ``trace``, the stack trace after it, one entry a line."""

    def write(ts_ns: int, level: str, message: str) -> Written:
        moment = _moment(ts_ns)
        stamp = f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d}"
        head = f"{stamp} {level.upper():>5} 1 --- [{thread}] {logger} : {message}"
        return ((level, head), *((CONTINUATION_LEVEL, line) for line in trace))

    return write


def python_shape(logger: str, trace: Sequence[str] = ()) -> Shape:
    """Python's default logging format; with ``trace``, the traceback, one entry a line."""

    def write(ts_ns: int, level: str, message: str) -> Written:
        head = f"{_iso(ts_ns)} {level.upper()}:{logger}:{message}"
        return ((level, head), *((CONTINUATION_LEVEL, line) for line in trace))

    return write


def go_panic_shape(stack: Sequence[str]) -> Shape:
    """A Go runtime crash: its first line, then the goroutine dump, one entry a line."""

    def write(ts_ns: int, level: str, message: str) -> Written:
        return ((level, message), *((CONTINUATION_LEVEL, line) for line in stack))

    return write


def coredns_shape() -> Shape:
    """CoreDNS: ``[ERROR] plugin/errors: ...``."""

    def write(ts_ns: int, level: str, message: str) -> Written:
        word = "WARNING" if level == "warn" else level.upper()
        return ((level, f"[{word}] {message}"),)

    return write


def postgres_shape(pid: int) -> Shape:
    """PostgreSQL's stderr log: ``2026-12-03 14:05:00.123 UTC [88] LOG:  message``."""
    words = {"info": "LOG", "warn": "WARNING", "error": "ERROR", "fatal": "FATAL"}

    def write(ts_ns: int, level: str, message: str) -> Written:
        moment = _moment(ts_ns)
        stamp = f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d}"
        return ((level, f"{stamp} UTC [{pid}] {words[level]}:  {message}"),)

    return write


def raw_shape() -> Shape:
    """The message is the whole line (an access log line built by its template)."""

    def write(ts_ns: int, level: str, message: str) -> Written:
        return ((level, message),)

    return write


def access_time(ts_ns: int) -> str:
    """The time as nginx's access log writes it: ``03/Dec/2026:14:05:00 +0000``."""
    return f"{_moment(ts_ns):%d/%b/%Y:%H:%M:%S} +0000"
