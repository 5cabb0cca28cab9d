"""Tests of a value alone, shared by the rules: does it look random, or say "no secret"?

Random: base64-ish, mixed case and digits, high entropy (`_high_entropy`; every digit counts as
one symbol, so that no verdict depends on digits' values), hex of 128 bits (`_long_hex`), or
letters and digits mixed all through it (`_mixed_through`). No secret: empty, null-ish, masked
or redacted already, or a reference to a secret kept elsewhere (`_is_not_secret`). Also: base64
of ``user:password`` as HTTP Basic sends it (`_is_basic_credential`), a word (`_WORDLIKE`), and a
name made of words (`_word_name`).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter

from log_analyzer.logs.redact.rule import _PLACEHOLDER


def _mixed_case_with_digit(value: str) -> bool:
    """Whether `value` holds a digit and letters of both cases, as random keys do."""
    return any(c.isdigit() for c in value) and value.lower() != value and value.upper() != value


_DIGITS_AS_ONE = str.maketrans("0123456789", "0000000000")
_ENTROPY_BITS = 3.0
"""Bits per character from which a generic key's value counts as random (a secret)."""


def _entropy(value: str) -> float:
    """Shannon entropy of `value` in bits per character, every digit counted as one symbol.

    Counting digits alike keeps verdicts independent of digit values, and hex ids (hashes,
    UUIDs), mostly digits over six letters, score well below random base64.
    """
    size = len(value)
    counts = Counter(value.translate(_DIGITS_AS_ONE)).values()
    return -sum(n / size * math.log2(n / size) for n in counts)


_OPAQUE = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")


def _high_entropy(value: str) -> bool:
    """Whether `value` looks like a random key: base64-ish, mixed case and digits, high entropy."""
    return (
        _OPAQUE.fullmatch(value) is not None
        and _mixed_case_with_digit(value)
        and _entropy(value) >= _ENTROPY_BITS
    )


# Random values in one case score low on `_entropy` (digits count as one symbol); two tests
# tell them from words and ids instead: hex of 128 bits or more, and letters and digits mixed
# all through the value.
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_HEX_KEY_MIN_CHARS = 32
"""The shortest hex value taken for a key or a session id: a 128-bit random number."""
_LETTERS_THEN_DIGITS = re.compile(r"[A-Za-z][0-9]")
_MIXED_MIN_TURNS = 4
"""How many times a random value in one case at least turns from a letter to a digit."""


_FILE_PATH = re.compile(r"(?:/[a-z][a-z0-9_.-]*){2,}/?")
"""An absolute path of lower-case names: where a secret is kept (random values mix case)."""
_UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
"""A UUID as written (8-4-4-4-12 hex digits): 122 random bits when it is a version 4 one."""


def _long_hex(value: str) -> bool:
    """Whether `value` is hex of `_HEX_KEY_MIN_CHARS` digits or more."""
    return len(value) >= _HEX_KEY_MIN_CHARS and _HEX_DIGITS.issuperset(value)


def _mixed_through(value: str) -> bool:
    """Whether `value` is letters and digits turning from one to the other all through it."""
    return value.isalnum() and len(_LETTERS_THEN_DIGITS.findall(value)) >= _MIXED_MIN_TURNS


# A name made of words, not a random token: "user_preferences_cache_v2", "FEATURE_FLAGS_V2".
# In one case, two parts or more between "_", "-" or "."; each a word, digits allowed after it
# ("v2", "cache2024"), a number (a unit's letters allowed after it: "1b", "30s"), or a tag of
# three characters at most ("k8s"). The parts of a random token mix case and digits all
# through, and a token without a separator is never read as a name (an ASP.NET session id is
# lower-case letters and digits: some have all their digits at the end).
_NAME_SEPARATORS = re.compile(r"[_.-]+")
_NAME_PART = re.compile(r"[a-z]+[0-9]*|[0-9]+[a-z]{0,2}|[a-z0-9]{1,3}")


