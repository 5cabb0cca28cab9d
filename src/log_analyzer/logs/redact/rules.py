"""Every rule, in the order they run: from the most specific to the most generic.

The order is behaviour: no rule matches a placeholder, so the first rule to find a secret says
what it is counted as (``Authorization: Bearer <jwt>`` is one ``jwt``, not a bearer token).
"""

from __future__ import annotations

import re
from functools import partial

from log_analyzer.logs.redact.auth_headers import (
    _AUTHORIZATION,
    _CREDENTIAL,
    _DIGEST_RESPONSE,
    _SCHEME_KINDS,
    _auth_scheme,
    _authorization,
    _digest_response,
    _signature,
)
from log_analyzer.logs.redact.blocks import _NEXT_LINE_SHAPE, _NEXT_LINE_VALUE, _next_line_value
from log_analyzer.logs.redact.calls import (
    _CALL_HINTS,
    _CALL_PASSWORD,
    _CONNECT_RULE,
    _call_password,
)
from log_analyzer.logs.redact.command_lines import (
    _DECLARED_SECRET_RULE,
    _FLAG,
    _FLAG_SHAPE,
    _SHORT_FLAG_HINTS,
    _SHORT_FLAG_PASSWORD,
    _flag,
    _short_flag_password,
)
from log_analyzer.logs.redact.cookies import (
    _CAS_TICKET,
    _COOKIE_HEADER,
    _SESSION_COOKIE,
    _SESSION_ID,
    _SESSION_ID_SHAPE,
    _cookies,
    _session_cookie,
    _session_id,
)
from log_analyzer.logs.redact.generic_key_values import _generic_key_value
from log_analyzer.logs.redact.key_bodies import (
    _KEY_BODY,
    _KEY_BODY_SHAPES,
    _PUTTY_PRIVATE,
    _key_body,
    _putty_private,
)
from log_analyzer.logs.redact.key_names import (
    _GENERIC_KEY_WORDS,
    _SECRET_KEY_HINTS,
    _SECRET_KEY_WORDS,
)
from log_analyzer.logs.redact.key_value_syntax import _key_value_pattern
from log_analyzer.logs.redact.key_values import _CHANGED_VALUE_RULE, _TUPLE_PAIR_RULE, _key_value
from log_analyzer.logs.redact.kubernetes import (
    _ENCODED_HINT,
    _ENCODED_SECRET,
    _JWK_MEMBER,
    _SECRET_DATA,
    _SECRET_KIND_SHAPE,
    _encoded_secret,
    _jwk_member,
    _secret_data,
)
from log_analyzer.logs.redact.logins import _LOGIN_LIST, _login_list
from log_analyzer.logs.redact.named_values import (
    _NAMED_SETTING,
    _NAMED_SETTING_HINTS,
    _NAMED_VALUE,
    _named_setting,
    _named_value,
)
from log_analyzer.logs.redact.percent_encoded import (
    _ENCODED_KEY_RULE,
    _ENCODED_PAIR,
    _ENCODED_PAIR_SHAPE,
    _encoded_pair,
)
from log_analyzer.logs.redact.personal import (
    _CARD,
    _CARD_SHAPE,
    _EMAIL,
    _ENCODED_AT_SHAPE,
    _IP,
    _IP_SHAPES,
    _card,
    _email,
    _ip,
)
from log_analyzer.logs.redact.prose import (
    _QUOTED_PASSWORD_RULE,
    _SPACED_SECRET,
    _STATED_PASSWORD,
    _spaced_secret,
    _stated_password,
)
from log_analyzer.logs.redact.rule import _Rule, _swap, _whole
from log_analyzer.logs.redact.seed_phrases import _SEED_PHRASE, _SEED_PHRASE_HINTS, _seed_phrase
from log_analyzer.logs.redact.statements import (
    _COMMAND_HINTS,
    _COMMAND_PASSWORD,
    _PASSWORD_HASH,
    _PASSWORD_HASH_SHAPES,
    _SQL_NARROWING,
    _SQL_PASSWORD,
    _SQL_SHAPES,
    _XML_SECRET,
    _XML_SHAPES,
    _command_password,
    _sql_password,
    _xml_secret,
)
from log_analyzer.logs.redact.tool_passwords import (
    _ECHOED_PASSWORD,
    _PGPASS,
    _PGPASS_SHAPE,
    _TOOL_PASSWORD,
    _TOOL_PASSWORD_HINTS,
    _TOOL_PASSWORD_SHAPES,
    _echoed_password,
    _pgpass,
    _tool_password,
)
from log_analyzer.logs.redact.urls import (
    _BARE_USER_PASSWORD,
    _BARE_USER_PASSWORD_SHAPE,
    _HOOK_PATH,
    _OAUTH_CODE,
    _URL_PASSWORD,
    _URL_PASSWORD_SHAPE,
    _URL_TOKEN_RULE,
    _WEBHOOK,
    _bare_user_password,
    _hook_path,
    _oauth_code,
    _url_password,
    _webhook,
)
from log_analyzer.logs.redact.vendor_rule import _vendor_rule
from log_analyzer.logs.redact.vendor_structures import (
    _BASE64_JWT,
    _DSN_KEY,
    _DSN_KEY_SHAPE,
    _FACEBOOK_APP_TOKEN,
    _FACEBOOK_APP_TOKEN_SHAPE,
    _PAGERDUTY_KEY,
    _base64_jwt,
    _dsn_key,
    _facebook_app_token,
    _pagerduty_key,
)
from log_analyzer.logs.redact.vendors import (
    _AWS_KEY_PAIR,
    _BASE64_PRIVATE_KEY,
    _DISCORD_TOKENS,
    _TAIL_TOKENS,
    _VAULT_KEY,
    _VENDORS,
    _aws_key_pair,
    _vault_key,
)


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
        _Rule(_KEY_BODY, (), _key_body, _KEY_BODY_SHAPES),
        _Rule(_PUTTY_PRIVATE, ("private-lines",), _putty_private),
        _Rule(_BASE64_JWT, ("zxlk",), _base64_jwt),
        # Before the vendor tokens, which hide the key id it is found by.
        _Rule(_AWS_KEY_PAIR, ("akia", "asia"), _aws_key_pair),
        _vendor_rule(_VENDORS),
        _vendor_rule(_TAIL_TOKENS),
        _vendor_rule(_DISCORD_TOKENS),
        _Rule(_DSN_KEY, (), _dsn_key, (_DSN_KEY_SHAPE,)),
        _Rule(_PAGERDUTY_KEY, ("pagerduty", "event_action", "dedup_key"), _pagerduty_key),
        _Rule(_VAULT_KEY, ("unseal key ", "recovery key "), _vault_key),
        _Rule(
            _WEBHOOK,
            ("hooks.slack.com", "discord", "webhook.office.com", "api.telegram.org/"),
            _webhook,
        ),
        _Rule(_SECRET_DATA, (), _secret_data, narrowing=(_SECRET_KIND_SHAPE,)),
        _Rule(_JWK_MEMBER, ("kty",), _jwk_member),
        _Rule(_HOOK_PATH, ("/hooks/", "/webhook"), _hook_path),
        _Rule(_URL_PASSWORD, (), _url_password, (_URL_PASSWORD_SHAPE,)),
        _URL_TOKEN_RULE,
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
        # Before key-value pairs, which would take PowerShell's $pw = ConvertTo-SecureString for
        # a pair, or a seed phrase's first word for its value.
        _Rule(_TOOL_PASSWORD, _TOOL_PASSWORD_HINTS, _tool_password, _TOOL_PASSWORD_SHAPES),
        _Rule(_ECHOED_PASSWORD, ("stdin", "chpasswd", "passwd"), _echoed_password),
        _Rule(_PGPASS, (), _pgpass, (_PGPASS_SHAPE,)),
        _Rule(_SEED_PHRASE, _SEED_PHRASE_HINTS, _seed_phrase),
        # Before key-value pairs, which would take a block's indicator ("|") for the value.
        _Rule(_NEXT_LINE_VALUE, (), _next_line_value, (_NEXT_LINE_SHAPE,)),
        # Before key-value pairs: a hash under a "password" key is counted as what it is.
        _Rule(_PASSWORD_HASH, (), _whole("password_hash"), _PASSWORD_HASH_SHAPES),
        # After the hashes (admin:$apr1$...), before the pairs, which would end at a list's comma.
        _Rule(
            _LOGIN_LIST,
            ("users", "accounts", "logins", "htpasswd", "cred", "auth"),
            _login_list,
        ),
        # Before the pairs, which would read requests' auth=("u", "pw") as a generic value.
        _Rule(_CALL_PASSWORD, _CALL_HINTS, _call_password),
        _CONNECT_RULE,
        # Before the pairs, which would read Azure's "issecret=true]..." as one.
        _DECLARED_SECRET_RULE,
        _Rule(
            _key_value_pattern(_SECRET_KEY_WORDS),
            _SECRET_KEY_HINTS,
            _key_value,
            # "session" is in many a harmless line: only a session id or key before its separator.
            (r"sess(?:ion)?[_-]?(?:id|key)\\?[\"']?[ \t]*[:=]",),
        ),
        _Rule(
            _key_value_pattern(_GENERIC_KEY_WORDS, generic=True),
            ("key", "encrypt"),
            _generic_key_value,
            # "auth" alone is in every "authentication failed": only a key, before its separator.
            narrowing=(r"(?:auth(?:orization)?|cred(?:ential)?s?)\\?[\"']?[ \t]*[:=]",),
        ),
        _TUPLE_PAIR_RULE,
        _CHANGED_VALUE_RULE,
        _Rule(_AUTHORIZATION, ("authorization",), _authorization),
        # After the pairs: base64 of user:password under "auth" is counted as Basic credentials.
        _Rule(_ENCODED_SECRET, (), _encoded_secret, (_ENCODED_HINT,)),
        _Rule(_SPACED_SECRET, ("pass", "secret", "token", "key", "cred"), _spaced_secret),
        _Rule(_STATED_PASSWORD, ("pass",), _stated_password),
        # After the key and header rules: "Bearer <id>|<secret>" stays a bearer credential.
        _Rule(_FACEBOOK_APP_TOKEN, (), _facebook_app_token, (_FACEBOOK_APP_TOKEN_SHAPE,)),
        # Tried only where such a flag is followed by a value, not wherever "pass" occurs.
        _Rule(
            _FLAG,
            (),
            _flag,
            narrowing=(_FLAG_SHAPE,),
        ),
        _Rule(_COOKIE_HEADER, ("cookie",), _cookies),
        _Rule(_SESSION_COOKIE, ("_session=",), _session_cookie),
        _Rule(_SESSION_ID, (), _session_id, (_SESSION_ID_SHAPE,)),
        _Rule(_CAS_TICKET, ("ticket",), partial(_swap, group="secret", kind="cas_ticket")),
        _Rule(
            _SHORT_FLAG_PASSWORD,
            _SHORT_FLAG_HINTS,
            _short_flag_password,
            narrowing=(r"(?:store|key)pass[ \t]",),
        ),
        _Rule(_NAMED_VALUE, ("value",), _named_value),
        _Rule(
            _NAMED_SETTING,
            _NAMED_SETTING_HINTS,
            _named_setting,
        ),
        _Rule(_SQL_PASSWORD, (), _sql_password, _SQL_SHAPES, _SQL_NARROWING),
        _QUOTED_PASSWORD_RULE,
        _Rule(
            _COMMAND_PASSWORD,
            _COMMAND_HINTS,
            _command_password,
            (r"ugfzc[0-9]dvcmq[0-9]",),
            (r"[0-9] login ",),
        ),
        _Rule(_XML_SECRET, (), _xml_secret, _XML_SHAPES),
        _Rule(_ENCODED_PAIR, (), _encoded_pair, (_ENCODED_PAIR_SHAPE,)),
        _ENCODED_KEY_RULE,
        _Rule(_OAUTH_CODE, ("?code=", "&code=", "#code="), _oauth_code),
        # A card number has no literal to look for: its shape is (a run of 13 to 19 digits).
        _Rule(_CARD, (), _card, (_CARD_SHAPE,)),
        _Rule(_EMAIL, ("@",), _email, (_ENCODED_AT_SHAPE,), pii="email"),
        _Rule(_IP, (), _ip, _IP_SHAPES, pii="ip"),
    )
