"""Vendor credentials known by their structure or their vendor's context, not by a prefix.

A JWT base64-encoded again (a Kubernetes Secret's ``token`` printed whole), the key of a Sentry
DSN, a Facebook app token (``<app id>|<secret>``) and a PagerDuty Events API routing key, which
is a secret only in a PagerDuty payload (``routing_key`` names an AMQP queue's key too).
"""

from __future__ import annotations

import re

from log_analyzer.logs.redact.rule import _TOKEN_START, _inside_word, _placeholder, _swap
from log_analyzer.logs.redact.values import _long_hex, _mixed_case_with_digit

# A JWT base64-encoded: "eyJ" encodes to "ZXlK", and the dot before the payload's "eyJ" to one
# of three strings, by where it falls in base64's groups of three bytes (their digits matched
# as any digit). Base64 or base64url, percent-encoded too ("%2B", "%2F", "%3D").
_BASE64_JWT = re.compile(r"ZXlK(?:[A-Za-z0-9+/_-]|%[0-9][BbFf]){40,}(?:=|%[0-9][Dd]){0,2}")
_ENCODED_DOT_EYJ = re.compile(r"LmV[0-9]S|[CSiy][0-9]leUp|uZXlK")


def _base64_jwt(match: re.Match[str]) -> tuple[str, str] | None:
    if _inside_word(match) or _ENCODED_DOT_EYJ.search(match.group()) is None:
        return None
    return "jwt", _placeholder("jwt")


# A Sentry DSN (https://<key>@o1.ingest.sentry.io/2, or a self-hosted host) carries its
# project's key as the URL's user: 32 hex digits, and in old DSNs ":" and a secret key of 32
# more. Any URL whose user is such a key is taken for one.
_DSN_KEY = re.compile(r"://(?P<secret>[0-9a-f]{32}(?::[0-9a-f]{32})?)@")
_DSN_KEY_SHAPE = r"://[0-9a-f]{8}"


def _dsn_key(match: re.Match[str]) -> tuple[str, str] | None:
    return _swap(match, "secret", "sentry_dsn_key")


# A Facebook app access token: the app's id (15 or 16 digits), "|" (or "%7C"), and the app's
# secret (32 hex digits) or a random part of 27 to 40 characters. Tried after the key and
# header rules, so that "Bearer <id>|<secret>" stays a bearer credential.
_FACEBOOK_APP_TOKEN = re.compile(
    _TOKEN_START + r"[0-9]{15,16}(?:\||%[0-9][Cc])(?P<secret>[A-Za-z0-9_-]{27,40})(?![A-Za-z0-9_-])"
)
_FACEBOOK_APP_TOKEN_SHAPE = r"[0-9]{8}(?:\||%[0-9]c)"


def _facebook_app_token(match: re.Match[str]) -> tuple[str, str] | None:
    secret = match.group("secret")
    if not (len(secret) == 32 and _long_hex(secret)) and not _mixed_case_with_digit(secret):
        return None
    return "facebook_app_token", _placeholder("facebook_app_token")


# A PagerDuty Events API routing key (v1: service_key): 32 letters and digits under that name,
# in a text that names PagerDuty or holds its payload's other fields (event_action,
# dedup_key), within `_PAGERDUTY_REACH` characters either side. Elsewhere a routing key is an
# AMQP queue's (orders.created.eu), which `_ID_KEY_NAMES` keeps.
_PAGERDUTY_KEY = re.compile(
    r"(?<![A-Za-z0-9])(?i:routing[_-]?key|service[_-]?key)\\?[\"']?[ \t]*[:=][ \t]*\\?[\"']?"
    r"(?P<secret>[A-Za-z0-9]{32})(?![A-Za-z0-9])"
)
_PAGERDUTY_CONTEXT = re.compile(r"(?i:pagerduty|event_action|dedup_key)")
_PAGERDUTY_REACH = 1_024


def _pagerduty_key(match: re.Match[str]) -> tuple[str, str] | None:
    text, start, end = match.string, match.start(), match.end()
    window = (max(0, start - _PAGERDUTY_REACH), min(len(text), end + _PAGERDUTY_REACH))
    if _PAGERDUTY_CONTEXT.search(text, *window) is None:
        return None
    return _swap(match, "secret", "pagerduty_routing_key")
