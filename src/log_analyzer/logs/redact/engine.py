"""Run the rules over a text: :func:`redact`, :func:`may_contain_secret` and friends.

The rules a ``pii`` selection needs are planned once (`_plan`): their hints and shapes in one
RE2 alternation, which tells a clean text in one pass, and in one RE2 set, which tells the rules
a text needs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType
from typing import Any, NamedTuple

import re2

from log_analyzer.logs.redact.generic_key_values import _PAIR_BASE64
from log_analyzer.logs.redact.kubernetes import _ENCODED_HINT, _ENCODED_SECRET
from log_analyzer.logs.redact.percent_encoded import _ENCODED_KEY, _ENCODED_PAIR
from log_analyzer.logs.redact.personal import _CARD, _ENCODED_AT
from log_analyzer.logs.redact.rule import _EDGE, _placeholder, _Replacer, _Rule
from log_analyzer.logs.redact.rules import _rules

PII_KINDS = frozenset({"email", "ip"})
"""Personal data :func:`redact` can be asked to hide, besides secrets and card numbers."""
DEFAULT_PII = frozenset({"email"})
"""The personal data redacted unless a caller says otherwise."""


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


_RULES = _rules()


def _substitute(replace: _Replacer, counts: dict[str, int], match: re.Match[str]) -> str:
    found = replace(match)
    if found is None:
        return match.group(0)
    kind, replacement = found
    # One match may hide several secrets (two card numbers in one run of digits).
    counts[kind] = counts.get(kind, 0) + replacement.count(_placeholder(kind))
    return replacement


class _Plan(NamedTuple):
    rules: tuple[_Rule, ...]
    hint: Any
    """RE2, every hint and shape of the rules in one alternation: a text matching none is clean.

    RE2 scans it as one automaton, so its cost does not grow with the number of hints.
    """
    hints: Any
    """An RE2 set of the same hints apart, to find the rules a text needs in one pass."""
    owners: tuple[int, ...]
    """The rule of each hint in ``hints``, by position."""


def _plan(pii: frozenset[str]) -> _Plan:
    """The rules that find what ``pii`` asks for, and their hints, built once per ``pii``."""
    plan = _PLANS.get(pii)
    return _build_plan(pii) if plan is None else plan


def _build_plan(pii: frozenset[str]) -> _Plan:
    unknown = pii - PII_KINDS
    if unknown:
        raise ValueError(f"unknown kinds of personal data: {sorted(unknown)}")
    rules = tuple(rule for rule in _RULES if rule.pii is None or rule.pii in pii)
    sources = [
        (index, source)
        for index, rule in enumerate(rules)
        for source in (*map(re.escape, rule.hints), *rule.shapes, *rule.narrowing)
    ]
    hints = re2.Set.SearchSet()
    for _, source in sources:
        hints.Add(source)
    hints.Compile()
    plan = _PLANS[pii] = _Plan(rules, _alternation(rules), hints, tuple(i for i, _ in sources))
    return plan


def _alternation(rules: tuple[_Rule, ...]) -> Any:
    """One RE2 regex matching wherever any of the `rules`' hints or shapes does.

    It matches the same texts as all the hints apart, in a smaller program: a literal holding
    another one (``"pass "`` holds ``pass``) and the narrowing shapes (which hold a literal of
    a rule that always runs) add nothing; the literals and shapes go sorted, so that RE2
    factors their common prefixes, and the shapes that start at a token's edge (`_EDGE`, which
    RE2 does not factor) share one.
    """
    literals = {hint for rule in rules for hint in rule.hints}
    kept = sorted(hint for hint in literals if not any(o in hint for o in literals - {hint}))
    shapes = sorted({shape for rule in rules for shape in rule.shapes})
    edged = [shape.removeprefix(_EDGE) for shape in shapes if shape.startswith(_EDGE)]
    sources = [*map(re.escape, kept), *(shape for shape in shapes if not shape.startswith(_EDGE))]
    if edged:
        sources.append(f"{_EDGE}(?:{'|'.join(edged)})")
    return re2.compile("|".join(sources))


_PLANS: dict[frozenset[str], _Plan] = {}


def _folded(text: str) -> bytes:
    """``text`` case-folded and encoded as UTF-8, for RE2.

    Case folding maps every letter a rule's ``(?i)`` matches to the hints' lower case (the
    Kelvin sign to ``k``, a long s to ``s``); a lone surrogate becomes ``?``, a non-word
    character like itself.
    """
    return text.casefold().encode(errors="replace")


def may_contain_secret(text: str, *, pii: frozenset[str] = DEFAULT_PII) -> bool:
    """Whether :func:`redact` could change ``text``; False means it certainly returns it as is.

    The check looks for the rules' hints only: literals without digits, and digit runs by their
    shape. Texts that differ only in their digits get the same answer.
    """
    return _plan(pii).hint.search(_folded(text)) is not None


# Two of `same_for_all_digits`' searches in RE2, which tries every key word in one pass where
# Python's `re` tries each at every position (34 and 12 us a line of the load benchmark's
# incident, against 2 or less): `_PAIR_BASE64` has no look-arounds, so RE2 answers it exactly;
# where `_ENCODED_SECRET`'s prefilter hint matches the case-folded text, `re` has the last word.
_PAIR_BASE64_RE2 = re2.compile(_PAIR_BASE64.pattern)
_ENCODED_HINT_RE2 = re2.compile(_ENCODED_HINT)
# One RE2 pass tells most texts from both `_PAIR_BASE64` and `_CARD` (whose look-behinds `re`
# tries at every digit: 8 us a line): a card number holds 13 digits, at most one space or hyphen
# apart, and this finds any such run.
_PAIR_OR_CARD_RE2 = re2.compile(rf"(?:{_PAIR_BASE64.pattern})|[0-9](?:[ -]?[0-9]){{12}}")


def same_for_all_digits(text: str, *, pii: frozenset[str] = DEFAULT_PII) -> bool:
    r"""Whether :func:`redact` finds alike secrets in every text like ``text`` but for its digits.

    Texts that differ only in the values of their ASCII digits get the same verdict from every
    rule, except Basic credentials (after "Basic", or as base64 under an auth or credentials
    key), base64 under a connection or credentials key, and percent-encoded pairs and keys, which
    are decoded, card numbers (issuer, Luhn check) and, when e-mail is asked for, an ``@``
    escaped as ``%40`` or ``\u0040`` (or any two or four digits there). Otherwise e-mail and IP
    addresses are found by shape, and ``pii`` changes nothing; it is checked like :func:`redact`
    checks it.
    """
    _plan(pii)
    folded = text.casefold()
    return (
        "basic" not in folded
        and (
            _PAIR_OR_CARD_RE2.search(text) is None
            or (_PAIR_BASE64_RE2.search(text) is None and _CARD.search(text) is None)
        )
        and (_ENCODED_HINT_RE2.search(folded) is None or _ENCODED_SECRET.search(text) is None)
        and (
            "%" not in text
            or (_ENCODED_PAIR.search(text) is None and _ENCODED_KEY.search(text) is None)
        )
        and ("email" not in pii or _ENCODED_AT.search(text) is None)
    )


def redact(text: str, *, pii: frozenset[str] = DEFAULT_PII) -> Redaction:
    """Replace every secret found in `text` with ``[REDACTED:<kind>]`` and count them by kind.

    Payment card numbers are secrets. ``pii`` names the personal data redacted too, out of
    :data:`PII_KINDS`: ``email`` and ``ip`` (addresses, v4 and v6).
    """
    plan = _plan(pii)
    folded = _folded(text)
    if plan.hint.search(folded) is None:
        return Redaction(text=text, counts=_NO_COUNTS)
    # A set that found nothing (None) ran out of memory, since the alternation above found a
    # hint: then every rule is tried.
    found = {plan.owners[index] for index in plan.hints.Match(folded) or ()}
    counts: dict[str, int] = {}
    for index, rule in enumerate(plan.rules):
        if index in found or not found:
            text = rule.pattern.sub(partial(_substitute, rule.replace, counts), text)
    return Redaction(text=text, counts=MappingProxyType(counts))


_NO_COUNTS: Mapping[str, int] = MappingProxyType({})
