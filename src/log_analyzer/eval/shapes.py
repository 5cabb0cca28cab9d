"""How pods write a message: the log formats of the golden incidents.

A shape turns one message, written at one moment at one level, into the raw line (or lines) a
container writes: JSON, logfmt, klog, a Spring Boot prefix, a `<TS> ERROR [component]` prefix,
CoreDNS's, PostgreSQL's, PgBouncer's, nginx's error log, etcd's zap JSON, Kafka's log4j,
Celery's, Alembic's. Stack traces and Go panics are written one entry per line, as a container
runtime splits them; the lines after the first carry no level of their own, so a store that
detects levels reports them as ``unknown``. A chained trace's telling line is often deep inside
it (the root ``Caused by:``, the first exception of a Python chain): its shapes take the message
as two lines, the head line and that one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
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


def python_last_shape(logger: str, before: Sequence[str]) -> Shape:
    """Python's logging line and a traceback whose telling line is its last, the exception.

    The message is two lines: the head line's message (Django's generic ``Internal Server
    Error: /path``), then the exception line written after the frames of ``before``.
    """

    def write(ts_ns: int, level: str, message: str) -> Written:
        head, trace = _chained(message, before, ())
        return python_shape(logger, trace)(ts_ns, level, head)

    return write


def uncaught_python_shape(before: Sequence[str]) -> Shape:
    """An exception nothing caught: the interpreter's traceback, with no logging line before it.

    The message is the traceback's last line (``httpx.PoolTimeout``), written after ``before``
    (``Traceback (most recent call last):`` and the frames); every line carries no level.
    """

    def write(ts_ns: int, level: str, message: str) -> Written:
        first, *rest = (*before, message)
        return ((level, first), *((CONTINUATION_LEVEL, line) for line in rest))

    return write


def golog_shape() -> Shape:
    """Go's standard ``log`` package: ``2025/06/02 14:05:00 message``, no level at all."""

    def write(ts_ns: int, level: str, message: str) -> Written:
        return ((level, f"{_moment(ts_ns):%Y/%m/%d %H:%M:%S} {message}"),)

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


_POSTGRES_WORDS = {"info": "LOG", "warn": "WARNING", "error": "ERROR", "fatal": "FATAL"}
POSTGRES_GERMAN = {"info": "LOG", "warn": "WARNUNG", "error": "FEHLER", "fatal": "FATAL"}
"""PostgreSQL's level words with ``lc_messages = 'de_DE.UTF-8'``."""


def postgres_shape(pid: int, words: Mapping[str, str] = _POSTGRES_WORDS) -> Shape:
    """PostgreSQL's stderr log: ``2026-12-03 14:05:00.123 UTC [88] LOG:  message``.

    ``words`` are its level words, translated with its messages (`POSTGRES_GERMAN`).
    """

    def write(ts_ns: int, level: str, message: str) -> Written:
        moment = _moment(ts_ns)
        stamp = f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d}"
        return ((level, f"{stamp} UTC [{pid}] {words[level]}:  {message}"),)

    return write


def pgbouncer_shape(pid: int = 1) -> Shape:
    """PgBouncer: ``2026-12-03 14:05:00.123 UTC [1] WARNING message``."""
    words = {"info": "LOG", "warn": "WARNING", "error": "ERROR", "fatal": "FATAL"}

    def write(ts_ns: int, level: str, message: str) -> Written:
        moment = _moment(ts_ns)
        stamp = f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d}"
        return ((level, f"{stamp} UTC [{pid}] {words[level]} {message}"),)

    return write


def nginx_error_shape(word: str, pid: int = 31) -> Shape:
    """The error log of nginx, its level ``word``: ``2026/12/03 14:05:00 [alert] 31#31: ...``."""

    def write(ts_ns: int, level: str, message: str) -> Written:
        return ((level, f"{_moment(ts_ns):%Y/%m/%d %H:%M:%S} [{word}] {pid}#{pid}: {message}"),)

    return write


def zap_shape(caller: str) -> Shape:
    """The zap JSON of etcd; a message ``msg | key=value | ...`` puts the pairs in fields."""

    def write(ts_ns: int, level: str, message: str) -> Written:
        text, *pairs = (part.strip() for part in message.split(" | "))
        body = {"level": level, "ts": _iso(ts_ns), "caller": caller, "msg": text}
        for pair in pairs:
            key, _, value = pair.partition("=")
            body[key] = value
        return ((level, json.dumps(body)),)

    return write


