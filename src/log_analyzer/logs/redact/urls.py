"""Secrets in URLs.

Webhook URLs and random webhook path segments; passwords in URLs and in ``user:password@host``
without a scheme; a random token as a URL's whole user (``nats://<token>@host``); OAuth
authorization codes in redirect URLs, and Azure Functions' keys given as ``?code=``.
(Authorization headers and signatures are in ``auth_headers``.)
"""

import re

from log_analyzer.logs.redact.rule import _PLACEHOLDER, _placeholder, _Rule, _swap
from log_analyzer.logs.redact.values import (
    _ENTROPY_BITS,
    _WORDLIKE,
    _entropy,
    _high_entropy,
    _is_not_secret,
    _long_hex,
    _mixed_case_with_digit,
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
_URL_PASSWORD_SHAPE = r"://[^\s:/#@\[\]\"'<>]*:"
"""Where `_URL_PASSWORD` may match (RE2, case-folded text): a colon in the authority, not every
URL. It lets "?" into the user name, which the prefilter's text holds for a lone surrogate."""
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
    if _is_not_secret(match.group("secret")):
        return None  # redacted or masked already: amqps://svc:****@mq, a ${PASSWORD} reference
    return _swap(match, "secret", "url_password")


# A token given as a URL's whole user, with no password (NATS' nats://<token>@host, a Git
# host's https://<token>@github.com, a broker's tcp://<token>@host): a user name is a word or a
# name, a token is random (`_url_token`).
_URL_TOKEN = re.compile(r"://(?P<secret>[^\s:/?#@\[\]\"'<>]{1,256})@(?=[A-Za-z0-9\[])")
_URL_TOKEN_SHAPE = r"://[^\s:/?#@\[\]\"'<>]+@"
"""Where `_URL_TOKEN` may match (RE2, case-folded text): a user and no password."""
_URL_TOKEN_PARTS = re.compile(r"[._~-]+|%[0-9A-Fa-f]{2}")
_URL_TOKEN_MIN_CHARS = 12
"""The shortest user taken for a token by its mixed case, digits and entropy alone."""


def _url_token(match: re.Match[str]) -> tuple[str, str] | None:
    value = match.group("secret")
    if _is_not_secret(value):
        return None
    random = (
        len(value) >= _URL_TOKEN_MIN_CHARS
        and _mixed_case_with_digit(value)
        and _entropy(value) >= _ENTROPY_BITS
    ) or any(
        _high_entropy(part) or _long_hex(part) or _mixed_through(part)
        for part in _URL_TOKEN_PARTS.split(value)
    )
    return _swap(match, "secret", "url_token") if random else None


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


_URL_TOKEN_RULE = _Rule(_URL_TOKEN, (), _url_token, (_URL_TOKEN_SHAPE,))
