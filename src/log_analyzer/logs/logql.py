"""Build LogQL from structured filters, escaping every value.

LogQL string literals follow Go's quoting rules: inside double quotes a backslash starts an escape,
an unknown escape is a parse error, and a raw newline ends the query. Every value therefore goes
through `quote()`, and values meant literally inside a regex matcher go through `regex_literal()`
first. Nothing user-supplied is ever spliced in any other way, so a value cannot change the
structure of the query.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import re2

DEFAULT_LINE_FILTER = "(?i)(error|warn|failed|exception|panic|fatal)"
"""Line filter used when the request does not bring its own."""

_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')
_DURATION = re.compile(r"[1-9][0-9]*(ms|s|m|h|d|w|y)\Z")


class MatchOp(StrEnum):
    """A stream-selector operator."""

    EQ = "="
    NE = "!="
    RE = "=~"
    NRE = "!~"


@dataclass(frozen=True, slots=True)
class LabelMatcher:
    """One `name OP "value"` term of a stream selector."""

    name: str
    op: MatchOp
    value: str


def quote(value: str) -> str:
    """Return `value` as a double-quoted LogQL string literal that parses back to `value`."""
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, value) + '"'


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char, f"\\x{ord(char):02x}")


def regex_literal(value: str) -> str:
    """Escape regex metacharacters so an RE2 matcher matches `value` literally."""
    # Python escapes the regex metacharacters (and a few more) with a backslash; RE2 accepts a
    # backslash before any ASCII punctuation. The result still needs `quote()` to become a literal.
    return re.escape(value)


def selector(matchers: Sequence[LabelMatcher]) -> str:
    """Render a stream selector such as `{namespace="billing", pod=~"api-.*"}`.

    Raises `ValueError` when there is no matcher that needs a non-empty value, because Loki refuses
    such selectors (they would scan every stream).
    """
    if not any(_requires_non_empty(m) for m in matchers):
        raise ValueError("a selector needs at least one matcher that cannot match an empty value")
    terms = []
    for m in matchers:
        if not _LABEL_NAME.match(m.name):
            raise ValueError(f"invalid label name {m.name!r}")
        terms.append(f"{m.name}{m.op.value}{quote(m.value)}")
    return "{" + ", ".join(terms) + "}"


def _requires_non_empty(m: LabelMatcher) -> bool:
    if m.op is MatchOp.EQ:
        return m.value != ""
    if m.op is MatchOp.RE:
        # A regex such as `.*` or `a|` matches the empty string, so Loki does not count it.
        if re2_error(m.value) is not None:
            raise ValueError(f"invalid RE2 regular expression for {m.name!r}")
        return _compile_re2(m.value).fullmatch("") is None
    return False


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # the error is returned to the caller, not printed on stderr


def _compile_re2(pattern: str) -> re2._Regexp:
    return re2.compile(pattern, options=_RE2_OPTIONS)


def re2_error(pattern: str) -> str | None:
    """Why RE2 (the engine Loki runs) rejects `pattern`, or None when it compiles."""
    try:
        _compile_re2(pattern)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "invalid regular expression"
        return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    return None


def log_query(matchers: Sequence[LabelMatcher], line_regex: str | None) -> str:
    """A log query: the selector, then a case-aware regex line filter when one is given."""
    query = selector(matchers)
    if line_regex:
        query += f" |~ {quote(line_regex)}"
    return query


def count_query(
    matchers: Sequence[LabelMatcher],
    line_regex: str | None,
    range_: str,
    by: Sequence[str] = (),
) -> str:
    """A metric query counting matching lines over `range_`, summed by the `by` labels."""
    if not _DURATION.match(range_):
        raise ValueError(f"invalid LogQL range {range_!r}")
    for label in by:
        if not _LABEL_NAME.match(label):
            raise ValueError(f"invalid label name {label!r}")
    grouping = f" by ({', '.join(by)})" if by else ""
    return f"sum{grouping} (count_over_time({log_query(matchers, line_regex)} [{range_}]))"
