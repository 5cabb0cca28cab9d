"""Just enough LogQL for the fake Loki: a stream selector, line filters, `sum by` and a range.

It reads the queries the service sends (`{a="x", b=~"y"} |~ "re" !~ "re"`, optionally wrapped
in `sum by (labels) (count_over_time(... [30m]))`) and ignores parser and formatting stages it
does not know. Regexes run on Python's `re`, which agrees with Loki's RE2 on the service's own
filters. Anything it cannot read raises `LogQLError` with a Loki-style message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_MATCHER = re.compile(r'\s*([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|\})')
_FILTER = re.compile(r'\s*(\|=|!=|\|~|!~)\s*"((?:[^"\\]|\\.)*)"')
_SUM_BY = re.compile(r"\s*sum\s+by\s*\(([^)]*)\)")
_RANGE = re.compile(r"\[(\d+)(ms|s|m|h|d|w|y)\]")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_GO_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}


class LogQLError(ValueError):
    """The query could not be read; the message is what Loki would answer with a 400."""


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: which streams, which lines, and for a metric query how to count them."""

    matchers: tuple[tuple[str, str, re.Pattern[str] | str], ...]
    filters: tuple[tuple[str, re.Pattern[str] | str], ...]
    key: str
    """The selector and filters as written: queries with equal keys select the same lines."""
    by: tuple[str, ...] | None = None
    range_seconds: float | None = None

    def selects(self, labels: Mapping[str, str]) -> bool:
        """Whether a stream with these labels matches every matcher."""
        for name, op, value in self.matchers:
            actual = labels.get(name, "")
            if isinstance(value, str):
                if (actual == value) != (op == "="):
                    return False
            elif (value.fullmatch(actual) is not None) != (op == "=~"):
                return False
        return True

    def keeps(self, line: str) -> bool:
        """Whether a line passes every line filter."""
        for op, value in self.filters:
            if isinstance(value, str):
                if (value in line) != (op == "|="):
                    return False
            elif (value.search(line) is not None) != (op == "|~"):
                return False
        return True


def parse(query: str) -> Query:
    """Parse a log query or a `sum by (...) (count_over_time(...[range]))` metric query."""
    by: tuple[str, ...] | None = None
    grouped = _SUM_BY.match(query)
    if grouped is not None:
        by = tuple(label.strip() for label in grouped.group(1).split(",") if label.strip())
    start = query.find("{")
    if start < 0:
        raise LogQLError(f"parse error at line 1, col 1: syntax error: unexpected {query[:20]!r}")
    matchers: list[tuple[str, str, re.Pattern[str] | str]] = []
    position = start + 1
    while True:
        matched = _MATCHER.match(query, position)
        if matched is None:
            raise LogQLError(
                f"parse error at line 1, col {position + 1}: syntax error: unexpected "
                f"{query[position : position + 10]!r}, expecting }} or ,"
            )
        name, op, raw, end = matched.groups()
        value = _unquote(raw)
        matchers.append((name, op, _compile(value, raw) if op in ("=~", "!~") else value))
        position = matched.end()
        if end == "}":
            break
    filters: list[tuple[str, re.Pattern[str] | str]] = []
    while (matched := _FILTER.match(query, position)) is not None:
        op, raw = matched.groups()
        value = _unquote(raw)
        filters.append((op, _compile(value, raw) if op in ("|~", "!~") else value))
        position = matched.end()
    key = query[start:position].strip()
    window = _RANGE.search(query, position)
    range_seconds = int(window.group(1)) * _UNITS[window.group(2)] if window else None
    return Query(tuple(matchers), tuple(filters), key, by, range_seconds)


def _compile(pattern: str, raw: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise LogQLError(
            f"parse error : stage '|~ \"{raw}\"' : error parsing regexp: {exc}: `{pattern}`"
        ) from exc


def _unquote(raw: str) -> str:
    """A Go double-quoted string's contents, as LogQL reads them."""

    def escape(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "xu" and len(code) > 1:
            return chr(int(code[1:], 16))
        if code in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[code]
        raise LogQLError(f"parse error: invalid escape \\{code} in {raw!r}")

    return _GO_ESCAPE.sub(escape, raw)