def kafka_shape(logger: str) -> Shape:
    """Kafka's log4j layout: ``[2026-12-03 14:05:00,123] INFO message (logger)``."""

    def write(ts_ns: int, level: str, message: str) -> Written:
        moment = _moment(ts_ns)
        stamp = f"{moment:%Y-%m-%d %H:%M:%S},{moment.microsecond // 1000:03d}"
        return ((level, f"[{stamp}] {level.upper()} {message} ({logger})"),)

    return write


def spring_chain_shape(
    thread: str, logger: str, before: Sequence[str], after: Sequence[str] = ()
) -> Shape:
    """Spring Boot's line and a chained trace whose telling line is deep inside it.

    The message is two lines: the head line's message, then the trace's line between
    ``before`` and ``after`` (its deepest ``Caused by:``).
    """

    def write(ts_ns: int, level: str, message: str) -> Written:
        head, trace = _chained(message, before, after)
        return spring_shape(thread, logger, trace)(ts_ns, level, head)

    return write


def celery_shape(worker: str, before: Sequence[str] = (), after: Sequence[str] = ()) -> Shape:
    """Celery's worker line: ``[2026-12-03 14:05:00,123: ERROR/ForkPoolWorker-3] message``.

    With a message of two lines, a chained traceback follows: the second line is written
    between ``before`` and ``after`` (the first exception of the chain, its root).
    """

    def write(ts_ns: int, level: str, message: str) -> Written:
        moment = _moment(ts_ns)
        stamp = f"{moment:%Y-%m-%d %H:%M:%S},{moment.microsecond // 1000:03d}"
        head, trace = _chained(message, before, after)
        word = "WARNING" if level == "warn" else level.upper()
        first = f"[{stamp}: {word}/{worker}] {head}"
        return ((level, first), *((CONTINUATION_LEVEL, line) for line in trace))

    return write


def _chained(
    message: str, before: Sequence[str], after: Sequence[str]
) -> tuple[str, tuple[str, ...]]:
    """A message's first line, and the trace with its second line between the others."""
    head, _, root = message.partition("\n")
    return head, (*before, root, *after) if root else (*before, *after)


def banner_shape(banner: Written, inner: Shape) -> Shape:
    """The lines a start-up writes at once before the message, then the message.

    ``banner`` holds each line with its level (``Picked up JAVA_TOOL_OPTIONS``, a Spring banner);
    the message is written as ``inner`` writes it.
    """

    def write(ts_ns: int, level: str, message: str) -> Written:
        return (*banner, *inner(ts_ns, level, message))

    return write


def alembic_shape() -> Shape:
    """Alembic's own logging format: ``INFO  [alembic.runtime.migration] message``."""

    def write(ts_ns: int, level: str, message: str) -> Written:
        return ((level, f"{level.upper():<5.5} [alembic.runtime.migration] {message}"),)

    return write


def raw_shape() -> Shape:
    """The message is the whole line (an access log line built by its template)."""

    def write(ts_ns: int, level: str, message: str) -> Written:
        return ((level, message),)

    return write


def access_time(ts_ns: int) -> str:
    """The time as nginx's access log writes it: ``03/Dec/2026:14:05:00 +0000``."""
    return f"{_moment(ts_ns):%d/%b/%Y:%H:%M:%S} +0000"


def cri_shape(inner: Shape, stream: str = "stderr") -> Shape:
    """``inner``'s lines as a CRI runtime writes them to the node's file, one ``F`` line each.

    What a store keeps when the shipper sends the runtime's lines as they are (Promtail or
    Alloy without their ``cri`` stage): ``2025-06-02T14:05:00.123456789Z stderr F <line>``.
    """

    def write(ts_ns: int, level: str, message: str) -> Written:
        stamp = f"{_moment(ts_ns):%Y-%m-%dT%H:%M:%S}.{ts_ns % 1_000_000_000:09d}Z"
        return tuple(
            (lvl, f"{stamp} {stream} F {line}") for lvl, line in inner(ts_ns, level, message)
        )

    return write
