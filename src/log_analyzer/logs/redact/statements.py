"""Passwords in statements: SQL, protocol commands, XML elements, and password hashes.

SQL that sets a password (``PASSWORD '...'``, ``IDENTIFIED BY``, ``SET PASSWORD``); passwords
given to a server as a command's arguments (Redis ``AUTH``, ``requirepass`` and ``ACL SETUSER``'s
``>pw``, SMTP and IMAP
authentication, FTP's ``PASS``); XML elements named for a secret (``<password>``, ``<entry
key="db.password">``); password hashes (crypt, bcrypt, Argon2, PBKDF2, SCRAM, LDAP's
``{SSHA}``), which can be cracked offline.
"""

from __future__ import annotations

import re

from log_analyzer.logs.redact.command_lines import _FLAG_PROSE
from log_analyzer.logs.redact.key_names import (
    _SECRET_KEY_WORDS,
    _keyword_alternation,
    _kv_kind,
    _secret_name,
)
from log_analyzer.logs.redact.rule import _AFTER_ESCAPE, _placeholder, _swap
from log_analyzer.logs.redact.values import _WORDLIKE, _is_not_secret


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
_SQL_SHAPES = (r"identified[ \t]",)
_SQL_NARROWING = (r"password[ \t]+[en]?['\"]", r"set[ \t]+password")
"""Where `_SQL_PASSWORD` may match (RE2, case-folded text): these and `_SQL_SHAPES`."""
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
    # FTP's PASS command, as vsftpd's protocol log quotes it and curl -v shows it; in single
    # quotes as Python's ftplib and others echo it.
    r"|(?:\"|> )PASS[ \t]+(?P<ftp>[^\s\"]+)|'PASS[ \t]+(?P<ftp_sq>[^\s']+)"
    # Redis' ACL SETUSER (and a MONITOR line's quoted arguments): ">pw" adds a password to the
    # user, "<pw" removes one; the rules before it are words ("on", "~keys:*", "+@all").
    r"|(?<![\w-])(?i:setuser)(?P<acl>[ \t\"][^\n]*)"
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
# Where `_COMMAND_PASSWORD` may match: a Redis AUTH or a protocol's login command.
_COMMAND_HINTS = (
    '"auth"',
    "auth([",
    "requirepass",
    "masterauth",
    "authenticate ",
    *(f"auth {mechanism}" for mechanism in _SASL_HINTS),
    '"pass ',
    "'pass ",
    "> pass ",
    "setuser",
    "> auth ",
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


_ACL_PASSWORD = re.compile(r"(?<=[ \t\"])([<>])([^\s\"]+)")


def _acl_passwords(match: re.Match[str]) -> tuple[str, str] | None:
    """Every password an ACL SETUSER adds (``>pw``) or removes (``<pw``), or None for none."""
    found = [m for m in _ACL_PASSWORD.finditer(match.group(0)) if not _is_not_secret(m.group(2))]
    if not found:
        return None
    whole, parts, last = match.group(0), [], 0
    for password in found:
        parts += [whole[last : password.start(2)], _placeholder("password")]
        last = password.end(2)
    return "password", "".join(parts) + whole[last:]


def _command_password(match: re.Match[str]) -> tuple[str, str] | None:
    group = str(match.lastgroup)
    value = match.group(group)
    if _is_not_secret(value) or value.lower() in _FLAG_PROSE:
        return None
    if group == "sasl" and _WORDLIKE.fullmatch(value):
        return None  # "AUTH PLAIN failed": prose, not base64
    if group == "redis_prompt" and value.lower().startswith(_SASL_HINTS):
        return None  # an SMTP client's "> AUTH LOGIN": the mechanism, its response to come
    if group == "acl":
        return _acl_passwords(match)
    if group.startswith("imap") and match.group("imap_user").lower() in _LOGIN_PROSE:
        return None  # "3 LOGIN attempts failed": prose, not a command
    return _swap(match, group, "password")


# XML that holds a secret as an element's text: <password>, <db:password>, <clientSecret>,
# <apiKey> (Maven's settings.xml, SOAP, Tomcat, .NET configs), or an element whose name or key
# attribute names one: <entry key="db.password">, <property name="smtp.password">.
_XML_SECRET = re.compile(
    r"<(?P<tag>(?:[A-Za-z_][\w.-]{0,32}:)?(?P<prefix>(?:[A-Za-z_][\w.-]{0,64}?)??)(?P<kw>"
    + _keyword_alternation(_SECRET_KEY_WORDS)
    + r"))(?:[ \t][^<>\n]*)?>(?:<!\[CDATA\[(?P<cdata>[^\]\n]{1,1024})\]\]>|(?P<element>[^<\n]+))"
    r"</(?P=tag)>"
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
    rf"(?:(?<![\w$])|{_AFTER_ESCAPE})(?:"
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
