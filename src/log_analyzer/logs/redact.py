"""Redact secrets from log text before it leaves the service, e.g. in a prompt for an LLM.

Every secret becomes a typed placeholder ``[REDACTED:<kind>]``. Key-value pairs keep their key and
their quoting, so a redacted JSON line still parses. Rules run from the most specific to the most
generic: a JWT sent as ``Authorization: Bearer <jwt>`` is counted once, as a ``jwt``, and no rule
matches a placeholder, so redacting redacted text changes nothing.

Every pattern is linear (no nested quantifiers over overlapping classes), and a rule is skipped
outright when the text lacks all of its literal hints, which keeps large batches cheap.

No hint holds a digit, and whether a rule matches and keeps its match depends on where digits
are, never on their values (patterns use digits only inside classes holding all ten), except
for HTTP Basic credentials, which are decoded: :func:`same_for_all_digits` says when one
outcome holds for every text that differs only in its digits, so callers may cache it.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType

_PLACEHOLDER = "[REDACTED:"


def _placeholder(kind: str) -> str:
    """The text that stands in for a secret of `kind`."""
    return f"{_PLACEHOLDER}{kind}]"


@dataclass(frozen=True, slots=True)
class Redaction:
    """Redacted text and how many secrets of each kind were replaced in it."""

    text: str
    counts: Mapping[str, int] = field(hash=False)
    """Kind -> number of replacements; kinds with none are absent."""

    @property
    def total(self) -> int:
        """How many secrets were replaced, all kinds together."""
        return sum(self.counts.values())


# A replacer gets one match and returns (kind, replacement), or None to leave the match as it is.
_Replacer = Callable[[re.Match[str]], tuple[str, str] | None]


@dataclass(frozen=True, slots=True)
class _Rule:
    pattern: re.Pattern[str]
    hints: tuple[str, ...]
    """Lower-case literals, one of which the text must contain for the rule to be tried."""
    replace: _Replacer


def _swap(match: re.Match[str], group: str, kind: str, quote: str = "") -> tuple[str, str]:
    """Replace only `group` inside the match, wrapping the placeholder in `quote`."""
    whole, base = match.group(0), match.start()
    start, end = match.span(group)
    return kind, f"{whole[: start - base]}{quote}{_placeholder(kind)}{quote}{whole[end - base :]}"


_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def _inside_word(match: re.Match[str]) -> bool:
    """Whether the match starts in the middle of a token (so it is only part of one)."""
    start = match.start()
    return start > 0 and match.string[start - 1] in _TOKEN_CHARS


def _whole(kind: str) -> _Replacer:
    """A replacer for rules whose entire match is the secret."""

    def replace(match: re.Match[str]) -> tuple[str, str] | None:
        return kind, _placeholder(kind)

    return replace


def _mixed_case_with_digit(value: str) -> bool:
    # Random keys mix cases and digits; hyphenated resource names (sk-prod-pool-1) do not.
    return any(c.isdigit() for c in value) and value.lower() != value and value.upper() != value


def _is_basic_credential(value: str) -> bool:
    """Whether `value` is base64 of ``user:password``, as HTTP Basic auth sends it."""
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return False
    return ":" in decoded and decoded.isprintable()


def _looks_opaque(value: str) -> bool:
    """Whether a bearer value looks like a credential rather than an English word."""
    if len(value) >= 20:
        return True
    return len(value) >= 8 and not value.isalpha()


def _auth_scheme(match: re.Match[str]) -> tuple[str, str] | None:
    if _inside_word(match):
        return None
    value = match.group("secret")
    if match.group("scheme").lower() == "basic":
        return _swap(match, "secret", "basic_auth") if _is_basic_credential(value) else None
    return _swap(match, "secret", "bearer") if _looks_opaque(value) else None


def _url_password(match: re.Match[str]) -> tuple[str, str] | None:
    if _PLACEHOLDER in match.group("secret"):
        return None
    return _swap(match, "secret", "url_password")


# Values that say "no secret here": empty, null-ish, masked already, or a reference to one.
_NOT_SECRET = frozenset(
    {"null", "none", "nil", "true", "false", "undefined", "bearer", "basic", "redacted", "-"}
)
_WORDLIKE = re.compile(r"[A-Z]?[a-z]+")
# A value that names a secret kept elsewhere: $VAR, ${VAR}, $(cmd), {{ template }}, <nil>, {object}.
_REFERENCE = re.compile(r"\$(?:\{|\(|[A-Z_][A-Z0-9_]*$)|\{|<.*>$")


def _is_not_secret(value: str) -> bool:
    stripped = value.strip()
    return (
        not stripped.strip("*")  # empty, or masked already
        or _PLACEHOLDER in stripped
        or stripped.lower() in _NOT_SECRET
        or _REFERENCE.match(stripped) is not None
    )


_KEY_KINDS = {
    "password": "password",
    "passwd": "password",
    "passphrase": "password",
    "pwd": "password",
    "token": "token",
    "apikey": "api_key",
    "secretaccesskey": "aws_secret_key",
}


def _kv_kind(keyword: str) -> str:
    """The kind named by the last word of a key: ``DB_PASSWORD`` -> password."""
    return _KEY_KINDS.get(keyword.lower().replace("_", "").replace("-", ""), "secret")


def _key_value(match: re.Match[str]) -> tuple[str, str] | None:
    group = match.lastgroup or "bare"
    value = match.group(group)
    if _is_not_secret(value):
        return None
    keyword, key_quote = match.group("kw"), match.group("kq") or ""
    bare = group == "bare"
    if keyword.lower() == "pwd" and value.startswith(("/", "~")):
        return None  # PWD=/srv/app in an environment dump is a directory, not a password.
    prose_after_colon = bare and not key_quote and ":" in match.group("sep")
    if prose_after_colon and _WORDLIKE.fullmatch(value.rstrip(".,!?:")):
        return None  # Go-style errors put prose after a colon: "invalid token: signature expired".
    # A bare JSON value (a number) gets quotes, so the line stays valid JSON.
    return _swap(match, group, _kv_kind(keyword), key_quote if bare else "")


_TOKEN = "A-Za-z0-9_-"  # base64url, and most vendors' token alphabets
# Each branch starts with a literal (no leading look-behind, no IGNORECASE) so the regex engine can
# jump straight to candidate positions; word boundaries are checked by the replacers instead.
_VENDOR_TOKEN = re.compile(
    rf"eyJ[{_TOKEN}]{{7,}}\.[{_TOKEN}]{{4,}}\.[{_TOKEN}]*"
    r"|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}"
    rf"|glpat-[{_TOKEN}]{{20,}}"
    r"|xox[abprs]-[A-Za-z0-9-]{10,}"
    rf"|AIza[{_TOKEN}]{{35}}(?![{_TOKEN}])"
    r"|sk_(?:live|test)_[A-Za-z0-9]{16,}|rk_(?:live|test)_[A-Za-z0-9]{16,}"
    rf"|sk-[{_TOKEN}]{{20,}}"
    r"|A(?:KI|SI)A[A-Z0-9]{16}(?![A-Za-z0-9])"
)
_VENDOR_KINDS = (
    ("eyJ", "jwt"),
    ("gh", "github_token"),
    ("github_pat_", "github_token"),
    ("glpat-", "gitlab_token"),
    ("xox", "slack_token"),
    ("AIza", "google_api_key"),
    ("sk_", "stripe_key"),
    ("rk_", "stripe_key"),
    ("sk-", "llm_api_key"),
    ("A", "aws_access_key"),
)
_VENDOR_HINTS = (
    "eyj",
    "gh",
    "github_pat_",
    "glpat-",
    "xox",
    "aiza",
    "k_live_",
    "k_test_",
    "sk-",
    "akia",
    "asia",
)


def _vendor_token(match: re.Match[str]) -> tuple[str, str] | None:
    token = match.group(0)
    if _inside_word(match):
        return None
    kind = next(kind for prefix, kind in _VENDOR_KINDS if token.startswith(prefix))
    if kind == "llm_api_key" and not _mixed_case_with_digit(token):
        return None
    return kind, _placeholder(kind)


# Key names end with one of these words: db_password, clientSecret, x-api-key. Spelled as
# first letter + case-insensitive rest, for the same fast start as above.
_KEY_WORDS = {
    "s": r"ecret[_-]?access[_-]?key|ecret[_-]?key|ecret",
    "p": r"assw(?:or)?d|assphrase|rivate[_-]?key|wd",
    "a": r"pi[_-]?key",
    "t": r"oken",
}
_KEYWORD = "(?P<kw>{})".format(
    "|".join(
        f"{c}(?i:{rest})" for first, rest in _KEY_WORDS.items() for c in (first, first.upper())
    )
)
# "password= user=x" has an empty password, not the value "user=x".
_SEPARATOR = r"(?P<sep>[ \t]*(?::|=(?![ \t]+[A-Za-z0-9_.-]+=))[ \t]*)"
_VALUE = (
    r"(?:\\\"(?P<eq>[^\"\\\n]*)\\\""  # escaped JSON inside a string: \"password\":\"x\"
    r"|\"(?P<dq>(?:[^\"\\\n]|\\.)*)\"?"  # closing quote optional: lines may be cut short
    r"|'(?P<sq>[^'\n]*)'?"
    r"|(?P<bare>[^\s\"'\\\[\])}<>,;&]+))"
)

_RULES: tuple[_Rule, ...] = (
    # A BEGIN without its END (a cut-off message) hides everything after it: losing some log text
    # is cheaper than leaking part of a key.
    _Rule(
        re.compile(
            r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:.*?-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|.*)",
            re.DOTALL,
        ),
        ("private key",),
        _whole("private_key"),
    ),
    _Rule(
        _VENDOR_TOKEN,
        _VENDOR_HINTS,
        _vendor_token,
    ),
    _Rule(
        re.compile(r"://[^\s:/?#@\[\]\"'<>]*:(?P<secret>[^\s/?#@\"'<>]+)@"),
        ("://",),
        _url_password,
    ),
    _Rule(
        re.compile(r"(?P<scheme>[Bb](?i:earer|asic))[ \t]+(?P<secret>[A-Za-z0-9._~+/-]+=*)"),
        ("bearer", "basic"),
        _auth_scheme,
    ),
    _Rule(
        re.compile(_KEYWORD + r"(?![A-Za-z0-9_.-])(?P<kq>\\?[\"'])?" + _SEPARATOR + _VALUE),
        ("pass", "pwd", "secret", "token", "key"),
        _key_value,
    ),
)


def _substitute(replace: _Replacer, counts: dict[str, int], match: re.Match[str]) -> str:
    found = replace(match)
    if found is None:
        return match.group(0)
    kind, replacement = found
    counts[kind] = counts.get(kind, 0) + 1
    return replacement


# Every rule's hints, minus those containing another ("private key" holds "key"): a text holding
# none of these is returned as it is, after one lower() and a few substring scans.
_ALL_HINTS = tuple(
    sorted(
        {
            hint
            for rule in _RULES
            for hint in rule.hints
            if not any(other != hint and other in hint for r in _RULES for other in r.hints)
        }
    )
)


# One pass of a literal alternation over the lowered text is about half the cost of testing
# each hint with `in` (measured on the 100,000-line pipeline benchmark).
_HINT = re.compile("|".join(re.escape(hint) for hint in _ALL_HINTS))


def may_contain_secret(text: str) -> bool:
    """Whether :func:`redact` could change ``text``; False means it certainly returns it as is.

    The check looks for the rules' literal hints only, none of which holds a digit: texts that
    differ only in their digits get the same answer.
    """
    return _HINT.search(text.lower()) is not None


def same_for_all_digits(text: str) -> bool:
    """Whether :func:`redact` finds alike secrets in every text like ``text`` but for its digits.

    Texts that differ only in the values of their ASCII digits get the same verdict from every
    rule, except Basic credentials, which are decoded.
    """
    return "basic" not in text.lower()


def redact(text: str) -> Redaction:
    """Replace every secret found in `text` with ``[REDACTED:<kind>]`` and count them by kind."""
    counts: dict[str, int] = {}
    lowered = text.lower()
    if _HINT.search(lowered) is None:
        return Redaction(text=text, counts=_NO_COUNTS)
    for rule in _RULES:
        for hint in rule.hints:
            if hint in lowered:
                text = rule.pattern.sub(partial(_substitute, rule.replace, counts), text)
                break
    return Redaction(text=text, counts=MappingProxyType(counts))


_NO_COUNTS: Mapping[str, int] = MappingProxyType({})
