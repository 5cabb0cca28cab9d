r"""Redact secrets and personal data from log text before it leaves the service (for an LLM).

Every secret becomes a typed placeholder ``[REDACTED:<kind>]``. Key-value pairs keep their key and
their quoting, so a redacted JSON line still parses. Rules run from the most specific to the most
generic: a JWT sent as ``Authorization: Bearer <jwt>`` is counted once, as a ``jwt``, and no rule
matches a placeholder, so redacting redacted text changes nothing.

What is found: PEM private keys; vendor tokens by their prefixes and alphabets, as the secret
scanners (gitleaks, detect-secrets, trufflehog) describe them; webhook URLs; passwords in URLs and
in ``user:password@host:port`` without a scheme; bearer and Basic credentials and those of other
``Authorization`` schemes (``ApiKey``, ``Splunk``, ``Negotiate``..., or any scheme or none: the
header's whole value), Digest responses; an AWS secret key after its key id; URL and header
signatures (Azure SAS ``sig=``, SigV4 ``Signature=``); values of secret-named keys (``password=``,
``"api_key":``, ``client_secret:``) and high-entropy values of generic ones (``webhook_key=``), any
opaque value of a signing, master or encryption key; values whose name says they are secrets
(``{"name": "DB_PASSWORD", "value": ...}``), in XML elements too (``<password>``), and in
percent-encoded queries (``token%3D...``), in JSON escaped twice or quoted with ``\u0022``;
command lines' password flags; every value under a Kubernetes Secret's ``data`` and
``stringData``; a JSON Web Key's private members; random webhook path segments
(``/hooks/...``), hex and ``*_session=`` session cookies, CAS tickets; passwords in SQL statements
(``PASSWORD '...'``, ``IDENTIFIED BY``) and in Redis, SMTP and FTP commands; password hashes
(crypt, bcrypt, Argon2, PBKDF2, SCRAM, LDAP's ``{SSHA}``); OAuth authorization codes in redirect
URLs; cookies; payment card numbers (Luhn-checked, known issuer prefixes). E-mail and IP
addresses are redacted when asked for (``pii``; :data:`DEFAULT_PII` holds e-mail only).

Every pattern is linear (no nested quantifiers over overlapping classes), and a rule is skipped
outright when the case-folded text lacks all of its hints (literals, or RE2 shapes for digit
runs), which keeps large batches cheap: one RE2 pass tells a clean text, one more which rules
the others need.

Callers cache verdicts by text shapes, which this module keeps true:

* No hint holds a digit, and whether a rule matches and keeps its match depends on where digits
  are, never on their values (patterns use digits only inside classes holding all ten; entropy
  counts every digit as one symbol), except for HTTP Basic credentials, which are decoded, and
  card numbers (issuer prefix, Luhn): :func:`same_for_all_digits` says when one outcome holds
  for every text that differs only in its digits.
* No hint can match inside, or across the edge of, a hexadecimal id (a word of 8 or more hex
  characters, as ``masking.coarsen`` draws ids alike): literal hints hold a non-hex letter in
  every word they touch, and the digit shapes (cards, IPv4) and IPv6 groups stop at word edges.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from types import MappingProxyType
from typing import Any, NamedTuple

import re2

__all__ = [
    "DEFAULT_PII",
    "PII_KINDS",
    "Redaction",
    "may_contain_secret",
    "redact",
    "same_for_all_digits",
]

PII_KINDS = frozenset({"email", "ip"})
"""Personal data :func:`redact` can be asked to hide, besides secrets and card numbers."""
DEFAULT_PII = frozenset({"email"})
"""The personal data redacted unless a caller says otherwise."""

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


# A replacer gets one match and returns (kind, replacement), or None to leave the match as it is;
# the replacement holds one placeholder of that kind per secret.
_Replacer = Callable[[re.Match[str]], tuple[str, str] | None]


@dataclass(frozen=True, slots=True)
class _Rule:
    pattern: re.Pattern[str]
    hints: tuple[str, ...]
    """Case-folded literals; the text must hold one of them, or match a shape, to be tried."""
    replace: _Replacer
    shapes: tuple[str, ...] = ()
    """RE2 regexes over the case-folded text, for what has no literal (digit runs)."""
    pii: str | None = None
    """The kind of personal data this rule finds, run only when asked for; None: always run."""


def _swap(match: re.Match[str], group: str, kind: str, quote: str = "") -> tuple[str, str]:
    """Replace only `group` inside the match, wrapping the placeholder in `quote`."""
    whole, base = match.group(0), match.start()
    start, end = match.span(group)
    return kind, f"{whole[: start - base]}{quote}{_placeholder(kind)}{quote}{whole[end - base :]}"


_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


# An escape right before a token ends with a letter or digit that is not the token's: JSON's
# "\n", "\t" and "\u003d", a URL's "%20" and "%3D" (encoded twice: "%253D"; the "25" taken as
# any two digits, so that no verdict depends on digits' values).
_ESCAPE_BEFORE = re.compile(r"(?:\\(?:[bfnrt]|u[0-9A-Fa-f]{4})|%(?:[0-9]{2})?[0-9A-Fa-f]{2})\Z")
_ESCAPE_REACH = 6
"""The longest escape `_ESCAPE_BEFORE` finds: ``\\u003d``."""


def _after_escape(text: str, start: int) -> bool:
    """Whether an escape ends at `start`, so a token may begin there."""
    return _ESCAPE_BEFORE.search(text, max(0, start - _ESCAPE_REACH), start) is not None


def _inside_word(match: re.Match[str]) -> bool:
    """Whether the match starts in the middle of a token (so it is only part of one)."""
    start = match.start()
    return (
        start > 0
        and match.string[start - 1] in _TOKEN_CHARS
        and not _after_escape(match.string, start)
    )


def _whole(kind: str) -> _Replacer:
    """A replacer for rules whose entire match is the secret."""

    def replace(match: re.Match[str]) -> tuple[str, str] | None:
        return kind, _placeholder(kind)

    return replace


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


def _long_hex(value: str) -> bool:
    """Whether `value` is hex of `_HEX_KEY_MIN_CHARS` digits or more."""
    return len(value) >= _HEX_KEY_MIN_CHARS and _HEX_DIGITS.issuperset(value)


def _mixed_through(value: str) -> bool:
    """Whether `value` is letters and digits turning from one to the other all through it."""
    return value.isalnum() and len(_LETTERS_THEN_DIGITS.findall(value)) >= _MIXED_MIN_TURNS


# --- vendor tokens: the whole match is the secret ----------------------------------------------


class _Vendor(NamedTuple):
    kind: str
    pattern: str
    hints: tuple[str, ...]
    shapes: tuple[str, ...] = ()


_T = "A-Za-z0-9_-"  # base64url, and most vendors' token alphabets
# Where a token found by a shape may start (RE2, case-folded text): at a word's edge, or right
# after an escape (`_ESCAPE_BEFORE`), whose last letter or digit is no edge.
_EDGE = r"(?:\b|\\(?:[bfnrt]|u[0-9a-f]{4})|%[0-9a-f]{2})"
_GITLAB = ("pat", "dt", "rt", "ft", "soat", "ptt", "imt", "agent", "ffct", "oas", "cbt")
# Each pattern starts with a literal (no leading look-behind, no IGNORECASE) so the regex engine
# can jump straight to candidate positions; word boundaries are checked by the replacer instead.
_VENDORS = (
    _Vendor("jwt", rf"eyJ[{_T}]{{7,}}\.[{_T}]{{4,}}\.[{_T}]*", ("eyj",)),
    _Vendor(
        "github_token",
        r"gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    _Vendor(
        "gitlab_token",
        # A routable token ends with a dot and 9 characters (GitLab's routing part and CRC).
        rf"gl(?:{'|'.join(_GITLAB)})-[{_T}]{{20,}}(?:\.[a-z0-9]{{9}}(?![A-Za-z0-9]))?",
        tuple(f"gl{kind}-" for kind in _GITLAB),
    ),
    # A runner registration token (GR1348941...): its digits are matched as any digit.
    _Vendor("gitlab_token", rf"GR[0-9]{{7}}[{_T}]{{20,}}", (), (r"gr[0-9]{7}",)),
    _Vendor(
        "grafana_token",
        # Cloud tokens, service account tokens, and the API keys of Grafana before 9 (base64
        # JSON without the dots of a JWT: {"k":"...","n":"...","id":1}).
        r"glc_[A-Za-z0-9+/]{32,}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}"
        r"|eyJrIjoi[A-Za-z0-9]{60,}={0,2}",
        ("glc_", "glsa_"),  # (the API keys start with the JWT's hint, "eyj")
    ),
    _Vendor(
        "slack_token",
        r"xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,}",
        ("xox", "xapp-"),
    ),
    _Vendor("google_api_key", rf"AIza[{_T}]{{35}}(?![{_T}])", ("aiza",)),
    _Vendor("google_oauth_secret", rf"GOCSPX-[{_T}]{{28}}(?![{_T}])", ("gocspx-",)),
    _Vendor("google_oauth_token", rf"ya[0-9]{{2}}\.[{_T}]{{20,}}", (), (r"ya[0-9]{2}\.",)),
    _Vendor(
        "stripe_key",
        r"[rs]k_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9+/]{32,}",
        ("k_live_", "k_test_", "whsec_"),
    ),
    _Vendor(
        "anthropic_api_key", rf"sk-ant-(?:api|admin|sid)[0-9]{{2}}-[{_T}]{{32,}}", ("sk-ant-",)
    ),
    _Vendor(
        "openai_api_key",
        rf"sk-(?:proj|svcacct|admin)-[{_T}]{{20,}}|sk-[A-Za-z0-9]{{20}}T[0-9]BlbkFJ[A-Za-z0-9]{{20}}",
        ("sk-",),
    ),
    # OpenRouter (a version, then 64 hex digits), Langfuse (a UUID), DeepSeek (32 lower-case
    # letters and digits): one case, which the loose rule below would take for a name. (No
    # hints of their own: OpenAI's "sk-" is in every one.)
    _Vendor("openrouter_api_key", r"sk-or-v[0-9]-[a-f0-9]{64}(?![A-Za-z0-9])", ()),
    _Vendor(
        "langfuse_secret_key",
        r"sk-lf-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}(?![A-Za-z0-9])",
        (),
    ),
    _Vendor("deepseek_api_key", rf"sk-[a-z0-9]{{32}}(?![{_T}])", ()),
    _Vendor("llm_api_key", rf"sk-[{_T}]{{20,}}", ("sk-",)),  # OpenAI-compatible providers
    _Vendor(
        "aws_access_key",
        r"A(?:KI|SI|BI)A[A-Z0-9]{16}(?![A-Za-z0-9])",
        ("akia", "asia", "abia"),
    ),
    # Amazon Bedrock API keys: long-lived (ABSK...), and short-lived (a presigned URL, encoded).
    _Vendor(
        "aws_bedrock_key",
        r"ABSK[A-Za-z0-9+/]{100,}={0,2}|bedrock-api-key-[A-Za-z0-9+/]{40,}={0,2}",
        ("absk",),  # (and "key-", Mailgun's hint, in "bedrock-api-key-")
    ),
    _Vendor("twilio_api_key", r"SK[0-9a-fA-F]{32}(?![A-Za-z0-9])", (), (r"sk[0-9a-f]{8}",)),
    _Vendor("sendgrid_api_key", rf"SG\.[{_T}]{{22}}\.[{_T}]{{43}}(?![{_T}])", ("sg.",)),
    _Vendor("mailgun_api_key", r"key-[0-9a-f]{32}(?![A-Za-z0-9])", ("key-",)),
    _Vendor(
        "newrelic_key",
        r"NR(?:AK|II|JS|AA|IQ)-[A-Za-z0-9_-]{19,}",
        ("nrak-", "nrii-", "nrjs-", "nraa-", "nriq-"),
    ),
    _Vendor("npm_token", r"npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])", ("npm_",)),
    _Vendor(
        "pypi_token",
        rf"pypi-AgE(?:IcHlwaS[0-9]vcmc|NdGVzdC[0-9]weXBpLm[0-9]yZw)[{_T}]{{50,}}",
        ("pypi-age",),
    ),
    _Vendor(
        "huggingface_token", r"(?:hf|api_org)_[A-Za-z0-9]{34}(?![A-Za-z0-9])", ("hf_", "api_org_")
    ),
    _Vendor(
        "shopify_token",
        r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?![A-Za-z0-9])",
        ("shpat_", "shpca_", "shppa_", "shpss_"),
    ),
    # Vault's service, batch and recovery tokens.
    _Vendor("vault_token", r"hv[sbr]\.[A-Za-z0-9_-]{24,}", ("hvs.", "hvb.", "hvr.")),
    _Vendor("digitalocean_token", r"do[opr]_v[0-9]_[a-f0-9]{64}", ("dop_v", "doo_v", "dor_v")),
    _Vendor("databricks_token", r"dapi[a-f0-9]{32}(?:-[0-9])?(?![A-Za-z0-9])", ("dapi",)),
    _Vendor("docker_token", rf"dckr_(?:pat|oat)_[{_T}]{{27,}}", ("dckr_pat_", "dckr_oat_")),
    _Vendor("pulumi_token", r"pul-[a-f0-9]{40}(?![A-Za-z0-9])", ("pul-",)),
    _Vendor(
        "sentry_token",
        r"sntrys_eyJ[A-Za-z0-9+/=_-]{30,}|sntryu_[a-f0-9]{64}(?![A-Za-z0-9])",
        ("sntrys_", "sntryu_"),
    ),
    _Vendor("linear_api_key", r"lin_api_[A-Za-z0-9]{40}(?![A-Za-z0-9])", ("lin_api_",)),
    _Vendor("postman_api_key", r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}(?![A-Za-z0-9])", ("pmak-",)),
    _Vendor("heroku_api_key", rf"HRKU-[{_T}]{{20,}}", ("hrku-",)),
    _Vendor(
        "doppler_token",
        r"dp\.(?:st|sa|ct|pt|scim|audit)\.(?:[A-Za-z0-9_-]{1,40}\.)?[A-Za-z0-9]{40,44}"
        r"(?![A-Za-z0-9_.-])",
        ("dp.st.", "dp.sa.", "dp.ct.", "dp.pt.", "dp.scim.", "dp.audit."),
    ),
    _Vendor("shippo_token", r"shippo_(?:live|test)_[a-f0-9]{40}(?![A-Za-z0-9])", ("shippo_",)),
    # Atlassian API tokens (ATATT) and admin keys (ATCTT), and Bitbucket's app passwords and
    # Data Center tokens.
    _Vendor("atlassian_token", r"AT[AC]TT[0-9][A-Za-z0-9_=-]{50,}", ("atatt", "atctt")),
    _Vendor("bitbucket_token", rf"ATBB[A-Za-z0-9]{{28,}}(?![{_T}])", ("atbb",)),
    # ("bbdc" is hex: the shape keeps it from the end of a hex id.)
    _Vendor(
        "bitbucket_token",
        r"BBDC-[A-Za-z0-9+/@_-]{40,50}(?![A-Za-z0-9+/@_-])",
        (),
        (r"(?:^|[^0-9a-f])bbdc-",),
    ),
    # The digits of these prefixes (sq0atp-, EAACEdEose0cBA, AGE-SECRET-KEY-1) are matched as
    # any digit: whether a rule matches may depend on where digits are, never on which.
    # Square: OAuth tokens and secrets (sandbox ones too), and personal access tokens (EAAA...).
    # "EAA" and a letter start Meta's tokens too (below); as a hint it could lie inside a hex id,
    # so the shape for both asks for a letter or a separator no hex id holds.
    _Vendor(
        "square_token",
        rf"sq[0-9](?:atp|atb|csp)-[{_T}]{{22,}}|EAAA[{_T}]{{60}}(?![{_T}])",
        (),
        (r"sq[0-9](?:atp|atb|csp)-", _EDGE + r"eaa[a-z][a-z0-9_-]*[g-z_-]"),
    ),
    # Meta's Graph API tokens: the explorer's, and page and user tokens (EAAG..., EAAM...).
    _Vendor(
        "facebook_token",
        r"EAACEdEose[0-9]cBA[A-Za-z0-9]{20,}|EAA[A-Z][A-Za-z0-9]{100,}",
        (),  # Square's shape finds these too: "EAA", a letter, then letters past "f".
    ),
    _Vendor("age_secret_key", r"AGE-SECRET-KEY-[0-9][A-Z0-9]{58}", ("age-secret-key-",)),
    _Vendor("tailscale_key", r"tskey-[a-z]+-[A-Za-z0-9]+-[A-Za-z0-9]{20,}", ("tskey-",)),
    _Vendor("supabase_token", r"sbp_[a-f0-9]{40}(?![A-Za-z0-9])", ("sbp_",)),
    _Vendor("planetscale_token", r"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,64}", ("pscale_",)),
    _Vendor("onepassword_token", r"ops_eyJ[A-Za-z0-9+/=_-]{100,}", ("ops_eyj",)),
    # A 1Password account's Secret Key (A3-...): its digit is matched as any digit.
    _Vendor(
        "onepassword_secret_key",
        r"A[0-9]-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})(?:-[A-Z0-9]{5}){3}"
        r"(?![A-Za-z0-9])",
        (),
        (r"a[0-9]-[a-z0-9]{6}-",),
    ),
    _Vendor(
        "dynatrace_token",
        r"dt[0-9]c[0-9]{2}\.[A-Z0-9]{24}\.[A-Z0-9]{64}(?![A-Za-z0-9])",
        (),
        (r"dt[0-9]c[0-9]{2}\.",),
    ),
    _Vendor("mapbox_token", rf"sk\.eyJ[{_T}]{{20,}}\.[{_T}]{{20,}}", ("sk.eyj",)),
    # Fly.io: macaroons after their scheme (FlyV1 fm2_...), or alone (fm1a_, fm1r_, fm2_), and
    # OAuth tokens (fo1_).
    _Vendor(
        "fly_token",
        r"FlyV[0-9] fm[0-9]_[A-Za-z0-9+/=,_-]{50,}|fm[0-9][ar]?_[A-Za-z0-9+/]{100,}={0,3}"
        r"|fo[0-9]_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])",
        (),
        (r"fm[0-9][ar]?_", r"fo[0-9]_"),
    ),
    _Vendor("netlify_token", r"nfp_[A-Za-z0-9]{36}(?![A-Za-z0-9])", ("nfp_",)),
    _Vendor("rubygems_token", r"rubygems_[a-f0-9]{48}(?![A-Za-z0-9])", ("rubygems_",)),
    _Vendor("contentful_token", rf"CFPAT-[{_T}]{{43}}(?![{_T}])", ("cfpat-",)),
    _Vendor("prefect_token", r"pnu_[A-Za-z0-9]{36}(?![A-Za-z0-9])", ("pnu_",)),
    _Vendor("buildkite_token", r"bkua_[a-f0-9]{40}(?![A-Za-z0-9])", ("bkua_",)),
    _Vendor("circleci_token", r"CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}(?![A-Za-z0-9])", ("ccipat_",)),
    _Vendor("render_token", r"rnd_[A-Za-z0-9]{32}(?![A-Za-z0-9])", ("rnd_",)),
    # OpenShift's OAuth access tokens, as `oc whoami -t` prints them.
    # (Its digits, "256", are matched as any digit.)
    _Vendor(
        "openshift_token",
        r"sha[0-9]{3}~[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])",
        (),
        (r"sha[0-9]{3}~",),
    ),
    _Vendor(
        "artifactory_token",
        r"AKCp[A-Za-z0-9]{69}(?![A-Za-z0-9])|cmVmd[A-Za-z0-9]{59}(?![A-Za-z0-9])",
        ("akcp", "cmvmd"),
    ),
    _Vendor(
        "braintree_token",
        r"access_token\$(?:production|sandbox)\$[a-z0-9]{16}\$[a-f0-9]{32}",
        ("token$",),
    ),
    _Vendor(
        "brevo_api_key",
        r"x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}",
        ("xkeysib-", "xsmtpsib-"),
    ),
    _Vendor("clojars_token", r"CLOJARS_[A-Za-z0-9]{60}(?![A-Za-z0-9])", ("clojars_",)),
    # Cloudflare Origin CA keys: the version's digits are matched as any digit.
    _Vendor(
        "cloudflare_origin_ca_key",
        r"v[0-9]\.[0-9]-[a-f0-9]{24}-[a-f0-9]{146}",
        (),
        (r"v[0-9]\.[0-9]-[0-9a-f]{4}",),
    ),
    # (No hint of its own: Mailgun's "key-" is in every one.)
    _Vendor("defined_networking_key", rf"dnkey-[={_T}]{{26}}-[={_T}]{{52}}", ()),
    _Vendor("duffel_token", r"duffel_(?:test|live)_[A-Za-z0-9_=-]{43}", ("duffel_",)),
    _Vendor("easypost_api_key", r"EZ[AT]K[A-Za-z0-9]{54}(?![A-Za-z0-9])", ("ezak", "eztk")),
    # Firebase Cloud Messaging's legacy server keys: the digits of "APA91b" as any digit.
    _Vendor(
        "firebase_server_key",
        rf"AAAA[{_T}]{{7}}:APA[0-9]{{2}}b[{_T}]{{100,}}",
        (),
        (r":apa[0-9]{2}b",),
    ),
    _Vendor("flutterwave_key", r"FLWSECK(?:_TEST)?-[a-h0-9]{32}-X", ("flwseck",)),
    _Vendor("frameio_token", rf"fio-u-[={_T}]{{64}}", ("fio-u-",)),
    _Vendor(
        "harness_token",
        r"(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}(?![A-Za-z0-9])",
        ("pat.", "sat."),
    ),
    _Vendor("infracost_token", r"ico-[A-Za-z0-9]{32}(?![A-Za-z0-9])", ("ico-",)),
    # Notion's integration tokens: the digits after "ntn_" are part of the format.
    _Vendor("notion_token", r"ntn_[0-9]{11}[A-Za-z0-9]{35}(?![A-Za-z0-9])", ("ntn_",)),
    _Vendor("perplexity_api_key", r"pplx-[A-Za-z0-9]{48}(?![A-Za-z0-9])", ("pplx-",)),
    _Vendor("readme_api_key", r"rdme_[a-z0-9]{70}(?![A-Za-z0-9])", ("rdme_",)),
    _Vendor("scalingo_token", rf"tk-us-[{_T}]{{48}}(?![{_T}])", ("tk-us-",)),
    _Vendor(
        "sourcegraph_token",
        r"sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}(?![A-Za-z0-9])",
        ("sgp_",),
    ),
    _Vendor("typeform_token", r"tfp_[A-Za-z0-9_.=-]{59}", ("tfp_",)),
    # AI and developer platforms' API keys, by their prefixes, alphabets and lengths.
    _Vendor("groq_api_key", r"gsk_[A-Za-z0-9]{52}(?![A-Za-z0-9])", ("gsk_",)),
    _Vendor("xai_api_key", r"xai-[A-Za-z0-9_]{80}(?![A-Za-z0-9_])", ("xai-",)),
    # Replicate: "r8_" (its digit matched as any digit) and 37 characters.
    _Vendor("replicate_token", rf"r[0-9]_[{_T}]{{37}}(?![{_T}])", (), (r"r[0-9]_",)),
    _Vendor(
        "pinecone_api_key", r"pcsk_[A-Za-z0-9]{5,6}_[A-Za-z0-9]{63}(?![A-Za-z0-9])", ("pcsk_",)
    ),
    _Vendor(
        "langsmith_api_key",
        r"lsv[0-9]_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}(?![A-Za-z0-9])",
        ("lsv",),  # (its digit matched as any digit: "lsv" then "_pt_" or "_sk_")
    ),
    _Vendor("nvidia_api_key", rf"nvapi-[{_T}]{{64}}(?![{_T}])", ("nvapi-",)),
    _Vendor("figma_token", rf"figd_[{_T}]{{40}}(?![{_T}])", ("figd_",)),
    _Vendor("posthog_api_key", r"phx_[A-Za-z0-9_]{43,48}(?![A-Za-z0-9_])", ("phx_",)),
    _Vendor(
        "sonar_token",
        r"sq[upa]_[a-f0-9]{40}(?![A-Za-z0-9])|sqco_[A-Za-z0-9]{59}(?![A-Za-z0-9])",
        (),
        (r"sq(?:[upa]|co)_",),
    ),
    _Vendor("cloudflare_api_key", r"cfk_[A-Za-z0-9]{40}[a-f0-9]{8}(?![A-Za-z0-9])", ("cfk_",)),
    # Notion's legacy integration tokens (now ntn_, above).
    _Vendor("notion_token", r"secret_[A-Za-z0-9]{43}(?![A-Za-z0-9])", ("secret_",)),
    # Access key ids, named like AWS's: Alibaba Cloud's LTAI..., Tencent Cloud's AKID...
    _Vendor("alibaba_access_key", r"LTAI[A-Za-z0-9]{12,20}(?![A-Za-z0-9])", ("ltai",)),
    _Vendor("tencent_access_key", r"AKID[A-Za-z0-9]{32}(?![A-Za-z0-9])", ("akid",)),
    # Base64 of the bot's id, a timestamp, an HMAC: known by its context only.
    _Vendor(
        "discord_token",
        rf"[MNO][{_T}]{{23,27}}\.[{_T}]{{6}}\.[{_T}]{{27,38}}(?![{_T}])",
        ("discord", "bot "),
    ),
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
    # "1//0" and a random tail (the digits of the prefix are matched as any digit).
    _Vendor(
        "google_refresh_token",
        r"[0-9]//[0-9][A-Za-z0-9_-]{30,}",
        (),
        (_EDGE + r"[0-9]//[0-9][a-z0-9_-]",),
    ),
)
# Tokens whose own pattern is loose: only one whose random part (what follows the last of its
# first n separators) mixes digits and letters of both cases counts. "sk-" and "sk-proj-" name
# resources too (sk-prod-pool-1), and "r2_" Cloudflare R2 buckets; ids in one case (hex,
# upper-case keys) are no Telegram or refresh tokens. Kind -> (separator, n).
_RANDOM_PART = {
    "openai_api_key": ("-", 2),
    "replicate_token": ("_", 1),
    "llm_api_key": ("-", 2),
    "telegram_bot_token": (":", 1),
    "google_refresh_token": ("//", 1),
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
        if loose is not None and not _mixed_case_with_digit(token.split(*loose)[-1]):
            return None
        return kind, _placeholder(kind)

    return _Rule(
        re.compile("|".join(f"(?:{vendor.pattern})" for vendor in vendors)),
        tuple(hint for vendor in vendors for hint in vendor.hints),
        replace,
        tuple(shape for vendor in vendors for shape in vendor.shapes),
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


# --- Kubernetes Secrets and JSON Web Keys -------------------------------------------------------

# In a Secret every value under "data" (base64) and "stringData" is a secret, whatever its key
# says (".dockerconfigjson", "DATABASE_URL", "root"); keys, metadata and type stay. Found as an
# object (JSON, JSON escaped once or twice in a message, YAML's flow style) holding no brace (a
# stringData value that is a JSON document is left to the other rules), or as YAML's block of
# indented "key: value" lines (real or escaped newlines). Both are taken possessively, within
# bounds, so no scan starts over inside them.
_SECRET_DATA_REACH = 65_536
"""The longest "data" object read whole."""
_SECRET_DATA_LINES = 256
"""The most "key: value" lines of a YAML "data" block read."""
_SECRET_DATA = re.compile(
    r"(?:(?<![\w.-])|(?<=\\n))(?:data|stringData)\\{0,3}[\"']?[ \t]*:[ \t]*"
    rf"(?:\{{(?P<object>[^{{}}\n]{{1,{_SECRET_DATA_REACH}}}+)\}}"
    r"|(?P<block>(?:(?:\r?\n|\\n)[ \t]+[^\s:\\\"'{}]+:[ \t]*[\"']?[^\s\\\"'{}]+[\"']?)"
    rf"{{1,{_SECRET_DATA_LINES}}}+))"
)
# The object's "kind" (JSON, escaped JSON, YAML), within `_SECRET_KIND_REACH` of its data. It
# starts with its literal, so that the regex engine jumps to it (the word's edge is looked
# behind after it): a leading look-behind made each search try every position of the reach.
_SECRET_KIND = re.compile(
    r"kind(?:(?<![\w.-]kind)|(?<=\\nkind))\\{0,3}[\"']?[ \t]*:[ \t]*\\{0,3}[\"']?Secret(?![\w.-])"
)
_SECRET_KIND_SHAPE = r"kind\\{0,3}[\"']?[ \t]*:[ \t]*\\{0,3}[\"']?secret"
_SECRET_KIND_REACH = 4_096
"""How far before or after its data a Secret's kind may stand."""
_SECRET_DATA_VALUE = re.compile(
    r"[:=][ \t]*(?:\\{0,3}\"(?P<dq>[^\"\\]*)\\{0,3}\"|'(?P<sq>[^']*)'|(?P<bare>[^\s\"'\\,]+))"
)


