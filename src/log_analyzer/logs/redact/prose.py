"""Secrets named in prose, their value after a space: "auth_token 09f0...", "api key is Ab3...".

And a password stated in prose (`_stated_password`), or quoted right after its name in any
language (`_quoted_password`: ``mot de passe « x » refusé``).

Only a value no word or name looks like counts (`_spaced_secret`).
"""

from __future__ import annotations

import re

from log_analyzer.logs.redact.key_names import (
    _FOREIGN_PASSWORD_HINTS,
    _FOREIGN_PASSWORD_WORDS,
    _ID_KEY_NAMES,
    _PUBLIC,
    _key_prefix,
    _kv_kind,
)
from log_analyzer.logs.redact.rule import _Rule, _swap
from log_analyzer.logs.redact.values import (
    _high_entropy,
    _is_not_secret,
    _long_hex,
    _mixed_through,
    _opaque_id,
)

# A secret named in prose, its value after a space: "auth_token 09f0...", "api key is Ab3...",
# "invalid token 00Kx..." (no separator, so the key-value rules do not see it). Prose puts words
# there ("token expired", "password for user x", "secret default-token-x7k2p mounted"): only a
# value no word or name looks like counts (`_spaced_secret`).
_SPACED_SECRET = re.compile(
    r"(?P<kw>[Pp](?i:assword|asswd|assphrase)|[Ss](?i:ecret)(?:[ _-]?[Kk](?i:ey))?|[Tt](?i:oken)"
    r"|[Aa](?i:pi|ccess|uth)[ _-]?[Kk](?i:ey)|[Pp](?i:rivate)[ _-]?[Kk](?i:ey)"
    r"|[Cc](?i:redential)s?|[Kk](?i:ey))"
    r"[ \t]+(?:(?i:is|was|set to)[ \t]+)?"
    # A dot or a tilde inside the value (Discord's, OpenShift's), not at its end (a full stop);
    # a percent-escape (Twitter's %3D) or '=' (Adyen's =-) inside it too.
    r"(?P<secret>(?:[A-Za-z0-9+/_.~-]|%[0-9A-Fa-f]{2}|=(?=[A-Za-z0-9+/_-])){15,}"
    r"[A-Za-z0-9+/_-]={0,2})"
)
_ONE_CASE_MIN_CHARS = 24
_ONE_CASE_MIN_LETTERS = 8


def _random_in_one_case(value: str) -> bool:
    """Whether `value` is a random key in one case (``itebw31ifoo30vj3db62g8kvop8nlxzv``).

    Its entropy, digits counted as one symbol, stays low; what gives it away is length and
    letters and digits mixed all through it. Hex (digests, ids: six letters at most) is left to
    its own test, and so is anything with a separator (names: ``api-7d4b9c8f6d-x2x9k``).
    """
    return (
        len(value) >= _ONE_CASE_MIN_CHARS
        and _mixed_through(value)
        # Many different letters, not a short piece repeated (xq7xq7...); digits are not
        # looked at, so that no verdict depends on their values.
        and len({c for c in value if c.isalpha()}) >= _ONE_CASE_MIN_LETTERS
    )


# A vendor's token is often a word or two and a random part: sk_<hex>, sm_pat_<random>,
# pat-na1-<uuid>, 1000.<hex>.<hex>, API-<random>. Each part is judged on its own (parts end at
# '.', '_', '-', '~', '=' and percent-escapes).
_TOKEN_PARTS = re.compile(r"(?:[._~=-]|%[0-9A-Fa-f]{2})+")
# Words, then a UUID: LaunchDarkly's sdk-<uuid>, HubSpot's pat-na1-<uuid>, Plaid's
# access-production-<uuid>. A UUID alone is left to the key-value rules (prose names ids).
_WORDS_THEN_UUID = re.compile(
    r"(?:[a-z][a-z0-9]{0,15}-){1,3}[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    re.IGNORECASE,
)


def _spaced_secret(match: re.Match[str]) -> tuple[str, str] | None:
    start = match.start()
    before_char = match.string[start - 1] if start else ""
    camel_case = before_char.islower() and match.group("kw")[0].isupper()
    if before_char.isalnum() and not camel_case:
        return None  # the tail of a longer word: "accesstoken", "nopassword"; not "npmAuthToken"
    keyword = match.group("kw").replace(" ", "")
    before = match.string[max(0, start - 32) : start].split()
    named = before[-1].lower().strip("\"'([{,:;") if before else ""
    if named in _ID_KEY_NAMES or named in _PUBLIC:
        return None  # "cache key ...", "public key ...", "public api key ...": no secret
    value = match.group("secret")
    plain = value.replace(".", "").replace("~", "")
    # A value without a separator is its only part.
    random = (
        _high_entropy(plain)
        or _WORDS_THEN_UUID.fullmatch(value) is not None
        or any(_random_part(part) for part in _TOKEN_PARTS.split(value))
    )
    if not random:
        return None
    return _swap(match, "secret", _kv_kind(keyword, _key_prefix(match)))


def _random_part(part: str) -> bool:
    """Whether `part` looks random: high entropy, hex, or letters and digits in one case.

    Hex only from 128 bits (an API key's, not a short id's).
    """
    return (
        _high_entropy(part) or (_long_hex(part) and _opaque_id(part)) or _random_in_one_case(part)
    )


