"""Key-value pairs: the values of secret-named keys, and the random values of generic keys.

``password=``, ``"api_key":``, ``client_secret:``, in JSON escaped once or twice or quoted with
unicode escapes, in SQL's or Python's quoting, as a list or an object (`_key_value`);
``webhook_key=`` and other generic keys when the value looks random, any opaque value of a
signing, master or encryption key, ``user:password`` under an auth key (`_generic_key_value`);
both built by `_key_value_pattern`. (A secret given as a name and a value is in
``named_values``.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from log_analyzer.logs.redact.key_names import (
    _ID_KEY_NAMES,
    _KEY_WORD,
    _PUBLIC,
    _SHORT_KEYWORDS,
    _key_prefix,
    _keyword_alternation,
    _kv_kind,
)
from log_analyzer.logs.redact.rule import _after_escape, _swap
from log_analyzer.logs.redact.values import (
    _WORDLIKE,
    _high_entropy,
    _is_basic_credential,
    _is_not_secret,
    _mixed_case_with_digit,
    _opaque_id,
)


class _Found(NamedTuple):
    group: str
    value: str
    """The value, without the closing brackets that end its group (`tail`)."""
    bare: bool
    tail: int
    """How many characters at the group's end close what holds the value: ``}`` of ``{k=v}``."""


_CLOSERS = {")": "(", "}": "{", "]": "["}


def _unbalanced_tail(value: str) -> int:
    """How many brackets end `value` without having opened in it: the ``)`` of ``(pw=x)``."""
    size = len(value)
    while size and value[size - 1] in _CLOSERS:
        closer = value[size - 1]
        if value.count(closer, 0, size) <= value.count(_CLOSERS[closer], 0, size):
            break
        size -= 1
    return len(value) - size


# A call in code, as a stack trace quotes it: token = decode(header), pw = getpass(); not a value
# that only holds a parenthesis (Xk9(Lm2#q7), whose "name" looks random).
_CALL = re.compile(r"(?P<name>[A-Za-z_][\w.]*)\([\w.=*/-]*\)?[\w.()]*")


def _is_call(value: str) -> bool:
    call = _CALL.fullmatch(value)
    return call is not None and not _mixed_case_with_digit(call.group("name"))


# An environment variable's name in a wrapped value (Env("DB_PASSWORD")): words joined by "_".
_WRAPPED_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
# YAML's block indicators: the value is on the next lines (`blocks`), not "|" itself.
_BLOCK_INDICATOR = re.compile(r"[|>][-+0-9]{0,2}")


def _kv_value(match: re.Match[str]) -> _Found | None:
    """The value's group, the value, whether it is bare; None if it is no secret."""
    group = str(match.lastgroup)
    value = match.group(group)
    tail = _unbalanced_tail(value) if group == "bare" else 0
    value = value[: len(value) - tail]
    keyword = match.group("kw")
    if _is_not_secret(value) or (group == "bare" and _BLOCK_INDICATOR.fullmatch(value)):
        return None
    start = match.start()
    before = match.string[start - 1] if start else ""
    # Inside a word unless a camelCase boundary: bypass, monkey, COMPASS, but dbPass (and \npass).
    inside = (
        before.isalpha()
        and before.isupper() == keyword[0].isupper()
        and not _after_escape(match.string, start)
    )
    if inside and keyword.lower() in _SHORT_KEYWORDS:
        return None
    return _Found(group, value, group == "bare", tail)


def _counted(value: str) -> bool:
    """Whether `value` is a number: what ``tokens=512`` or ``"secrets": 3`` count."""
    return value.replace(".", "", 1).isdigit()


def _short_word(value: str) -> bool:
    """Whether `value` is a few characters without a digit: a word, not a credential.

    (``{"type":"token","token":"Hello"}`` in an LLM's streaming log.)
    """
    stripped = value.strip()
    return len(stripped) <= _TOKEN_WORD_MAX_CHARS and not any(c.isdigit() for c in stripped)