@lru_cache(maxsize=4)
def _secret_kinds(text: str) -> tuple[int, ...]:
    """Where a Secret's kind starts in `text`: found once per text, however many data it holds.

    (A search around each "data" cost the reach times the number of "data" in a hostile line.)
    """
    return tuple(kind.start() for kind in _SECRET_KIND.finditer(text))


def _secret_data(match: re.Match[str]) -> tuple[str, str] | None:
    kinds = _secret_kinds(match.string)
    nearest = bisect_left(kinds, match.start() - _SECRET_KIND_REACH)
    if nearest == len(kinds) or kinds[nearest] > match.end() + _SECRET_KIND_REACH:
        return None
    found = 0

    def value(part: re.Match[str]) -> str:
        nonlocal found
        name = str(part.lastgroup)
        if _is_not_secret(part.group(name)):
            return part.group(0)
        found += 1
        return _swap(part, name, "kubernetes_secret")[1]

    group = "object" if match.group("object") is not None else "block"
    content = _SECRET_DATA_VALUE.sub(value, match.group(group))
    if not found:
        return None
    whole, base = match.group(0), match.start()
    begin, finish = match.span(group)
    return "kubernetes_secret", f"{whole[: begin - base]}{content}{whole[finish - base :]}"


# A JSON Web Key's private members (RFC 7518: RSA's "d", "p", "q", "dp", "dq", "qi"; EC's and
# OKP's "d"; a symmetric key's "k") in an object that says "kty"; the public members ("n", "e",
# "x", "y") and "kid", "crv", "alg" stay. The object is read from the nearest "{" before the
# member to the nearest "}" after it, each within `_JWK_REACH`.
_JWK_MEMBER = re.compile(
    r"(?<=[{,\s])(?P<q>\\{0,3}\")(?P<member>d|p|q|dp|dq|qi|k)(?P=q)[ \t]*:[ \t]*(?P=q)"
    r"(?P<secret>[A-Za-z0-9_-]+)(?P=q)"
)
_JWK_TYPE = re.compile(r"\\{0,3}\"kty\\{0,3}\"[ \t]*:[ \t]*\\{0,3}\"(?P<kty>[A-Za-z]+)")
_JWK_REACH = 4_096
"""How far a JSON Web Key's braces may stand from a private member."""


