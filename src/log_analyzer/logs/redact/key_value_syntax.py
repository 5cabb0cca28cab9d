r"""How a key-value pair is written, and how its value is read.

The separators (``=``, ``:``, ``=>``), the values' quotings (JSON escaped once or twice or with
``\u0022``, SQL's and Python's, a type around a quoted value, a bare value and where it ends),
what may follow a secret's key word in its name, lists and objects as values:
`_key_value_pattern` builds a rule's pattern from them; `_kv_value` reads the value it found.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from log_analyzer.logs.redact.key_names import _SHORT_KEYWORDS, _keyword_alternation
from log_analyzer.logs.redact.rule import _PLACEHOLDER, _after_escape
from log_analyzer.logs.redact.values import _is_not_secret


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


def _in_placeholder(match: re.Match[str]) -> bool:
    """Whether the key word stands in a placeholder (``[REDACTED:api_key]``), not a key."""
    text, start = match.string, match.start("kw")
    opening = text.rfind("[", 0, start)
    return text.startswith(_PLACEHOLDER, opening) and "]" not in text[opening:start]


# YAML's block indicators: the value is on the next lines (`blocks`), not "|" itself.
_BLOCK_INDICATOR = re.compile(r"[|>][-+0-9]{0,2}")
# A YAML tag before the value (password: !!binary <base64>, !unsafe 'x'); the value is what
# follows it. Some tags say the value is a reference, not the secret: CloudFormation's
# functions (!Ref DbPassword, !Sub '{{resolve:...}}'), Home Assistant's !secret and !env_var,
# GitLab CI's !reference; and Ansible's !vault, whose ciphertext follows on the next lines.
# A local tag is a name of letters (!Ref, !unsafe, !env_var): "!Qw3rty9" is a password that
# opens with "!", not a tag before the value.
_TAG = r"!![A-Za-z][\w.:/-]{0,64}|![A-Za-z][A-Za-z_]{0,64}"
_YAML_TAG = rf"(?:(?P<tag>{_TAG})[ \t]+)?"
_TAG_ALONE = re.compile(_TAG)
_REFERENCE_TAGS = frozenset(
    {
        "ref", "getatt", "sub", "importvalue", "findinmap", "join", "select", "if", "getazs",
        "split", "cidr", "transform", "secret", "env_var", "include", "reference", "vault",
    }
)  # fmt: skip


def _references(tag: str, value: str) -> bool:
    """Whether a value under `tag` names a secret kept elsewhere rather than holding it.

    CloudFormation's ``!Sub`` substitutes into a string: one with nothing to substitute
    (``!Sub 'Hunter2'``) is the literal itself.
    """
    if tag == "sub":
        return "${" in value or "{{resolve:" in value
    return tag in _REFERENCE_TAGS


def _tag_alone(match: re.Match[str], value: str) -> bool:
    """Whether the bare `value` is a tag with no value after it on the line.

    A standard tag (``!!binary``), a reference's (``!vault |`` lines follow), or any tag before
    a value redacted already; not a word after one "!" alone (``password: !Summer``).
    """
    if _TAG_ALONE.fullmatch(value) is None:
        return False
    if value.startswith("!!") or value[1:].lower() in _REFERENCE_TAGS:
        return True
    rest = match.string[match.end("bare") :].lstrip(" \t")
    return rest.startswith(_PLACEHOLDER)


def _kv_value(match: re.Match[str]) -> _Found | None:
    """The value's group, the value, whether it is bare; None if it is no secret."""
    group = str(match.lastgroup)
    value = match.group(group)
    tail = _unbalanced_tail(value) if group == "bare" else 0
    value = value[: len(value) - tail]
    keyword = match.group("kw")
    if match.group("kb") == "]" and (_in_placeholder(match) or value == "Array"):
        # A placeholder's kind before a colon ("[REDACTED:api_key]: 403"), or PHP's print_r
        # of an array under the key ("[tokens] => Array").
        return None
    if _is_not_secret(value) or (group == "bare" and _BLOCK_INDICATOR.fullmatch(value)):
        return None
    if group == "bare" and not value.strip("=:"):
        return None  # an operator read as the value: "password == expected"
    if group == "bare" and match.group("sep") == ":" and value.startswith(":"):
        return None  # a scope's path in code: Password::Hasher, Secret::Store
    tag = match.group("tag")
    if tag is not None and _references(tag.lstrip("!").lower(), value):
        return None  # password: !Ref DbPassword, !secret wifi_password
    if group == "bare" and ":" in match.group("sep") and _tag_alone(match, value):
        return None  # password: !vault (its value on the next lines), a tag and no value
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