_TOKEN_WORD_MAX_CHARS = 12
"""The longest value without a digit under a ``token`` key that is taken for a word."""
# Items of a list ([a, "b"], Go's [a b]) and the values of an object's pairs ({"db":"x"}).
_LIST_ITEM = re.compile(r"\\?\"(?P<dq>[^\"\\]*)\\?\"|'(?P<sq>[^']*)'|(?P<bare>[^\s\"',]+)")
_OBJECT_VALUE = re.compile(
    r"[:=][ \t]*(?:\\?\"(?P<dq>[^\"\\]*)\\?\"|'(?P<sq>[^']*)'|(?P<bare>[^\s\"',]+))"
)
# The "value" member of an object under a secret's (singular) key: Terraform's output -json,
# {"db_password":{"sensitive":true,"type":"string","value":"..."}}.
_VALUE_MEMBER = re.compile(
    r"(?<![\w-])\\?[\"']?[Vv]alue\\?[\"']?[ \t]*[:=][ \t]*"
    r"(?:\\?\"(?P<dq>[^\"\\]*)\\?\"|'(?P<sq>[^']*)'|(?P<bare>[^\s\"',]+))"
)


def _container(
    match: re.Match[str], group: str, kind: str, items: re.Pattern[str] | None = None
) -> tuple[str, str] | None:
    """Each secret in a list or an object held by a secret-named key, redacted in place.

    `items` finds the values (by default: a list's items, or the values of an object's pairs).
    """
    found = 0

    def item(part: re.Match[str]) -> str:
        nonlocal found
        name = str(part.lastgroup)
        value = part.group(name)
        if _is_not_secret(value) or _counted(value) or (kind == "token" and _short_word(value)):
            return part.group(0)
        found += 1
        return _swap(part, name, kind)[1]

    if items is None:
        items = _LIST_ITEM if group == "list" else _OBJECT_VALUE
    content = items.sub(item, match.group(group))
    if not found:
        return None
    whole, base = match.group(0), match.start()
    start, end = match.span(group)
    return kind, f"{whole[: start - base]}{content}{whole[end - base :]}"


def _in_prose(match: re.Match[str], sep: str) -> bool:
    """Whether a key and its ": " stand in prose rather than start a field.

    Go's errors read "invalid token: signature expired", "open db: password: too short",
    "*v1.Secret: secrets is forbidden", err="token: malformed". A field starts its line
    (YAML's "  password: x", after an escaped newline too), an item ("{", ",", "[", "- "), or
    follows a closed value (msg="loaded config" password: x); Go's maps and structs put no
    space after the colon (map[password:x], &{User:app Password:x}).
    """
    if ":" not in sep or not sep.endswith((" ", "\t")):
        return False
    key = match.start() - len(_key_prefix(match))
    line = match.string[max(0, key - _PROSE_REACH) : key]
    before = line.rstrip(" \t")
    if not before or _after_escape(match.string, key - (len(line) - len(before))):
        return False
    last = before[-1]
    if last in "\"'":  # a quote that closes a value, or one that opens a message
        return len(before) > 1 and before[-2] in _OPENS_A_STRING
    return last not in _STARTS_A_FIELD


_PROSE_REACH = 64
"""How many spaces before a key are looked over for what stands before it."""
_STARTS_A_FIELD = frozenset("\n{,-")
_OPENS_A_STRING = frozenset("=:([{, \t")