def _jwk_member(match: re.Match[str]) -> tuple[str, str] | None:
    text, start, end = match.string, match.start(), match.end()
    opened = text.rfind("{", max(0, start - _JWK_REACH), start)
    closed = text.find("}", end, end + _JWK_REACH)
    if opened < 0 or closed < 0 or text.find("}", opened, start) >= 0:
        return None  # no object around it, or the member is in another one
    key_type = _JWK_TYPE.search(text, opened, closed)
    if key_type is None or (match.group("member") == "k") != (key_type.group("kty") == "oct"):
        return None
    return _swap(match, "secret", "jwk_private_key")


# --- URLs and headers ---------------------------------------------------------------------------

# The part after the host is the credential: anyone holding it can post.
_WEBHOOK = re.compile(
    r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<slack_webhook>[A-Za-z0-9_/+-]{20,})"
    r"|discord(?:app)?\.com/api/webhooks/(?P<discord_webhook>[0-9]{17,20}/[A-Za-z0-9_-]{60,})"
    r"|webhook\.office\.com/webhookb[0-9]/(?P<teams_webhook>[^\s\"'<>]{40,})"
    r"|api\.telegram\.org/(?:file/)?bot(?P<telegram_bot_token>[0-9]{8,10}:[A-Za-z0-9_-]{35})"
)


def _webhook(match: re.Match[str]) -> tuple[str, str] | None:
    kind = str(match.lastgroup)
    return _swap(match, kind, kind)


# Any other service's webhook: a path segment after "/hooks/" or "/webhook(s)/" that looks random
# is its credential (Mattermost's /hooks/<26 characters>, Tines' /webhook/<32 hex>/<32 hex>),
# and so is the segment after Zapier's /hooks/catch/<account>/. Names (/webhooks/stripe), numbers
# (GitHub's /hooks/123) and UUIDs stay. At most three segments of 128 characters are read.
_HOOK_SEGMENT = "[A-Za-z0-9_-]{1,128}"
_HOOK_PATH = re.compile(
    rf"/(?:hooks|webhooks?)(?P<catch>/catch/[0-9]{{1,20}})?/(?P<path>{_HOOK_SEGMENT}"
    rf"(?:/{_HOOK_SEGMENT}){{0,2}})(?![A-Za-z0-9_-])"
)
_HOOK_TOKEN_MIN_CHARS = 20
_HOOK_CATCH_MIN_CHARS = 5


def _hook_token(segment: str) -> bool:
    """Whether a webhook path's segment is random: letters and digits, hex or high entropy."""
    if (
        len(segment) < _HOOK_TOKEN_MIN_CHARS
        or not any(c.isdigit() for c in segment)
        or not any(c.isalpha() for c in segment)
    ):
        return False
    if any(len(word) >= 3 and _WORDLIKE.fullmatch(word) for word in _HOOK_WORDS.split(segment)):
        return False  # a name of words: /webhooks/payment-status-update-v2
    # Hex, or letters and digits mixed through it (Mattermost's cpd01n2u7lx70...): either way
    # its entropy, its digits counted as one symbol, stays low.
    return _long_hex(segment) or _mixed_through(segment) or _entropy(segment) >= _ENTROPY_BITS


_HOOK_WORDS = re.compile(r"[_-]")


def _hook_path(match: re.Match[str]) -> tuple[str, str] | None:
    segments = match.group("path").split("/")
    whole, base = match.group(0), match.start()
    start = match.start("path") - base
    if match.group("catch") is not None and len(segments[0]) >= _HOOK_CATCH_MIN_CHARS:
        # Zapier: /hooks/catch/<account>/<token>, a credential only as a pair.
        start = match.start("catch") - base + len("/catch/")
        segments[0] = _placeholder("webhook_token")
    else:
        segments = [_placeholder("webhook_token") if _hook_token(s) else s for s in segments]
    hidden = "/".join(segments)
    if _PLACEHOLDER not in hidden:
        return None
    return "webhook_token", whole[:start] + hidden + whole[match.end("path") - base :]


_URL_PASSWORD_REACH = 128
"""How far past its first "/", "?" or "#" a URL's password may run to its "@"."""
# The password runs to the last "@" of the authority: "p@ss" in redis://:p@ss@cache. One with a
# raw "/", "?" or "#" (which end an authority) runs on to the last "@" a host follows within
# `_URL_PASSWORD_REACH` (postgres://app:ab/cd@db:5432), unless a port stands before that
# character: https://h:8080/x@y has no password.
_URL_PASSWORD = re.compile(
    r"://[^\s:/?#@\[\]\"'<>]*:(?:(?P<secret>[^\s/?#\"'<>]+)@"
    r"|(?P<raw>(?P<port>[^\s/?#@\"'<>]*)[/?#][^\s\"'<>]"
    rf"{{0,{_URL_PASSWORD_REACH}}})@(?=[A-Za-z0-9]))"
)
# A password without a scheme before it: user:password@host, the host followed by a port, a path
# or Go's protocol parentheses (app:pw@db.prod.svc:5432, squid:pw@proxy.corp:3128,
# app:pw@tcp(mysql:3306)/app); a host alone is an address (email:bob@example.com). As in a URL,
# the password runs to the last "@". Found from its colon (a literal the regex engine jumps to);
# the user name before it is read by the replacer.
_BARE_USER_PASSWORD = re.compile(
    r":(?P<secret>[^\s:/\[\]\"'<>(){},;=]{1,128})@[A-Za-z0-9][A-Za-z0-9.-]{0,252}"
    r"(?::[0-9]{1,5}(?![\w.:@-])|(?=[/(]))"
)
_BARE_USER_PASSWORD_SHAPE = r":[^\s:/\[\]\"'<>(){},;=]+@[a-z0-9]"
"""Where `_BARE_USER_PASSWORD` may match (RE2, case-folded text): not at every "@"."""
_USER_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"
_USER_REACH = 64
"""The longest user name `_BARE_USER_PASSWORD` reads before a colon."""
# URI schemes whose user comes after the colon, with no password: mailto:bob@example.com.
_USER_AFTER_COLON = frozenset({"mailto", "sip", "sips", "xmpp", "acct", "im", "pres", "tel"})


