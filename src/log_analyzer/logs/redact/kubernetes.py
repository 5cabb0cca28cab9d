"""Kubernetes Secrets' data and JSON Web Keys' private members, whatever their keys say."""

from __future__ import annotations

import base64
import binascii
import re
from bisect import bisect_left
from functools import lru_cache

from log_analyzer.logs.redact.rule import _swap
from log_analyzer.logs.redact.values import _is_not_secret

# In a Secret every value under "data" (base64) and "stringData" is a secret, whatever its key
# says (".dockerconfigjson", "DATABASE_URL", "root"); keys, metadata and type stay. Found as an
# object (JSON, JSON escaped once or twice in a message, YAML's flow style) holding no brace (a
# stringData value that is a JSON document is left to the other rules), or as YAML's block of
# indented "key: value" lines (real or escaped newlines). Both are taken possessively, within
# bounds, so no scan starts over inside them.
_SECRET_DATA_REACH = 65_536
"""The longest "data" object read whole."""
_SECRET_DATA_LINES = 256
"""The most "key: value" lines of a YAML "data" block read."""
_SECRET_DATA = re.compile(
    r"(?:(?<![\w.-])|(?<=\\n))(?:data|stringData)\\{0,3}[\"']?[ \t]*:[ \t]*"
    rf"(?:\{{(?P<object>[^{{}}\n]{{1,{_SECRET_DATA_REACH}}}+)\}}"
    r"|(?P<block>(?:(?:\r?\n|\\n)[ \t]+[^\s:\\\"'{}]+:[ \t]*[\"']?[^\s\\\"'{}]+[\"']?)"
    rf"{{1,{_SECRET_DATA_LINES}}}+))"
)
# The object's "kind" (JSON, escaped JSON, YAML), within `_SECRET_KIND_REACH` of its data. It
# starts with its literal, so that the regex engine jumps to it (the word's edge is looked
# behind after it): a leading look-behind made each search try every position of the reach.
_SECRET_KIND = re.compile(
    r"kind(?:(?<![\w.-]kind)|(?<=\\nkind))\\{0,3}[\"']?[ \t]*:[ \t]*\\{0,3}[\"']?Secret(?![\w.-])"
)
_SECRET_KIND_SHAPE = r"kind\\{0,3}[\"']?[ \t]*:[ \t]*\\{0,3}[\"']?secret"
_SECRET_KIND_REACH = 4_096
"""How far before or after its data a Secret's kind may stand."""
_SECRET_DATA_VALUE = re.compile(
    r"[:=][ \t]*(?:\\{0,3}\"(?P<dq>[^\"\\]*)\\{0,3}\"|'(?P<sq>[^']*)'|(?P<bare>[^\s\"'\\,]+))"
)


@lru_cache(maxsize=4)
def _secret_kinds(text: str) -> tuple[int, ...]:
    """Where a Secret's kind starts in `text`: found once per text, however many data it holds.

    (A search around each "data" cost the reach times the number of "data" in a hostile line.)
    """
    return tuple(kind.start() for kind in _SECRET_KIND.finditer(text))


def _secret_data(match: re.Match[str]) -> tuple[str, str] | None:
    kinds = _secret_kinds(match.string)
    nearest = bisect_left(kinds, match.start() - _SECRET_KIND_REACH)
    if nearest == len(kinds) or kinds[nearest] > match.end() + _SECRET_KIND_REACH:
        return None
    found = 0

    def value(part: re.Match[str]) -> str:
        nonlocal found
        name = str(part.lastgroup)
        if _is_not_secret(part.group(name)):
            return part.group(0)
        found += 1
        return _swap(part, name, "kubernetes_secret")[1]

    group = "object" if match.group("object") is not None else "block"
    content = _SECRET_DATA_VALUE.sub(value, match.group(group))
    if not found:
        return None
    whole, base = match.group(0), match.start()
    begin, finish = match.span(group)
    return "kubernetes_secret", f"{whole[: begin - base]}{content}{whole[finish - base :]}"


