"""Who asked for what and how it went: requests read from single log lines.

:func:`extract_request` reads method, route, status and user from structured fields (JSON,
logfmt, nested objects such as ``http.method``) and fills what is missing from the text: access
log request lines (``"GET /path?q=1 HTTP/1.1" 502``), proxy lines (``POST /api/checkout -> 502``)
and ``status=503``. A status counts only between 100 and 599. Routes are grouping keys: the
scheme, host, query and fragment are dropped, and a path segment that is a number, a UUID, a hex
run of 8 or more characters, holds 3 or more digits or an ``@`` becomes ``{id}`` (version
segments such as ``v2`` stay).

The aggregations over many requests live in :mod:`log_analyzer.logs.traffic`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from log_analyzer.logs.durations import inline_fields

STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx", "unknown")
_METHOD_KEYS = ("method", "http.method", "http.request.method", "request_method", "verb")
_ROUTE_KEYS = (
    *("route", "http.route", "endpoint", "path", "url.path", "http.target"),
    *("uri", "request_uri", "url", "http.url", "url.full", "request"),
)
_STATUS_KEYS = (
    *("status", "status_code", "statusCode", "http.status_code", "http.response.status_code"),
    *("response_status", "code"),
)
_USER_KEYS = (
    *("user", "user_id", "userId", "username", "uid", "account", "customer_id", "principal"),
    *("sub", "user.id", "user.name", "enduser.id", "remote_user"),
)
_NO_USER = frozenset(("", "-", "null", "none"))
_METHODS = "GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS|CONNECT|TRACE"
_REQUEST_LINE = re.compile(r"([A-Za-z]{3,10}) +(\S+)(?: +HTTP/[\d.]+)?")
_ACCESS = re.compile(
    r'"(?P<method>[A-Z]{3,10}) (?P<target>\S+)(?: HTTP/[\d.]+)?" (?P<status>\d{3})(?!\d)'
)
_ACCESS_USER = re.compile(r'^\S+ \S+ (?P<user>\S+) \[[^\]]*\] "')
_PROXY = re.compile(
    rf"\b(?P<method>{_METHODS}) +(?P<target>(?:https?://|/)[^\s\"]*)(?: +HTTP/[\d.]+)?"
    r"(?:\s*(?:->|=>|→|:)?\s*(?P<status>[1-5]\d\d)(?![\w.]))?"
)
_STATUS_TEXT = re.compile(r"\b(?:status|status_code|code)[=:] ?\"?(?P<status>[1-5]\d\d)(?![\w.])")
_SCHEME_HOST = re.compile(r"^[A-Za-z][\w+.-]*://[^/?#]*")
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_HEX = re.compile(r"(?=[a-fA-F]*\d)[0-9a-fA-F]{8,}")
_VERSION = re.compile(r"v\d+(?:\.\d+)*")


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """What one line says about a request; any part may be unknown."""

    method: str | None
    route: str | None
    """Normalised for grouping: ``/orders/{id}/items``."""
    status: int | None
    user: str | None


def extract_request(message: str, fields: Mapping[str, Any] | None) -> RequestInfo | None:
    """Read method, route, status and user from a line, or None if it names none of them.

    Args:
        message: The line's text (a JSON object or logfmt pairs are read as fields).
        fields: Structured fields already parsed from the line, if any.
    """
    if fields is None:
        fields = inline_fields(message)
    method = route = user = None
    status: int | None = None
    if fields:
        method = _first(fields, _METHOD_KEYS)
        method = method.upper() if method and method.isalpha() and len(method) <= 10 else None
        status = next(filter(None, (_status(_lookup(fields, k)) for k in _STATUS_KEYS)), None)
        user = next((u for k in _USER_KEYS if (u := _first(fields, (k,))) and _named(u)), None)
        target = _first(fields, _ROUTE_KEYS)
        line = _REQUEST_LINE.fullmatch(target) if target else None
        if line is not None:  # nginx's "$request", or a route logged as "GET /x"
            method, target = method or line.group(1).upper(), line.group(2)
        route = normalize_route(target) if target else None
    if method is None or route is None or status is None:
        match = _ACCESS.search(message) or _PROXY.search(message)
        if match is not None:
            method = method or match.group("method")
            route = route or normalize_route(match.group("target"))
            status = status or _status(match.group("status"))
        if status is None and (found := _STATUS_TEXT.search(message)) is not None:
            status = _status(found.group("status"))
        if user is None and (found := _ACCESS_USER.match(message)) is not None:
            user = found.group("user") if _named(found.group("user")) else None
    if method is None and route is None and status is None and user is None:
        return None
    return RequestInfo(method, route, status, user)


def normalize_route(target: str) -> str:
    """A path fit for grouping: no scheme, host, query or fragment, and ids masked as ``{id}``."""
    path = _SCHEME_HOST.sub("", target.strip(), count=1).split("?", 1)[0].split("#", 1)[0]
    masked = "/".join(_mask(segment) for segment in path.split("/")).rstrip("/")
    return masked if masked.startswith("/") else f"/{masked}"


def status_class(status: int | None) -> str:
    """``"1xx"`` ... ``"5xx"``, or ``"unknown"`` for a missing or out-of-range status."""
    return f"{status // 100}xx" if status is not None and 100 <= status <= 599 else "unknown"


def operation(info: RequestInfo) -> str:
    """``"GET /orders/{id}"``: the method and route, whichever are known, else ``"unknown"``."""
    return " ".join(part for part in (info.method, info.route) if part) or "unknown"


def _named(user: str) -> bool:
    return user.lower() not in _NO_USER


def _mask(segment: str) -> str:
    if not segment or _VERSION.fullmatch(segment):
        return segment
    if (
        sum(c.isdigit() for c in segment) >= 3
        or segment.isdigit()
        or "@" in segment
        or _UUID.fullmatch(segment)
        or _HEX.fullmatch(segment)
    ):
        return "{id}"
    return segment


def _lookup(fields: Mapping[str, Any], key: str) -> Any:
    if key in fields:
        return fields[key]
    value: Any = fields
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _first(fields: Mapping[str, Any], keys: Iterable[str]) -> str | None:
    for key in keys:
        value = _lookup(fields, key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return None


def _status(value: Any) -> int | None:
    if isinstance(value, str):
        # ASCII digits only: "²" and "٣٠٠" are digits to str.isdigit, and int() of a long run
        # raises (over 4,300 digits); a status has three.
        text = value.strip()
        value = int(text) if len(text) == 3 and text.isascii() and text.isdigit() else None
    if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599:
        return value
    return None
