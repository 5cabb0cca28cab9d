"""Passwords that well-known tools take in a place of their own, not after a secret's flag.

Archives' passwords (``zip -P pw``, ``7z a -ppw``), MinIO's client (``mc alias set NAME URL
ACCESS SECRET``), IPMI's and Cassandra's shells (``ipmitool -P``, ``cqlsh -p``), SNMP's
passphrases and community (``-A``, ``-X``, ``-c``), Samba's ``-U user%pw`` and lftp's
``-u user,pw``, Wi-Fi's (``wpa_passphrase SSID pw``, ``nmcli ... password pw``), PowerShell's
``ConvertTo-SecureString "pw" -AsPlainText``, a password echoed into a command that reads it
(``echo pw | docker login --password-stdin``, ``| chpasswd``, ``| passwd``), and the lines of a
PostgreSQL ``.pgpass`` file (``host:port:database:user:password``).
"""

from __future__ import annotations

import re
from functools import partial

from log_analyzer.logs.redact.command_lines import _ARGUMENTS, _OPTION_VALUE, _argument
from log_analyzer.logs.redact.rule import _EDGE, _placeholder, _swap
from log_analyzer.logs.redact.values import _is_not_secret

_IN_A_NAME = frozenset("_.-")
_FLAGGED_ARGUMENTS = 48
"""How many arguments of a Net-SNMP or ssh-keygen command are read."""


def _secret_flags(flags: str) -> re.Pattern[str]:
    return re.compile(rf"(?<=[ \t])-(?P<flag>[{flags}])[ \t]*" + _argument("value", _OPTION_VALUE))


