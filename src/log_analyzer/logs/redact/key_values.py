"""The values of secret-named keys: ``password=``, ``"api_key":``, ``client_secret:``.

In JSON escaped once or twice or quoted with unicode escapes, in SQL's or Python's quoting, as a
list or an object (`_key_value`), told apart from what such a key also holds: a count, a word a
model streamed, a call in a stack trace, prose after a colon, a reference to where the secret
is. The pairs' syntax is in ``key_value_syntax``, generic keys in ``generic_key_values``, a
secret given as a name and a value in ``named_values``.
"""

from __future__ import annotations

import re

from log_analyzer.logs.redact.key_names import (
    _SECRET_KEY_WORDS,
    _key_prefix,
    _keyword_alternation,
    _kv_kind,
)
from log_analyzer.logs.redact.key_value_syntax import _kv_value
from log_analyzer.logs.redact.rule import _after_escape, _Rule, _swap
from log_analyzer.logs.redact.values import (
    _FILE_PATH,
    _UUID,
    _WORDLIKE,
    _high_entropy,
    _is_not_secret,
    _mixed_case_with_digit,
    _opaque_id,
)

# A call in code, as a stack trace quotes it: token = decode(header), pw = getpass(); not a value
# that only holds a parenthesis (Xk9(Lm2#q7), whose "name" looks random).
_CALL = re.compile(r"(?P<name>[A-Za-z_][\w.]*)\([\w.=*/-]*\)?[\w.()]*")


def _is_call(value: str) -> bool:
    call = _CALL.fullmatch(value)
    return call is not None and not _mixed_case_with_digit(call.group("name"))


# A PowerShell cmdlet's name (Verb-Noun): what a $variable is assigned from, not its value.
_CMDLET = re.compile(r"[A-Z][a-z]+(?:[A-Z][a-z]+)?-[A-Z][A-Za-z]+")
# An environment variable's name in a wrapped value (Env("DB_PASSWORD")): words joined by "_".
_WRAPPED_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


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
# The "value" member of an object under a secret's (singular) key: Terraform's output -json,
# {"db_password":{"sensitive":true,"type":"string","value":"..."}}.
_VALUE_MEMBER = re.compile(
    r"(?<![\w-])\\?[\"']?[Vv]alue\\?[\"']?[ \t]*[:=][ \t]*"
    r"(?:\\?\"(?P<dq>[^\"\\]*)\\?\"|'(?P<sq>[^']*)'|(?P<bare>[^\s\"',]+))"
)


def _container(
    match: re.Match[str], group: str, kind: str, items: re.Pattern[str] | None = None
) -> tuple[str, str] | None:
    """Each secret in a list or an object held by a secret-named key, redacted in place.

    `items` finds the values (by default: a list's items, or the values of an object's pairs).
    """
    found = 0

    def item(part: re.Match[str]) -> str:
        nonlocal found
        name = str(part.lastgroup)
        value = part.group(name)
        if _is_not_secret(value) or _counted(value) or (kind == "token" and _short_word(value)):
            return part.group(0)
        found += 1
        return _swap(part, name, kind)[1]

    if items is None:
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


_IDENTIFIER_PATH = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
# A value read from code's objects: an attribute path from a configuration or an environment
# object, without a digit (process.env.API_KEY, settings.DB_PASSWORD, this.config.token).
_CODE_PATH = re.compile(
    r"(?:(?:self|this)\.)?(?i:process|os|config|cfg|conf|settings|env|options|opts|props"
    r"|properties|system|environment|app|params|args|secrets|context|ctx)"
    r"(?:\.[A-Za-z_][A-Za-z_]*)+"
)


def _names_its_key(match: re.Match[str], value: str, end: int) -> bool:
    """Whether `value` is a variable named as its key: ``f(password=password)``, ``self.token``.

    An argument (a "," or ")" after it) or an attribute: ``PASSWORD: password`` in a config is
    a weak password, not a variable.
    """
    if _IDENTIFIER_PATH.fullmatch(value) is None:
        return False
    if "." not in value and match.string[end : end + 1] not in (",", ")"):
        return False
    name = value.rsplit(".", 1)[-1].lower()
    key = match.group("kw") + (match.group("suffix") or "")
    return name in (key.lower(), (_key_prefix(match) + key).lower())


