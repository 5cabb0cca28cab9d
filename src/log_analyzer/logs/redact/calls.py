"""Passwords passed to a call as a string literal, as tracebacks and shells print source lines.

A login's second argument (``smtp.login("alerts", "pw")``, ``db.auth("admin", "pw")``,
``HTTPBasicAuth("u", "pw")``, ``setBasicAuth``, ``conn.simple_bind_s(dn, "pw")``, Neo4j's
``createUser('app', 'pw', false)``, requests' ``auth=("u", "pw")``, Elasticsearch's
``basic_auth=(...)``, a credential type's constructor: ``PlainCredentials('u', 'pw')``) and the
password given to a call that sets it (``changePassword('pw')``, ``db.changeUserPassword("app",
"pw")``, ``set_password("pw")``); and a connection's password given by position, after its address
and its user (``DriverManager.getConnection(url, "app", "pw")``, ``new PDO($dsn, 'app', 'pw')``,
``pymysql.connect('db', 'root', 'pw', 'shop')``, `_connect_password`). Only a quoted literal: a
variable (``login(user, password)``) names the secret, it does not hold it.
"""

from __future__ import annotations

import re

from log_analyzer.logs.redact.rule import _placeholder, _Rule, _swap
from log_analyzer.logs.redact.values import _is_not_secret

_QUOTED = r"\\?\"[^\"\n\\]{0,256}\\?\"|'[^'\n]{0,256}'"
_CALL_PASSWORD = re.compile(
    r"(?:(?<![\w$])(?P<name>[A-Za-z_]\w{0,40})"
    r"|(?<![\w$])(?P<kwarg>(?:[a-z]{1,8}_)?auth)[ \t]*=[ \t]*)\([ \t]*"
    rf"(?:(?P<user>{_QUOTED}|[A-Za-z_][\w.]{{0,64}})[ \t]*,[ \t]*)?"
    r"(?P<q>\\?[\"'])(?P<secret>[^\"'\n\\]{1,256})(?P=q)[ \t]*[,)]"
)
_CALL_HINTS = (
    "login(",
    "auth(",
    "authenticate(",
    "bind(",
    "bind_s(",
    "basic(",
    "password(",
    "createuser(",
    "auth=(",
    "auth = (",
    "credentials(",
    "credential(",
    "authprovider(",
)
# Calls that set a password (resetPassword(email) and checkPassword(input) take no new one).
_SETTERS = ("set", "change", "update")
# Calls that take a user, then a password: the name ends with one of these words.
_LOGIN_CALLS = ("login", "auth", "authenticate", "bind", "bind_s", "basic", "createuser")
# Types made of a user and a password (pika's PlainCredentials, .NET's NetworkCredential,
# Apache HttpClient's UsernamePasswordCredentials, Cassandra's PlainTextAuthProvider): a
# constructor's name is capitalized; getCredentials("default", "us-east-1") is a lookup.
_CREDENTIAL_TYPES = ("credentials", "credential", "authprovider")


def _call_password(match: re.Match[str]) -> tuple[str, str] | None:
    name = (match.group("name") or "").lower()
    secret = match.group("secret")
    if _is_not_secret(secret):
        return None
    constructs = match.group("name") is not None and match.group("name")[0].isupper()
    takes_login = (
        match.group("kwarg") is not None
        or name.endswith(_LOGIN_CALLS)
        or (constructs and name.endswith(_CREDENTIAL_TYPES))
    )
    if takes_login and match.group("user") is not None:
        return _swap(match, "secret", "password")
    if name.endswith("password") and name.startswith(_SETTERS):
        return _swap(match, "secret", "password")
    return None