def _url_password(match: re.Match[str]) -> tuple[str, str] | None:
    if match.group("raw") is not None:
        port = match.group("port")
        if not port or port.isdigit():
            return None  # host:port/path@x, or no password before the "/"
        return _swap(match, "raw", "url_password")
    if _PLACEHOLDER in match.group("secret"):
        return None
    return _swap(match, "secret", "url_password")


def _bare_user_password(match: re.Match[str]) -> tuple[str, str] | None:
    start, text = match.start(), match.string
    before = text[max(0, start - _USER_REACH - 1) : start]
    user = before[len(before.rstrip(_USER_CHARS)) :]
    if not user or len(user) > _USER_REACH or user.lower() in _USER_AFTER_COLON:
        return None
    ahead = start - len(user) - 1
    if ahead >= 0 and (text[ahead].isalnum() or text[ahead] in "_.:/@-"):
        return None  # part of a longer word, a URL (handled as one) or a time (12:30:05@...)
    value = match.group("secret")
    if value.isdigit() or _WORDLIKE.fullmatch(value) or _is_not_secret(value):
        return None  # a port or a time, or a user name after a scheme (sip:alice@host)
    return _swap(match, "secret", "url_password")


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


def _looks_opaque(value: str) -> bool:
    """Whether a bearer value looks like a credential rather than an English word."""
    if len(value) >= 20:
        return True
    return len(value) >= 8 and not value.isalpha()


# Schemes besides Bearer, Basic and SSWS, by the kind of their credential. Their names are
# words of prose too ("Token expired", "Splunk is down"): they count only in an Authorization
# header (or field), which must end at most 32 characters before them.
_SCHEME_KINDS = {
    "token": "bearer",
    "oauth": "bearer",  # OAuth 2 tokens as Google and GitHub once took them
    "dpop": "bearer",  # a DPoP-bound access token
    "apikey": "api_key",  # Elasticsearch and OpenSearch API keys
    "api-key": "api_key",
    "splunk": "api_key",  # Splunk HTTP Event Collector tokens
    "geniekey": "api_key",  # Opsgenie
    "negotiate": "auth_ticket",  # SPNEGO: Kerberos tickets and NTLM messages
    "ntlm": "auth_ticket",
    "kerberos": "auth_ticket",
}


_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


# A scheme's credential: token characters, and inside it (never at its end) a "|" (Facebook's
# app tokens), an encoded "=" or "-" (%3D, %2D, as Twitter's bearer tokens hold one) or "="
# (Adyen's keys, Atlassian's admin keys), so that no tail of it is left.
_CREDENTIAL = r"[A-Za-z0-9._~+/-]+(?:(?:=+|\||%[0-9][Dd])[A-Za-z0-9._~+/-]+)*=*"


# A parameter named in lower-case words (scope=openid, realm=api), not a credential: a token
# holding "=" has it after base64 (Adyen's AQE...=-..., upper case before it) or at its end.
_SCHEME_PARAMETER = re.compile(r"[a-z_]{2,24}=[A-Za-z0-9_.:/-]{0,64}")


def _in_authorization(match: re.Match[str]) -> bool:
    """Whether an Authorization header (or field) ends at most 32 characters before `match`."""
    start = match.start()
    return "authoriz" in match.string[max(0, start - 32) : start].lower()


def _auth_scheme(match: re.Match[str]) -> tuple[str, str] | None:
    start = match.start()
    escaped = _PERCENT_ESCAPE.fullmatch(match.string, max(0, start - 3), start) is not None
    if _inside_word(match) and not escaped:  # "%20Bearer%20..." is a URL-encoded header
        return None
    value = match.group("secret")
    scheme = match.group("scheme").lower()
    if scheme == "basic":
        # "Basic" is a word of prose too: there the value must decode to user:password; in an
        # Authorization header any opaque value is the credential (an API key sent as Basic).
        basic = _is_basic_credential(value) or (_in_authorization(match) and _looks_opaque(value))
        return _swap(match, "secret", "basic_auth") if basic else None
    if _SCHEME_PARAMETER.fullmatch(value):
        return None  # "token_type=Bearer scope=openid": a parameter after the scheme's name
    kind = _SCHEME_KINDS.get(scheme, "bearer")
    if scheme in _SCHEME_KINDS:
        if not _in_authorization(match):
            return None
        if value.endswith("=") and match.string.startswith(('"', '\\"'), match.end()):
            return None  # OAuth 1 parameters (oauth_token="..."): other rules see their values
    return _swap(match, "secret", kind) if _looks_opaque(value) else None


# An Authorization header's (or field's) whole value, whatever its scheme: "AWS id:signature",
# "sso-key key:secret", "Zoho-oauthtoken 1000.x.y", or none. What the rules above leave of it
# (an unknown scheme, a value not random enough for a generic key) is the credential when the
# header holds nothing else: one scheme word at most, then one opaque value that ends the
# header's value. Auth parameters (Digest's username="...", SigV4's Credential=...) are other
# rules' business. The value is taken whole, possessively, at most `_AUTHORIZATION_REACH`
# characters, so no scan starts over inside it.
_AUTHORIZATION_REACH = 4_096
_AUTHORIZATION = re.compile(
    r"(?<![A-Za-z])(?i:authorization)\\?[\"']?[ \t]*[:=][ \t]*(?:\[(?!REDACTED:))?\\?[\"']?[ \t]*"
    r"(?:(?P<scheme>[A-Za-z][A-Za-z0-9._-]{0,31})[ \t]+)?"
    rf"(?P<secret>(?:[^\s\"'\\,;\[\]]|\[REDACTED:[a-z_]+\]){{1,{_AUTHORIZATION_REACH}}}+)"
)
# Where a header's value ends: its line, its quote or escaped quote, a list's "," or ";", Go's "]".
_HEADER_VALUE_END = re.compile(r"[ \t]*(?:[\r\n\"'\\,;\]]|\Z)")
_AUTH_PARAM = re.compile(r"[A-Za-z][\w.-]*[ \t]*=(?!=)")


def _authorization(match: re.Match[str]) -> tuple[str, str] | None:
    value = match.group("secret")
    if _HEADER_VALUE_END.match(match.string, match.end()) is None:
        return None  # more words follow: prose ("authorization: denied for role viewer")
    # ([FILTERED], <hidden> and other masks are words or references, no opaque value.)
    if _AUTH_PARAM.match(value) or _is_not_secret(value):
        return None
    if _PLACEHOLDER not in value:
        return _swap(match, "secret", "authorization") if _looks_opaque(value) else None
    # The placeholders of the rules above stay (AWS's "[REDACTED:aws_access_key]:signature");
    # what stands between them is hidden unless it is punctuation, escapes or a few characters.
    pieces, hidden = [], False
    for piece in _PLACEHOLDER_PIECES.split(value):
        rest = piece.lstrip(_AUTH_SEPARATORS)
        plain = _PERCENT_ESCAPE.sub("", rest)  # escapes that end a value: "%0D%0A"
        if not piece.startswith(_PLACEHOLDER) and len(plain) >= _AUTH_PIECE_MIN_CHARS:
            piece, hidden = piece[: len(piece) - len(rest)] + _placeholder("authorization"), True
        pieces.append(piece)
    if not hidden:
        return None
    whole, base = match.group(0), match.start()
    return "authorization", whole[: match.start("secret") - base] + "".join(pieces)


_PLACEHOLDER_PIECES = re.compile(r"(\[REDACTED:[a-z_]+\])")
_AUTH_SEPARATORS = ":/.|"
_AUTH_PIECE_MIN_CHARS = 8
"""The shortest rest beside a placeholder in an Authorization value that is hidden too."""


_SIGNATURE_MIN_CHARS = 16
"""The shortest value a ``, signature=`` parameter (not a URL's) needs to count as one."""


def _signature(match: re.Match[str]) -> tuple[str, str] | None:
    kind = "azure_sas_token" if match.group("name").lower() == "sig" else "url_signature"
    if match.group(0)[0] == "," and len(match.group("secret")) < _SIGNATURE_MIN_CHARS:
        return None  # "status=403, signature=invalid": prose, not a signature
    return _swap(match, "secret", kind)


# Digest auth's response proves the password for one nonce; it is hidden like the password,
# when a "Digest" stands before it on its line. (Found from the parameter back to the scheme:
# a scan from each "Digest" forward to a response would be quadratic in a line of many.)
_DIGEST_RESPONSE = re.compile(
    r"(?<![\w-])[Rr](?i:esponse)=\\?\"?(?P<secret>[0-9A-Fa-f]{32,128})(?![0-9A-Za-z])"
)
_DIGEST_SCHEME = re.compile(r"(?i:digest)[ \t]")
_DIGEST_REACH = 2_048
"""How far before its response a Digest header's scheme may stand."""


def _digest_response(match: re.Match[str]) -> tuple[str, str] | None:
    start = match.start()
    line_start = max(match.string.rfind("\n", 0, start) + 1, start - _DIGEST_REACH)
    if _DIGEST_SCHEME.search(match.string, line_start, start) is None:
        return None
    return _swap(match, "secret", "digest_response")


# --- key-value pairs ----------------------------------------------------------------------------

# Values that say "no secret here": empty, null-ish, masked already, or a reference to one.
_NOT_SECRET = frozenset(
    {"null", "none", "nil", "true", "false", "undefined", "bearer", "basic", "redacted", "-"}
)
_WORDLIKE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+")
# A value that names a secret kept elsewhere: $VAR, ${VAR}, $(cmd), {{ template }}, <nil>, {object}.
_REFERENCE = re.compile(r"\$(?:\{|\(|[A-Z_][A-Z0-9_]*$)|\{|<.*>$")
# Placeholders, and the escaped newlines that may sit between them: what is left once they are
# taken out is spaces (the value held nothing else) or the word that stood before them.
_PLACEHOLDERS = re.compile(r"\[REDACTED:[a-z_]+\]|\\[nrt]")


def _is_not_secret(value: str) -> bool:
    stripped = value.strip()
    if _PLACEHOLDER in stripped:  # a value redacted already, maybe after a scheme word
        rest = _PLACEHOLDERS.sub(" ", stripped).strip()
        return not rest or rest.lower() in _NOT_SECRET
    return (
        not stripped.strip("*")  # empty, or masked already
        or stripped.lower() in _NOT_SECRET
        or _REFERENCE.match(stripped) is not None
    )