# A chart's key naming a Secret that exists already (existingSecret, existing_secret), and a
# Kubernetes object's name (lower-case words and digits joined by "-" or ".").
_EXISTING = re.compile(r"(?i)existing[_-]?\Z")
_OBJECT_NAME = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")


def _key_value(match: re.Match[str]) -> tuple[str, str] | None:
    found = _kv_value(match)
    if found is None:
        return None
    group, value, bare, tail = found
    keyword, key_quote = match.group("kw"), match.group("kq") or ""
    plural = match.group("suffix") == "s"
    # Braces around one value, not pairs, hold the value itself: password={Zq8...}.
    braced = group == "object" and ":" not in value and "=" not in value
    if group in ("list", "object") and not braced:
        kind = _kv_kind(keyword, _key_prefix(match))
        if group == "object" and not plural:
            # A secret's reference names it ("secret":{"secretName":"api-tls"}); only a "value"
            # member holds it.
            return _container(match, group, kind, _VALUE_MEMBER)
        return _container(match, group, kind)
    if braced and _is_not_secret(f"{{{value}}}"):
        return None  # a format string's field: password={password}, token={0}
    if plural and _counted(value):
        return None  # tokens=512, "prompt_tokens": 1106: a count
    if (
        plural
        and bare
        and _WORDLIKE.fullmatch(value)
        and _kv_kind(keyword, _key_prefix(match)) != "password"
    ):
        # A plural key's word names what holds them: "tokens: gitlab", "secrets: vault"; a
        # password is often a word (passwords=letmein), and no store is named for one.
        return None
    lowered = keyword.lower()
    if lowered == "pwd" and value.startswith(("/", "~")):
        return None  # PWD=/srv/app in an environment dump is a directory, not a password.
    if _FILE_PATH.fullmatch(value):
        return None  # the file that holds it: systemd's LoadCredential=dbpass:/etc/creds/db
    if lowered == "pass" and value.isdigit():
        return None  # "pass=42 fail=0": a test tally.
    if group in ("wdq", "wsq") and (
        value.startswith(("/", "~/", "./")) or _WRAPPED_NAME.fullmatch(value)
    ):
        return None  # a type naming where the secret is: Path("/run/secrets/db"), Env("DB_PASS")
    if lowered == "pat" and not (_opaque_id(value) or _high_entropy(value)):
        return None  # "pat" is a pattern too ("pat":"**/*.go"); an access token is random.
    if lowered.replace("_", "").replace("-", "") == "secretid" and not _UUID.fullmatch(value):
        return None  # AWS' SecretId names a secret; a UUID is Vault's AppRole or Consul's token
    existing = _EXISTING.search(_key_prefix(match)) is not None
    if lowered == "secret" and existing and _OBJECT_NAME.fullmatch(value):
        return None  # Helm's existingSecret: the name of a Kubernetes Secret holding it
    kind = _kv_kind(keyword, _key_prefix(match))
    if kind == "session_id" and value.isdigit():
        return None  # a database's or a job's session number, not a bearer of access
    if kind == "mnemonic" and bare and _WORDLIKE.fullmatch(value):
        return None  # an instruction's mnemonic (MOV); a seed phrase's words are `seed_phrases`
    streamed = key_quote and group == "dq" and lowered == "token" and not _key_prefix(match)
    if streamed and _short_word(value):
        return None  # {"type":"token","token":"Hello"}: a model's output, not a credential
    said = (match.group("suffix") or "").lower().lstrip("_-")
    if lowered == "token" and said == "text" and _short_word(value):
        return None  # "token_text": "Hello", a model's output too
    sep = match.group("sep")
    prose_after_colon = bare and not key_quote and _in_prose(match, sep)
    if prose_after_colon and _WORDLIKE.fullmatch(value.rstrip(".,!?:")):
        return None  # Go-style errors put prose after a colon: "invalid token: signature expired".
    if bare and (_is_call(value) or match.string[match.end() : match.end() + 1] == "["):
        return None  # code in a stack trace: token = decode(header), pwd = os.environ["PWD"]
    if bare and _names_its_key(match, value, match.end(group) - tail):
        return None  # code passing a variable: connect(password=password), token=self.token
    if bare and _CODE_PATH.fullmatch(value.rstrip(";")):
        return None  # code reading it from elsewhere: process.env.API_KEY, settings.db.password
    key = match.start() - len(_key_prefix(match))
    if bare and _CMDLET.fullmatch(value) and match.string[key - 1 : key] == "$":
        return None  # PowerShell: $pw = ConvertTo-SecureString ..., $password = Read-Host ...
    start = match.start()
    if sep == ":" and match.string[start - 1 : start] == ":":
        return None  # a segment of an ARN or URN: arn:aws:secretsmanager:...:secret:db-creds
    # A bare JSON value (a number) gets quotes, so the line stays valid JSON.
    return _swap(match, group, kind, key_quote if bare else "", tail)