# "password= user=x" has an empty password, not the value "user=x"; but base64 padded with "="
# is a value ("PrivateKey = yAnz...Bmk=", a WireGuard key: no value follows its "=").
# A quoted value may stand on the next line, as pretty-printed JSON or a Ruby hash wraps a long
# pair ({"password":\n  "x"}; after an escaped newline too).
# (Chinese and Japanese text puts a full-width colon, U+FF1A; French a no-break space before
# a colon and after it.)
_SPACE = r"[ \t\N{NO-BREAK SPACE}\N{NARROW NO-BREAK SPACE}]*"
# Go's ":=", LDIF's "::" before base64 (userPassword:: e1NTSEF9...), and a typed declaration's
# type before its "=" (let token: &str = "...", val password: String = "...", apiKey: string =
# "...", password: str = "...": spaces around its "=", which logfmt's "token: ttl=30" has not);
# the type is at most 40 characters, so the scan stays short.
_TYPE = r"&?(?:'[a-z]+[ \t]+)?[A-Za-z_][\w.:]{0,40}(?:<[\w, ]{0,40}>)?\??"
_SEPARATOR = (
    rf"(?P<sep>{_SPACE}(?::=|::(?=[ \t])|:[ \t]*{_TYPE}[ \t]+=(?=[ \t])|=>|:"
    rf"|\N{{FULLWIDTH COLON}}|=(?![ \t]+[A-Za-z0-9_.-]+=[^\s=\\])){_SPACE}"
    r"(?:(?:\r?\n|(?:\\r)?\\n)[ \t]*(?=\\{0,3}\"))?)"
)
_ESCAPED_VALUE_REACH = 1_024
"""The longest value between ``\\u0022`` quotes read."""
# JSON's quote escaped as "\u0022" (or "\u0027"): any four decimal digits, so that no verdict
# depends on digits' values.
_UNICODE_QUOTE = r"\\u[0-9]{4}"
_OPENING_QUOTES = "\u00ab\u00bb\u201e\u201c\u2018\u300c\u300e"
_CLOSING_QUOTES = "\u00bb\u00ab\u201c\u201d\u2019\u300d\u300f"
_TYPOGRAPHIC_QUOTES = _OPENING_QUOTES + "\u201d\u2019\u300d\u300f"
_QUOTE_SPACES = " \u00a0\u202f"
"""What French typography puts inside guillemets: a space, a no-break space or a narrow one."""
_BARE = r"[^\s\"'\\\[<>,;&\N{FULLWIDTH COMMA}\N{FULLWIDTH SEMICOLON}\N{IDEOGRAPHIC COMMA}]"
"""A bare value's character."""
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
    # Typographic quotes, as localized messages put them: «...» (maybe with a no-break space
    # inside), »...«, „...“, curly double and single quotes, 「...」, 『...』.
    + rf"|[{_OPENING_QUOTES}][{_QUOTE_SPACES}]?(?P<tq>[^{_TYPOGRAPHIC_QUOTES}\n]{{1,256}}?)"
    + rf"[{_QUOTE_SPACES}]?[{_CLOSING_QUOTES}]"
    # PHP's var_dump: a type and a length, then the quoted string (["password"]=> string(8) "x",
    # or on the next line, as var_dump prints it); it ends at a quote that ends the line or
    # comes before the next element, so a quote inside it does not cut it short (or, in a line
    # cut short, at the line's end).
    r"|(?:(?:\r?\n|(?:\\r)?\\n)[ \t]*)?string\([0-9]{1,9}\)[ \t]*\\?\""
    r"(?P<php>[^\r\n]{0,512}?)(?:\\?\"(?=[ \t]*(?:$|[\r\n\[}]|\\[nr\"]))|(?=[\r\n]|$))"
    # A bare value ends at an "&" that starts a URL query's next parameter (&next=/), not at
    # one inside it (password=p@ss&w0rd), and at a "," before a space or the next key
    # (password=a, user=b; password=a,user=b), not at one inside it (password=Ab3,cc7). It
    # holds brackets (Xk9(Lm2), {Zq8}); those closing what holds it are given back (`_Found`).
    # (Chinese and Japanese text ends it at a full-width comma or semicolon, or an ideographic
    # comma.)
    rf"|(?P<bare>{_BARE}+(?:(?:&(?![^\s&]*=)|,(?![ \t]|[A-Za-z_][\w.-]*[=:])){_BARE}+)*))"
)


# What may follow a secret's key word in its name: a plural (api_keys, passwords), a number
# (password2), or a word saying which one (secret_value, tokenValue, PASSWORD_NEW,
# password_confirmation, Secrets Manager's SecretString and SecretBinary, Microsoft Graph's
# secretText); then maybe its
# encoding (token_b64, unseal_keys_hex; "64" as any two digits, so that no verdict depends on
# digits' values). Not any word: prompt_tokens=532 and token_count count tokens, secret_name
# and password_length say something about a secret.
_KEY_SUFFIX = (
    r"(?P<suffix>s|[0-9]|[_-]?(?i:value|new|old|confirm(?:ation)?|string|binary|text))?"
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
        # A key in brackets: a form's user[password]=, PHP's print_r "[password] => ",
        # percent-encoded (user%5Bpassword%5D=; "5" as any digit, so no verdict depends on it).
        + r"(?P<kb>\]|%[0-9][Dd])?"
        + _SEPARATOR
        + _YAML_TAG
        + value
    )
