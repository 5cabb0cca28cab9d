"""The background of every incident: what a healthy namespace logs anyway, window or not.

Access logs, health checks, periodic jobs: lines that are not part of any incident's truth,
but that every query before an onset fetches, and that the default error/warning filter must
keep out.
"""

from __future__ import annotations

from log_analyzer.eval.incident import Kind
from log_analyzer.eval.shapes import json_shape, logfmt_shape, raw_shape

ALONG = (-0.5, 1.0)
"""From 15 minutes before a 30-minute window to its end: a store holds the minutes before it
too, and the queries before an onset near the window's start read them."""


def along(count: int) -> int:
    """Lines over `ALONG` for ``count`` lines in the window itself."""
    return count * 3 // 2


def access_log(app: str, count: int, path: str = "/api/products/{n}") -> Kind:
    """An nginx-style access log of healthy requests (no level: the store says ``unknown``).

    Here ``count`` is lines per window, as in every helper of this module.
    """
    return Kind(
        app,
        "unknown",
        f'{{ip}} - - [{{clock}}] "GET {path} HTTP/1.1" 200 {{bytes}} "-" "okhttp/4.12.0" 0.0{{n}}',
        raw_shape(),
        along(count),
        ALONG,
    )


def health_checks(app: str, count: int) -> Kind:
    """Kubernetes probes answered by a JSON-logging service."""
    return Kind(
        app,
        "info",
        "request completed method=GET path=/healthz status=200 duration_ms={ms}",
        json_shape(f"{app}.http"),
        along(count),
        ALONG,
    )


def cache_stats(app: str, count: int) -> Kind:
    """A Go service's periodic cache statistics, in logfmt."""
    return Kind(
        app,
        "info",
        "cache stats hits={n} misses={n} evictions={n}",
        logfmt_shape("cache/stats.go:88"),
        along(count),
        ALONG,
    )


def heartbeat(app: str, count: int) -> Kind:
    """A worker's heartbeat to its queue."""
    return Kind(
        app,
        "debug",
        "heartbeat sent to queue broker, lag={n} messages",
        json_shape(f"{app}.worker"),
        along(count),
        ALONG,
    )