# Kind by the last word of a key, without "_" and "-": DB_PASSWORD -> password.
_KEY_KINDS = {
    "password": "password",
    "passwd": "password",
    "passphrase": "password",
    "pass": "password",
    "pwd": "password",
    "pw": "password",
    "passcode": "password",
    "token": "token",
    "apikey": "api_key",
    "appkey": "api_key",
    "applicationkey": "api_key",
    "authkey": "api_key",
    "clientkey": "api_key",
    "servicekey": "api_key",
    "licensekey": "api_key",
    "subscriptionkey": "api_key",
    "accesskey": "access_key",
    "secretaccesskey": "aws_secret_key",
    "accountkey": "azure_storage_key",
    "privatekey": "private_key",
    "privkey": "private_key",
    "sessionid": "session_id",
    "sessid": "session_id",
    "sessionkey": "session_id",
    "samlresponse": "saml_response",  # a SAML assertion, as good as a session
}
# A vendor named before the last word sharpens the kind: DD_API_KEY, TWILIO_AUTH_TOKEN.
_VENDOR_WORDS = {
    "dd": "datadog",
    "datadog": "datadog",
    "twilio": "twilio",
    "discord": "discord",
    "relic": "newrelic",
    "newrelic": "newrelic",
    "aws": "aws",
}
_VENDOR_KEY_KINDS = {
    ("datadog", "apikey"): "datadog_api_key",
    ("datadog", "appkey"): "datadog_app_key",
    ("datadog", "applicationkey"): "datadog_app_key",
    ("twilio", "token"): "twilio_auth_token",
    ("discord", "token"): "discord_token",
    ("newrelic", "licensekey"): "newrelic_key",
    ("newrelic", "apikey"): "newrelic_key",
    ("aws", "secret"): "aws_secret_key",
    ("aws", "secretkey"): "aws_secret_key",
    ("aws", "accesskey"): "aws_access_key",
    ("aws", "token"): "aws_session_token",
}
_KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"
_KEY_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")
# Keywords that are often the tail of a longer word (bypass, monkey, oauth, sacred) count only as
# a word; "creds" and "credential(s)" end key names alone (dbcreds, awscredentials).
_SHORT_KEYWORDS = frozenset({"pass", "key", "auth", "cred"})


def _key_prefix(match: re.Match[str]) -> str:
    """The part of the key before its keyword (64 characters at most): ``DD_`` of ``DD_API_KEY``."""
    start = match.start()
    before = match.string[max(0, start - 64) : start]
    return before[len(before.rstrip(_KEY_CHARS)) :]


def _kv_kind(keyword: str, prefix: str) -> str:
    """The kind named by a key: ``DB_PASSWORD`` -> password, ``DD_API_KEY`` -> datadog_api_key."""
    word = keyword.lower().replace("_", "").replace("-", "")
    for part in _KEY_WORD.findall(prefix):
        vendor = _VENDOR_WORDS.get(part.lower())
        if vendor is not None and (vendor, word) in _VENDOR_KEY_KINDS:
            return _VENDOR_KEY_KINDS[vendor, word]
    return _KEY_KINDS.get(word, "secret")


def _kv_value(match: re.Match[str]) -> tuple[str, str, bool] | None:
    """The value's group, the value, and whether it is bare; None if it is no secret."""
    group = str(match.lastgroup)
    value = match.group(group)
    keyword = match.group("kw")
    if _is_not_secret(value):
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
    return group, value, group == "bare"


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


def _container(match: re.Match[str], group: str, kind: str) -> tuple[str, str] | None:
    """Each secret in a list or an object held by a secret-named key, redacted in place."""
    found = 0

    def item(part: re.Match[str]) -> str:
        nonlocal found
        name = str(part.lastgroup)
        value = part.group(name)
        if _is_not_secret(value) or _counted(value) or (kind == "token" and _short_word(value)):
            return part.group(0)
        found += 1
        return _swap(part, name, kind)[1]

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
    group, value, bare = found
    keyword, key_quote = match.group("kw"), match.group("kq") or ""
    plural = match.group("suffix") == "s"
    if group in ("list", "object"):
        if group == "object" and not plural:
            return None  # a secret's reference: "secret":{"secretName":"api-tls"}
        return _container(match, group, _kv_kind(keyword, _key_prefix(match)))
    if plural and _counted(value):
        return None  # tokens=512, "prompt_tokens": 1106: a count
    lowered = keyword.lower()
    if lowered == "pwd" and value.startswith(("/", "~")):
        return None  # PWD=/srv/app in an environment dump is a directory, not a password.
    if lowered == "pass" and value.isdigit():
        return None  # "pass=42 fail=0": a test tally.
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
    if bare and ("(" in value or match.string[match.end() : match.end() + 1] == "["):
        return None  # code in a stack trace: token = decode(header), pwd = os.environ["PWD"]
    start = match.start()
    if sep == ":" and match.string[start - 1 : start] == ":":
        return None  # a segment of an ARN or URN: arn:aws:secretsmanager:...:secret:db-creds
    # A bare JSON value (a number) gets quotes, so the line stays valid JSON.
    return _swap(match, group, kind, key_quote if bare else "")


# A command line's secret flag: ``--password hunter2``, ``--db-password s3cr3t``, ``--api-key K``.
# (``--password=hunter2`` is a key-value pair.) The keyword is the flag's last word.
_FLAG = re.compile(
    r"--(?P<prefix>(?:[A-Za-z0-9]+-)*)"
    r"(?P<kw>password|passwd|passphrase|pass|pwd|token|secret|api-?key|access-?key|secret-?key"
    r"|private-?key)[ \t]+(?P<secret>[^\s\"'=-][^\s\"']*)"
)
# Words a CLI's own messages put after a flag's name: "--token is deprecated", "--password
# requires a value". They are no secret, and redacting them would hide the message.
# fmt: off
_FLAG_PROSE = frozenset((
    "is", "are", "was", "were", "must", "should", "can", "cannot", "will", "not", "and", "or",
    "the", "a", "an", "to", "of", "for", "in", "on", "with", "without", "requires", "required",
    "flag", "option", "argument", "value", "file", "deprecated", "missing", "given", "provided",
    "set", "empty", "ignored", "unknown",
))
# fmt: on


_FLAG_SHAPE = (
    r"--(?:[a-z0-9]+-)*(?:pass|pwd|token|secret|api-?key|access-?key|private-?key)[a-z]*[ \t]+"
    r"[^\s\"'=-]"
)
"""Where `_FLAG` may match (RE2, case-folded text): a flag followed by a value."""


def _flag(match: re.Match[str]) -> tuple[str, str] | None:
    value = match.group("secret")
    if _inside_word(match) or _is_not_secret(value) or value.lower() in _FLAG_PROSE:
        return None
    kind = _kv_kind(match.group("kw"), match.group("prefix"))
    return _swap(match, "secret", kind)


# A Cookie or Set-Cookie header (or a "cookie" field): each cookie whose value looks random is a
# bearer of access (a session, an OAuth proxy's cookie); names, attributes and plain values stay.
_COOKIE_HEADER = re.compile(r"(?i:set-cookie|cookie)\"?[ \t]*[:=][ \t]*\"?(?P<pairs>[^\r\n\"]+)")
# A name starts after a separator only: tried from inside a name, the scan for its "=" would go
# over the same characters again and again (quadratic in a long value without any "=").
_COOKIE_PAIR = re.compile(r"(?<![^\s;,])(?P<name>[^\s=;,]+)=(?P<value>[^\s;,]+)")
_COOKIE_MIN_CHARS = 16


def _cookie_value_is_secret(value: str) -> bool:
    """Whether a cookie's value is a credential: long, random, with letters and digits.

    Not a flag, a language, a timestamp or an analytics counter (digits count as one symbol).
    Hex session ids (sid=13b22d5f...), whose entropy counted so stays low, from 32 digits.
    """
    if (
        len(value) < _COOKIE_MIN_CHARS
        or _PLACEHOLDER in value
        or not any(c.isalpha() for c in value)
        or not any(c.isdigit() for c in value)
    ):
        return False
    return _long_hex(value) or _entropy(value) >= _ENTROPY_BITS


# A session cookie outside its header: "_gitlab_session=...", "laravel_session=..." in an
# access log's query or a proxy's line. A name ending in "_session", a value of at most
# `_SESSION_REACH` characters read possessively, random as a cookie's.
_SESSION_REACH = 4_096
_SESSION_COOKIE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z0-9]*_session=(?P<secret>[A-Za-z0-9%._-]"
    rf"{{{_COOKIE_MIN_CHARS},{_SESSION_REACH}}}+)(?![A-Za-z0-9%._-])"
)


def _session_cookie(match: re.Match[str]) -> tuple[str, str] | None:
    if not _cookie_value_is_secret(match.group("secret")):
        return None
    return _swap(match, "secret", "cookie")


# A CAS ticket (service, proxy, proxy-granting, ticket-granting: ST-, PT-, PGT-, TGT-, a serial
# number, a random part) after "ticket": a service ticket validates once for anyone holding it,
# a ticket-granting one logs its holder in everywhere. As a query parameter (?ticket=ST-...) or
# as CAS servers log them (Granted ticket [ST-...]).
_CAS_TICKET_REACH = 256
_CAS_TICKET = re.compile(
    r"(?<![A-Za-z])(?i:ticket)(?:=|:[ \t]*|[ \t]+\[?)"
    r"(?P<secret>(?:ST|PT|PGT|TGT)-[0-9]{1,20}-"
    rf"[A-Za-z0-9._-]{{8,{_CAS_TICKET_REACH}}}+)(?![A-Za-z0-9._-])"
)


def _cookies(match: re.Match[str]) -> tuple[str, str] | None:
    if _inside_word(match):
        return None
    pairs = match.group("pairs")
    hidden = _COOKIE_PAIR.sub(
        lambda pair: (
            f"{pair.group('name')}={_placeholder('cookie')}"
            if _cookie_value_is_secret(pair.group("value"))
            else pair.group(0)
        ),
        pairs,
    )
    if hidden == pairs:
        return None
    start = match.start("pairs") - match.start()
    return "cookie", f"{match.group(0)[:start]}{hidden}"


# Command lines whose password flag is a short one: ``redis-cli -a PASS``, ``sshpass -p PASS``,
# ``mysql -uroot -pPASS`` (MySQL's -p takes its value attached; -P is the port), and the
# password of ``curl -u``'s ``user:password``, ``ldapsearch -w``'s and a ``.netrc`` line's.
# At most 24 arguments stand between the command and its flag: with no bound, a line repeating
# the command word alone would be scanned to its end from each of them (quadratic).
_ARGUMENTS = r"(?:[ \t]+\S+){0,24}?"
_SHORT_FLAG_PASSWORD = re.compile(
    r"redis-cli" + _ARGUMENTS + r"[ \t]+-a[ \t]+(?P<redis>[^\s\"']+)"
    r"|sshpass[ \t]+-p[ \t]*(?P<sshpass>[^\s\"']+)"
    # MySQL's -p takes its value attached, maybe quoted: -pPASS, -p'PASS', -p"PASS".
    r"|mysql(?:dump|admin)?" + _ARGUMENTS + r"[ \t]+-p(?:'(?P<mysql_sq>[^'\n]+)'"
    r"|\"(?P<mysql_dq>[^\"\n]+)\"|(?P<mysql>[^\s\"']+))"
    # Tools whose -p is a password, not a port: registry logins (docker, podman, buildah,
    # skopeo, nerdctl, oras, helm registry), MongoDB's shell and tools, PsExec; -P for
    # sqlcmd and bcp. (A value shaped like a port is none: `_short_flag_password`.)
    r"|(?:docker|podman|buildah|skopeo|nerdctl|oras|helm[ \t]+registry)[ \t]+login"
    + _ARGUMENTS
    + r"[ \t]+-p(?:[ \t]+|=)(?P<login>[^\s\"'-][^\s\"']*)"
    r"|(?:mongo(?:sh|dump|restore|export|import|stat|top|files)?|(?i:psexec)(?:[0-9]{2})?)"
    r"(?:\.exe)?" + _ARGUMENTS + r"[ \t]+-p[ \t]+(?P<dash_p>[^\s\"'-][^\s\"']*)"
    r"|(?:sqlcmd|bcp)(?:\.exe)?" + _ARGUMENTS + r"[ \t]+-P[ \t]*(?P<dash_big_p>[^\s\"'-][^\s\"']*)"
    # HTTPie and xh: -a / --auth user:password, as curl's -u.
    r"|(?<![\w/.-])(?:http|xh)" + _ARGUMENTS + r"[ \t]+(?:-a|--auth)[ \t]+[^\s:\"'\[]+:"
    r"(?P<httpie>[^\s\"']+)"
    # Windows' net use \\server\share [PASSWORD] /user:DOMAIN\user [PASSWORD].
    r"|(?i:net)[ \t]+(?i:use)(?:[ \t]+[A-Za-z]:)?[ \t]+\\\\[^\s\\]+\\\S*"
    r"(?:[ \t]+(?P<net_use>[^\s/\"'][^\s\"']*))?[ \t]+/(?i:u(?:ser)?):\S+"
    r"(?:[ \t]+(?P<net_use_after>[^\s/\"'][^\s\"']*))?"
    # curl -u user:password, ldapsearch -w password, a .netrc line.
    r"|curl" + _ARGUMENTS + r"[ \t]+(?:-u|--user)[ \t]*[^\s:\"'\[]+:(?P<curl>[^\s\"']+)"
    r"|ldap[a-z]{0,8}" + _ARGUMENTS + r"[ \t]+-w[ \t]+(?P<ldap>[^\s\"']+)"
    r"|machine[ \t]+\S+[ \t]+login[ \t]+\S+[ \t]+password[ \t]+(?P<netrc>[^\s\"']+)"
    # rabbitmqctl add_user USER PASS (and change_password), a broker's bootstrap script.
    r"|rabbitmqctl" + _ARGUMENTS + r"[ \t]+(?:add_user|change_password|authenticate_user)"
    r"[ \t]+[^\s\"']+[ \t]+(?P<rabbitmq>[^\s\"']+)"
    # keytool's store and key passwords given as values (not -storepass:env NAME).
    r"|-(?:src|dest)?(?:store|key)pass[ \t]+(?P<keytool>[^\s\"'-][^\s\"']*)"
    # htpasswd's batch mode (-b, alone or among other flags): [FILE] USER PASSWORD, the file left
    # out with -n.
    r"|htpasswd(?:[ \t]+-C[ \t]+[0-9]+|[ \t]+-[A-Za-z]+)*?[ \t]+-[A-Za-z]*b[A-Za-z]*"
    r"(?:[ \t]+-C[ \t]+[0-9]+|[ \t]+-[A-Za-z]+)*(?:[ \t]+[^\s\"'-]\S*)?[ \t]+[^\s\"'-]\S*"
    r"[ \t]+(?P<htpasswd>[^\s\"']+)(?![^\s])"
    # openssl enc -k PASS (the -pass pass:PASS form is a key-value pair).
    r"|openssl" + _ARGUMENTS + r"[ \t]+-k[ \t]+(?P<openssl>[^\s\"'-][^\s\"']*)"
    # Oracle's user/password@database: a JDBC thin or OCI URL, and the connect string of its
    # command-line tools (sqlplus scott/pw@orcl, rman target sys/pw@db, expdp system/pw@pdb).
    r"|(?:jdbc:oracle:(?:thin|oci[0-9]?):|(?<![\w.-])(?:sqlplus|rman|impdp|expdp|sqlldr)"
    r"(?:\.exe)?" + _ARGUMENTS + r"[ \t]+(?:(?:target|auxiliary|catalog|userid)[ \t=]+)?)"
    r"[\w$#]{1,30}/(?P<oracle>[^\s/@\"']{1,128})@"
)


