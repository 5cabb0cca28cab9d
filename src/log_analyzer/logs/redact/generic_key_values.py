"""The values of generic keys: a random value, an opaque one under a signing key, a login.

``webhook_key=`` and other generic keys count when the value looks random (a key, or an
Authorization header's raw value, also as hex or a UUID); any opaque value of a signing,
master or encryption key; ``user:password`` and base64 of it under an auth or credentials key.
"""

from __future__ import annotations

import re

from log_analyzer.logs.redact.key_names import _ID_KEY_NAMES, _KEY_WORD, _PUBLIC, _key_prefix
from log_analyzer.logs.redact.key_value_syntax import _kv_value
from log_analyzer.logs.redact.rule import _swap
from log_analyzer.logs.redact.values import (
    _FILE_PATH,
    _HEX_DIGITS,
    _high_entropy,
    _is_basic_credential,
    _is_not_secret,
    _opaque_id,
)

# A generic key named for what it does to secrets holds one even as hex, which ids are too
# (RAILS_MASTER_KEY, a 32-character hex string): any opaque value counts there.
_SECRET_KEY_NAMES = frozenset({"signing", "master", "hmac", "encryption", "decryption", "shared"})
# Hex, a UUID, or hex groups (Mailgun's key-...-...), maybe after a short vendor word (sdk-).
_HEX_KEY = re.compile(r"(?:[a-z]{2,8}-)?[0-9a-fA-F]{8,}(?:-[0-9a-fA-F]{4,})*")


def _hex_key(value: str) -> bool:
    """Whether `value` is a key in hex, 16 characters or more without its dashes.

    Algolia's and Mailgun's keys, Heroku's UUIDs, LaunchDarkly's ``sdk-<uuid>``: under a name
    that says "key", no less a secret than a mixed-case one.
    """
    return _HEX_KEY.fullmatch(value) is not None and _opaque_id(value.replace("-", ""))


_HEX_KEY_WORDS = frozenset({"key", "authorization"})
# ("64" as any two digits, so that no verdict depends on digits' values.)
_ENCODING_PREFIX = re.compile(r"^(?i:base|b)[0-9]{2}:|^(?i:hex):")
_PUBLIC_BEFORE = re.compile(rf"(?i)(?<![A-Za-z])(?:{'|'.join(sorted(_PUBLIC))})[ \t]+\Z")


# user:password under an auth or credentials key (http.auth=elastic:pw, credentials=admin:pw):
# the password, whatever it looks like, unless it is a port (host:9200), a URL's "//", a
# reference or an environment variable's name (creds=env:AWS_KEY).
_USER_AND_PASSWORD = re.compile(r"(?P<user>[A-Za-z0-9._@+-]{1,64}):(?P<password>[^\s:]{1,256})")
_PAIR_KEY_WORDS = frozenset({"auth", "cred", "creds", "credential", "credentials"})
_BASIC_MIN_CHARS = 8
"""base64 of the shortest user:password taken (``a:bcdef``)."""
# Where such a value may stand (its digits decide the verdict: `same_for_all_digits`).
_PAIR_BASE64 = re.compile(
    rf"(?i)(?:{'|'.join(sorted(_PAIR_KEY_WORDS, key=len, reverse=True))})"
    rf"[\"']?[ \t]*[:=][ \t]*[\"']?[A-Za-z0-9+/]{{{_BASIC_MIN_CHARS}}}"
)
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_PORT_DIGITS = 5
_OPENPGP = frozenset({"gpg", "pgp"})


def _is_login_password(value: str) -> bool:
    return not (
        (value.isdigit() and len(value) <= _PORT_DIGITS)
        or value.startswith("//")
        or _FILE_PATH.fullmatch(value) is not None  # LoadCredential=dbpass:/etc/creds/db
        or _ENV_NAME.fullmatch(value)
        or _is_not_secret(value)
    )


def _generic_key_value(match: re.Match[str]) -> tuple[str, str] | None:
    found = _kv_value(match)
    if found is None:
        return None
    group, value, bare, tail = found
    named = {word.lower() for word in _KEY_WORD.findall(_key_prefix(match))[-1:]}
    if not named and _PUBLIC_BEFORE.search(match.string, max(0, match.start() - 16), match.start()):
        return None  # "public key: <base64>", as `wg show` prints a WireGuard peer's key
    if named & _PUBLIC or named & _ID_KEY_NAMES:
        return None  # a public key, or a key that finds a thing, is no secret
    if named & _OPENPGP and _HEX_DIGITS.issuperset(value):
        return None  # an OpenPGP key's id or fingerprint (GPG_KEY in Docker's official images)
    pair = _USER_AND_PASSWORD.fullmatch(value)
    if pair is not None and match.group("kw").lower() in _PAIR_KEY_WORDS:
        if not _is_login_password(pair.group("password")):
            return None
        kind, replaced = _swap(pair, "password", "password")
        whole, base = match.group(0), match.start()
        start, end = match.span(group)
        return kind, f"{whole[: start - base]}{replaced}{whole[end - base :]}"
    # Under auth or credentials, base64 of user:password however short (a registry's "auth" in
    # a Docker config.json: "Y2k6NWFGRWtVaDI=" is ci:5aFEkUh2).
    if (
        match.group("kw").lower() in _PAIR_KEY_WORDS
        and len(value) >= _BASIC_MIN_CHARS
        and _is_basic_credential(value)
    ):
        quote = (match.group("kq") or "") if bare else ""
        return _swap(match, group, "basic_auth", quote, tail)
    # A key, or an Authorization header's raw value (no scheme), may be hex or a UUID; a key
    # may say how it is encoded first (Laravel's and others' "base64:<key>").
    judged = _ENCODING_PREFIX.sub("", value, count=1)
    hex_key = match.group("kw").lower() in _HEX_KEY_WORDS and _hex_key(judged)
    if not (_high_entropy(judged) or hex_key or (named & _SECRET_KEY_NAMES and _opaque_id(judged))):
        return None
    return _swap(match, group, "secret", (match.group("kq") or "") if bare else "", tail)