# A password stated in prose, its value after a linking word ("the password is hunter2-p3k64",
# "password was Tr0ub4dor&3", "password for user bob is now x") or after "with"/"using" ("login
# with password s3cr3t-x9 ok"). Such lines are far more often about a password than holding one
# ("password is incorrect", "password was changed", "the password is expired"): only a value no
# word looks like counts (`_stated_password`), quoted or not.
_STATED_PASSWORD = re.compile(
    r"(?P<kw>[Pp](?i:assword|asswd|assphrase|asscode))"
    # (Whose: one or two words, not the linking word: "password for deploy is x".)
    r"(?:[ \t]+(?P<whose>(?i:for|of)"
    r"(?:[ \t]+(?!(?i:is|was|set|changed|reset)[ \t])[^\s\"'`\\]{1,64}){1,2}))?[ \t]+"
    r"(?:(?P<link>(?i:(?:is|was)(?:[ \t]+(?:now|still|set to|changed to))?:?"
    r"|(?:set|changed|reset) to))[ \t]+)?"
    r"(?P<q>[\"'`]?)(?P<secret>[^\s\"'`\\]{6,})(?P=q)"
)
# What stands before "password" when no linking word follows it: "with password x".
_USING = re.compile(r"(?i:with|using|via|by)[ \t]+(?:(?i:the|a|an|new|old|admin|user)[ \t]+)?\Z")
_SENTENCE_END = ".,;:"
# How a password is kept or sent, not what it is: "password is base64-encoded", "bcrypt".
_ALGORITHM = re.compile(
    r"(?i:sha|md|utf|base|aes|rsa|argon|pbkdf|crc|des|ed|x|hs|rs|es|ps|blake|scram-sha-|rc)"
    r"-?[0-9]+[a-z]*(?:[-_][A-Za-z0-9]+)*"
)
# A digit or a symbol that words do not hold (a hyphen, an apostrophe, an underscore or a dot
# join words: "user-defined", "pre_hashed").
_NOT_A_WORD = re.compile(r"[0-9]|[^\w'.-]")


def _stated_password(match: re.Match[str]) -> tuple[str, str] | None:
    start = match.start()
    if start and match.string[start - 1].isalnum():
        return None  # the tail of a longer word: "nopassword is"
    if match.group("link") is None and (
        match.group("whose") is not None
        or not _USING.search(match.string, max(0, start - 24), start)
    ):
        return None  # "password reset requested", "password hashing failed", "password for x"
    value = match.group("secret")
    judged = value.rstrip(_SENTENCE_END) if not match.group("q") else value
    if (
        len(judged) < _STATED_MIN_CHARS
        or _is_not_secret(judged)
        or judged.startswith(("/", "~", "./"))  # a file that holds it
        or not any(c.isalpha() for c in judged)  # a number: "password is 8 characters"
        or _NOT_A_WORD.search(judged) is None
        or _ALGORITHM.fullmatch(judged) is not None
    ):
        return None
    tail = len(value) - len(judged)
    return _swap(match, "secret", "password", tail=tail)


_STATED_MIN_CHARS = 6
"""The shortest value stated in prose taken for a password (``hunter2`` is seven)."""


# A password quoted right after its name, as a localized message quotes it: "mot de passe
# « x » refusé", "Passwort „x“ abgelehnt", "пароль 'x' неверен", パスワード「x」. Quotes of any
# kind; one word inside them. (The SQL rule, before this one, has taken ASCII quotes after
# "password" itself: PASSWORD 'x'.)
_OPEN = "'\"`\u00ab\u00bb\u201e\u201c\u2018\u300c\u300e"
_CLOSE = "'\"`\u00bb\u00ab\u201c\u201d\u2019\u300d\u300f"
_SPACES = " \u00a0\u202f"
# English words stand alone ("nopassword" is another word); German and the other languages
# join them to the words before (Benutzerkennwort, Datenbankpasswort, 数据库密码).
_QUOTED_PASSWORD = re.compile(
    r"(?:(?<![A-Za-z0-9_$.])(?:[Pp](?i:assword|asswd|assphrase|asscode)"
    r"|[Mm](?i:ot)[ \t]+(?i:de)[ \t]+[Pp](?i:asse))|(?<![0-9_$.])(?:[Pp](?i:asswort)|"
    + "|".join(f"(?i:{word})" for word in _FOREIGN_PASSWORD_WORDS)
    + rf"))[\t{_SPACES}]*[{_OPEN}][{_SPACES}]?(?P<secret>[^\s{_OPEN}{_CLOSE}]{{4,256}})"
    + rf"[{_SPACES}]?[{_CLOSE}]"
)
_QUOTED_PASSWORD_NARROWING = rf"pass(?:w(?:or)?d|wort|phrase|code|e)?[\t{_SPACES}]*[{_OPEN}]"
"""Where `_QUOTED_PASSWORD` may match after "pass" (RE2, case-folded): a quote, not any "pass"."""


def _quoted_password(match: re.Match[str]) -> tuple[str, str] | None:
    if _is_not_secret(match.group("secret")):
        return None
    return _swap(match, "secret", "password")


# After the SQL rule, which reads PASSWORD '...' with its doubled quotes.
_QUOTED_PASSWORD_RULE = _Rule(
    _QUOTED_PASSWORD,
    _FOREIGN_PASSWORD_HINTS,
    _quoted_password,
    narrowing=(_QUOTED_PASSWORD_NARROWING,),
)
