"""JSON logs on stdout, each record stamped with the current trace and span ids.

Grafana's Loki datasource turns the `trace_id` field into a link to the trace in Tempo, so every
record the service writes must carry the ids of the span it was written under.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span
from pythonjsonlogger.json import JsonFormatter

_HANDLER_NAME = "log_analyzer.json"


class TraceContextFilter(logging.Filter):
    """Adds `trace_id` (32 hex), `span_id` (16 hex) and `trace_flags` from the current span."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Stamp the record; never drops it, never raises."""
        try:
            context = trace.get_current_span().get_span_context()
        except Exception:  # telemetry must never break logging
            context = None
        if context is not None and context.is_valid:
            record.trace_id = f"{context.trace_id:032x}"
            record.span_id = f"{context.span_id:016x}"
            record.trace_flags = int(context.trace_flags)
        else:
            record.trace_id = record.span_id = None
            record.trace_flags = None
        return True


Scrub = Callable[[str], str]
"""Removes secrets from a text (the service passes its redaction, which `core` cannot import)."""


class _Formatter(JsonFormatter):
    scrub: Scrub | None = None

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if self.scrub is not None:
            # The whole line: message, extra fields and traceback alike. Redaction keeps JSON
            # valid: a placeholder holds neither a quote nor a backslash.
            text = self.scrub(text)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate (from a request or a log line) cannot be written as UTF-8; as a
            # \uXXXX escape it is still valid JSON and shows what was there.
            text = text.encode("utf-8", "backslashreplace").decode("utf-8")
        return text

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        # The fixed keys first, in the order an engineer reads them, then the extra fields.
        log_data["timestamp"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat()
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        super().add_fields(log_data, record, message_dict)
        if log_data.get("exc_info") is None:
            log_data.pop("exc_info", None)


def json_formatter(scrub: Scrub | None = None) -> logging.Formatter:
    """The formatter of every service log line; ``scrub`` removes secrets from each."""
    formatter = _Formatter(
        "%(message)s %(trace_id)s %(span_id)s %(trace_flags)s",
        reserved_attrs=[*_RESERVED],
        json_ensure_ascii=False,
    )
    formatter.scrub = scrub
    return formatter


_RESERVED = (
    "args",
    "asctime",
    "created",
    "exc_text",
    "filename",
    "funcName",
    "levelname",
    "levelno",
    "lineno",
    "module",
    "msecs",
    "msg",
    "name",
    "pathname",
    "process",
    "processName",
    "relativeCreated",
    "stack_info",
    "thread",
    "threadName",
    "taskName",
    "color_message",  # uvicorn duplicates its message with ANSI colours; noise in JSON
)


def configure_logging(level: str = "INFO", stream: Any = None, scrub: Scrub | None = None) -> None:
    """Send the root logger's records to stdout as JSON, secrets scrubbed; safe to repeat."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(json_formatter(scrub))
    handler.addFilter(TraceContextFilter())
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uv_logger = logging.getLogger(name)
        uv_logger.handlers.clear()
        uv_logger.propagate = True
    # One line per upstream request would drown the service's own records; spans carry them.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def log_in_span(span: Span, logger: logging.Logger, level: int, message: str, **extra: Any) -> None:
    """Log with `span` as the current span, for code that cannot keep it current (generators)."""
    with trace.use_span(span, end_on_exit=False):
        logger.log(level, message, extra=extra)