# A port (ssh -p 22, docker run -p 8080:80, -p 5000-5010) is no password.
_PORT_SHAPED = re.compile(r"[0-9]+(?:[:-][0-9]+)*")


def _short_flag_password(match: re.Match[str]) -> tuple[str, str] | None:
    if match.lastgroup is None:
        return None  # net use without a password
    group = match.lastgroup
    value = match.group(group)
    if _inside_word(match) or _is_not_secret(value) or _PORT_SHAPED.fullmatch(value):
        return None
    return _swap(match, group, "password")


# A generic key named for what it does to secrets holds one even as hex, which ids are too
# (RAILS_MASTER_KEY, a 32-character hex string): any opaque value counts there.
_SECRET_KEY_NAMES = frozenset({"signing", "master", "hmac", "encryption", "decryption", "shared"})
_PUBLIC = frozenset({"public", "pub"})


def _opaque_id(value: str) -> bool:
    """Whether `value` is 16+ base64 or hex characters holding both letters and digits."""
    return (
        _OPAQUE.fullmatch(value) is not None
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
    )


# Keys that find a thing rather than open it: a cache's, an idempotency key, a table's
# partition, sort or primary key, a queue's routing key, an object store's key.
_ID_KEY_NAMES = frozenset(
    {"cache", "idempotency", "partition", "sort", "primary", "routing", "object", "dedup", "shard"}
)
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
    r"(?i)(?:auth|creds?|credentials?)[\"']?[ \t]*[:=][ \t]*[\"']?[A-Za-z0-9+/]{8}"
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
    group, value, bare = found
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
        return _swap(match, group, "basic_auth", (match.group("kq") or "") if bare else "")
    # A key, or an Authorization header's raw value (no scheme), may be hex or a UUID.
    hex_key = match.group("kw").lower() in _HEX_KEY_WORDS and _hex_key(value)
    if not (_high_entropy(value) or hex_key or (named & _SECRET_KEY_NAMES and _opaque_id(value))):
        return None
    return _swap(match, group, "secret", (match.group("kq") or "") if bare else "")


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
# Only these keywords are words of their own in prose (the others need no check).
_BARE_KEY_WORDS = frozenset({"key", "credential", "credentials"})


def _spaced_secret(match: re.Match[str]) -> tuple[str, str] | None:
    start = match.start()
    if start and match.string[start - 1].isalnum():
        return None  # the tail of a longer word: "accesstoken", "nopassword"
    keyword = match.group("kw").replace(" ", "")
    if keyword.lower() in _BARE_KEY_WORDS:
        before = match.string[max(0, start - 32) : start].split()
        named = before[-1].lower().strip("\"'([{,:;") if before else ""
        if named in _ID_KEY_NAMES or named in _PUBLIC:
            return None  # "cache key ...", "public key ...": no secret
    value = match.group("secret")
    plain = value.replace(".", "").replace("~", "")
    # Hex only from 128 bits (an API key's, not a short id's).
    random = (
        _high_entropy(plain)
        or (_long_hex(value) and _opaque_id(value))
        or _random_in_one_case(value)
        or _WORDS_THEN_UUID.fullmatch(value) is not None
        or any(
            _high_entropy(part)
            or (_long_hex(part) and _opaque_id(part))
            or _random_in_one_case(part)
            for part in _TOKEN_PARTS.split(value)
        )
    )
    if not random:
        return None
    return _swap(match, "secret", _kv_kind(keyword, _key_prefix(match)))


def _keyword_alternation(words: Mapping[str, str]) -> str:
    """Key words spelled as first letter + case-insensitive rest, for a fast literal start."""
    return "|".join(
        f"{c}(?i:{rest})" for first, rest in words.items() for c in (first, first.upper())
    )


# Key names end with one of these words: db_password, clientSecret, x-api-key.
_SECRET_KEY_WORDS = {
    "s": r"ecret[_-]?access[_-]?key|ecret[_-]?key(?:[_-]?base)?|ecret|ervice[_-]?key"
    r"|ession[_-]?(?:id|key)|essid|ubscription[_-]?key|aml[_-]?response",
    "p": r"assw(?:or)?d|ass[_-]?phrase|ass(?:code)?|rivate[_-]?key|riv[_-]?key|wd|w",
    "a": r"pi[_-]?key|ccess[_-]?key|ccount[_-]?key|uth[_-]?key|pp(?:lication)?[_-]?key",
    "t": r"oken",
    "c": r"lient[_-]?key",
    "l": r"icense[_-]?key",
}
# Generic key names, whose values are secrets only when they look random: signing_key, auth.
_GENERIC_KEY_WORDS = {"k": r"ey", "a": r"uth(?:orization)?", "c": r"red(?:ential)?s?"}
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
    # A bare value ends at an "&" that starts a URL query's next parameter (&next=/), not at
    # one inside it (password=p@ss&w0rd).
    r"|(?P<bare>[^\s\"'\\\[\])}<>,;&]+(?:&(?![^\s&]*=)[^\s\"'\\\[\])}<>,;&]+)*))"
)


# What may follow a secret's key word in its name: a plural (api_keys, passwords), a number
# (password2), or a word saying which one (secret_value, tokenValue, PASSWORD_NEW,
# password_confirmation). Not any word: prompt_tokens=532 and token_count count tokens,
# secret_name and password_length say something about a secret, not what it is.
_KEY_SUFFIX = r"(?P<suffix>s|[0-9]|[_-]?(?i:value|new|old|confirm(?:ation)?))?"
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


# A secret given as a name and a value: Kubernetes env vars ({"name":"DB_PASSWORD","value":"x"},
# {Name:DB_PASSWORD Value:x ValueFrom:nil} as Go prints them, or YAML's "- name: X" and
# "value: x" on the next line of a multi-line entry), CloudFormation parameters
# (ParameterKey, ParameterValue), SSM parameters (Name, Value), Consul's KV export (key, value),
# Elastic Beanstalk option settings (OptionName, Value). The name says it is a secret.
# Up to two short fields may stand between the name and the value (SSM's "Type").
_BETWEEN = (
    r"(?:\\?[\"']?\w{1,32}\\?[\"']?[ \t]*[:=][ \t]*"
    r"\\?[\"']?[\w.-]{0,64}\\?[\"']?[ \t]*,[ \t]*){0,2}"
)
_NAMED_VALUE = re.compile(
    r"(?<![A-Za-z0-9_])(?:[Nn]ame|[Kk]ey|Parameter[Kk]ey|Option[Nn]ame)\\?[\"']?[ \t]*[:=][ \t]*"
    r"(?P<vq>\\?[\"']?)(?P<name>[A-Za-z0-9_./-]{1,128})(?P=vq)[ \t]*,?[ \t]*(?:\r?\n[ \t]*)?"
    + _BETWEEN
    + r"\\?[\"']?(?:[Vv]alue|Parameter[Vv]alue)\\?[\"']?[ \t]*[:=][ \t]*"
    + _VALUE
)
# Besides the words of _KEY_KINDS, a name ending in "secret" says so (CLIENT_SECRET); not one
# ending in "credentials": GOOGLE_APPLICATION_CREDENTIALS names a file.
_SECRET_NAME_WORDS = frozenset({"secret"})
_FIELD = re.compile(r"[A-Za-z]\w*:")


def _secret_name(name: str) -> tuple[str, str] | None:
    """The keyword of a secret's name and what comes before it, or None for another name.

    ``DB_PASSWORD`` -> (``password``, ``DB_``); ``/prod/datadog/api_key`` -> (``apikey``,
    ``/prod/datadog/``): the last words say what it is, the rest may name a vendor.
    """
    words = list(_KEY_WORD.finditer(name))
    for size in (3, 2, 1):
        if len(words) < size:
            continue
        keyword = "".join(word.group().lower() for word in words[-size:])
        if keyword in _KEY_KINDS or keyword in _SECRET_NAME_WORDS:
            return keyword, name[: words[-size].start()]
    return None


def _named_value(match: re.Match[str]) -> tuple[str, str] | None:
    named = _secret_name(match.group("name"))
    group = str(match.lastgroup)
    value = match.group(group)
    if named is None or _is_not_secret(value):
        return None
    if group == "bare" and _FIELD.match(value):
        return None  # Go's {Name:X Value: ValueFrom:...}: the value is empty
    return _swap(match, group, _kv_kind(*named))


# --- passwords in statements: SQL, protocol commands, XML elements, hashes ---------------------


def _sql_literal(name: str) -> str:
    """A SQL string literal, its content as group ``name`` (``name_dq`` when double-quoted).

    ``'...'`` with a quote doubled or escaped inside, ``E'...'`` (PostgreSQL), ``N'...'``
    (T-SQL); ``"..."`` as MySQL takes it.
    """
    return (
        rf"(?:[NnEe]?'(?P<{name}>(?:[^'\\\n]|''|\\.)*)'"
        rf"|\"(?P<{name}_dq>(?:[^\"\\\n]|\"\"|\\.)*)\")"
    )