# By group: SNMPv3's authentication and privacy passphrases (-A, -X), and SNMPv1 and v2c's
# community (-c), a shared password; ssh-keygen's new and old passphrases (-N, -P). Attached to
# their flag or not.
_FLAGGED = {"snmp": _secret_flags("AXc"), "keygen": _secret_flags("NP")}
# A community every device answers to by default is no secret.
_DEFAULT_COMMUNITIES = frozenset({"public"})
# Each branch starts with its tool's name, which must start a word (not "gzip" for zip; "/" is
# fine: /usr/bin/zip): checked by `_tool_password`, as a leading look-behind would keep the
# regex engine from jumping to the names' first letters.
_TOOL_PASSWORD = re.compile(
    # zip and unzip: -P PASSWORD (alone or ending a cluster of flags: -rP PASSWORD).
    r"(?:un)?zip(?:\.exe)?"
    + _ARGUMENTS
    + r"[ \t]+-[A-Za-z]*P[ \t]+"
    + _argument("zip", _OPTION_VALUE)
    # 7-Zip (7z, 7za, 7zr): -pPASSWORD, attached; its digit is matched as any digit.
    + r"|[0-9]z[ar]?(?:\.exe)?"
    + _ARGUMENTS
    + r"[ \t]+-p"
    + _argument("sevenzip")
    # MinIO's client: mc alias set NAME URL ACCESS_KEY SECRET_KEY (and the older config host add).
    + r"|mc(?:\.exe)?[ \t]+(?:alias[ \t]+set|config[ \t]+host[ \t]+add)"
    r"(?:[ \t]+--?[A-Za-z-]+)*[ \t]+[^\s\"'-]\S*[ \t]+[a-z][a-z0-9+.-]*://\S+[ \t]+\S+[ \t]+"
    + _argument("minio", _OPTION_VALUE)
    # ... and a user's secret key: mc admin user add ALIAS ACCESS_KEY SECRET_KEY.
    + r"|mc(?:\.exe)?[ \t]+admin[ \t]+user[ \t]+add(?:[ \t]+--?[A-Za-z-]+)*[ \t]+[^\s\"'-]\S*"
    r"[ \t]+[^\s\"'-]\S*[ \t]+"
    + _argument("minio_user", _OPTION_VALUE)
    # ipmitool -P PASSWORD; cqlsh -p PASSWORD (or --password, a secret flag already).
    + r"|ipmitool"
    + _ARGUMENTS
    + r"[ \t]+-P[ \t]+"
    + _argument("ipmi", _OPTION_VALUE)
    + r"|cqlsh(?:\.py)?"
    + _ARGUMENTS
    + r"[ \t]+-p[ \t]+"
    + _argument("cqlsh", _OPTION_VALUE)
    # Net-SNMP's tools and ssh-keygen, whose secrets `_FLAGGED` finds among the arguments: one
    # command may hold two passphrases. Not the trap daemon (snmptrapd), whose -c is its
    # configuration file (snmpd's too, too short a name to match).
    + rf"|snmp(?!trapd[ \t])[a-z]{{2,12}}(?P<snmp>(?:[ \t]+\S+){{1,{_FLAGGED_ARGUMENTS}}})"
    + rf"|ssh-keygen(?:\.exe)?(?P<keygen>(?:[ \t]+\S+){{1,{_FLAGGED_ARGUMENTS}}})"
    # Poetry's repository credentials: poetry config http-basic.NAME USER PASSWORD.
    + r"|poetry(?:[ \t]+-\S+)*[ \t]+config(?:[ \t]+-\S+)*[ \t]+http-basic\.\S+[ \t]+[^\s\"'-]\S*"
    r"[ \t]+"
    + _argument("poetry", _OPTION_VALUE)
    # Redis Sentinel's password of a master: sentinel auth-pass NAME PASSWORD (sentinel.conf),
    # SENTINEL SET NAME auth-pass PASSWORD (a command).
    + r"|(?i:sentinel[ \t]+(?:auth-pass[ \t]+\S+|set[ \t]+\S+[ \t]+auth-pass))[ \t]+"
    + _argument("sentinel")
    # Samba's tools: -U USER%PASSWORD (--user=USER%PASSWORD); lftp: -u USER,PASSWORD.
    + r"|(?:smb[a-z]{0,8}|rpcclient)"
    + _ARGUMENTS
    + r"[ \t]+(?:-U[ \t]*|--user(?:=|[ \t]+))"
    + _argument("samba", before=r"[^\s%\"']+%")
    + r"|lftp"
    + _ARGUMENTS
    + r"[ \t]+-u[ \t]+"
    + _argument("lftp", before=r"[^\s,\"']+,")
    # wpa_passphrase SSID PASSPHRASE; nmcli's password (and its wifi-sec.psk setting).
    + r"|wpa_passphrase[ \t]+(?:'[^'\n]*'|\"[^\"\n]*\"|\S+)[ \t]+"
    + _argument("wpa")
    + r"|nmcli"
    + _ARGUMENTS
    + r"[ \t]+(?:password|(?:wifi-sec|[0-9]{3}-[0-9]{2}-wireless-security)\.psk)[ \t]+"
    + _argument("nmcli")
    # PowerShell: ConvertTo-SecureString [-String] "PASSWORD" -AsPlainText (a variable stays).
    + r"|(?i:convertto-securestring)(?:[ \t]+-(?i:string))?[ \t]+"
    + _argument("secure_string", r"[^\s\"'$(-][^\s\"')]*")
)
_TOOL_PASSWORD_HINTS = (
    "zip",
    "mc alias",
    "mc admin user",
    "config host",
    "ipmitool",
    "cqlsh",
    "snmp",
    "smb",
    "rpcclient",
    "lftp",
    "wpa_passphrase",
    "nmcli",
    "convertto-securestring",
    "ssh-keygen",
    "http-basic",
    "auth-pass",
)
_TOOL_PASSWORD_SHAPES = (_EDGE + r"[0-9]z[ar]?(?:\.exe)?[ \t]",)


def _flagged_secret(found: list[str], part: re.Match[str]) -> str:
    group = str(part.lastgroup)
    value = part.group(group)
    community = part.group("flag") == "c"
    if _is_not_secret(value) or (community and value.lower() in _DEFAULT_COMMUNITIES):
        return part.group(0)
    kind = "snmp_community" if community else "password"
    found.append(kind)
    return _swap(part, group, kind)[1]


def _tool_password(match: re.Match[str]) -> tuple[str, str] | None:
    group = str(match.lastgroup)
    value = match.group(group)
    before = match.string[match.start() - 1 : match.start()]
    if before.isalnum() or before in _IN_A_NAME or _is_not_secret(value):
        return None
    if group in _FLAGGED:
        found: list[str] = []
        hidden = _FLAGGED[group].sub(partial(_flagged_secret, found), value)
        if not found:
            return None
        # One kind for the match: a command holds passphrases or a community, not both.
        start = match.start(group) - match.start()
        return found[0], match.group(0)[:start] + hidden
    return _swap(match, group, "password")


