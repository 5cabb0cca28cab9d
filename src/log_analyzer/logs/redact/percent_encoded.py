"""Secret-named pairs inside percent-encoded URLs and forms, their escapes read by decoding.

``token%3Dabc``, ``password%253Dx`` (encoded twice), ``%22apiKey%22%3A%22x%22`` (JSON)
(`_encoded_pair`); a key whose letters are escaped, ``pass%77ord=x``, ``access%5Ftoken=x``
(`_encoded_key`).
"""

from __future__ import annotations

import re

from log_analyzer.logs.redact.key_names import (
    _SECRET_KEY_WORDS,
    _key_prefix,
    _keyword_alternation,
    _kv_kind,
    _secret_name,
)
from log_analyzer.logs.redact.rule import _placeholder, _Rule, _swap
from log_analyzer.logs.redact.values import _is_not_secret

# A secret-named pair inside a percent-encoded URL or form (a redirect's encoded query, a
# logged form body): token%3Dabc, password%253Dx (encoded twice), %22apiKey%22%3A%22x%22 (JSON).
# The separator is read by decoding it, so the verdict depends on the escapes' digits:
# `same_for_all_digits` says no for a text this pattern finds.
# An escape, or one encoded twice (%253D): the pattern takes any two digits for the "25" (so
# that it does not look at digits' values); the replacer reads the escapes (`_escape_at`).
_ESCAPE = r"%(?:[0-9]{2})?[0-9A-Fa-f]{2}"
_ENCODED_PAIR = re.compile(
    "(?P<kw>"
    + _keyword_alternation(_SECRET_KEY_WORDS)
    + rf")(?![A-Za-z0-9_.-])(?P<rest>(?:{_ESCAPE})+(?:[A-Za-z0-9._~!*()+-]|{_ESCAPE})*)"
)
_ENCODED_PAIR_SHAPE = (
    r"(?:pass(?:w(?:or)?d|phrase)?|pwd|secret|token|key(?:[_-]?base)?|sessid|session[_-]?id"
    r"|response)"
    r"%[0-9a-f]{2}"
)
"""Where `_ENCODED_PAIR` may match (RE2, case-folded text): a key word, then an escape."""
_HEX_PAIR = re.compile(r"[0-9A-Fa-f]{2}")
_ENCODED_SEPARATOR = re.compile(r"[\"']?[ \t]*[=:][ \t]*[\"']?")
_ENCODED_SEPARATOR_START = re.compile(r"[\"']?[ \t]*(?:[=:][ \t]*[\"']?)?")
_ENCODED_VALUE_END = frozenset("&\"',; \t<>")


def _escape_at(text: str, at: int) -> tuple[str, int] | None:
    """The character an escape at ``at`` stands for, and where the escape ends.

    ``%3D`` and ``%253D`` (encoded twice) both stand for ``=``; None if no escape starts there.
    """
    if text.startswith("%25", at) and _HEX_PAIR.fullmatch(text, at + 3, at + 5):
        return chr(int(text[at + 3 : at + 5], 16)), at + 5
    if text.startswith("%", at) and _HEX_PAIR.fullmatch(text, at + 1, at + 3):
        return chr(int(text[at + 1 : at + 3], 16)), at + 3
    return None


def _unescaped(text: str) -> str:
    """``text`` with its escapes (once or twice encoded) decoded."""
    out, at = [], 0
    while at < len(text):
        escape = _escape_at(text, at)
        if escape is None:
            out.append(text[at])
            at += 1
        else:
            out.append(escape[0])
            at = escape[1]
    return "".join(out)


def _encoded_pair(match: re.Match[str]) -> tuple[str, str] | None:
    rest, base = match.group("rest"), match.start("rest")
    # The separator: the longest run of escapes that decodes to one ("=", ":", '":"').
    separator, end = "", 0
    while (escape := _escape_at(rest, end)) is not None:
        longer = separator + escape[0]
        if _ENCODED_SEPARATOR_START.fullmatch(longer) is None:
            break
        separator, end = longer, escape[1]
    if _ENCODED_SEPARATOR.fullmatch(separator) is None:
        return None  # password%20reset: an encoded space, prose
    # The value runs to the first escaped character that ends one (an encoded "&" or quote).
    value_end = end
    while value_end < len(rest):
        escape = _escape_at(rest, value_end)
        if escape is None:
            value_end += 1
        elif escape[0] in _ENCODED_VALUE_END:
            break
        else:
            value_end = escape[1]
    value = rest[end:value_end]
    if not value or _is_not_secret(_unescaped(value)):
        return None
    kind = _kv_kind(match.group("kw"), _key_prefix(match))
    whole = match.group(0)
    cut = base - match.start()
    return kind, f"{whole[: cut + end]}{_placeholder(kind)}{whole[cut + value_end :]}"


# A key with escaped characters of its own, then "=" and its value (a form body or a query that a
# client or a scanner encoded unevenly): pass%77ord=x, p%61ssword=x, access%5Ftoken=x. The key
# is judged decoded, so the verdict depends on the escapes' digits, as `_ENCODED_PAIR`'s does.
_KEY_PART = r"[A-Za-z0-9_.-]{0,64}"
_ENCODED_KEY = re.compile(
    rf"(?<![A-Za-z0-9_.%-])(?P<key>{_KEY_PART}(?:%[0-9][0-9A-Fa-f]{_KEY_PART}){{1,8}})="
    r"(?P<value>[^\s&;\"'<>#]{1,512})"
)
_ENCODED_KEY_SHAPE = r"%[0-9][0-9a-f][a-z0-9_.%-]*="
"""Where `_ENCODED_KEY` may match (RE2, case-folded text): an escape in a key, before its "=".

Unbounded, it takes every hex character of an id it runs over."""
_DECODED_KEY = re.compile(r"[A-Za-z0-9_.-]+")


def _encoded_key(match: re.Match[str]) -> tuple[str, str] | None:
    key = _unescaped(match.group("key"))
    if _DECODED_KEY.fullmatch(key) is None:
        return None  # an escape that is no key's character: a path's %2F, a space
    named = _secret_name(key)
    if named is None or _is_not_secret(_unescaped(match.group("value"))):
        return None
    return _swap(match, "value", _kv_kind(*named))


_ENCODED_KEY_RULE = _Rule(_ENCODED_KEY, (), _encoded_key, (_ENCODED_KEY_SHAPE,))