# SQL that sets a password, as database logs record it (PostgreSQL's log_statement, MySQL's
# general query log): PostgreSQL's CREATE/ALTER ROLE ... PASSWORD '...' (and a user mapping's
# OPTIONS (password '...')); IDENTIFIED [WITH plugin] BY [PASSWORD] '...' (MySQL, MariaDB,
# ClickHouse; Oracle's may be unquoted); MySQL's SET PASSWORD [FOR user] = '...' (or
# = PASSWORD('...')).
# ``PASSWORD = '...'`` (T-SQL, Cassandra) is a key-value pair.
_SQL_PASSWORD = re.compile(
    r"(?<![\w$.])(?i:password)[ \t]+"
    + _sql_literal("pg")
    + r"|(?<![\w$.])(?i:identified)(?:[ \t]+(?i:with)[ \t]+[\w$]{1,64})?[ \t]+(?i:by)"
    r"(?:[ \t]+(?i:password))?[ \t]+(?:" + _sql_literal("by") + r"|(?P<by_bare>[^\s;,'\"()]+))"
    r"|(?<![\w$.])(?i:set)[ \t]+(?i:password)(?:[ \t]+(?i:for)[ \t]+[^\s=]{1,128})?[ \t]*=[ \t]*"
    r"(?:(?i:password)[ \t]*\([ \t]*)?" + _sql_literal("set")
)
_SQL_SHAPES = (r"password[ \t]+[en]?['\"]", r"identified[ \t]", r"set[ \t]+password")
"""Where `_SQL_PASSWORD` may match (RE2, case-folded text)."""
# An unquoted IDENTIFIED BY value is a password only in a statement about an account.
_SQL_ACCOUNT = re.compile(r"(?i:\b(?:create|alter)[ \t]+(?:user|role|login)\b|\bgrant\b)")
_SQL_REACH = 256
"""How far before an unquoted ``IDENTIFIED BY`` its statement's verb may stand."""


def _sql_password(match: re.Match[str]) -> tuple[str, str] | None:
    group = str(match.lastgroup)
    value = match.group(group)
    if _is_not_secret(value):
        return None
    if group == "by_bare":
        start = match.start()
        line = match.string[max(0, start - _SQL_REACH) : start].rpartition("\n")[2]
        if _SQL_ACCOUNT.search(line) is None:
            return None  # prose: "each request is identified by its trace_id"
    return _swap(match, group, "password")


# SASL mechanisms whose initial response (base64) follows them on an AUTH command.
_SASL = (
    r"(?:PLAIN|LOGIN|XOAUTH[0-9]?|OAUTHBEARER|CRAM-MD[0-9]|DIGEST-MD[0-9]"
    r"|SCRAM-SHA-[0-9]+(?:-PLUS)?|NTLM|GSSAPI|EXTERNAL)"
)
_SASL_HINTS = (
    "plain",
    "login",
    "xoauth",
    "oauthbearer",
    "cram-md",
    "digest-md",
    "scram-sha-",
    "ntlm",
    "gssapi",
    "external",
)
# Passwords given to a server as a command's arguments.
_COMMAND_PASSWORD = re.compile(
    # Redis MONITOR quotes each argument: "AUTH" ["user"] "pass" (also after HELLO 3): the
    # password is the last one.
    r"\"(?i:auth)\"(?:[ \t]+\"(?:[^\"\\\n]|\\.)*\"(?=[ \t]+\"))?"
    r"[ \t]+\"(?P<monitor>(?:[^\"\\\n]|\\.)*)\""
    # ioredis' debug log: auth([ 'pass' ]) or auth([ 'user', 'pass' ]).
    r"|(?<![\w.])(?i:auth)\(\[[ \t]*(?:'(?:[^'\\\n]|\\.)*'[ \t]*,[ \t]*)?"
    r"'(?P<ioredis>(?:[^'\\\n]|\\.)*)'"
    # Redis' requirepass and masterauth: in redis.conf, CONFIG SET, a MONITOR line.
    r"|(?<![\w-])(?i:requirepass|masterauth)\"?[ \t]+\"?(?P<conf>[^\s\"'\\]+)"
    # SASL's initial response (SMTP AUTH, IMAP AUTHENTICATE): PLAIN's holds the password.
    r"|(?<![\w-])AUTH(?:ENTICATE)?[ \t]+" + _SASL + r"[ \t]+(?P<sasl>[A-Za-z0-9+/]+=*)(?![\w+/=])"
    # FTP's PASS command, as vsftpd's protocol log quotes it and curl -v shows it.
    r"|(?:\"|> )PASS[ \t]+(?P<ftp>[^\s\"]+)"
    # AUTH [user] password typed at redis-cli's prompt (redis> , 127.0.0.1:6379> ), the last
    # word of its line.
    r"|>[ \t]*(?i:auth)[ \t]+(?:[^\s\"']+[ \t]+)?(?P<redis_prompt>[^\s\"']+)[ \t]*\r?(?=\n|\Z)"
    # IMAP's LOGIN command after its tag (a001, A1): user, then password, either may be quoted,
    # as curl -v, Python's imaplib and Dovecot's rawlog show it.
    r"|(?<![^\s>\"'])[A-Za-z]{0,8}[0-9]+[ \t]+LOGIN[ \t]+"
    r"(?P<imap_user>\"(?:[^\"\\\n]|\\.)*\"|[^\s\"]+)[ \t]+"
    r"(?:\"(?P<imap_quoted>(?:[^\"\\\n]|\\.)*)\"|(?P<imap>[^\s\"']+))"
    # SMTP's AUTH LOGIN in a transcript (swaks, a mail library's debug output): the password is
    # the client's next line after the server's "334 UGFzc3dvcmQ6" (base64 of "Password:").
    # (Its digits are matched as any digit; the client's prefix, "C: " or " -> ", is short.)
    r"|[0-9]{3}[ \t]+UGFzc[0-9]dvcmQ[0-9][^\n]*\n[^\n]{0,16}?"
    r"(?P<smtp_login>[A-Za-z0-9+/]{2,}={0,2})[ \t]*\r?(?=\n|$)"
)


# Words after "LOGIN" in prose, where a command would have its user name.
_LOGIN_PROSE = frozenset(
    (
        "attempt",
        "attempts",
        "failed",
        "failure",
        "failures",
        "succeeded",
        "success",
        "error",
        "errors",
        "denied",
        "rejected",
        "ok",
        "timeout",
        "retries",
        "retry",
        "requests",
        "count",
        "rate",
    )
)


def _command_password(match: re.Match[str]) -> tuple[str, str] | None:
    group = str(match.lastgroup)
    value = match.group(group)
    if _is_not_secret(value) or value.lower() in _FLAG_PROSE:
        return None
    if group == "sasl" and _WORDLIKE.fullmatch(value):
        return None  # "AUTH PLAIN failed": prose, not base64
    if group == "redis_prompt" and value.lower().startswith(_SASL_HINTS):
        return None  # an SMTP client's "> AUTH LOGIN": the mechanism, its response to come
    if group.startswith("imap") and match.group("imap_user").lower() in _LOGIN_PROSE:
        return None  # "3 LOGIN attempts failed": prose, not a command
    return _swap(match, group, "password")


# XML that holds a secret as an element's text: <password>, <db:password>, <clientSecret>,
# <apiKey> (Maven's settings.xml, SOAP, Tomcat, .NET configs), or an element whose name or key
# attribute names one: <entry key="db.password">, <property name="smtp.password">.
_XML_SECRET = re.compile(
    r"<(?P<tag>(?:[A-Za-z_][\w.-]{0,32}:)?(?P<prefix>(?:[A-Za-z_][\w.-]{0,64}?)??)(?P<kw>"
    + _keyword_alternation(_SECRET_KEY_WORDS)
    + r"))(?:[ \t][^<>\n]*)?>(?P<element>[^<\n]+)</(?P=tag)>"
    r"|<(?P<named_tag>[A-Za-z_][\w:.-]{0,64})[ \t]+(?:[\w:.-]{1,32}=\"[^\"<>\n]*\"[ \t]+)?"
    r"(?:name|key)=\"(?P<name>[^\"<>\n]{1,128})\"[ \t]*>(?P<named>[^<\n]+)</(?P=named_tag)>"
)
_XML_SHAPES = (
    r"</[\w:.-]*(?:pass|pwd|secret|token|key|sess|response)[\w.-]*>",
    r"(?:name|key)=\"[^\"\n]*\"[ \t]*>[^<\n]*</",
)


def _xml_secret(match: re.Match[str]) -> tuple[str, str] | None:
    group = str(match.lastgroup)
    value = match.group(group)
    if _is_not_secret(value):
        return None
    if group == "named":
        named = _secret_name(match.group("name"))
        if named is None:
            return None
        kind = _kv_kind(*named)
    else:
        keyword = match.group("kw")
        if keyword.lower() == "pass" and value.isdigit():
            return None  # a test tally
        kind = _kv_kind(keyword, match.group("prefix"))
    return _swap(match, group, kind)


# Password hashes, which can be cracked offline: crypt(3)'s ($1$ MD5, $5$/$6$ SHA-2, $apr1$,
# $y$ yescrypt), bcrypt, Argon2, scrypt, Django's PBKDF2, PostgreSQL's SCRAM verifiers and LDAP's
# {SSHA}-style userPassword values.
_CRYPT = r"[./A-Za-z0-9]"
_B64 = r"[A-Za-z0-9+/]"
_PASSWORD_HASH = re.compile(
    r"(?<![\w$])(?:"
    rf"\$[0-9][abxy]\$[0-9]{{2}}\${_CRYPT}{{53}}"
    rf"|\$(?:[0-9]|apr[0-9]|md[0-9])\$(?:rounds=[0-9]+\$)?{_CRYPT}{{1,16}}\${_CRYPT}{{22,86}}"
    rf"|\$g?y\${_CRYPT}{{1,32}}\${_CRYPT}{{1,64}}\${_CRYPT}{{43}}"
    rf"|\$argon[0-9][a-z]{{0,2}}\$v=[0-9]+\$m=[0-9]+,t=[0-9]+,p=[0-9]+\${_B64}+\${_B64}+"
    rf"|\$scrypt\$[^\s$]{{1,64}}\${_B64}+=*\${_B64}+=*"
    rf"|pbkdf[0-9]_sha[0-9]+\$[0-9]+\$[^\s$]{{1,64}}\${_B64}+=*"
    rf"|SCRAM-SHA-[0-9]+\$[0-9]+:{_B64}+=*\${_B64}+=*:{_B64}+=*"
    rf"|\{{(?i:s?sha[0-9]*|s?md[0-9]|crypt|pbkdf[0-9][\w-]{{0,16}})\}}[A-Za-z0-9+/.$]{{8,}}=*"
    r")(?![\w./+$=])"
)
_PASSWORD_HASH_SHAPES = (
    r"\$(?:[0-9][abxy]?|apr[0-9]|md[0-9]|g?y|argon[0-9][a-z]*|scrypt)\$",
    r"(?:pbkdf[0-9]_sha[0-9]+|scram-sha-[0-9]+)\$",
    r"\{(?:s?sha[0-9]*|s?md[0-9]|crypt|pbkdf[0-9][\w-]*)\}",
)


# An OAuth authorization code in a redirect URL (an ingress' access log): it buys tokens until
# it is used. Only a long, random-looking value in an OAuth-looking URL: ?code=US is a country.
_OAUTH_CODE = re.compile(r"[?&#]code=(?P<secret>[^\s&#\"'<>\\]{16,})")
_NON_SPACE = re.compile(r"\S*")  # matches anywhere, if only the empty string
_OAUTH_REACH = 2_048
"""How far back in its URL an OAuth code's context is looked for."""
_OAUTH_CONTEXT = re.compile(
    r"[?&#](?:session_)?state=|/(?:o?auth[\w-]*|callback|cb|login|signin|sso|redirect)(?![\w-])",
    re.IGNORECASE,
)


# Azure Functions take a function's (or the host's) key as ``?code=`` on the function's URL,
# ``https://<app>.azurewebsites.net/api/<function>``: there it is the key, not an OAuth code.
_AZURE_FUNCTION = re.compile(r"\.azurewebsites\.net(?::[0-9]+)?/api/", re.IGNORECASE)


def _oauth_code(match: re.Match[str]) -> tuple[str, str] | None:
    value = match.group("secret")
    if not any(c.isdigit() for c in value) or not any(c.isalpha() for c in value):
        return None  # a word or a number (a placeholder has no digit)
    # The context is the URL: the run of non-spaces around the code, up to _OAUTH_REACH back.
    text, begin = match.string, match.start()
    before = text[max(0, begin - _OAUTH_REACH) : begin]
    head = _NON_SPACE.match(before[::-1]).group()[::-1]  # type: ignore[union-attr]
    tail = _NON_SPACE.match(text, match.end()).group()  # type: ignore[union-attr]
    if _AZURE_FUNCTION.search(head) is not None:
        return _swap(match, "secret", "azure_function_key")
    url = head + match.group() + tail
    if _OAUTH_CONTEXT.search(url) is None:
        return None
    return _swap(match, "secret", "oauth_code")


