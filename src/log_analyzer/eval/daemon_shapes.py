"""How daemons beside the applications write a message: Istio's sidecar, Redis, chronyd.

The same `Shape` as :mod:`log_analyzer.eval.shapes`: ``(timestamp ns, level, message)`` to the
raw lines a container writes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from log_analyzer.eval.shapes import Shape, Written


def _moment(ts_ns: int) -> datetime:
    return datetime.fromtimestamp(ts_ns / 1e9, UTC)


def istio_shape(scope: str) -> Shape:
    """Istio's pilot-agent and Envoy in the sidecar: ``<TS> warning <scope> <message>``, tabbed."""
    words = {"debug": "debug", "info": "info", "warn": "warning", "error": "error"}

    def write(ts_ns: int, level: str, message: str) -> Written:
        stamp = f"{_moment(ts_ns):%Y-%m-%dT%H:%M:%S}.{_moment(ts_ns).microsecond:06d}Z"
        return ((level, f"{stamp}\t{words[level]}\t{scope}\t{message}"),)

    return write


def redis_shape(role: str = "M") -> Shape:
    """Redis's own log: ``1:M 02 Jun 2025 14:05:00.123 # message`` (``#`` a warning)."""
    marks = {"debug": ".", "info": "*", "warn": "#", "error": "#"}

    def write(ts_ns: int, level: str, message: str) -> Written:
        moment = _moment(ts_ns)
        stamp = f"{moment:%d %b %Y %H:%M:%S}.{moment.microsecond // 1000:03d}"
        return ((level, f"1:{role} {stamp} {marks[level]} {message}"),)

    return write


def stamped_shape() -> Shape:
    """A daemon's plain line with no level of its own: ``<TS> message`` (chronyd's)."""

    def write(ts_ns: int, level: str, message: str) -> Written:
        return ((level, f"{_moment(ts_ns):%Y-%m-%dT%H:%M:%S}Z {message}"),)

    return write
