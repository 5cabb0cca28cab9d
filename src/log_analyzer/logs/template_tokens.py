"""Which tokens of a masked message are values, and what a template shows where they are.

A token holding a digit, or a placeholder with only punctuation around it (``node-17``,
``/<IP:PORT>``), is a value; code words (``ssh2``, ``eth0``) are words; a word holding a
placeholder (``uid=<NUM>``) is a word of fixed shape. The miner (:mod:`log_analyzer.logs.patterns`)
routes and joins messages on these kinds.
"""

from __future__ import annotations

import re

WILDCARD = "<*>"
"""What a template shows where its messages disagree."""

_DIGITS = frozenset("0123456789")
_STEM_END = frozenset("0123456789<-+*")
# Protocol, interface and version names (ssh2, eth0, SOCKS5) are words, not values.
_CODE_WORD = re.compile(r"[A-Za-z]{2,}\d")
PLACEHOLDER = re.compile(r"<[A-Z:]+>|<\*>")
"""A typed placeholder masking wrote, or a template's wildcard."""


def is_variable(token: str) -> bool:
    """Whether a token is a value rather than a word.

    Values hold a digit (code words such as ``ssh2`` aside), or are a placeholder with at
    most punctuation around it (``/<IP:PORT>``); ``uid=<NUM>`` is a word with a fixed shape.
    """
    if "<" in token:
        token = PLACEHOLDER.sub("", token)
        if not any(char.isalpha() for char in token):
            return True
    if _DIGITS.isdisjoint(token):
        return False
    return _CODE_WORD.fullmatch(token) is None


def stem(token: str) -> str:
    """The part of a variable token before its first digit or placeholder: its kind."""
    for position, char in enumerate(token):
        if char in _STEM_END:
            return token[:position]
    return token