# A pair written as a tuple, as Erlang's and Elixir's configs and proplists hold them:
# {password, "..."}, {default_pass, <<"...">>} (RabbitMQ), {:password, "..."}.
_TUPLE_PAIR = re.compile(
    r"\{[ \t]*:?(?P<prefix>[a-z_]{0,32}?)(?P<kw>"
    + _keyword_alternation(_SECRET_KEY_WORDS)
    + r")[ \t]*,[ \t]*(?:<<)?(?:\"(?P<dq>[^\"\n]{1,256})\"|'(?P<sq>[^'\n]{1,256})')(?:>>)?[ \t]*\}"
)
_TUPLE_PAIR_NARROWING = r"\{[ \t]*:?[a-z_]*(?:pass|pw|secret|token|key)[a-z_]*[ \t]*,"
"""Where `_TUPLE_PAIR` may match (RE2, case-folded): a secret's name opening a tuple."""


def _tuple_pair(match: re.Match[str]) -> tuple[str, str] | None:
    group = str(match.lastgroup)
    if _is_not_secret(match.group(group)):
        return None
    return _swap(match, group, _kv_kind(match.group("kw"), match.group("prefix")))


_TUPLE_PAIR_RULE = _Rule(_TUPLE_PAIR, (), _tuple_pair, narrowing=(_TUPLE_PAIR_NARROWING,))


# A secret's change as a plan or a diff shows it (Terraform's `~ password = "old" -> "new"`):
# once the old value is redacted, the new one after the arrow is the same kind of secret. The
# match starts after the old value's placeholder, so that it is not counted twice.
_CHANGED_VALUE = re.compile(
    r"(?<=\]\")[ \t]+->[ \t]+\"(?P<new>(?:[^\"\\\n]|\\.)+)\""
    r"|(?<=\]')[ \t]+->[ \t]+'(?P<sq_new>(?:[^'\\\n]|\\.)+)'"
)
_OLD_VALUE = re.compile(r"[\"']\[REDACTED:(?P<kind>[a-z_]+)\][\"']\Z")
_PERSONAL = frozenset({"email", "ip"})
_KIND_REACH = 40
"""How far before the arrow `_changed_value` looks for the old value's placeholder."""


def _changed_value(match: re.Match[str]) -> tuple[str, str] | None:
    start = match.start()
    old = _OLD_VALUE.search(match.string, max(0, start - _KIND_REACH), start)
    new = "new" if match.group("new") is not None else "sq_new"
    if old is None or old.group("kind") in _PERSONAL or _is_not_secret(match.group(new)):
        return None  # personal data is found by its shape, and only when asked for
    return _swap(match, new, old.group("kind"))


_CHANGED_VALUE_RULE = _Rule(_CHANGED_VALUE, ('" -> "', "' -> '"), _changed_value)