# A JSON Web Key's private members (RFC 7518: RSA's "d", "p", "q", "dp", "dq", "qi"; EC's and
# OKP's "d"; a symmetric key's "k") in an object that says "kty"; the public members ("n", "e",
# "x", "y") and "kid", "crv", "alg" stay. The object is read from the nearest "{" before the
# member to the nearest "}" after it, each within `_JWK_REACH`.
_JWK_MEMBER = re.compile(
    r"(?<=[{,\s])(?P<q>\\{0,3}\")(?P<member>d|p|q|dp|dq|qi|k)(?P=q)[ \t]*:[ \t]*(?P=q)"
    r"(?P<secret>[A-Za-z0-9_-]+)(?P=q)"
)
_JWK_TYPE = re.compile(r"\\{0,3}\"kty\\{0,3}\"[ \t]*:[ \t]*\\{0,3}\"(?P<kty>[A-Za-z]+)")
_JWK_REACH = 4_096
"""How far a JSON Web Key's braces may stand from a private member."""


def _jwk_member(match: re.Match[str]) -> tuple[str, str] | None:
    text, start, end = match.string, match.start(), match.end()
    opened = text.rfind("{", max(0, start - _JWK_REACH), start)
    closed = text.find("}", end, end + _JWK_REACH)
    if opened < 0 or closed < 0 or text.find("}", opened, start) >= 0:
        return None  # no object around it, or the member is in another one
    key_type = _JWK_TYPE.search(text, opened, closed)
    if key_type is None or (match.group("member") == "k") != (key_type.group("kty") == "oct"):
        return None
    return _swap(match, "secret", "jwk_private_key")


# A Secret's data value with no kind near it (a manifest dumped in part): base64 that decodes to
# text, under a key naming what holds a credential though it says no "password" (those the
# key-value rules hide whatever the value): a URL, DSN or connection string, credentials, a
# registry's or a tool's credential file. A plain value there ("url: https://...") is no base64
# of text, and stays.
_ENCODED_KEYS = (
    r"url|uri|dsn|conn(?:ection)?(?:[_-]?str(?:ing)?)?|cred(?:ential)?s?|auth|htpasswd|netrc"
    r"|pgpass|\.?dockerconfigjson|\.?dockercfg|kubeconfig"
)
_B64_KEY = rf"(?P<kw>(?i:{_ENCODED_KEYS}))"
_B64_SEPARATOR = r"\\{0,3}[\"']?[ \t]*[:=][ \t]*\\{0,3}[\"']?"
_B64_VALUE = r"(?P<secret>[A-Za-z0-9+/]{8,}={0,2})"
_ENCODED_SECRET = re.compile(
    _B64_KEY + r"(?![A-Za-z0-9_-])" + _B64_SEPARATOR + _B64_VALUE + r"(?![A-Za-z0-9+/=])"
)
_ENCODED_HINT = rf"(?:{_ENCODED_KEYS}){_B64_SEPARATOR}[a-z0-9+/]{{8}}"
"""Where `_ENCODED_SECRET` may match, in RE2's syntax over a case-folded text (a superset of its
matches): a key with a separator and base64 after it, not the bare words, which every
"connection refused" holds."""
_ENCODED_MIN_CHARS = 6
"""The shortest decoded text taken for a secret's value."""


def _encoded_secret(match: re.Match[str]) -> tuple[str, str] | None:
    start = match.start()
    if start and match.string[start - 1].isalnum() and match.group("kw")[0].islower():
        return None  # the tail of a longer word: curl, security (dbUrl is a key's last word)
    value = match.group("secret")
    if len(value) % 4:
        return None  # Kubernetes pads its base64
    try:
        text = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, ValueError):
        return None
    if len(text) < _ENCODED_MIN_CHARS or not text.replace("\n", "").replace("\t", "").isprintable():
        return None
    return _swap(match, "secret", "kubernetes_secret")
