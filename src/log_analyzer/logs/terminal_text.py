r"""Untrusted text made safe to show a person: on a terminal, or as JSON someone may read raw.

Anyone who can make a pod log a line writes text that reaches the user: in the summary's
patterns and examples, in a pod's name, in the model's answer that repeats them. On a terminal
(the CLI, ``curl -N`` of the text format) a control character acts: ``ESC [2J`` clears the
screen, an OSC writes the clipboard (52) or the window title, or hides a link (8); C1's U+009B
is a one-byte CSI; a carriage return or a backspace overwrites what came before. The
bidirectional overrides reorder what is shown (Trojan Source), and the invisible characters
(zero-width ones, tags) hide text a reader never sees.

`inert_text` writes each of them as an escape that names it (``\x1b[2J``, ``\u202e``,
``\U000e0041``): nothing drives the terminal, and the reader sees that something was there and
what. Only newlines and tabs stay as they are, and the two invisible characters an emoji is
written with (`_part_of_an_emoji`): one presentation selector after a symbol (``⚠️``), a
zero-width joiner between two symbols (``👩‍💻``); a run of selectors (which can spell a hidden
text) is escaped. `inert_json` keeps JSON faithful: the same
characters as ``\u`` escapes, which a JSON reader reads back as they were.
"""

from __future__ import annotations

import re
import unicodedata

from log_analyzer.logs.unicode import valid_unicode
from log_analyzer.logs.untrusted_text import INVISIBLE_CHARACTERS

_ACTS_ON_A_TERMINAL = re.compile(
    f"\r\n|[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{INVISIBLE_CHARACTERS}]"
)
"""C0 controls but newline and tab, DEL, C1 controls, the line and paragraph separators (no
terminal breaks a line on them, a reader of the text may) and the invisible characters."""

_LEFT_RAW_BY_JSON = re.compile(f"[\x7f-\x9f\u2028\u2029{INVISIBLE_CHARACTERS}]")
"""What `json.dumps` with ``ensure_ascii=False`` writes as it is, of the characters above."""


def inert_text(text: str) -> str:
    r"""``text`` safe to print on a terminal: every control or invisible character escaped.

    ``ESC`` is written ``\x1b``, U+202E ``\u202e``, a tag character ``\U000e0041``; a CRLF
    becomes a newline; newlines and tabs stay. Lone surrogates (no UTF-8 encoder takes one)
    become U+FFFD, as in every format.
    """
    if text.isascii() and text.isprintable():
        return text
    return _ACTS_ON_A_TERMINAL.sub(_named, valid_unicode(text))


def _named(match: re.Match[str]) -> str:
    character = match.group()
    if character == "\r\n":
        return "\n"
    if character in _EMOJI_JOINERS and _part_of_an_emoji(match.string, match.start()):
        return character
    code = ord(character)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


_PRESENTATION_SELECTORS = "\ufe0e\ufe0f"
"""Text and emoji presentation: ``⚠︎`` and ``⚠️`` are one symbol drawn two ways."""
_ZERO_WIDTH_JOINER = "\u200d"
_EMOJI_JOINERS = _PRESENTATION_SELECTORS + _ZERO_WIDTH_JOINER
_KEYCAP = "\u20e3"


def _part_of_an_emoji(text: str, at: int) -> bool:
    """Whether the selector or joiner at ``text[at]`` is part of how an emoji is written.

    A selector: alone, after a symbol, or after a keycap's digit, ``#`` or ``*`` when the
    keycap follows (``1️⃣``). A joiner: between two symbols, the first one maybe selected
    (``🏳️‍🌈``). Anything else (a selector after a letter, two in a row) is escaped.
    """
    before = text[at - 1] if at > 0 else ""
    after = text[at + 1] if at + 1 < len(text) else ""
    if text[at] in _PRESENTATION_SELECTORS:
        if after in _PRESENTATION_SELECTORS:
            return False
        return _symbol(before) or (before in "0123456789#*" and before != "" and after == _KEYCAP)
    if before in _PRESENTATION_SELECTORS and at > 1:
        before = text[at - 2]
    return _symbol(before) and _symbol(after)


def _symbol(character: str) -> bool:
    return character != "" and unicodedata.category(character) == "So"


def inert_json(text: str) -> str:
    r"""JSON text with what a reader of it could trip on written as ``\u`` escapes.

    JSON escapes C0 controls but not DEL, the C1 controls (U+009B is a one-byte CSI to a
    terminal that shows ``curl -N`` output), the line breaks some readers split on besides a
    newline (U+0085, U+2028, U+2029: Python's ``str.splitlines``, JavaScript before ES2019),
    the bidirectional overrides nor the other invisible characters; escaped, they read back the
    same, and one event stays one line. Lone surrogates become U+FFFD.
    """
    if text.isascii():
        return text.replace("\x7f", "\\u007f") if "\x7f" in text else text
    return _LEFT_RAW_BY_JSON.sub(_json_escaped, valid_unicode(text))


def _json_escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the BMP, JSON writes a character as its UTF-16 surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
