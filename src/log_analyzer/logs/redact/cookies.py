"""Bearers of a session: cookies whose values look random, and CAS tickets.

In a Cookie or Set-Cookie header (`_cookies`), a ``*_session=`` cookie outside one
(`_session_cookie`), a random ``session=``, ``sid=`` or ``connect.sid=`` value (`_session_id`),
a CAS ticket after "ticket".
"""

from __future__ import annotations

import re

from log_analyzer.logs.redact.rule import _PLACEHOLDER, _inside_word, _placeholder, _swap
from log_analyzer.logs.redact.values import (
    _ENTROPY_BITS,
    _UUID,
    _entropy,
    _long_hex,
    _word_name,
)

# A Cookie or Set-Cookie header (or a "cookie" field): each cookie whose value looks random is a
# bearer of access (a session, an OAuth proxy's cookie); names, attributes and plain values stay.
_COOKIE_HEADER = re.compile(r"(?i:set-cookie|cookie)\"?[ \t]*[:=][ \t]*\"?(?P<pairs>[^\r\n\"]+)")
# A name starts after a separator only: tried from inside a name, the scan for its "=" would go
# over the same characters again and again (quadratic in a long value without any "=").
_COOKIE_PAIR = re.compile(r"(?<![^\s;,])(?P<name>[^\s=;,]+)=(?P<value>[^\s;,]+)")
_COOKIE_MIN_CHARS = 16


def _cookie_value_is_secret(value: str) -> bool:
    """Whether a cookie's value is a credential: long, random, with letters and digits, or a UUID.

    A UUID as a session's id (Spring Session's, many frameworks') is random enough to be one,
    although its hyphens make it read as short words. Not a flag, a language, a timestamp, an
    analytics counter (digits count as one symbol) or a name made of words
    (``session=user_preferences_cache_v2``, many letters but no random token). Hex session ids
    (sid=13b22d5f...), whose entropy counted so stays low, from 32 digits.
    """
    if _UUID.fullmatch(value):
        return True
    if (
        len(value) < _COOKIE_MIN_CHARS
        or _PLACEHOLDER in value
        or not any(c.isalpha() for c in value)
        or not any(c.isdigit() for c in value)
        or _word_name(value)
    ):
        return False
    return _long_hex(value) or _entropy(value) >= _ENTROPY_BITS


# A session cookie outside its header: "_gitlab_session=...", "laravel_session=..." in an
# access log's query or a proxy's line. A name ending in "_session", a value of at most
# `_SESSION_REACH` characters read possessively, random as a cookie's.
_SESSION_REACH = 4_096
_SESSION_COOKIE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z0-9]*_session=(?P<secret>[A-Za-z0-9%._-]"
    rf"{{{_COOKIE_MIN_CHARS},{_SESSION_REACH}}}+)(?![A-Za-z0-9%._-])"
)


def _session_cookie(match: re.Match[str]) -> tuple[str, str] | None:
    if not _cookie_value_is_secret(match.group("secret")):
        return None
    return _swap(match, "secret", "cookie")


# A session's id under a bare "session" or "sid" key, or Express' "connect.sid", as a query
# parameter, a cookie outside its header, a logfmt or JSON field: only a value random as a
# cookie's, or Express' signed one ("s:" or "s%3A", the id, ".", its signature). Not a count
# (session=3), a name (session=default), Oracle's SID (sid=ORCL) or a Windows SID (S-1-5-21-...,
# whose digits count as one symbol).
_SESSION_ID = re.compile(
    r"(?<![\w.$-])(?P<name>(?i:session|sid|connect[._]sid))\\?[\"']?[ \t]*[:=][ \t]*\\?[\"']?"
    r"(?P<secret>(?:s(?::|%[0-9][Aa]))?[A-Za-z0-9%._+=-][A-Za-z0-9%._/+=-]"
    rf"{{{_COOKIE_MIN_CHARS - 1},{_SESSION_REACH}}}+)(?![A-Za-z0-9%._/+=-])"
)
_SESSION_ID_SHAPE = r"(?:session|sid)\\?[\"']?[ \t]*[:=]"
_SIGNED_SESSION = re.compile(r"s(?::|%[0-9][Aa])[A-Za-z0-9_-]{16,}\.[A-Za-z0-9%/+=_-]{16,}")


def _session_id(match: re.Match[str]) -> tuple[str, str] | None:
    value = match.group("secret")
    if not (_SIGNED_SESSION.fullmatch(value) or _cookie_value_is_secret(value)):
        return None
    return _swap(match, "secret", "session_id")


# A CAS ticket (service, proxy, proxy-granting, ticket-granting: ST-, PT-, PGT-, TGT-, a serial
# number, a random part) after "ticket": a service ticket validates once for anyone holding it,
# a ticket-granting one logs its holder in everywhere. As a query parameter (?ticket=ST-...) or
# as CAS servers log them (Granted ticket [ST-...]).
_CAS_TICKET_REACH = 256
_CAS_TICKET = re.compile(
    r"(?<![A-Za-z])(?i:ticket)(?:=|:[ \t]*|[ \t]+\[?)"
    r"(?P<secret>(?:ST|PT|PGT|TGT)-[0-9]{1,20}-"
    rf"[A-Za-z0-9._-]{{8,{_CAS_TICKET_REACH}}}+)(?![A-Za-z0-9._-])"
)


def _cookies(match: re.Match[str]) -> tuple[str, str] | None:
    if _inside_word(match):
        return None
    pairs = match.group("pairs")
    hidden = _COOKIE_PAIR.sub(
        lambda pair: (
            f"{pair.group('name')}={_placeholder('cookie')}"
            if _cookie_value_is_secret(pair.group("value"))
            else pair.group(0)
        ),
        pairs,
    )
    if hidden == pairs:
        return None
    start = match.start("pairs") - match.start()
    return "cookie", f"{match.group(0)[:start]}{hidden}"
