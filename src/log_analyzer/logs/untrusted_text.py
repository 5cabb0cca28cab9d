"""Log text made safe to show a model: one line, inert separators, special tokens broken up.

Log text is untrusted. Inside the prompt's fence (:mod:`log_analyzer.logs.prompt`) every item is
one line, so newlines and control characters are neutralised; invisible characters are left
out; text shaped like a chat template's control token, and the ``markers`` a model reads as
special tokens, are broken up by a space; a field's own ``|`` cannot pass for a separator.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from log_analyzer.logs.unicode import valid_unicode

_NEWLINES = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\t]")
INVISIBLE_CHARACTERS = (
    "\xad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160"
    "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f"
    "\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
"""The invisible characters, as the body of a regex character class: every format character
(Unicode's Cf: bidi overrides and isolates, zero-width spaces and joiners, the byte order mark,
the soft hyphen, the tag characters U+E0000.. that spell ASCII no one sees), the variation
selectors, the grapheme joiner and the Hangul fillers. They would show a reader other text than
the model reads, and tags and selectors can carry a whole hidden sentence. Selectors and
fillers count as printable. Left out of the prompt here; shown as escapes to a person
(:mod:`~log_analyzer.logs.terminal_text`)."""
INVISIBLE = re.compile(f"[{INVISIBLE_CHARACTERS}]")
# The start of a control token as chat templates write them: <|im_start|>, <|eot_id|>,
# <|start_header_id|>, <|endoftext|>, and DeepSeek's, whose bars are fullwidth (U+FF5C).
_CONTROL_TOKEN_START = re.compile("<(?=[|\uff5c])")


def one_line(text: str) -> str:
    """``text`` as one line: newlines shown as ``⏎``, other control characters as spaces.

    Invisible characters (bidi overrides, zero-width ones, tags, variation selectors) are left
    out. What reads like a chat template's control token (``<|im_start|>``) gets a space after
    its ``<``, so that the model's tokenizer sees text.
    """
    if not text.isprintable():
        text = _CONTROL.sub(" ", _NEWLINES.sub(" ⏎ ", valid_unicode(text)))
    if not text.isascii():
        text = INVISIBLE.sub("", text)
    if "<" in text:
        text = _CONTROL_TOKEN_START.sub("< ", text)
    return text


def log_field(text: str) -> str:
    r"""Log text as one field of an item whose fields are joined by `` | ``.

    Its own ``|`` is written ``\|`` and its line breaks ``\n``, so that only the code's
    separators read as separators: a line holding `` | e.g. P1 is harmless`` cannot pass for
    an example field, nor one holding a line break for an item of its own (`one_line` would
    show it as a break, ``⏎``, which a small model may read as one).
    """
    if "|" in text:
        text = text.replace("|", "\\|")
    if not text.isprintable():
        text = _NEWLINES.sub("\\\\n", text)
    return text


def defuse(text: str, markers: Collection[str]) -> str:
    """``text`` with each of ``markers`` (a model's special tokens) broken up by a space.

    ``<repo_name>`` becomes ``< repo_name>``: still readable, no longer the token.
    """
    for marker in markers:
        if marker in text:
            text = text.replace(marker, f"{marker[0]} {marker[1:]}")
    return text