# A connection opened with positional arguments: the address (a DSN, a URL, a host; maybe a
# port after it), the user, then the password. JDBC's DriverManager.getConnection, PDO's
# constructor (and its frame in a PHP stack trace, PDO->__construct('mysql:...', 'app', 'pw')),
# Perl's DBI->connect, mysqli and pymysql, MongoDB drivers' connect(host, port, user, pw). Oracle's
# drivers take the user and the password first: cx_Oracle.connect('scott', 'pw', 'db:1521/XE').
_VARIABLE = r"\$?[A-Za-z_][\w.]{0,64}"
_CONNECT_PASSWORD = re.compile(
    r"(?<![\w$])(?P<name>[A-Za-z_]\w{0,40})\([ \t]*"
    rf"(?:(?P<qa>\\?[\"'])(?P<first>[^\"'\n\\]{{0,256}})(?P=qa)|{_VARIABLE})"
    r"[ \t]*,[ \t]*(?:[0-9]{1,5}[ \t]*,[ \t]*)?"
    rf"(?:(?P<qb>\\?[\"'])(?P<second>[^\"'\n\\]{{1,256}})(?P=qb)|(?P<user>{_VARIABLE}))"
    r"[ \t]*,[ \t]*(?P<q>\\?[\"'])(?P<secret>[^\"'\n\\]{1,256})(?P=q)[ \t]*[,)]"
)
# A variable that holds the user: user, $username, self.db_user, DB_LOGIN.
_USER_WORD = re.compile(r"(?i:user|usr|login|uid|account)")
_CONNECT_HINTS = ("connect(", "getconnection(", "pdo(", "__construct(", "mysqli(")
# The calls that open a connection: the name ends with one of these words.
_CONNECT_CALLS = ("connect", "getconnection", "pdo", "__construct", "mysqli")
# Oracle's address after the user and password: host:port/service, host/service, a descriptor.
_ORACLE_ADDRESS = re.compile(r"[\w.-]+(?::[0-9]{1,5})?/[\w.-]+|\((?i:description)=.*")
_PLAIN_NAME = re.compile(r"\w{1,64}")
_MODULE_REACH = 16
"""How far before the call its module is looked for (cx_Oracle., oracledb.): Oracle's order."""


def _connect_password(match: re.Match[str]) -> tuple[str, str] | None:
    if not match.group("name").lower().endswith(_CONNECT_CALLS):
        return None
    user = match.group("user")
    if user is not None and _USER_WORD.search(user) is None:
        return None  # no user: GObject's connect("clicked", self.on_click, "data")
    first, second = match.group("first"), match.group("second")
    start = match.start()
    oracle = "oracle" in match.string[max(0, start - _MODULE_REACH) : start].lower()
    last = match.group("secret")
    address = _ORACLE_ADDRESS.fullmatch(last)
    if second is not None and (
        # An Oracle driver's user as a variable: cx_Oracle.connect(user, 'pw', 'db/XE').
        (first is None and oracle)
        or (first is not None and _PLAIN_NAME.fullmatch(first) and (oracle or address))
    ):
        if not oracle and ":" not in last and "(" not in last and not _is_not_secret(last):
            # host/service or a password holding a slash (pymysql.connect('db', 'root',
            # 'Ab/cd9')), with no module to tell: both may be the password, both are hidden.
            return _swap_two(match, "second", "secret")
        # connect(user, password, address): the second argument is the password.
        return None if _is_not_secret(second) else _swap(match, "second", "password")
    if _is_not_secret(match.group("secret")):
        return None
    return _swap(match, "secret", "password")


def _swap_two(match: re.Match[str], one: str, other: str) -> tuple[str, str]:
    """Hide the groups `one` and `other` (in this order in the text) as one password."""
    whole, base = match.group(0), match.start()
    (a, b), (c, d) = match.span(one), match.span(other)
    hidden = _placeholder("password")
    text = whole[: a - base] + hidden + whole[b - base : c - base] + hidden + whole[d - base :]
    return "password", text


_CONNECT_RULE = _Rule(_CONNECT_PASSWORD, _CONNECT_HINTS, _connect_password)
