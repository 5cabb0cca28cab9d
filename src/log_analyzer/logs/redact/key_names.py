"""What a key's name says: whether it names a secret, and which kind of secret.

``DB_PASSWORD`` -> password, ``DD_API_KEY`` -> datadog_api_key (`_kv_kind`, from the keyword
and the part of the key before it, `_key_prefix`); the words a secret's key ends with
(`_SECRET_KEY_WORDS`) and the generic ones (`_GENERIC_KEY_WORDS`); a secret's name given as a
value (`_secret_name`); keys that are public or find a thing. Shared by the key-value,
command-line, prose, XML and percent-encoded rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Kind by the last word of a key, without "_" and "-": DB_PASSWORD -> password.
_KEY_KINDS = {
    "password": "password",
    "passwort": "password",  # German
    "passe": "password",  # French: mot_de_passe
    "passwd": "password",
    "passphrase": "password",
    "pass": "password",
    "pwd": "password",
    "pw": "password",
    "psk": "password",  # a Wi-Fi or IPsec pre-shared key (wpa_supplicant's psk="...")
    "passcode": "password",
    "authtok": "password",  # PAM's and SSSD's word for it: ldap_default_authtok
    "securitycredentials": "password",  # JNDI's java.naming.security.credentials
    "token": "token",
    "pat": "token",  # a personal access token: GH_PAT, AZURE_DEVOPS_EXT_PAT
    "apikey": "api_key",
    "appkey": "api_key",
    "applicationkey": "api_key",
    "authkey": "api_key",
    "clientkey": "api_key",
    "servicekey": "api_key",
    "licensekey": "api_key",
    "subscriptionkey": "api_key",
    "accesskey": "access_key",
    "secretkey": "secret",  # a name ending in SECRET_KEY names a secret too ({name: SECRET_KEY})
    "secretaccesskey": "aws_secret_key",
    "accountkey": "azure_storage_key",
    "privatekey": "private_key",
    "privkey": "private_key",
    "sessionid": "session_id",
    "sessid": "session_id",
    "sessionkey": "session_id",
    "samlresponse": "saml_response",  # a SAML assertion, as good as a session
    "unsealkey": "vault_unseal_key",
    "mnemonic": "mnemonic",  # a wallet's seed words
    "cvv": "card_security_code",
    "cvc": "card_security_code",
    "recoverykey": "recovery_key",
    "presharedkey": "password",  # WireGuard's and IPsec's PresharedKey
    "requirepass": "password",  # Redis' own password (redis-server --requirepass)
    "masterauth": "password",  # the password a Redis replica gives its master
    "honeycombteam": "honeycomb_key",  # Honeycomb's x-honeycomb-team header holds its API key
}
# "Password" in the languages of localized messages and admin UIs' logs: German, Spanish and
# Catalan, Portuguese, Russian and Ukrainian, Chinese, Japanese, Korean, Dutch, Swedish,
# Norwegian, Polish, Czech and Slovak, Turkish, Finnish. Case-folded, as the prefilter's hints.
_FOREIGN_PASSWORD_WORDS = (
    "kennwort", "contraseña", "contrasena", "contrasenya", "senha", "пароль", "密码", "密碼",
    "パスワード", "비밀번호", "wachtwoord", "lösenord", "passord", "hasło", "haslo", "heslo",
    "şifre", "sifre", "salasana",
)  # fmt: skip
_KEY_KINDS.update(dict.fromkeys(_FOREIGN_PASSWORD_WORDS, "password"))
# The prefilter's hints for them: each word holds one ("passord" holds "pass", a hint already).
_FOREIGN_PASSWORD_HINTS = (
    "kennwort", "contrase", "senha", "пароль", "密码", "密碼", "パスワード", "비밀번호",
    "wachtwoord", "lösenord", "hasło", "haslo", "heslo", "şifre", "sifre", "salasana",
    # Turkish upper case writes a dotted capital I (ŞİFRE), which case-folds to "i" and U+0307
    "şi\u0307fre", "si\u0307fre",
)  # fmt: skip
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
# Keywords that are often the tail of a longer word (bypass, monkey, oauth, sacred, compat) count
# only as a word; "creds" and "credential(s)" end key names alone (dbcreds, awscredentials).
_SHORT_KEYWORDS = frozenset({"pass", "passe", "key", "auth", "cred", "pat"})


def _key_prefix(match: re.Match[str]) -> str:
    """The part of the key before its keyword (64 characters at most): ``DD_`` of ``DD_API_KEY``."""
    start = match.start()
    before = match.string[max(0, start - 64) : start]
    return before[len(before.rstrip(_KEY_CHARS)) :]


def _kv_kind(keyword: str, prefix: str) -> str:
    """The kind named by a key: ``DB_PASSWORD`` -> password, ``DD_API_KEY`` -> datadog_api_key."""
    word = keyword.lower().replace("_", "").replace("-", "").replace(".", "")
    for part in _KEY_WORD.findall(prefix):
        vendor = _VENDOR_WORDS.get(part.lower())
        if vendor is not None and (vendor, word) in _VENDOR_KEY_KINDS:
            return _VENDOR_KEY_KINDS[vendor, word]
    return _KEY_KINDS.get(word, "secret")


_PUBLIC = frozenset({"public", "pub", "publishable"})


# Keys that find a thing rather than open it: a cache's, an idempotency key, a table's
# partition, sort, primary, foreign, unique, hash or index key, a queue's routing or message
# key, an object store's key, a lock's, a correlation or lookup key.
_ID_KEY_NAMES = frozenset(
    {
        "cache", "idempotency", "partition", "sort", "primary", "routing", "object", "dedup",
        "shard", "foreign", "unique", "composite", "hash", "index", "row", "record", "message",
        "lock", "correlation", "lookup",
    }
)  # fmt: skip


def _keyword_alternation(words: Mapping[str, str]) -> str:
    """Key words spelled as first letter + case-insensitive rest, for a fast literal start."""
    return "|".join(
        f"{c}(?i:{rest})" for first, rest in words.items() for c in (first, first.upper())
    )


# Key names end with one of these words: db_password, clientSecret, x-api-key.
_SECRET_KEY_WORDS = {
    "s": r"ecret[_-]?access[_-]?key|ecret[_-]?key(?:[_-]?base)?|ecret[_-]?id|ecret|ervice[_-]?key"
    r"|ecurity[._]credentials"
    r"|ession[_-]?(?:id|key)|essid|ubscription[_-]?key|aml[_-]?response|enha|ifre|alasana",
    "p": r"assw(?:or)?d|asswort|ass[_-]?phrase|ass(?:code|ord)?|asse|rivate[_-]?key|riv[_-]?key"
    r"|wd|w|at|sk|re[_-]?shared[_-]?key",
    "a": r"pi[_-]?key|ccess[_-]?key|ccount[_-]?key|uth[_-]?key|pp(?:lication)?[_-]?key|uthtok",
    "t": r"oken",
    "c": r"lient[_-]?key|v[vc]|ontrase(?:ny|ñ|n)a",  # and a card's security code (cvv, cvc2)
    "m": r"nemonic",
    "l": r"icense[_-]?key|ösenord",
    # The key shares that open a vault or an account (Vault's "unseal_keys_b64": [...]).
    "u": r"nseal[_-]?key",
    # An Erlang node's distribution cookie opens the node (RabbitMQ, CouchDB, Elixir releases).
    "r": r"ecovery[_-]?key|elease[_-]?cookie",
    "e": r"rlang[_-]?cookie",
    "h": r"oneycomb[_-]?team|as[łl]o|eslo",
    # The other languages' words for a password (`_FOREIGN_PASSWORD_WORDS`).
    "k": r"ennwort",
    "w": r"achtwoord",
    "ş": r"ifre",
    "п": r"ароль",
    "密": r"[码碼]",
    "パ": r"スワード",
    "비": r"밀번호",
}
# The prefilter's hints for them (case-folded literals: each key word holds one).
_SECRET_KEY_HINTS = (
    "pass", "pw", "pat", "secret", "token", "key", "samlresponse", "cvv", "cvc", "mnemonic",
    "psk", "honeycomb", "erlang", "release_cookie", "preshared", "pre_shared", "pre-shared",
    "authtok", "security.credentials", "security_credentials",
    *_FOREIGN_PASSWORD_HINTS,
)  # fmt: skip
# Generic key names, whose values are secrets only when they look random: signing_key, auth.
# (And Consul's gossip key: "encrypt": "<base64>", consul agent -encrypt=<base64>.)
_GENERIC_KEY_WORDS = {
    "k": r"ey",
    "a": r"uth(?:orization)?",
    "c": r"red(?:ential)?s?",
    "e": r"ncrypt",
}
# Besides the words of _KEY_KINDS, a name ending in "secret" says so (CLIENT_SECRET); not one
# ending in "credentials": GOOGLE_APPLICATION_CREDENTIALS names a file.
_SECRET_NAME_WORDS = frozenset({"secret"})


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
