"""RE2, the regex engine of the line filters.

Stores that filter lines by regex run RE2 (Go's engine), and so does the service's own line
filtering for stores that cannot: validating a user's regex with RE2 itself catches what
Python's `re` would accept but RE2 rejects (look-arounds, back-references), before any store
is asked.
"""

from __future__ import annotations

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the error is returned to the caller, not printed on stderr


def compile_re2(pattern: str) -> re2._Regexp:
    """Compile ``pattern`` with RE2; raises ``re2.error`` when RE2 rejects it."""
    return re2.compile(pattern, options=_OPTIONS)


def re2_error(pattern: str) -> str | None:
    """Why RE2 rejects ``pattern``, or None when it compiles."""
    try:
        compile_re2(pattern)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "invalid regular expression"
        return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    return None


def matches_empty(pattern: str) -> bool:
    """Whether the (valid) RE2 ``pattern`` matches the empty string in full."""
    return compile_re2(pattern).fullmatch("") is not None
