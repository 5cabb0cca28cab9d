r"""An RE2 regex as a Lucene regular expression, where both mean the same, for ``regexp`` queries.

The pod filter is an RE2 regex over the whole pod name (Loki anchors it fully). Lucene's
regexes are anchored too, so a ``regexp`` query on the pod's keyword field is the closest
server-side form, but their syntax differs: Lucene has no ``\d`` in older versions, no
``(?:``, no anchors, treats ``@ & ~ < > #`` as operators, and its ``.`` matches a newline.

`to_lucene` accepts a deliberately small part of RE2 (literals, ``.``, classes with ranges,
``\d \w \s`` and their negations, groups, alternation, greedy or lazy quantifiers, a leading
``(?i)``, a leading ``^`` and a trailing ``$``) and writes it with every other character
escaped. Anything else (``\b``, POSIX classes, Unicode classes, ``{,n}``) is refused with
`Untranslatable`, and the service applies the RE2 regex itself instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CATEGORIES = {
    "d": ("0-9", False),
    "D": ("0-9", True),
    "w": ("0-9A-Za-z_", False),
    "W": ("0-9A-Za-z_", True),
    "s": ("\t\n\f\r ", False),
    "S": ("\t\n\f\r ", True),
}
"""RE2's Perl classes are ASCII only; written out, so every Lucene version reads them."""
_CONTROL = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v"}
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_COUNT = re.compile(r"[0-9]{1,4}")
"""A repetition count RE2 accepts (at most 1,000): ASCII digits, so int() takes it."""


class Untranslatable(ValueError):
    """The regex uses RE2 syntax this translation does not carry over to Lucene."""


@dataclass(frozen=True, slots=True)
class LuceneRegex:
    """A Lucene regular expression and whether it ignores case."""

    value: str
    case_insensitive: bool = False


def to_lucene(pattern: str) -> LuceneRegex:
    """The Lucene form of an RE2 ``pattern`` matched against whole values."""
    insensitive = pattern.startswith("(?i)")
    body = pattern[4:] if insensitive else pattern
    if body.startswith("^"):
        body = body[1:]
    if body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    parser = _Parser(body, insensitive)
    value = parser.alternation()
    if parser.pos != len(body):
        raise Untranslatable(f"unexpected {body[parser.pos]!r} at {parser.pos}")
    return LuceneRegex(value, insensitive)


def _literal(char: str) -> str:
    # Lucene reads a backslash before any character as that character.
    return char if char in _PLAIN else "\\" + char


class _Parser:
    def __init__(self, text: str, insensitive: bool) -> None:
        self.text = text
        self.pos = 0
        # Lucene folds the case of single characters, not of ranges; keep to what it folds.
        self.insensitive = insensitive

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def take(self) -> str:
        char = self.peek()
        if not char:
            raise Untranslatable("the regex ends too early")
        self.pos += 1
        return char

    def alternation(self) -> str:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.sequence())
        return "|".join(branches)

    def sequence(self) -> str:
        parts: list[str] = []
        while self.peek() not in ("", "|", ")"):
            parts.append(self.atom() + self.quantifier())
        if not parts:
            raise Untranslatable("an empty branch")
        return "".join(parts)

    def atom(self) -> str:
        char = self.take()
        if char == "(":
            if self.text.startswith("?:", self.pos):
                self.pos += 2
            elif self.peek() == "?":
                raise Untranslatable("group flags or names")
            inner = self.alternation()
            if self.take() != ")":
                raise Untranslatable("an unclosed group")
            return f"({inner})"
        if char == ".":
            return "[^\n]"  # RE2's dot stops at a newline; Lucene's does not
        if char == "[":
            if self.insensitive:
                raise Untranslatable("a class with (?i)")
            return self.char_class()
        if char == "\\":
            return self.escape()
        if char in "*+?{^$)":
            raise Untranslatable(f"{char!r} where a character was expected")
        if self.insensitive and not char.isascii():
            raise Untranslatable("a non-ASCII character with (?i)")
        return _literal(char)

    def escape(self) -> str:
        char = self.take()
        if char in _CATEGORIES:
            if self.insensitive:
                raise Untranslatable("a class escape with (?i)")
            ranges, negated = _CATEGORIES[char]
            return "[" + ("^" if negated else "") + _ranges(ranges) + "]"
        if char in _CONTROL:
            return _literal(_CONTROL[char])
        if char.isascii() and not char.isalnum():
            return _literal(char)
        raise Untranslatable(f"the escape \\{char}")

    def char_class(self) -> str:
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        if self.peek() == "]" or self.text.startswith("[:", self.pos):
            raise Untranslatable("a class starting with ']' or a POSIX class")
        items: list[str] = []
        while self.peek() != "]":
            if self.text.startswith("[:", self.pos):
                raise Untranslatable("a POSIX class")
            start = self.class_char()
            if start is None:
                items.append(self.category_in_class())
                continue
            if self.peek() == "-" and self.text[self.pos + 1 : self.pos + 2] not in ("]", ""):
                self.pos += 1
                end = self.class_char()
                if end is None or end < start:
                    raise Untranslatable("a range that does not end in a character after it")
                items.append(f"{_literal(start)}-{_literal(end)}")
            else:
                items.append(_literal(start))
        self.pos += 1
        return "[" + ("^" if negated else "") + "".join(items) + "]"

    def class_char(self) -> str | None:
        r"""The next character of a class, or None before a class escape such as ``\d``."""
        char = self.take()
        if char != "\\":
            return char
        escaped = self.peek()
        if escaped in _CATEGORIES:
            self.pos -= 1
            return None
        self.pos += 1
        if escaped in _CONTROL:
            return _CONTROL[escaped]
        if escaped.isascii() and not escaped.isalnum() and escaped:
            return escaped
        raise Untranslatable(f"the escape \\{escaped} in a class")

    def category_in_class(self) -> str:
        self.pos += 1  # the backslash
        ranges, negated = _CATEGORIES[self.take()]
        if negated:
            raise Untranslatable("a negated class escape inside a class")
        return _ranges(ranges)

    def quantifier(self) -> str:
        char = self.peek()
        if char in ("*", "+", "?"):
            self.pos += 1
            written = char
        elif char == "{":
            written = self.counted()
        else:
            return ""
        if self.peek() == "?":
            self.pos += 1  # lazy or greedy: the same whole-value matches
        if self.peek() in ("*", "+", "?", "{"):
            raise Untranslatable("a repeated quantifier")
        return written

    def counted(self) -> str:
        end = self.text.find("}", self.pos)
        inside = self.text[self.pos + 1 : end] if end > 0 else ""
        low, comma, high = inside.partition(",")
        if (
            not _COUNT.fullmatch(low)
            or (high and not _COUNT.fullmatch(high))
            or (high and int(high) < int(low))
        ):
            raise Untranslatable("a counted repetition other than {n}, {n,} or {n,m}")
        self.pos = end + 1
        return "{" + low + comma + high + "}"


def _ranges(ranges: str) -> str:
    """Class items of a Perl class spelled out, each character escaped."""
    out: list[str] = []
    i = 0
    while i < len(ranges):
        if i + 2 < len(ranges) and ranges[i + 1] == "-":
            out.append(f"{_literal(ranges[i])}-{_literal(ranges[i + 2])}")
            i += 3
        else:
            out.append(_literal(ranges[i]))
            i += 1
    return "".join(out)
