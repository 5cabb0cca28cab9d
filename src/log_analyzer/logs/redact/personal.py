"""Payment card numbers, always redacted, and personal data when asked for: e-mail and IP.

A card number is a run of 13 to 19 digits, written as cards are, in a known issuer's range and
length, that passes the Luhn check; decimal trace and span ids are not cards.
"""

from __future__ import annotations

import re

from log_analyzer.logs.redact.rule import _ESCAPE_SHAPE, _ESCAPES, _placeholder

# A run of 13 or more digits, single spaces or dashes between them, not inside a word, a
# decimal or a negative number, or right after an escape (`\n4111...`, `%204111...`; never
# from inside one: not right after "%"). The first digit is matched before the look-behinds, so
# the regex engine can skip to digits fast; the run is taken whole (possessive) and what
# follows it is checked by the replacer, so no run is scanned twice.
_CARD = re.compile(
    r"[0-9](?:(?<![\w.+-][0-9])"
    + "".join(f"|(?<={escape}[0-9])" for escape in _ESCAPES)
    + r")(?<!%[0-9])(?:[ -]?[0-9]){12,}+"
)
_AFTER_NUMBER = re.compile(r"\w|\.[0-9]")
_LAST_GROUP = re.compile(r"[ -][0-9]+\Z")
# What the prefilter looks for, in RE2's syntax (no look-arounds): from where such a run starts,
# 13 to 19 digits that may be the run or one group of it; a superset, as it may be.
_CARD_SHAPE = (
    rf"(?:^|[^\w.+-]|{_ESCAPE_SHAPE})(?:[0-9]+[ -])*[0-9](?:[ -]?[0-9]){{12,18}}"
    r"(?:$|[^\w.]|\.[^0-9]|\.$)"
)
_CARD_GROUP = re.compile(r"(?<![0-9])[0-9]{13,19}(?![0-9])")
_ANY_LENGTH = range(13, 20)
_LONG = range(16, 20)
# Issuer identification number ranges (lowest and highest prefix) and their card lengths: a
# random run of digits passes the Luhn check one time in ten, the issuers' ranges and lengths
# rule out most of those (and every epoch time: no issuer starts with 1).
_ISSUERS: tuple[tuple[str, str, range | tuple[int, ...]], ...] = (
    ("4", "4", (13, 16, 19)),  # Visa
    ("51", "55", (16,)),  # Mastercard
    ("2221", "2720", (16,)),
    ("2200", "2204", _LONG),  # Mir
    ("34", "34", (15,)),  # American Express
    ("37", "37", (15,)),
    ("3528", "3589", _LONG),  # JCB
    ("300", "305", range(14, 20)),  # Diners Club
    ("3095", "3095", range(14, 20)),
    ("36", "36", range(14, 20)),
    ("38", "39", _LONG),
    ("6011", "6011", _LONG),  # Discover
    ("644", "649", _LONG),
    ("65", "65", _LONG),
    ("62", "62", _LONG),  # UnionPay
    ("60", "60", (16,)),  # RuPay
    ("508", "508", (16,)),
    ("5019", "5019", (16,)),  # Dankort
    ("636", "636", _LONG),  # InterPayment
    ("637", "639", (16,)),  # InstaPayment
    ("5018", "5018", _ANY_LENGTH),  # Maestro
    ("5020", "5020", _ANY_LENGTH),
    ("5038", "5038", _ANY_LENGTH),
    ("5893", "5893", _ANY_LENGTH),
    ("6304", "6304", _ANY_LENGTH),
    ("6759", "6759", _ANY_LENGTH),
    ("6761", "6763", _ANY_LENGTH),
)


_DOUBLED = "0246813579"  # the Luhn check's digit doubled, digits summed: 7 -> 14 -> 5


def _luhn(digits: str) -> bool:
    """Whether `digits` passes the Luhn check, as every payment card number does."""
    return (
        sum(
            int(_DOUBLED[int(char)] if position % 2 else char)
            for position, char in enumerate(reversed(digits))
        )
        % 10
        == 0
    )


def _is_card_number(digits: str) -> bool:
    issued = any(
        low <= digits[: len(low)] <= high and len(digits) in lengths
        for low, high, lengths in _ISSUERS
    )
    return issued and _luhn(digits)


def _is_card_run(run: str) -> bool:
    """Whether a run of digit groups is one card number, written as cards are.

    Groups are joined by one kind of separator and hold 3 to 6 digits (4-4-4-4, 4-6-5):
    "4 1 1 1 ..." or "60117842 83869942" are lists of numbers.
    """
    if "-" in run and " " in run:
        return False
    groups = run.replace("-", " ").split()
    if not all(3 <= len(group) <= 6 for group in groups):
        return False  # a number written without separators is one group: see _card
    return _is_card_number("".join(groups))


