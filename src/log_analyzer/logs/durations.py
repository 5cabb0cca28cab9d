"""How long things took: durations and timeouts read from log lines, and their percentiles.

A duration is looked for in three places, in this order: structured fields (JSON or logfmt
already parsed, nested objects included), ``key=value`` pairs in the text, then phrases such as
``took 1234ms``, ``in 1.2s``, ``after 3.5s``, ``(1.23s)`` or ``duration: 250ms``.

Bare numbers carry no unit, so the key decides: a unit suffix (``duration_ms``, ``latencyUs``,
``elapsed_s``) gives it, and nginx's ``request_time`` and ``upstream_*_time`` are seconds. With
no hint, a number written with a decimal point and below 1000 is seconds (``0.123`` as Caddy, zap
and nginx write it) and anything else is milliseconds (``1234`` as Envoy, pino and most Java
loggers write it). Phrases in text need an explicit unit, so ``retry 3 times``, ``version 1.2``
and ``port 8080`` are not durations; nor are ``in``/``after`` phrases that say when something
will happen or happened (``retrying in 5s``, ``timeout after 30s``, ``in 2 minutes time``,
``5m ago``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from log_analyzer.logs.structured import json_object, unquote

__all__ = [
    "Duration",
    "extract_duration",
    "inline_fields",
    "is_timeout",
    "parse_duration",
    "percentiles",
]

_UNITS: dict[str, float] = {
    **dict.fromkeys(("ns", "nanos", "nanosecond", "nanoseconds"), 1e-9),
    **dict.fromkeys(("us", "µs", "μs", "micros", "microsecond", "microseconds"), 1e-6),
    **dict.fromkeys(("ms", "msec", "msecs", "millis", "millisecond", "milliseconds"), 1e-3),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1.0),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60.0),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600.0),
}
# nginx writes these in seconds with millisecond resolution.
_SECONDS_KEYS = frozenset(
    ("request_time", "upstream_response_time", "upstream_connect_time", "upstream_header_time")
)
# Keys holding a duration, most telling first (the whole request before its upstream part).
_BASES = (
    "duration",
    "latency",
    "elapsed",
    "took",
    "response_time",
    "request_time",
    "request_duration",
    "elapsed_time",
    "upstream_response_time",
)
_KEY_UNITS = "|".join(sorted((u for u in _UNITS if u.isascii()), key=len, reverse=True))
_DURATION_KEY = re.compile(rf"({'|'.join(_BASES)})(?:_(?:{_KEY_UNITS}))?")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GO_PART = r"\d+(?:\.\d+)?(?:ns|us|µs|μs|ms|h|m|s)"
_GO = re.compile(rf"(?:{_GO_PART})+")
_GO_PARTS = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|h|m|s)")
_WITH_UNIT = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*([a-zµμ]+)", re.IGNORECASE)
_PAIR = re.compile(r'(?<![\w.])([A-Za-z_][\w.]*)=("(?:[^"\\]|\\.)*"|[^\s,;"]*)')
_UNIT_WORD = "|".join(sorted(_UNITS, key=len, reverse=True))
_TEXT = re.compile(
    r"(?:\b(?P<kw>took|in|after)\s+"
    r"|\b(?P<label>duration|latency|elapsed|response[ _]time|request[ _]time)\s*[:=]\s*"
    r"|(?P<paren>\()\s*)"
    rf"(?P<value>(?:{_GO_PART}){{2,}}|\d+(?:\.\d+)?\s?(?:{_UNIT_WORD}))(?!\w)"
    r"(?(paren)\s*\))",
    re.IGNORECASE,
)
# `in`/`after` phrases preceded by these words say when something will happen, not how long
# it took; the clause ends at punctuation.
_NOT_ELAPSED = re.compile(
    r"\b(?:retry(?:ing)?|retries|again|back(?:ing)?[ -]?off|sleep(?:ing)?|wait(?:ing)?|next"
    r"|every|expires?|expiring|scheduled|restart(?:ing)?|reconnect(?:ing)?|will|ttl"
    r"|time-?out)\b[^.;,!?]*$",
    re.IGNORECASE,
)
_FUTURE_TAIL = re.compile(r"\s*'?\s*(?:time|from now|ago)\b", re.IGNORECASE)
_TIMEOUT = re.compile(
    r"\btime-?outs?\b(?!\s*[=:]\s*\d)"  # but not a setting such as `timeout=30s`
    r"|\b(?:timed|times)[ _-]?out\b"
    r"|\bdeadline[ _]?exceeded\b"
    r"|\be(?:socket)?timedout\b"
    r"|\b504\b(?!\.\d)(?!\s*(?:ns|us|ms|s|secs?|bytes)\b)"
    r"|(?-i:(?<=[a-z])(?:Timeout|TimedOut|DeadlineExceeded))",  # ReadTimeout, SocketTimeoutEx...
    re.IGNORECASE,
)
_STATUS_KEYS = frozenset(("status", "status_code", "statusCode", "code"))


@dataclass(frozen=True, slots=True)
class Duration:
    """A duration found in a line, and where it was found."""

    seconds: float
    source: str
    """The field key (``http.duration``, ``latency_ms``) or ``text:<pattern>`` (``text:took``)."""


def parse_duration(value: str | int | float, *, key: str | None = None) -> float | None:
    """Read one duration value, in seconds.

    Args:
        value: ``"1.5s"``, ``"250 ms"``, ``"1m30.5s"`` (Go), ``"0.012"`` or a number.
        key: The field the value came from; its unit suffix (``_ms``, ``Us``, ``_seconds``)
            gives bare numbers their unit.

    Returns:
        Seconds, or None for empty, ``null``, negative, infinite, NaN or unreadable values.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _bare(float(value), isinstance(value, float), key)
    text = value.strip()
    if key is not None and key.startswith("upstream") and ("," in text or " : " in text):
        # nginx lists one time per upstream tried ("0.010, 0.200 : 0.003"); the request
        # spent their sum waiting.
        parts = [parse_duration(p, key=key) for p in re.split(r"\s*[,:]\s*", text) if p != "-"]
        found = [p for p in parts if p is not None]
        return sum(found) if found else None
    if _NUMBER.fullmatch(text):
        return _bare(float(text), "." in text or "e" in text.lower(), key)
    if _GO.fullmatch(text):
        return _finite(sum(float(n) * _UNITS[u] for n, u in _GO_PARTS.findall(text)))
    match = _WITH_UNIT.fullmatch(text)
    if match is not None:
        unit = _UNITS.get(match.group(2).lower())
        return None if unit is None else _finite(float(match.group(1)) * unit)
    return None