def _word_name(value: str) -> bool:
    """Whether `value` is a name made of words and numbers joined by "_", "-" or "."."""
    if value.lower() != value and value.upper() != value:
        return False
    parts = [part for part in _NAME_SEPARATORS.split(value.lower()) if part]
    return len(parts) >= 2 and all(_NAME_PART.fullmatch(part) for part in parts)


def _opaque_id(value: str) -> bool:
    """Whether `value` is 16+ base64 or hex characters holding both letters and digits."""
    return (
        _OPAQUE.fullmatch(value) is not None
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
    )


# Values that say "no secret here": empty, null-ish, masked already, or a reference to one.
_NOT_SECRET = frozenset(
    {"null", "none", "nil", "true", "false", "undefined", "bearer", "basic", "redacted", "-"}
    | {"[filtered]", "filtered"}  # Rails' filter_parameters
    | {"hidden", "masked"}  # Kafka's config dump: ssl.key.password = [hidden]
    | {"value_specified_in_no_log_parameter"}  # Ansible's module_args under no_log
)
_WORDLIKE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+")
# A value that names a secret kept elsewhere: $VAR, ${VAR}, $(cmd), PowerShell's $env:VAR,
# {{ template }}, <nil>, {object} (braces around a value that looks random are no reference:
# `_braced_reference`).
_REFERENCE = re.compile(r"\$(?:\{|\(|[A-Z_][A-Z0-9_]*$|[Ee]nv:[A-Za-z_]\w*$)|<.*>$")
# A name in braces is a format string's field ({password}, {0}, {db.pass}).
_BRACED_NAME = re.compile(r"[\w.-]*")
# What C's printf and loggers print in parentheses for a missing or hidden value: "(null)".
_PARENTHESIZED = frozenset(
    {
        "null",
        "nil",
        "none",
        "empty",
        "hidden",
        "masked",
        "redacted",
        "sensitive",
        "sensitive value",  # Terraform's
        "unset",
        "not set",
    }
)


def _braced_reference(value: str) -> bool:
    """Whether `value`, starting with a brace, is a template, a format field or a struct's start.

    Braces around a random value (``{Zq8xYw4}``) hold a secret, not a reference to one.
    """
    if not value.endswith("}"):
        return True  # {{ template or a Go struct's first field: cut before its end
    inner = value[1:-1].strip()
    return inner.startswith(("{", "$", ".")) or (
        _BRACED_NAME.fullmatch(inner) is not None and not _mixed_case_with_digit(inner)
    )


# Placeholders, and the escaped newlines that may sit between them: what is left once they are
# taken out is spaces (the value held nothing else) or the word that stood before them.
# A list of logins whose passwords are hidden: only users are left ("admin: ,ops: ").
_USERS_LEFT = re.compile(r"(?:[\w.@+-]+:[ \t]*[,;]?[ \t]*)+")
_PLACEHOLDERS = re.compile(r"\[REDACTED:[a-z_]+\]|\\[nrt]")


def _is_not_secret(value: str) -> bool:
    stripped = value.strip()
    if _PLACEHOLDER in stripped:  # a value redacted already, maybe after a scheme word
        rest = _PLACEHOLDERS.sub(" ", stripped).strip()
        return not rest or rest.lower() in _NOT_SECRET or _USERS_LEFT.fullmatch(rest) is not None
    return (
        not stripped.strip("*")  # empty, or masked already
        or stripped.lower() in _NOT_SECRET
        or _REFERENCE.match(stripped) is not None
        or (stripped.startswith("{") and _braced_reference(stripped))
        or (stripped[:1] == "(" and stripped[1:].rstrip(")").lower() in _PARENTHESIZED)
    )


def _is_basic_credential(value: str) -> bool:
    """Whether `value` is base64 of ``user:password``, as HTTP Basic auth sends it.

    Some clients leave out the padding (``c3ZjOnB3``): it is put back before decoding.
    """
    padded = value if "=" in value else value + "=" * (-len(value) % 4)
    try:
        decoded = base64.b64decode(padded, validate=True).decode()
    except (binascii.Error, ValueError):
        return False
    return ":" in decoded and decoded.isprintable()