# A password echoed into a command that reads it from its standard input: a registry login's
# --password-stdin, chpasswd's USER:PASSWORD lines, passwd (printf too). The command must follow
# the pipe at once, so "echo done | tee log" stays.
_ECHO_REACH = 256
_ECHOED_PASSWORD = re.compile(
    r"(?:echo|printf)(?:[ \t]+-[neE]{1,3})*[ \t]+"
    rf"(?:'(?P<sq>[^'\n]{{1,{_ECHO_REACH}}})'|\"(?P<dq>[^\"\n]{{1,{_ECHO_REACH}}})\""
    rf"|(?P<bare>[^\s\"'|;&]{{1,{_ECHO_REACH}}}))"
    r"[ \t]*\|[ \t]*(?:sudo[ \t]+)?(?:(?P<chpasswd>chpasswd)|passwd"
    r"|[\w./-]+(?:[ \t]+[^\s|;&]+){0,24}[ \t]+--password-stdin)(?![\w-])"
)
# chpasswd reads USER:PASSWORD: the user stays.
_USER_PART = re.compile(r"[^\s:]+:")


def _echoed_password(match: re.Match[str]) -> tuple[str, str] | None:
    group = next(name for name in ("sq", "dq", "bare") if match.group(name) is not None)
    value = match.group(group)
    before = match.string[match.start() - 1 : match.start()]
    if before.isalnum() or before in _IN_A_NAME or _is_not_secret(value) or value.startswith("$"):
        return None  # a variable: echo "$PASSWORD" | docker login ...
    start = match.start(group)
    if match.group("chpasswd") is not None:
        user = _USER_PART.match(value)
        if user is None:
            return None
        start += user.end()
    whole, base = match.group(0), match.start()
    end = match.end(group)
    return "password", f"{whole[: start - base]}{_placeholder('password')}{whole[end - base :]}"


# A line of a .pgpass file, alone on its line: HOST:PORT:DATABASE:USER:PASSWORD, where a field
# may be "*" and ":" or "\" in a field is escaped ("\:"). libpq ends the password at its first
# unescaped ":", so a line of six fields or more (an IPv6 or MAC address, a time stamp and more)
# is none. The host holds a letter, a dot or "*"; the port is "*" or four or five digits
# (PostgreSQL refuses to run as root, so it listens on no privileged port: ":42:" is a line
# number, ":30:" a time's minutes); the database and the user are names that start with a
# letter, "_" or "*" (not "45", the rest of a time).
_PGPASS_NAME = r"(?:[A-Za-z_*]|\\.)(?:[A-Za-z0-9_.*$@-]|\\.)*"
# The same over case-folded text, for the prefilter.
_PGPASS_SHAPE_NAME = r"(?:[a-z_*]|\\.)(?:[a-z0-9_.*$@-]|\\.)*"
_PGPASS_SHAPE = rf":(?:[0-9]{{4,5}}|\*):{_PGPASS_SHAPE_NAME}:{_PGPASS_SHAPE_NAME}:"
_PGPASS = re.compile(
    r"(?m:^)[ \t]*(?P<host>[A-Za-z0-9-]*[A-Za-z.*][A-Za-z0-9.*-]*|\[[0-9A-Fa-f:.]+\])"
    rf":(?P<port>[0-9]{{4,5}}|\*):(?P<database>{_PGPASS_NAME}):(?P<user>{_PGPASS_NAME})"
    r":(?P<secret>(?:[^\s\\:]|\\.)+)[ \t]*(?m:$)"
)
# A password that is a word or a number is taken only from a line that can be nothing but a
# .pgpass line: one with a wildcard, or whose host is localhost or holds a dot (a domain name,
# an IP address). Elsewhere the line is a cache key or a status (user:1000:profile:prefs:theme,
# node-1:9090:metrics:scrape:failed).
_PGPASS_WORD = re.compile(r"[A-Za-z]+(?:[-_][A-Za-z]+)*|[0-9]+")


def _pgpass(match: re.Match[str]) -> tuple[str, str] | None:
    value = match.group("secret")
    if _is_not_secret(value):
        return None
    if _PGPASS_WORD.fullmatch(value) and not _surely_pgpass(match):
        return None
    return _swap(match, "secret", "password")


def _surely_pgpass(match: re.Match[str]) -> bool:
    host = match.group("host")
    fields = (host, match.group("port"), match.group("database"), match.group("user"))
    return "*" in fields or host == "localhost" or "." in host