def extract_duration(message: str, fields: Mapping[str, Any] | None) -> Duration | None:
    """Find how long the logged operation took.

    Args:
        message: The line's text (a JSON object or logfmt pairs are read as fields).
        fields: Structured fields already parsed from the line, if any.

    Returns:
        The first duration found: structured fields first, then ``key=value`` pairs, then
        phrases in the text. None when the line holds none.
    """
    for candidates in (fields, inline_fields(message)):
        if candidates:
            found = _from_fields(candidates)
            if found is not None:
                return found
    for match in _TEXT.finditer(message):
        keyword = match.group("kw")
        if keyword is not None and (
            _NOT_ELAPSED.search(message, max(match.start() - 40, 0), match.start())
            or _FUTURE_TAIL.match(message, match.end())
        ):
            continue
        seconds = parse_duration(match.group("value"))
        if seconds is not None:
            label = keyword or match.group("label") or "parens"
            return Duration(seconds, f"text:{label.lower().replace(' ', '_')}")
    return None


def inline_fields(text: str) -> dict[str, Any] | None:
    """Fields written in the text itself: a JSON object, or the ``key=value`` pairs it holds."""
    text = text.strip()
    if text.startswith("{") and text.endswith("}"):
        value = json_object(text)
        if value is not None:
            return value
    if "=" not in text:
        return None
    pairs = {key: unquote(value) for key, value in _PAIR.findall(text)}
    return pairs or None


