"""Mask the variable parts of a log message with typed placeholders.

Masking runs before template mining, so that two lines that differ only in ids, addresses,
numbers or times look alike. The placeholders, in the order the rules are tried:

=============  ==============================================================================
``<URL>``      ``http://`` / ``https://`` URLs, whole (not a closer or stop after one)
``<EMAIL>``    e-mail addresses
``<TS>``       ISO-8601 date-times, dates, ctime/syslog stamps, clock times (``12:04:55``)
``<UUID>``     RFC 4122 UUIDs
``<IP:PORT>``  IPv4 (or bracketed IPv6) address with a port
``<IP>``       IPv4 and IPv6 addresses
``<HOST:PORT>`` a dotted host name (or ``localhost``) with a port
``<HEX>``      ``0x``-prefixed hex, and bare hex runs of 8+ characters mixing digits and letters
``<SIZE>``     ``10KB``, ``1.5 MiB``, ``2717 bytes``; ``2717 bytes (2.65 KB)`` is one size
``<DURATION>`` ``12ms``, ``1.5s``, ``30 seconds``, ``<1 sec``, ``1h30m``
``<QUOTED>``   a quoted value with no spaces that is not a plain word (``'/tmp/x'``, ``"a-1"``)
``<ID>``       the value of ``key=value`` when it holds a digit and no rule above matched
``<NUM>``      integers and decimals standing alone (also inside paths: ``/users/<NUM>/x``)
=============  ==============================================================================

Plain words, quoted plain words (``"info"``) and multi-word quoted text are kept: they are
usually the event itself, and the miner generalises them when they vary. JSON object members
are spaced out (``{"a": 1, "b": 2}``) so that each member is its own token.

Multi-line messages (stack traces) are one message:
:func:`~log_analyzer.logs.event_lines.event_text` keeps the first line and the exception lines
(``Caused by: ...``, ``ValueError: ...``) and drops frames, so the template does not depend on
the depth of the stack. Texts that mask alike share a cache key:
:func:`~log_analyzer.logs.id_skeleton.skeleton` (re-exported here), and the coarser
:func:`~log_analyzer.logs.id_skeleton.id_skeleton`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from log_analyzer.core.runtime import task_cache
from log_analyzer.logs.id_skeleton import coarsen, skeleton

__all__ = [
    "PLACEHOLDERS",
    "digit_shape",
    "mask_message",
    "mask_token",
    "skeleton",
]

PLACEHOLDERS = frozenset(
    (
        "<URL>",
        "<EMAIL>",
        "<TS>",
        "<UUID>",
        "<IP:PORT>",
        "<IP>",
        "<HOST:PORT>",
        "<HEX>",
        "<SIZE>",
        "<DURATION>",
        "<QUOTED>",
        "<ID>",
        "<NUM>",
    )
)
"""Every placeholder :func:`mask_message` can write."""

# A value ends where the next character cannot continue a word, nor a dot followed by one.
_END = r"(?![\w.]*\w)"
_NOT_AFTER = r"(?<![\w.])"

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*"
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?"
_TS = re.compile(
    "|".join(
        (
            # ISO-8601 date, optionally with a time and zone.
            r"\b\d{4}-\d{2}-\d{2}"
            r"(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?\b",
            r"\b\d{4}/\d{2}/\d{2}\b",
            # ctime / syslog: "Sat Jul  9 11:35:59 2005", "Jul 9 11:35:59".
            rf"\b(?:{_DAY},? +)?{_MONTH} +\d{{1,2}},?(?: +\d{{4}})? +{_CLOCK}(?: +\d{{4}})?\b",
            rf"(?<![\w:.]){_CLOCK}(?![\w:])",
        )
    )
)
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\b")
_IPV6 = (
    r"(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}"
    r"|(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,5})?"
    r"|::(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,6})?"
)
_IPV4 = r"\d{1,3}(?:\.\d{1,3}){3}"
_IP_PORT = re.compile(rf"{_NOT_AFTER}(?:{_IPV4}|\[(?:{_IPV6})\]):\d{{1,5}}{_END}")
_IP = re.compile(rf"{_NOT_AFTER}{_IPV4}{_END}|(?<![\w:.])(?:{_IPV6})(?![\w:])")
_HOST_PORT = re.compile(
    r"(?<![\w.-])(?:localhost|(?:[A-Za-z0-9-]+\.)+[A-Za-z][A-Za-z0-9-]*):\d{1,5}" + _END
)
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s\"'<>]+")
# What a URL in prose is followed by, not made of: ``(dsn=postgres://h/db)``, ``see http://h/x.``
_URL_TRAILER = ".,;:!?"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_EMAIL = re.compile(r"\b[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\b")
_HEX = re.compile(
    r"\b0[xX][0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]{0,63}[a-fA-F])(?=[0-9a-fA-F]{0,63}\d)[0-9a-fA-F]{8,}\b"
)
_SIZE = re.compile(
    rf"{_NOT_AFTER}\d+(?:\.\d+)?(?: ?(?:[KMGTPE]i?B|bytes?)|B)\b"
    r"(?: \(\d+(?:\.\d+)? ?(?:[KMGTPE]i?B|bytes?|B)\))?"
)
_DURATION = re.compile(
    rf"(?:[<>~]|{_NOT_AFTER})(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d))+\b"
    rf"|(?:[<>~]|{_NOT_AFTER})\d+(?:\.\d+)? ?(?:sec(?:ond)?s?|min(?:ute)?s?|hours?|hrs?|days?)\b"
)
# A quoted run without spaces that is not a plain word (it holds a digit, a dot, a slash...).
_QUOTED = re.compile(
    r"(?<!\w)(?:\"(?=[^\"\s]*[^\"\sA-Za-z])[^\"\s]*\""
    r"|'(?=[^'\s]*[^'\sA-Za-z])[^'\s]*')"
)
_EMPTY_QUOTED = re.compile(r"(?<!\w)(?:\"\"|'')(?!\w)")
# The look-ahead for a digit stops at the next "=": over "a=a=a=...=1" it would otherwise scan to
# the end from every "=" (quadratic; 58 ms for one 4,000-character token).
_KV_ID = re.compile(r"(?<=[A-Za-z_]=)(?=[^\s,;&\"'<=]*\d)[^\s,;&\"'<>()\[\]{}]+")
_NUM = re.compile(rf"(?<![\w.<>-])[-+]?\d+(?:\.\d+)?{_END}")
# "parity error.......0": a value after dot leaders.
_LEADER = re.compile(r"(?<=\.\.)[-+]?\d+(?:\.\d+)?$")
_JSON_MEMBER = re.compile(r"(?<=[\"\d\]}el]),(?=\")|(?<=\"):(?=[\"\d\[{tfn-])")
_DIGIT = re.compile(r"\d")

# Rules tried, in order, on a whitespace-delimited token that holds a digit.
_TOKEN_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_TS, "<TS>"),
    (_UUID, "<UUID>"),
    (_IP_PORT, "<IP:PORT>"),
    (_IP, "<IP>"),
    (_HOST_PORT, "<HOST:PORT>"),
    (_HEX, "<HEX>"),
    (_SIZE, "<SIZE>"),
    (_DURATION, "<DURATION>"),
    (_NUM, "<NUM>"),
    (_LEADER, "<NUM>"),
    (_KV_ID, "<ID>"),
)
# The shapes most tokens have, recognised in one step: a number or an IPv4 address inside
# punctuation, and a word with a numeric suffix (``blk_42``, ``node-7``), which stays as is.
_SIMPLE = re.compile(
    r"(?P<pre>[(\[{/'\"=#<>~]*)"
    r"(?:(?P<num>[-+]?\d+(?:\.\d+)?)|(?P<ipport>\d{1,3}(?:\.\d{1,3}){3}:\d{1,5})"
    r"|(?P<ip>\d{1,3}(?:\.\d{1,3}){3})|(?P<word>[A-Za-z][A-Za-z_]*?)(?P<sep>[-_.]?)(?P<id>-?\d+))"
    r"(?P<post>[)\]}.,;:'\"!?]*)"
)
_HEX_LETTERS = re.compile(r"[a-fA-F]+")
_SIMPLE_PLACEHOLDER = {"num": "<NUM>", "ipport": "<IP:PORT>", "ip": "<IP>"}
# A whole whitespace-free token that holds a digit. It only starts where a token does: written
# as plain \S*\d\S*, every position inside a token without a digit would be tried and each
# would scan to the token's end, which took a third of mask_message on 250-character lines.
_DIGIT_TOKEN = re.compile(r"(?<!\S)[^\s\d]*\d\S*")
# Multi-token values, recognised after the tokens were masked.
_UNIT = re.compile(
    r"(?:[<>~])?<NUM> ?(?:(?P<size>bytes?|[KMGTPE]i?B)|(?P<dur>sec(?:ond)?s?|min(?:ute)?s?"
    r"|hours?|hrs?|days?))(?![\w<])"
)
_CTIME = re.compile(rf"\b(?:{_DAY},? +)?{_MONTH} +<NUM>,?(?: +<NUM>)? +<TS>(?: +<NUM>)?")


@lru_cache(maxsize=65_536)
def _mask_token(token: str) -> str:
    simple = _SIMPLE.fullmatch(token)
    if simple is not None:
        kind = "word"
        for kind in ("num", "ipport", "ip", "word"):
            if simple.group(kind) is not None:
                break
        if kind == "word":
            word, number = simple.group("word"), simple.group("id")
            separated = simple.group("sep")
            if not separated and len(word) + len(number) >= 8 and _HEX_LETTERS.fullmatch(word):
                return _by_rules(token)  # an id in hex that opens with letters: fdbd9461
            if not separated and len(number) == 1:
                return token  # a code word: ssh2, eth0, SOCKS5
            return "".join(
                (
                    simple.group("pre"),
                    simple.group("word"),
                    simple.group("sep"),
                    "<NUM>",
                    simple.group("post"),
                )
            )
        return simple.group("pre") + _SIMPLE_PLACEHOLDER[kind] + simple.group("post")
    return _by_rules(token)


def _by_rules(token: str) -> str:
    if "/" in token and "://" not in token:
        # Path segments are masked one by one, and each is likely cached already.
        return "/".join(
            mask_token(part) if _DIGIT.search(part) else part for part in token.split("/")
        )
    for pattern, placeholder in _TOKEN_RULES:
        token = pattern.sub(placeholder, token)
    return token


task_cache(_mask_token.cache_clear)


_KEPT = "\x00kept"  # a token skeleton whose tokens masking keeps whole
_PARTLY_KEPT = "\x00partly kept"  # one whose tokens keep some digits: masked token by token
_by_shape: dict[bytes, str] = {}  # by skeleton: bytes translate at C speed, str at Python's
task_cache(_by_shape.clear)
# Tokens holding a hex id, by id_skeleton: ``id=`` and a fresh UUID has a new shape every time.
_by_ids: dict[bytes, str] = {}
task_cache(_by_ids.clear)


def mask_token(token: str) -> str:
    """Mask one whitespace-free token as :func:`mask_message` does, token rules only.

    That is the whole of masking for a token no rule looking beyond it (URL, e-mail, quoted
    value, multi-token sizes, durations and times) touches.

    Token rules read where digits are and how many, never their values (``0x`` aside), and
    only replace parts of a token. So when one token comes out whole, or with no digit left,
    every token of its skeleton does the same: the result is cached per skeleton, which is
    what makes addresses and latencies that never repeat cheap. A token holding a UUID or a
    hex id, replaced whole whatever its characters, is also cached per
    :func:`~log_analyzer.logs.id_skeleton.id_skeleton`, as the miner caches lines.
    """
    if "0x" in token or "0X" in token:
        return _mask_token(token)
    shape = skeleton(token)  # with no "0x" in it, its digits all made "1"
    known = _by_shape.get(shape)
    if known is _KEPT:
        return token
    if known is None:
        ids = coarsen(shape)
        if ids is not shape:
            masked = _by_ids.get(ids)
            if masked is not None:
                return masked
        masked = _mask_token(token)
        if len(_by_shape) >= 65_536:
            _by_shape.clear()
        if masked == token:
            _by_shape[shape] = _KEPT
        elif _DIGIT.search(masked):
            _by_shape[shape] = _PARTLY_KEPT
        else:
            _by_shape[shape] = masked
            if ids is not shape:
                if len(_by_ids) >= 65_536:
                    _by_ids.clear()
                _by_ids[ids] = masked
        return masked
    if known is _PARTLY_KEPT:
        return _mask_token(token)
    return known


def _mask_match(match: re.Match[str]) -> str:
    return mask_token(match.group())


def _unit(match: re.Match[str]) -> str:
    return "<SIZE>" if match.group("size") is not None else "<DURATION>"


def _url_placeholder(match: re.Match[str]) -> str:
    """``<URL>`` for the URL, and the punctuation the sentence put after it kept as it was."""
    url = match.group()
    end = len(url)
    first = {opener: url.find(opener) for opener in _CLOSERS.values()}  # -1: none in the URL
    while end > 1:
        last = url[end - 1]
        opener = _CLOSERS.get(last)
        if last in _URL_TRAILER or (opener is not None and not 0 <= first[opener] < end):
            end -= 1
        else:
            break
    return "<URL>" + url[end:]


def mask_message(message: str) -> str:
    """Replace the variable parts of ``message`` with the placeholders listed in this module.

    The whole text is masked, newlines included; use
    :func:`~log_analyzer.logs.event_lines.event_text` first to mine a stack trace on its event
    lines only.
    """
    text = message
    if text.startswith("{") and '":' in text:
        text = _JSON_MEMBER.sub(_space_after, text)
    if "://" in text:
        text = _URL.sub(_url_placeholder, text)
    if "@" in text:
        text = _EMAIL.sub("<EMAIL>", text)
    if '"' in text or "'" in text:
        text = _QUOTED.sub("<QUOTED>", text)
        if "''" in text or '""' in text:
            text = _EMPTY_QUOTED.sub("<QUOTED>", text)
    if _DIGIT.search(text) is None:
        return text
    text = _DIGIT_TOKEN.sub(_mask_match, text)
    if "<NUM>" in text:
        if "<NUM> " in text or "<NUM>B" in text:
            text = _UNIT.sub(_unit, text)
        if "<TS>" in text:
            text = _CTIME.sub("<TS>", text)
    if "<SIZE> (<SIZE>)" in text:
        text = text.replace("<SIZE> (<SIZE>)", "<SIZE>")
    return text


_SHAPE = bytes.maketrans(b"123456789", b"111111111")


def digit_shape(text: str) -> bytes:
    """``text`` with every ASCII digit but ``0`` turned into ``1`` (UTF-8 encoded): a cache key.

    No rule above looks at the value of a digit, only at where digits are, how many there are
    and whether one is the ``0`` of ``0x``. So when :func:`mask_message` leaves no digit in its
    result, every text with the same shape masks to that same result.
    """
    return text.encode("utf-8", "surrogatepass").translate(_SHAPE)


def _space_after(match: re.Match[str]) -> str:
    return match.group() + " "