# A secret-named pair inside a percent-encoded URL or form (a redirect's encoded query, a
# logged form body): token%3Dabc, password%253Dx (encoded twice), %22apiKey%22%3A%22x%22 (JSON).
# The separator is read by decoding it, so the verdict depends on the escapes' digits:
# `same_for_all_digits` says no for a text this pattern finds.
# An escape, or one encoded twice (%253D): the pattern takes any two digits for the "25" (so
# that it does not look at digits' values); the replacer reads the escapes (`_escape_at`).
_ESCAPE = r"%(?:[0-9]{2})?[0-9A-Fa-f]{2}"
_ENCODED_PAIR = re.compile(
    "(?P<kw>"
    + _keyword_alternation(_SECRET_KEY_WORDS)
    + rf")(?![A-Za-z0-9_.-])(?P<rest>(?:{_ESCAPE})+(?:[A-Za-z0-9._~!*()+-]|{_ESCAPE})*)"
)
_ENCODED_PAIR_SHAPE = (
    r"(?:pass(?:w(?:or)?d|phrase)?|pwd|secret|token|key(?:[_-]?base)?|sessid|session[_-]?id"
    r"|response)"
    r"%[0-9a-f]{2}"
)
"""Where `_ENCODED_PAIR` may match (RE2, case-folded text): a key word, then an escape."""
_HEX_PAIR = re.compile(r"[0-9A-Fa-f]{2}")
_ENCODED_SEPARATOR = re.compile(r"[\"']?[ \t]*[=:][ \t]*[\"']?")
_ENCODED_SEPARATOR_START = re.compile(r"[\"']?[ \t]*(?:[=:][ \t]*[\"']?)?")
_ENCODED_VALUE_END = frozenset("&\"',; \t<>")


def _escape_at(text: str, at: int) -> tuple[str, int] | None:
    """The character an escape at ``at`` stands for, and where the escape ends.

    ``%3D`` and ``%253D`` (encoded twice) both stand for ``=``; None if no escape starts there.
    """
    if text.startswith("%25", at) and _HEX_PAIR.fullmatch(text, at + 3, at + 5):
        return chr(int(text[at + 3 : at + 5], 16)), at + 5
    if text.startswith("%", at) and _HEX_PAIR.fullmatch(text, at + 1, at + 3):
        return chr(int(text[at + 1 : at + 3], 16)), at + 3
    return None


def _unescaped(text: str) -> str:
    """``text`` with its escapes (once or twice encoded) decoded."""
    out, at = [], 0
    while at < len(text):
        escape = _escape_at(text, at)
        if escape is None:
            out.append(text[at])
            at += 1
        else:
            out.append(escape[0])
            at = escape[1]
    return "".join(out)


def _encoded_pair(match: re.Match[str]) -> tuple[str, str] | None:
    rest, base = match.group("rest"), match.start("rest")
    # The separator: the longest run of escapes that decodes to one ("=", ":", '":"').
    separator, end = "", 0
    while (escape := _escape_at(rest, end)) is not None:
        longer = separator + escape[0]
        if _ENCODED_SEPARATOR_START.fullmatch(longer) is None:
            break
        separator, end = longer, escape[1]
    if _ENCODED_SEPARATOR.fullmatch(separator) is None:
        return None  # password%20reset: an encoded space, prose
    # The value runs to the first escaped character that ends one (an encoded "&" or quote).
    value_end = end
    while value_end < len(rest):
        escape = _escape_at(rest, value_end)
        if escape is None:
            value_end += 1
        elif escape[0] in _ENCODED_VALUE_END:
            break
        else:
            value_end = escape[1]
    value = rest[end:value_end]
    if not value or _is_not_secret(_unescaped(value)):
        return None
    kind = _kv_kind(match.group("kw"), _key_prefix(match))
    whole = match.group(0)
    cut = base - match.start()
    return kind, f"{whole[: cut + end]}{_placeholder(kind)}{whole[cut + value_end :]}"


# --- personal data ------------------------------------------------------------------------------

# A run of 13 or more digits, single spaces or dashes between them, not inside a word, a
# decimal or a negative number. The first digit is matched before the look-behind, so the
# regex engine can skip to digits fast; the run is taken whole (possessive) and what follows it
# is checked by the replacer, so no run is scanned twice.
_CARD = re.compile(r"[0-9](?<![\w.+-][0-9])(?:[ -]?[0-9]){12,}+")
_AFTER_NUMBER = re.compile(r"\w|\.[0-9]")
_LAST_GROUP = re.compile(r"[ -][0-9]+\Z")
# What the prefilter looks for, in RE2's syntax (no look-arounds): from where such a run starts,
# 13 to 19 digits that may be the run or one group of it; a superset, as it may be.
_CARD_SHAPE = r"(?:^|[^\w.+-])(?:[0-9]+[ -])*[0-9](?:[ -]?[0-9]){12,18}(?:$|[^\w.]|\.[^0-9]|\.$)"
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
_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+(?P<tld>[A-Za-z]{2,24})"
    r"(?![\w-]|\.[A-Za-z0-9])"
)


def _email(match: re.Match[str]) -> tuple[str, str] | None:
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


# --- the rules, in order ------------------------------------------------------------------------


def _rules() -> tuple[_Rule, ...]:
    """Every rule, in the order they run; built once, at import, as ``_RULES``."""
    return (
        # A BEGIN without its END (a cut-off message) hides everything after it: losing some
        # log text is cheaper than leaking part of a key.
        _Rule(
            re.compile(
                r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"
                r"(?:.*?-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|.*)",
                re.DOTALL,
            ),
            ("private key",),
            _whole("private_key"),
        ),
        _Rule(_BASE64_PRIVATE_KEY, (), _whole("private_key"), (r"ls[0-9]tls[0-9]crudjti",)),
        # Before the vendor tokens, which hide the key id it is found by.
        _Rule(_AWS_KEY_PAIR, ("akia", "asia"), _aws_key_pair),
        _vendor_rule(_VENDORS),
        _vendor_rule(_TAIL_TOKENS),
        _Rule(_VAULT_KEY, ("unseal key ", "recovery key "), _vault_key),
        _Rule(
            _WEBHOOK,
            ("hooks.slack.com", "discord", "webhook.office.com", "api.telegram.org/"),
            _webhook,
        ),
        _Rule(_SECRET_DATA, (), _secret_data, (_SECRET_KIND_SHAPE,)),
        _Rule(_JWK_MEMBER, ("kty",), _jwk_member),
        _Rule(_HOOK_PATH, ("/hooks/", "/webhook"), _hook_path),
        _Rule(_URL_PASSWORD, ("://",), _url_password),
        _Rule(_BARE_USER_PASSWORD, (), _bare_user_password, (_BARE_USER_PASSWORD_SHAPE,)),
        _Rule(
            re.compile(
                r"(?P<scheme>[Bb](?i:earer|asic)|[Tt](?i:oken)|SSWS|[Oo](?i:auth)|[Dd](?i:pop)"
                r"|[Aa](?i:pi-?key)|[Ss](?i:plunk)|[Gg](?i:eniekey)|[Nn](?i:egotiate|tlm)"
                r"|[Kk](?i:erberos))(?:[ \t]+|%[0-9]{2})(?P<secret>" + _CREDENTIAL + ")"
            ),
            ("bearer", "basic", "ssws", *_SCHEME_KINDS),
            _auth_scheme,
        ),
        _Rule(
            re.compile(
                r"(?:[?&;]|,[ \t]*)(?P<name>(?i:sig|(?:x-amz-|x-goog-|oauth_)?signature))"
                r"=\\?\"?(?P<secret>[^\s&;,\"'\\<>#\[]+)"
            ),
            ("sig=", "signature="),
            _signature,
        ),
        _Rule(_DIGEST_RESPONSE, ("digest",), _digest_response),
        # Before key-value pairs: a hash under a "password" key is counted as what it is.
        _Rule(_PASSWORD_HASH, (), _whole("password_hash"), _PASSWORD_HASH_SHAPES),
        _Rule(
            _key_value_pattern(_SECRET_KEY_WORDS),
            ("pass", "pw", "secret", "token", "key", "samlresponse"),
            _key_value,
            # "session" is in many a harmless line: only a session id or key before its separator.
            (r"sess(?:ion)?[_-]?(?:id|key)\\?[\"']?[ \t]*[:=]",),
        ),
        _Rule(
            _key_value_pattern(_GENERIC_KEY_WORDS, generic=True),
            ("key",),
            _generic_key_value,
            # "auth" alone is in every "authentication failed": only a key, before its separator.
            (r"(?:auth(?:orization)?|cred(?:ential)?s?)\\?[\"']?[ \t]*[:=]",),
        ),
        _Rule(_AUTHORIZATION, ("authorization",), _authorization),
        _Rule(_SPACED_SECRET, ("pass", "secret", "token", "key", "cred"), _spaced_secret),
        # Tried only where such a flag is followed by a value, not wherever "pass" occurs.
        _Rule(
            _FLAG,
            (),
            _flag,
            (_FLAG_SHAPE,),
        ),
        _Rule(_COOKIE_HEADER, ("cookie",), _cookies),
        _Rule(_SESSION_COOKIE, ("_session=",), _session_cookie),
        _Rule(_CAS_TICKET, ("ticket",), partial(_swap, group="secret", kind="cas_ticket")),
        _Rule(
            _SHORT_FLAG_PASSWORD,
            (
                "redis-cli",
                "sshpass",
                "mysql",
                " login ",
                "mongo",
                "psexec",
                "sqlcmd",
                "bcp",
                "http ",
                "xh ",
                "net use",
                "curl",
                "ldap",
                "machine",
                "rabbitmqctl",
                "openssl",
                "htpasswd",
                "oracle:",
                "sqlplus",
                "rman",
                "pdp",  # impdp, expdp
                "sqlldr",
            ),
            _short_flag_password,
            (r"(?:store|key)pass[ \t]",),
        ),
        _Rule(_NAMED_VALUE, ("value",), _named_value),
        _Rule(_SQL_PASSWORD, (), _sql_password, _SQL_SHAPES),
        _Rule(
            _COMMAND_PASSWORD,
            (
                '"auth"',
                "auth([",
                "requirepass",
                "masterauth",
                "authenticate ",
                *(f"auth {mechanism}" for mechanism in _SASL_HINTS),
                '"pass ',
                "> pass ",
                "> auth ",
            ),
            _command_password,
            (r"[0-9] login ", r"ugfzc[0-9]dvcmq[0-9]"),
        ),
        _Rule(_XML_SECRET, (), _xml_secret, _XML_SHAPES),
        _Rule(_ENCODED_PAIR, (), _encoded_pair, (_ENCODED_PAIR_SHAPE,)),
        _Rule(_OAUTH_CODE, ("?code=", "&code=", "#code="), _oauth_code),
        # A card number has no literal to look for: its shape is (a run of 13 to 19 digits).
        _Rule(_CARD, (), _card, (_CARD_SHAPE,)),
        _Rule(_EMAIL, ("@",), _email, pii="email"),
        _Rule(_IP, (), _ip, _IP_SHAPES, pii="ip"),
    )


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
        for source in (*map(re.escape, rule.hints), *rule.shapes)
    ]
    hints = re2.Set.SearchSet()
    for _, source in sources:
        hints.Add(source)
    hints.Compile()
    hint = re2.compile("|".join(source for _, source in sources))
    plan = _PLANS[pii] = _Plan(rules, hint, hints, tuple(index for index, _ in sources))
    return plan


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


def same_for_all_digits(text: str, *, pii: frozenset[str] = DEFAULT_PII) -> bool:
    """Whether :func:`redact` finds alike secrets in every text like ``text`` but for its digits.

    Texts that differ only in the values of their ASCII digits get the same verdict from every
    rule, except Basic credentials (after "Basic", or as base64 under an auth or credentials
    key) and percent-encoded pairs, which are decoded, and card numbers (issuer, Luhn check).
    E-mail and IP addresses are found by shape, so ``pii`` changes nothing here; it is checked
    like :func:`redact` checks it.
    """
    _plan(pii)
    return (
        "basic" not in text.casefold()
        and _PAIR_BASE64.search(text) is None
        and _CARD.search(text) is None
        and ("%" not in text or _ENCODED_PAIR.search(text) is None)
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
