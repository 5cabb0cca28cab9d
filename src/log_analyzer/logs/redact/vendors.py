"""Vendor tokens, known by their prefixes and alphabets: the whole match is the secret.

`_VENDORS` holds the tokens known by how they start (a JWT's ``eyJ``, GitHub's ``ghp_``,
Stripe's ``sk_live_``...), `_TAIL_TOKENS` those known by their middle or end; each table is one
rule (`_vendor_rule`), as the secret scanners (gitleaks, detect-secrets, trufflehog) describe the
tokens. Beside them, what a vendor's format gives away: an AWS secret key right after its key
id, a PEM private key base64-encoded again (a kubeconfig's client-key-data), Vault's unseal and
recovery key shares.
"""

from __future__ import annotations

import re

from log_analyzer.logs.redact.rule import _EDGE, _inside_word, _swap
from log_analyzer.logs.redact.values import _high_entropy
from log_analyzer.logs.redact.vendor_ai import _AI_TOKENS
from log_analyzer.logs.redact.vendor_cloud import _CLOUD_TOKENS
from log_analyzer.logs.redact.vendor_code import _CODE_TOKENS
from log_analyzer.logs.redact.vendor_commerce import _COMMERCE_TOKENS
from log_analyzer.logs.redact.vendor_rule import _T, _Vendor

# Each pattern starts with a literal (no leading look-behind, no IGNORECASE) so the regex engine
# can jump straight to candidate positions; word boundaries are checked by the replacer instead.
# At one position the first pattern that matches names the kind: a JWT comes before Grafana's
# API keys (base64 JSON that may start like one), and each table keeps its own order. The
# tables are one rule (`_vendor_rule`), so one table's hint serves another's tokens too.
_VENDORS = (
    _Vendor("jwt", rf"eyJ[{_T}]{{7,}}\.[{_T}]{{4,}}\.[{_T}]*", ("eyj",)),
    # PASETO: a version, a purpose, a base64url payload (encrypted, or signed), maybe a footer.
    _Vendor(
        "paseto",
        rf"v[0-9]\.(?:local|public)\.[{_T}]{{40,}}(?:\.[{_T}]+)?",
        (),
        (r"v[0-9]\.(?:local|public)\.",),
    ),
    *_CODE_TOKENS,
    *_CLOUD_TOKENS,
    *_AI_TOKENS,
    *_COMMERCE_TOKENS,
)
# Tokens known by their middle or end: the regex engine tries these at every position, so they
# are a rule of their own, tried only in texts that hold their hints.
_TAIL_TOKENS = (
    _Vendor("mailchimp_api_key", r"[0-9a-f]{32}-us[0-9]{1,2}(?![A-Za-z0-9])", (), (r"-us[0-9]",)),
    _Vendor("newrelic_key", r"(?:[0-9a-f]{32}|eu[0-9]{2}xx[0-9a-f]{26})FFFFNRAL", ("nral",)),
    _Vendor(
        "terraform_token", r"[A-Za-z0-9]{14}\.atlasv[0-9]\.[A-Za-z0-9_=-]{60,70}", (".atlasv",)
    ),
    # A MaxMind license key ends with "_mmk".
    _Vendor("maxmind_license_key", r"[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk(?![A-Za-z0-9])", ("_mmk",)),
    _Vendor(
        "azure_client_secret",
        r"[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])",
        ("q~",),
    ),
    # An Azure Container Registry password: "+ACR" after 42 characters of base64, then 6 more.
    _Vendor(
        "azure_acr_password", r"[A-Za-z0-9+/]{42}\+ACR[A-Za-z0-9]{6}(?![A-Za-z0-9+/])", ("+acr",)
    ),
    # The bot's id, a colon, 35 characters of base64url (its random part: `_RANDOM_PART`).
    _Vendor(
        "telegram_bot_token",
        r"[0-9]{8,10}:[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])",
        (),
        (_EDGE + r"[0-9]{8,10}:[a-z0-9_-]",),
    ),
    # Microsoft Entra ID (Azure AD) refresh tokens: "0." or "1." (as any digit), then base64url
    # parts starting "A", "Ag" and (optionally) "A", long enough that nothing else looks so.
    _Vendor(
        "azure_refresh_token",
        rf"[0-9]\.A[{_T}]{{50,}}(?:\.[0-9])?\.Ag[{_T}]{{250,}}(?:\.A[{_T}]{{200,}})?",
        (),
        (r"\.ag[\w-]{8}",),
    ),
    # "1//0" and a random tail (the digits of the prefix are matched as any digit).
    _Vendor(
        "google_refresh_token",
        r"[0-9]//[0-9][A-Za-z0-9_-]{30,}",
        (),
        (_EDGE + r"[0-9]//[0-9][a-z0-9_-]",),
    ),
)
# Base64 of the bot's id (a decimal number: its first letter M, N or O), a timestamp of 6
# characters, an HMAC: three parts no name or path has, found without a context word (the
# token must be random too: `_RANDOM_PART`). Its shape, a name in three dotted parts, is in
# many a line (Java's packages, type URLs), so it is a rule of its own: where only the shape
# is found, only this pattern is tried.
_DISCORD_TOKENS = (
    _Vendor(
        "discord_token",
        rf"[MNO][{_T}]{{23,27}}\.[{_T}]{{6}}\.[{_T}]{{27,38}}(?![{_T}])",
        (),
        (r"\.[\w-]{6}\.[\w-]{4}",),
    ),
)


# An AWS secret access key right after its key id, with no name: "AKIA.../<secret>" as tools
# print a credential pair, a CSV row ("AKIA...,<secret>"), prose ("AKIA... <secret>"). Only 40
# characters of base64 that look random (a path or a word after a key id stays).
_AWS_KEY_PAIR = re.compile(
    r"A(?:KI|SI)A[A-Z0-9]{16}\\?[\"']?(?:[ \t]*[/,:;|][ \t]*|[ \t]+)\\?[\"']?"
    r"(?P<secret>[A-Za-z0-9+/]{40})(?![A-Za-z0-9+/=])"
)


def _aws_key_pair(match: re.Match[str]) -> tuple[str, str] | None:
    if _inside_word(match) or not _high_entropy(match.group("secret")):
        return None
    return _swap(match, "secret", "aws_secret_key")


# A PEM private key, base64-encoded again as Kubernetes stores it (a kubeconfig's
# client-key-data, a Secret's tls.key): "-----BEGIN" then "PRIVATE KEY" within the label, in
# whichever of base64's three alignments it falls (its digits matched as any digit). The blob
# runs on over line breaks, as `base64` wraps it at 76 characters, through lines of 16
# characters or more: a short last line encodes only the END label, and a short word after the
# blob stays.
_BASE64_PRIVATE_KEY = re.compile(
    r"LS[0-9]tLS[0-9]CRUdJTi[A-Za-z0-9+/]{0,48}?"
    r"(?:UFJJVkFURSBLRV|BSSVZBVEUgS[0-9]VZ|QUklWQVRFIEtFW)[A-Za-z0-9+/]*"
    r"(?:(?:\r?\n|\\n)[A-Za-z0-9+/]{16,})*={0,2}"
)
# The unseal and recovery key shares `vault operator init` prints: with enough of them, anyone
# can unseal Vault.
_VAULT_KEY = re.compile(r"(?:Unseal|Recovery) Key [0-9]+: (?P<secret>[A-Za-z0-9+/]{16,}={0,2})")


def _vault_key(match: re.Match[str]) -> tuple[str, str] | None:
    return None if _inside_word(match) else _swap(match, "secret", "vault_unseal_key")
