"""What a vendor token is, and the rule that finds a table of them.

A `_Vendor` is a token's kind, its pattern, and the hints (or RE2 shapes) a text must hold for
it to be tried; `_vendor_rule` makes one rule of a table of them, whose match is the token.
Some patterns are loose: `_RANDOM_PART` says which part of such a token must look random.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from log_analyzer.logs.redact.rule import _inside_word, _placeholder, _Rule
from log_analyzer.logs.redact.values import _mixed_case_with_digit, _opaque_id


class _Vendor(NamedTuple):
    kind: str
    pattern: str
    hints: tuple[str, ...]
    shapes: tuple[str, ...] = ()
    narrowing: tuple[str, ...] = ()
    """Shapes holding another rule's literal hint (`_Rule.narrowing`)."""


_T = "A-Za-z0-9_-"  # base64url, and most vendors' token alphabets
# (Where a token found by a shape may start: `_EDGE`, the one boundary of `rule.py`.)


# Tokens whose own pattern is loose: only one whose random part (what follows the last of its
# first n separators; n = 0: the whole token) passes the test counts. "sk-" and "sk-proj-" name
# resources too (sk-prod-pool-1), and "r2_" Cloudflare R2 buckets; ids in one case (hex,
# upper-case keys) are no Telegram or refresh tokens; a dotted name in three parts is no Discord
# token; "API-" starts names. Kind -> (separator, n, test).
_RANDOM_PART = {
    "openai_api_key": ("-", 2, _mixed_case_with_digit),
    "replicate_token": ("_", 1, _mixed_case_with_digit),
    "llm_api_key": ("-", 2, _mixed_case_with_digit),
    "telegram_bot_token": (":", 1, _mixed_case_with_digit),
    "google_refresh_token": ("//", 1, _mixed_case_with_digit),
    "discord_token": (".", 0, _mixed_case_with_digit),
    "octopus_api_key": ("-", 1, _opaque_id),
}


def _vendor_rule(vendors: tuple[_Vendor, ...]) -> _Rule:
    """One rule for `vendors`: an alternation of their patterns, whose match is the token."""
    patterns = [(vendor.kind, re.compile(vendor.pattern)) for vendor in vendors]

    def replace(match: re.Match[str]) -> tuple[str, str] | None:
        if _inside_word(match):
            return None
        # The alternation took the first vendor whose pattern matches here. (A named group
        # around each branch would tell which, but hides the branches' first literals from the
        # regex engine, which then tries every branch at every position.)
        start, token = match.start(), match.group()
        kind = next(kind for kind, pattern in patterns if pattern.match(match.string, start))
        loose = _RANDOM_PART.get(kind)
        if loose is not None:
            separator, parts, random = loose
            if not random(token.split(separator, parts)[-1]):
                return None
        return kind, _placeholder(kind)

    return _Rule(
        re.compile("|".join(f"(?:{vendor.pattern})" for vendor in vendors)),
        tuple(hint for vendor in vendors for hint in vendor.hints),
        replace,
        tuple(shape for vendor in vendors for shape in vendor.shapes),
        tuple(shape for vendor in vendors for shape in vendor.narrowing),
    )
