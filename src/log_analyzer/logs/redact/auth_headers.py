"""Credentials in HTTP Authorization headers, and signatures and Digest responses.

Bearer, Basic and other schemes' credentials (``ApiKey``, ``Splunk``, ``Negotiate``...), or an
Authorization header's whole value whatever its scheme; URL and header signatures (Azure SAS
``sig=``, SigV4 ``Signature=``); Digest responses.
"""

import re

from log_analyzer.logs.redact.rule import _PLACEHOLDER, _inside_word, _placeholder, _swap
from log_analyzer.logs.redact.values import (
    _is_basic_credential,
    _is_not_secret,
)


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