def _card_group(match: re.Match[str]) -> str:
    number = match.group()
    return _placeholder("card") if _is_card_number(number) else number


# Trace and span ids in decimal (Datadog's dd.trace_id, "span_id"): 64-bit numbers, some of
# which pass for a card number.
_TRACE_ID_KEY = re.compile(
    r"(?i:trace|span|parent)[_.-]?(?i:id)\\?[\"']?[ \t]*[:=][ \t]*\\?[\"']?\Z"
)
_TRACE_ID_REACH = 24
"""How far before a number its trace id key is looked for."""


def _card(match: re.Match[str]) -> tuple[str, str] | None:
    start = match.start()
    if _TRACE_ID_KEY.search(match.string, max(0, start - _TRACE_ID_REACH), start):
        return None
    run, tail = match.group(), ""
    if _AFTER_NUMBER.match(match.string, match.end()):
        # The last group is part of a word or a decimal ("4111111111111111 3DS", "... 2.5").
        last = _LAST_GROUP.search(run)
        if last is None:
            return None
        run, tail = run[: last.start()], last.group()
    if _is_card_run(run):
        return "card", _placeholder("card") + tail
    # A number without separators is a card alone, or next to other numbers ("4111111111111111
    # 2026"); a run of groups is one only whole: "Fan speeds 6302 9712 6779 6948 5221 8804".
    replaced = _CARD_GROUP.sub(_card_group, run)
    return ("card", replaced + tail) if replaced != run else None


# File names look like addresses (logo@2x.png): their extensions are no top-level domains.
_FILE_EXTENSION = re.compile(
    r"png|jpe?g|gif|svg|webp|ico|css|m?js|map|json|html?|txt|log|ya?ml|xml|t?gz|zip|[jwt]ar"
    r"|py|go|java|rb|rs|sh|md|pdf|csv",
    re.IGNORECASE,
)
# The "@" may be escaped: percent-encoded in a query (?email=jane%40example.com) or as JSON's
# \u0040. Which escape it is depends on its digits' values (`_email` reads them; the pattern
# takes any): `_ENCODED_AT` finds every text where one could stand, for `same_for_all_digits`,
# and `_ENCODED_AT_SHAPE` for the prefilter.
_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}(?P<at>@|%[0-9]{2}|\\u[0-9]{4})(?:[A-Za-z0-9-]{1,63}\.)+"
    r"(?P<tld>[A-Za-z]{2,24})(?![\w-]|\.[A-Za-z0-9])"
)
_AT_SIGNS = frozenset({"@", "%40", "\\u0040"})
_ENCODED_AT = re.compile(r"[A-Za-z0-9._+-](?:%[0-9]{2}|\\u[0-9]{4})[A-Za-z0-9-]+\.[A-Za-z]")
_ENCODED_AT_SHAPE = r"[a-z0-9._+-](?:%[0-9]{2}|\\u[0-9]{4})[a-z0-9-]+\.[a-z]"


def _email(match: re.Match[str]) -> tuple[str, str] | None:
    if match.group("at").lower() not in _AT_SIGNS:
        return None  # another escape: report%20final.pdf
    if _FILE_EXTENSION.fullmatch(match.group("tld")):
        return None
    if match.group().startswith("git@"):
        return None  # git's SSH user on a code host (git@github.com:org/repo.git), no person
    return "email", _placeholder("email")


_IPV4 = r"[0-9](?<![\w.][0-9])[0-9]{0,2}(?:\.[0-9]{1,3}){3}(?!\w|\.[0-9])"
_H = "[0-9A-Fa-f]{1,4}"
# Eight groups, or fewer around one "::"; each group a whole word (hex words of 5+ characters,
# ids among them, are never part of an address).
_IPV6 = (
    rf"(?<![\w:.])(?:{_H}(?::{_H}){{7}}|(?:{_H}(?::{_H}){{0,6}})?::(?:{_H}(?::{_H}){{0,6}})?)"
    r"(?![\w:]|\.[0-9])"
)
_IP = re.compile(f"{_IPV6}|{_IPV4}")
_IP_SHAPES = (
    r"(?:^|[^\w.])[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?:$|[^\w.]|\.[^0-9]|\.$)",
    rf"(?:^|[^\w:.])(?:{_H}(?::{_H}){{7}}|(?:{_H}(?::{_H}){{0,6}})?::(?:{_H}(?::{_H}){{0,6}})?)"
    r"(?:$|[^\w:.]|\.[^0-9]|\.$)",
)


def _ip(match: re.Match[str]) -> tuple[str, str] | None:
    address = match.group()
    if address.count(":") > 7 or address == "::":
        return None  # too many groups, or "::" alone (a separator, as in "key :: value")
    return "ip", _placeholder("ip")