def _key_value(match: re.Match[str]) -> tuple[str, str] | None:
    found = _kv_value(match)
    if found is None:
        return None
    group, value, bare, tail = found
    keyword, key_quote = match.group("kw"), match.group("kq") or ""
    plural = match.group("suffix") == "s"
    # Braces around one value, not pairs, hold the value itself: password={Zq8...}.
    braced = group == "object" and ":" not in value and "=" not in value
    if group in ("list", "object") and not braced:
        kind = _kv_kind(keyword, _key_prefix(match))
        if group == "object" and not plural:
            # A secret's reference names it ("secret":{"secretName":"api-tls"}); only a "value"
            # member holds it.
            return _container(match, group, kind, _VALUE_MEMBER)
        return _container(match, group, kind)
    if braced and _is_not_secret(f"{{{value}}}"):
        return None  # a format string's field: password={password}, token={0}
    if plural and _counted(value):
        return None  # tokens=512, "prompt_tokens": 1106: a count
    lowered = keyword.lower()
    if lowered == "pwd" and value.startswith(("/", "~")):
        return None  # PWD=/srv/app in an environment dump is a directory, not a password.
    if lowered == "pass" and value.isdigit():
        return None  # "pass=42 fail=0": a test tally.
    if group in ("wdq", "wsq") and (
        value.startswith(("/", "~/", "./")) or _WRAPPED_NAME.fullmatch(value)
    ):
        return None  # a type naming where the secret is: Path("/run/secrets/db"), Env("DB_PASS")
    if lowered == "pat" and not (_opaque_id(value) or _high_entropy(value)):
        return None  # "pat" is a pattern too ("pat":"**/*.go"); an access token is random.
    kind = _kv_kind(keyword, _key_prefix(match))
    if kind == "session_id" and value.isdigit():
        return None  # a database's or a job's session number, not a bearer of access
    streamed = key_quote and group == "dq" and lowered == "token" and not _key_prefix(match)
    if streamed and _short_word(value):
        return None  # {"type":"token","token":"Hello"}: a model's output, not a credential
    sep = match.group("sep")
    prose_after_colon = bare and not key_quote and _in_prose(match, sep)
    if prose_after_colon and _WORDLIKE.fullmatch(value.rstrip(".,!?:")):
        return None  # Go-style errors put prose after a colon: "invalid token: signature expired".
    if bare and (_is_call(value) or match.string[match.end() : match.end() + 1] == "["):
        return None  # code in a stack trace: token = decode(header), pwd = os.environ["PWD"]
    start = match.start()
    if sep == ":" and match.string[start - 1 : start] == ":":
        return None  # a segment of an ARN or URN: arn:aws:secretsmanager:...:secret:db-creds
    # A bare JSON value (a number) gets quotes, so the line stays valid JSON.
    return _swap(match, group, kind, key_quote if bare else "", tail)


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


def _is_login_password(value: str) -> bool:
    return not (
        (value.isdigit() and len(value) <= _PORT_DIGITS)
        or value.startswith("//")
        or _ENV_NAME.fullmatch(value)
        or _is_not_secret(value)
    )


def _generic_key_value(match: re.Match[str]) -> tuple[str, str] | None:
    found = _kv_value(match)
    if found is None:
        return None
    group, value, bare, tail = found
    named = {word.lower() for word in _KEY_WORD.findall(_key_prefix(match))[-1:]}
    if named & _PUBLIC or named & _ID_KEY_NAMES:
        return None  # a public key, or a key that finds a thing, is no secret
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
    # A key, or an Authorization header's raw value (no scheme), may be hex or a UUID.
    hex_key = match.group("kw").lower() in _HEX_KEY_WORDS and _hex_key(value)
    if not (_high_entropy(value) or hex_key or (named & _SECRET_KEY_NAMES and _opaque_id(value))):
        return None
    return _swap(match, group, "secret", (match.group("kq") or "") if bare else "", tail)


