"""Tokens of payment, messaging and business services, by their prefixes.

Stripe, Square, Braintree, Plaid, Flutterwave, Shopify, Slack, Twilio, SendGrid, Mailgun,
Brevo, Meta's Graph API, Firebase, Notion...: one table of `_Vendor`s, part of the rule of
tokens known by how they start (``vendors``). Square's tokens stay before Meta's, which share
their "EAA".
"""

from __future__ import annotations

from log_analyzer.logs.redact.rule import _EDGE
from log_analyzer.logs.redact.vendor_rule import _T, _Vendor

_COMMERCE_TOKENS = (
    _Vendor(
        "slack_token",
        r"xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,}",
        ("xox", "xapp-"),
    ),
    _Vendor(
        "stripe_key",
        r"[rs]k_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9+/]{32,}",
        ("k_live_", "k_test_", "whsec_"),
    ),
    _Vendor("twilio_api_key", r"SK[0-9a-fA-F]{32}(?![A-Za-z0-9])", (), (r"sk[0-9a-f]{8}",)),
    _Vendor("sendgrid_api_key", rf"SG\.[{_T}]{{22}}\.[{_T}]{{43}}(?![{_T}])", ("sg.",)),
    _Vendor("mailgun_api_key", r"key-[0-9a-f]{32}(?![A-Za-z0-9])", ("key-",)),
    _Vendor(
        "shopify_token",
        r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?![A-Za-z0-9])",
        ("shpat_", "shpca_", "shppa_", "shpss_"),
    ),
    _Vendor("shippo_token", r"shippo_(?:live|test)_[a-f0-9]{40}(?![A-Za-z0-9])", ("shippo_",)),
    # The digits of these prefixes (sq0atp-, EAACEdEose0cBA) are matched as any digit: whether a
    # rule matches may depend on where digits are, never on which.
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
    _Vendor("mapbox_token", rf"sk\.eyJ[{_T}]{{20,}}\.[{_T}]{{20,}}", ("sk.eyj",)),
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
    # Notion's integration tokens: the digits after "ntn_" are part of the format.
    _Vendor("notion_token", r"ntn_[0-9]{11}[A-Za-z0-9]{35}(?![A-Za-z0-9])", ("ntn_",)),
    # Notion's legacy integration tokens (now ntn_, above).
    _Vendor("notion_token", r"secret_[A-Za-z0-9]{43}(?![A-Za-z0-9])", ("secret_",)),
    # Stripe's PaymentIntent and SetupIntent client secrets: the intent's id, "_secret_", a
    # random part; with one, a browser confirms the payment.
    _Vendor(
        "stripe_client_secret",
        r"(?:pi|seti)_[A-Za-z0-9]{14,40}_secret_[A-Za-z0-9]{16,40}(?![A-Za-z0-9])",
        (),  # (no hint of its own: Notion's "secret_" is in every one)
    ),
    # Plaid access tokens: the environment, then a UUID.
    _Vendor(
        "plaid_access_token",
        r"access-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}"
        r"-[0-9a-f]{4}-[0-9a-f]{12}(?![A-Za-z0-9])",
        (),
        (r"access-[dps][a-z]{6,10}-",),
    ),
    # 42's (Intra) client secrets: "s-s4t2ud-" or "s-s4t2af-" (digits as any), 64 hex digits.
    _Vendor(
        "intra_client_secret",
        r"s-s[0-9]t[0-9](?:ud|af)-[a-f0-9]{64}(?![A-Za-z0-9])",
        (),
        (r"s-s[0-9]t[0-9](?:ud|af)-",),
    ),
    # Adobe client secrets: "p8e-" (its digit as any) and 32 letters and digits.
    _Vendor(
        "adobe_client_secret",
        r"p[0-9]e-[A-Za-z0-9]{32}(?![A-Za-z0-9])",
        (),
        (r"p[0-9]e-",),
    ),
    _Vendor("ramp_token", r"ramp_sec_[A-Za-z0-9]{48}(?![A-Za-z0-9])", ("ramp_sec_",)),
)
