"""Lists of logins: ``basic auth users: admin:pw1,viewer:pw2``, ``users=alice:pw;bob:pw``.

Under a key naming users, accounts or logins, or an auth or credentials key (or a flag:
``--basic-auth-users admin:pw1``), each ``user:password`` pair of a list separated by ``,`` or
``;`` has its password hidden; the users stay. Under a key that only names users, a password
must be no word and no number (``users: alice:admin,bob:viewer`` maps roles, ``alice:1001``
ids).
"""

from __future__ import annotations

import re

from log_analyzer.logs.redact.generic_key_values import _is_login_password
from log_analyzer.logs.redact.rule import _placeholder
from log_analyzer.logs.redact.values import _WORDLIKE

_PAIR = r"[\w.@+-]{1,64}:[^\s,;:\"'\\]{1,256}+"
_LOGIN_LIST = re.compile(
    r"(?P<key>[Uu](?i:sers)|[Aa](?i:ccounts)|[Ll](?i:ogins)|[Hh](?i:tpasswd)"
    r"|[Cc](?i:redentials|reds)|[Aa](?i:uth))(?![A-Za-z0-9_.-])"
    r"(?P<sep>\\?[\"']?[ \t]*[:=][ \t]*\\?[\"']?|[ \t]+)"
    rf"(?P<list>{_PAIR}(?:[,;][ \t]?{_PAIR})*+)(?![^\s\"',;\\])"
)
_ONE_PAIR = re.compile(r"(?P<user>[\w.@+-]{1,64}):(?P<password>[^\s,;:\"'\\]+)")
# Words before the key that make it an auth key: "basic auth users", "htpasswd_users".
_AUTH_WORDS = re.compile(r"(?i:auth|basic|htpasswd|passw|login|cred)")
_AUTH_KEYS = frozenset({"htpasswd", "credentials", "creds", "auth"})
_FIELD_END = re.compile(r"[\"'=,;{}()\[\]]")
_WORD = re.compile(r"[A-Za-z]+(?:[-_][A-Za-z]+)*")


def _login_list(match: re.Match[str]) -> tuple[str, str] | None:
    start = match.start()
    if start and match.string[start - 1].isalpha():
        return None  # the tail of a longer word: oauth, superusers
    if not match.group("sep").strip() and match.string[start - 1 : start] != "-":
        return None  # a space after the key: only a flag's value (--basic-auth-users a:b)
    key = match.group("key").lower()
    # The key's own words: what stands before it since the last field's end.
    before = _FIELD_END.split(match.string[max(0, start - _AUTH_REACH) : start])[-1]
    auth = key in _AUTH_KEYS or _AUTH_WORDS.search(before) is not None
    found = 0

    def pair(part: re.Match[str]) -> str:
        nonlocal found
        password = part.group("password")
        if not _is_login_password(password) or not (auth or _no_word(password)):
            return part.group(0)
        found += 1
        return f"{part.group('user')}:{_placeholder('password')}"

    content = _ONE_PAIR.sub(pair, match.group("list"))
    if not found:
        return None
    whole, base = match.group(0), match.start()
    begin, end = match.span("list")
    return "password", f"{whole[: begin - base]}{content}{whole[end - base :]}"


_AUTH_REACH = 24
"""How far before a users key the words saying it is about auth are looked for."""


def _no_word(password: str) -> bool:
    """Whether `password` is neither a word (a role: admin, read-only) nor a number (an id)."""
    return (
        _WORD.fullmatch(password) is None
        and _WORDLIKE.fullmatch(password) is None
        and not password.isdigit()
    )
