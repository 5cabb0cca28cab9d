"""What one redaction rule is, and what every rule's replacer shares.

A rule is a pattern, the hints a text must hold for it to be tried, and a replacer that turns a
match into ``(kind, replacement)``, the replacement holding one placeholder ``[REDACTED:<kind>]``
per secret. Replacers swap one group of the match for a placeholder (`_swap`) or all of it
(`_whole`), and ask where a token starts (`_inside_word`: at a word's edge, or right after a
JSON or URL escape).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_PLACEHOLDER = "[REDACTED:"


def _placeholder(kind: str) -> str:
    """The text that stands in for a secret of `kind`."""
    return f"{_PLACEHOLDER}{kind}]"


# A replacer gets one match and returns (kind, replacement), or None to leave the match as it is;
# the replacement holds one placeholder of that kind per secret.
_Replacer = Callable[[re.Match[str]], tuple[str, str] | None]


@dataclass(frozen=True, slots=True)
class _Rule:
    pattern: re.Pattern[str]
    hints: tuple[str, ...]
    """Case-folded literals; the text must hold one of them, or match a shape, to be tried."""
    replace: _Replacer
    shapes: tuple[str, ...] = ()
    """RE2 regexes over the case-folded text, for what has no literal (digit runs)."""
    narrowing: tuple[str, ...] = ()
    """RE2 regexes like `shapes`, each holding a literal hint of a rule that always runs.

    They keep this rule from running wherever that literal alone is ("pass" in every "password
    expired"); the prefilter's alternation finds their texts by the literal, so only the set of
    hints that picks the rules holds them.
    """
    pii: str | None = None
    """The kind of personal data this rule finds, run only when asked for; None: always run."""


def _swap(
    match: re.Match[str], group: str, kind: str, quote: str = "", tail: int = 0
) -> tuple[str, str]:
    """Replace only `group` inside the match, wrapping the placeholder in `quote`.

    The last `tail` characters of the group stay (a bracket that closes what holds the value).
    """
    whole, base = match.group(0), match.start()
    start, end = match.span(group)
    end -= tail
    return kind, f"{whole[: start - base]}{quote}{_placeholder(kind)}{quote}{whole[end - base :]}"


_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


# An escape right before a token ends with a letter or digit that is not the token's: JSON's
# "\n", "\t" and "\u003d", a URL's "%20" and "%3D" (encoded twice: "%253D"; the "25" taken as
# any two digits, so that no verdict depends on digits' values). One list, written three ways:
# as the end of a text (`_ESCAPE_BEFORE`), as a look-behind (`_TOKEN_START`) and as RE2 over
# case-folded text for the prefilter's shapes (`_EDGE`), so that they never disagree.
_ESCAPES = (r"\\[bfnrt]", r"\\u[0-9A-Fa-f]{4}", r"%[0-9A-Fa-f]{2}", r"%[0-9]{2}[0-9A-Fa-f]{2}")
_ESCAPE_BEFORE = re.compile(f"(?:{'|'.join(_ESCAPES)})\\Z")
_AFTER_ESCAPE = "|".join(f"(?<={escape})" for escape in _ESCAPES)
"""Right after an escape, as look-behinds: a rule with an edge of its own adds these to it."""
_TOKEN_START = f"(?:(?<![A-Za-z0-9_-])|{_AFTER_ESCAPE})"
"""Where a token may start, as a look-behind: not inside a word, or right after an escape."""
_ESCAPE_SHAPE = "|".join(escape.replace("A-Fa-f", "a-f") for escape in _ESCAPES)
"""The escapes in RE2's syntax over case-folded text, for the prefilter's shapes."""
_EDGE = f"(?:\\b|{_ESCAPE_SHAPE})"
"""`_TOKEN_START` for RE2 over case-folded text (no look-behind: it matches the escape)."""
_ESCAPE_REACH = 6
"""The longest escape `_ESCAPE_BEFORE` finds: ``\\u003d``."""


def _after_escape(text: str, start: int) -> bool:
    """Whether an escape ends at `start`, so a token may begin there."""
    return _ESCAPE_BEFORE.search(text, max(0, start - _ESCAPE_REACH), start) is not None


def _inside_word(match: re.Match[str]) -> bool:
    """Whether the match starts in the middle of a token (so it is only part of one)."""
    start = match.start()
    return (
        start > 0
        and match.string[start - 1] in _TOKEN_CHARS
        and not _after_escape(match.string, start)
    )


def _whole(kind: str) -> _Replacer:
    """A replacer for rules whose entire match is the secret."""

    def replace(match: re.Match[str]) -> tuple[str, str] | None:
        return kind, _placeholder(kind)

    return replace