def percentiles(
    values: Sequence[float], qs: Sequence[float] = (0.5, 0.95, 0.99)
) -> dict[float, float]:
    """Nearest-rank percentiles: each one is a value that was really observed.

    The q-th percentile of n sorted values is the one at rank ``ceil(q * n)`` (rank 1 for
    ``q == 0``), so over 1..100 p50 is 50, p95 is 95 and p99 is 99. NaN values are ignored.

    Args:
        values: The observations, in any order.
        qs: Quantiles between 0 and 1.

    Returns:
        ``{q: value}``, or an empty dict when there is nothing to rank.

    Raises:
        ValueError: A quantile outside [0, 1].
    """
    data = sorted(v for v in values if not math.isnan(v))
    if not data:
        return {}
    result: dict[float, float] = {}
    for q in qs:
        if not 0.0 <= q <= 1.0:
            raise ValueError(f"quantile {q} is outside [0, 1]")
        # The epsilon keeps float products such as 0.07 * 100 == 7.000000000000001 on rank 7.
        rank = max(math.ceil(q * len(data) - 1e-9), 1)
        result[q] = data[rank - 1]
    return result


def is_timeout(message: str, fields: Mapping[str, Any] | None) -> bool:
    """Whether the line reports a timeout.

    Matches whole words, case-insensitively: ``timeout``, ``timed out``, ``deadline exceeded``,
    ``ETIMEDOUT``, ``504``, and camel-case names such as ``ReadTimeout``; a setting such as
    ``timeout=30s`` is not one. Field values are searched too, and a status field of 504 counts.
    """
    if _TIMEOUT.search(message):
        return True
    return fields is not None and _timeout_in_fields(fields, 0)


def _timeout_in_fields(fields: Mapping[str, Any], depth: int) -> bool:
    for key, value in fields.items():
        if isinstance(value, str):
            if _TIMEOUT.search(value):
                return True
        elif isinstance(value, Mapping):
            if depth < 3 and _timeout_in_fields(value, depth + 1):
                return True
        elif isinstance(value, bool):
            if value and key.lower() in ("timeout", "timed_out", "timedout"):
                return True
        elif value == 504 and key.rsplit(".", 1)[-1] in _STATUS_KEYS:
            return True
    return False


def _from_fields(fields: Mapping[str, Any]) -> Duration | None:
    best: tuple[int, str, float] | None = None
    stack: list[tuple[str, Mapping[str, Any], int]] = [("", fields, 0)]
    while stack:
        prefix, mapping, depth = stack.pop()
        for key, value in mapping.items():
            path = f"{prefix}{key}"
            if isinstance(value, Mapping):
                if depth < 3:
                    stack.append((f"{path}.", value, depth + 1))
                continue
            match = _DURATION_KEY.fullmatch(_snake(str(key).rsplit(".", 1)[-1]))
            if match is None or not isinstance(value, str | int | float):
                continue
            rank = _BASES.index(match.group(1))
            if best is None or rank < best[0]:
                seconds = parse_duration(value, key=str(key))
                if seconds is not None:
                    best = (rank, path, seconds)
    return None if best is None else Duration(best[2], best[1])


def _bare(number: float, decimal: bool, key: str | None) -> float | None:
    unit = _key_unit(key) if key else None
    if unit is None:
        unit = 1.0 if decimal and abs(number) < 1000 else 1e-3
    return _finite(number * unit)


def _key_unit(key: str) -> float | None:
    name = _snake(key.rsplit(".", 1)[-1])
    if name in _SECONDS_KEYS:
        return 1.0
    return _UNITS.get(name.rsplit("_", 1)[-1]) if "_" in name else None


def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def _finite(seconds: float) -> float | None:
    return seconds if math.isfinite(seconds) and seconds >= 0 else None
