"""Secrets in URLs and HTTP headers.

Webhook URLs and random webhook path segments; passwords in URLs and in ``user:password@host``
without a scheme; Authorization headers (Bearer, Basic and other schemes' credentials, or the
header's whole value); URL and header signatures (Azure SAS ``sig=``, SigV4 ``Signature=``);
Digest responses; OAuth authorization codes in redirect URLs, and Azure Functions' keys given
as ``?code=``.
"""

from __future__ import annotations

import re

from log_analyzer.logs.redact.rule import _PLACEHOLDER, _inside_word, _placeholder, _swap
from log_analyzer.logs.redact.values import (
    _ENTROPY_BITS,
    _WORDLIKE,
    _entropy,
    _is_basic_credential,
    _is_not_secret,
    _long_hex,
    _mixed_through,
)

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