# "password= user=x" has an empty password, not the value "user=x".
_SEPARATOR = r"(?P<sep>[ \t]*(?:=>|:|=(?![ \t]+[A-Za-z0-9_.-]+=))[ \t]*)"
_ESCAPED_VALUE_REACH = 1_024
"""The longest value between ``\\u0022`` quotes read."""
# JSON's quote escaped as "\u0022" (or "\u0027"): any four decimal digits, so that no verdict
# depends on digits' values.
_UNICODE_QUOTE = r"\\u[0-9]{4}"
_VALUE = (
    # Escaped JSON inside a string, once or twice (JSON of JSON in a message): \"password\":\"x\"
    r"(?:\\{1,3}\"(?P<eq>[^\"\\\n]*)\\{1,3}\""
    # ... or with its quotes as unicode escapes: \u0022password\u0022:\u0022x\u0022
    rf"|{_UNICODE_QUOTE}(?P<uq>(?:[^\\\n\"]|\\(?!u[0-9]{{4}})){{1,{_ESCAPED_VALUE_REACH}}}+)"
    + _UNICODE_QUOTE
    + r"|\"(?P<dq>(?:[^\"\\\n]|\\.)*)\"?"  # closing quote optional: lines may be cut short
    # SQL's quoting: N'...' (T-SQL), E'...' (PostgreSQL), a quote written twice inside; and
    # Python's bytes, b'...', as a dict's repr shows them.
    r"|[NnEeBb]?'(?P<sq>(?:[^'\n]|'')*)'?"
    # A quoted value wrapped in a type, as Rust's Debug and Python's reprs print it:
    # password: Some("..."), Some(Secret("...")), SecretStr('...'); in a JSON string, Some(\"...\").
    r"|(?:[A-Z][A-Za-z]{1,31}\(){1,2}(?:\\?\"(?P<wdq>[^\"\\\n]*)\\?\"|'(?P<wsq>[^'\n]*)')"
    # A bare value ends at an "&" that starts a URL query's next parameter (&next=/), not at
    # one inside it (password=p@ss&w0rd), and at a "," before a space or the next key
    # (password=a, user=b; password=a,user=b), not at one inside it (password=Ab3,cc7). It
    # holds brackets (Xk9(Lm2), {Zq8}); those closing what holds it are given back (`_Found`).
    r"|(?P<bare>[^\s\"'\\\[<>,;&]+"
    r"(?:(?:&(?![^\s&]*=)|,(?![ \t]|[A-Za-z_][\w.-]*[=:]))[^\s\"'\\\[<>,;&]+)*))"
)


# What may follow a secret's key word in its name: a plural (api_keys, passwords), a number
# (password2), or a word saying which one (secret_value, tokenValue, PASSWORD_NEW,
# password_confirmation, Secrets Manager's SecretString and SecretBinary); then maybe its
# encoding (token_b64, unseal_keys_hex; "64" as any two digits, so that no verdict depends on
# digits' values). Not any word: prompt_tokens=532 and token_count count tokens, secret_name
# and password_length say something about a secret.
_KEY_SUFFIX = (
    r"(?P<suffix>s|[0-9]|[_-]?(?i:value|new|old|confirm(?:ation)?|string|binary))?"
    r"(?:[_-](?i:b|base)[0-9]{2}|[_-](?i:hex))?"
)
# A list ([...], Go's too; not a placeholder), or an object whose pairs' values are the secrets
# ({"db":"..."}).
_CONTAINER = r"(?:\[(?!REDACTED:)(?P<list>[^\[\]{}\n]*)\]|\{(?P<object>[^{}\[\]\n]*)\})"


def _key_value_pattern(words: Mapping[str, str], *, generic: bool = False) -> re.Pattern[str]:
    """Pairs keyed by one of `words`, which a secret's name may follow (`_KEY_SUFFIX`).

    A secret's key may hold a list or an object; a `generic` key ends with its word and holds
    one value.
    """
    keyword = f"(?P<kw>{_keyword_alternation(words)})"
    suffix, value = ("", _VALUE) if generic else (_KEY_SUFFIX, f"(?:{_CONTAINER}|{_VALUE})")
    return re.compile(
        keyword
        + suffix
        + rf"(?![A-Za-z0-9_.-])(?P<kq>\\{{0,3}}[\"']|{_UNICODE_QUOTE})?"
        + _SEPARATOR
        + value
    )
