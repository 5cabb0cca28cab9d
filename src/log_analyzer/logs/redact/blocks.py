r"""Values on the lines after their key: YAML's block scalars, and a value on the next line.

``password: |`` or ``password: >-`` and the value on the following lines, indented deeper than
the key; ``password:`` alone and its value on the next line; a plural key's list items
(``api_keys:`` then ``  - ...`` lines). A log entry holds several lines
when the continuation logic joined them, or JSON-escaped ones (``\n``).
"""

from __future__ import annotations

import re

from log_analyzer.logs.redact.key_names import (
    _SECRET_KEY_WORDS,
    _SHORT_KEYWORDS,
    _keyword_alternation,
    _kv_kind,
)
from log_analyzer.logs.redact.key_value_syntax import _KEY_SUFFIX
from log_analyzer.logs.redact.rule import _placeholder, _swap
from log_analyzer.logs.redact.values import _is_not_secret

# The key starts its line (after a real or an escaped newline or a JSON string's quote, maybe as
# a list's item); its value's lines repeat the key's indentation and go deeper, so the block
# ends at the next key of the same level; a list may also put its items ("- x") at the key's
# own indentation, when its first line is one. An escaped line ends at an unescaped quote too (the
# end of the JSON string that holds it).
_ESCAPED_LINE = r"(?:[^\\\r\n\"]|\\[^rn])*"
_NEXT_LINE_VALUE = re.compile(
    r"(?:^|(?<=\n)|(?<=\\n)|(?<=\"))(?P<indent>[ \t]*)(?:-[ \t]+)?(?P<name>[\w.-]{0,64}?)"
    rf"(?P<kw>{_keyword_alternation(_SECRET_KEY_WORDS)}){_KEY_SUFFIX}(?![A-Za-z0-9_.-])"
    r"[ \t]*:[ \t]*(?P<style>[|>][-+0-9]{0,2})?[ \t]*"
    r"(?:\r?\n(?P<body>(?P=indent)(?:[ \t]|(?P<item>-[ \t]))[^\r\n]*"
    r"(?:\r?\n(?P=indent)(?(item)(?:[ \t]|-[ \t])|[ \t])[^\r\n]*)*)"
    rf"|(?:\\r)?\\n(?P<escaped>(?P=indent)(?:[ \t]|(?P<escaped_item>-[ \t])){_ESCAPED_LINE}"
    rf"(?:(?:\\r)?\\n(?P=indent)(?(escaped_item)(?:[ \t]|-[ \t])|[ \t]){_ESCAPED_LINE})*))"
)
# Cheap to find before the pattern runs (RE2, case-folded): a colon, maybe a block indicator,
# and the end of the line, real or escaped (kept short: every text meets the hints first; not
# any backslash after a colon, which every escaped JSON string holds: \"key\":\"value\").
_NEXT_LINE_SHAPE = r":[ \t|>+0-9-]*(?:[\r\n]|\\[rn])"
# A plain value's first line that is a key, a list item or a comment: the key holds a mapping
# (password:\n  min_length: 12), not a value.
_NOT_A_SCALAR = re.compile(r"[ \t]*(?:[\w.\"'-]+[ \t]*:(?:[ \t]|$)|-[ \t]|#|$)")
_LINE_BREAK = re.compile(r"\r?\n|(?:\\r)?\\n")
# A list item's scalar on its own line (real or escaped), maybe quoted: "  - value"; not a
# mapping ("- a: b").
_BLOCK_LIST_ITEM = re.compile(
    r"(?:^|(?<=\n)|(?<=\\n))[ \t]*-[ \t]+(?P<q>\\?[\"']?)"
    r"(?P<item>(?![\w.\"'-]+[ \t]*:(?:[ \t]|\\|$))[^\s\\\"'][^\r\n\\\"']*?)(?P=q)"
    r"(?=[ \t]*(?:\r?\n|\\[rn]|$))"
)


def _next_line_value(match: re.Match[str]) -> tuple[str, str] | None:
    keyword, name = match.group("kw"), match.group("name")
    inside = name and name[-1].isalpha() and name[-1].isupper() == keyword[0].isupper()
    if inside and keyword.lower() in _SHORT_KEYWORDS:
        return None  # the tail of a longer word: bypass, monkey
    group = "body" if match.group("body") is not None else "escaped"
    body = match.group(group)
    if match.group("style") is None and match.group("suffix") == "s":
        return _list_items(match, group, _kv_kind(keyword, name))
    if match.group("style") is None and _NOT_A_SCALAR.match(body):
        return None
    content = " ".join(line.strip() for line in _LINE_BREAK.split(body))
    if _is_not_secret(content):
        return None
    kind = _kv_kind(keyword, name)
    whole, base = match.group(0), match.start()
    start = match.start(group) + len(body) - len(body.lstrip(" \t"))
    return kind, f"{whole[: start - base]}{_placeholder(kind)}{whole[match.end(group) - base :]}"


def _list_items(match: re.Match[str], group: str, kind: str) -> tuple[str, str] | None:
    """Each item of a plural key's list (``tokens:`` then ``- ...`` lines), hidden in place."""
    found = 0

    def item(part: re.Match[str]) -> str:
        nonlocal found
        if _is_not_secret(part.group("item")):
            return part.group(0)
        found += 1
        return _swap(part, "item", kind)[1]

    content = _BLOCK_LIST_ITEM.sub(item, match.group(group))
    if not found:
        return None
    whole, base = match.group(0), match.start()
    start, end = match.span(group)
    return kind, f"{whole[: start - base]}{content}{whole[end - base :]}"
