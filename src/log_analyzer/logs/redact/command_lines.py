"""Passwords given on command lines, by a secret flag or a tool's own password flag.

``--password hunter2``, ``--db-password s3cr3t``, ``--api-key K`` (`_flag`); ``redis-cli -a``,
``mysql -pPASS``, ``curl -u user:password``, ``sqlplus scott/pw@orcl`` and the like
(`_short_flag_password`); and the values CI runners are told are secrets (`_declared_secret`).
"""

from __future__ import annotations

import re

from log_analyzer.logs.redact.key_names import _kv_kind
from log_analyzer.logs.redact.rule import _inside_word, _Rule, _swap
from log_analyzer.logs.redact.values import _WORDLIKE, _is_not_secret, _mixed_case_with_digit

# A command line's secret flag: ``--password hunter2``, ``--db-password s3cr3t``, ``--api-key K``,
# with one dash too (Java's ``-password x``, PowerShell's ``-Password x``, ``-ApiKey K``; not
# openssl's ``-pass``, whose value says where the password is), its value maybe quoted
# (``--passphrase 'a b'``), and the flags of a server's own secret (``redis-server --requirepass``,
# ``--masterauth``; an Erlang node's ``erl -setcookie``, ``rabbitmqctl --erlang-cookie``).
# (``--password=hunter2`` is a key-value pair.) The keyword is the flag's last word.
_FLAG = re.compile(
    r"(?:--|(?<![\w-])-(?!pass[ \t]))(?P<prefix>(?:[A-Za-z0-9]+-)*)"
    r"(?P<kw>(?i:password|passwd|passphrase|pass|pwd|token|secret|api-?key|access-?key"
    r"|secret-?key|private-?key|requirepass|masterauth|setcookie|erlang-cookie))"
    # Its value after spaces; as the next item of a JSON or Python list (docker inspect's "Cmd",
    # a pod's "args"); or alone on the next line (kubectl describe's Args, YAML's "- " items).
    r"(?P<sep>[ \t]+|\\?[\"'][ \t]*,[ \t]*(?=\\?[\"'])|[ \t]*\r?\n[ \t]*(?:-[ \t]+)?)"
    # A shell's here-string feeds the value (gh auth login --with-token <<< TOKEN); a
    # redirection ("--password < file") names where it is, so a value starts with no "<" or ">".
    r"(?:<<<[ \t]*)?"
    r"(?:'(?P<secret_sq>[^'\n]+)'|\\?\"(?P<secret_dq>[^\"\\\n]+)\\?\""
    r"|(?P<secret>[^\s\"'=<>-][^\s\"']*))"
)
# Words a CLI's own messages put after a flag's name: "--token is deprecated", "--password
# requires a value". They are no secret, and redacting them would hide the message.
# fmt: off
_FLAG_PROSE = frozenset((
    "is", "are", "was", "were", "must", "should", "can", "cannot", "will", "not", "and", "or",
    "the", "a", "an", "to", "of", "for", "in", "on", "with", "without", "requires", "required",
    "flag", "option", "argument", "value", "file", "deprecated", "missing", "given", "provided",
    "set", "empty", "ignored", "unknown",
))
# fmt: on


_FLAG_SHAPE = (
    r"-(?:[a-z0-9]+-)*(?:pass|pwd|token|secret|api-?key|access-?key|private-?key|requirepass"
    r"|masterauth|setcookie|erlang-cookie)[a-z]*"
    r"(?:[ \t]+|\\?[\"'][ \t]*,[ \t]*|[ \t]*\r?\n[ \t]*(?:-[ \t]+)?)[^\s=-]"
)
"""Where `_FLAG` may match (RE2, case-folded text): a flag followed by a value."""


# A usage line's placeholder for the value: --token TOKEN, --api-key API_KEY; not 20 capitals
# or more in one run, as an Erlang cookie is (erl -setcookie XKQJZPLMWNRTYBVCDFGH).
_METAVAR = re.compile(r"[A-Z]{1,19}(?:_[A-Z_]*)?|[A-Z][A-Z]*_[A-Z_]*")
_ONE_DASH_NO_VALUE = re.compile(rf"(?:{_WORDLIKE.pattern})\Z|\$[A-Za-z_]\w*\Z|\(")


def _flag(match: re.Match[str]) -> tuple[str, str] | None:
    group = str(match.lastgroup)
    value = match.group(group)
    if (
        _inside_word(match)
        or _is_not_secret(value)
        or value.lower() in _FLAG_PROSE
        or _METAVAR.fullmatch(value.rstrip("])")) is not None  # [--token TOKEN]
        # One dash is in prose too ("a -token based scheme"): there, a word is no value; and
        # PowerShell passes expressions and variables: -Password (ConvertTo-SecureString ...),
        # -Password $securePassword.
        # (erl's -setcookie has one dash, and its cookie is capitals only.)
        or (
            not match.group().startswith("--")
            and match.group("kw").lower() != "setcookie"
            and _ONE_DASH_NO_VALUE.match(value) is not None
        )
    ):
        return None
    sep = match.group("sep")
    if "," in sep and value.startswith("-"):
        return None  # the list's next item is another flag: ["--token", "--verbose"]
    if "\n" in sep and not _alone_on_lines(match, group):
        return None  # a flag in prose or help text, then a line that is no value
    kind = _kv_kind(match.group("kw"), match.group("prefix"))
    return _swap(match, group, kind)


_LIST_ITEM_START = re.compile(r"[ \t]*(?:-[ \t]+)?\Z")
_LINE_END = re.compile(r"[ \t]*\r?(?:\n|\Z)")


def _alone_on_lines(match: re.Match[str], group: str) -> bool:
    """Whether the flag and its value each stand alone on their lines (one argument a line)."""
    text, start = match.string, match.start()
    line_start = text.rfind("\n", 0, start) + 1
    return (
        _LIST_ITEM_START.match(text[line_start:start]) is not None
        and _LINE_END.match(text, match.end(group)) is not None
    )


# Command lines whose password flag is a short one: ``redis-cli -a PASS``, ``sshpass -p PASS``,
# ``mysql -uroot -pPASS`` (MySQL's -p takes its value attached; -P is the port), and the
# password of ``curl -u``'s ``user:password``, ``ldapsearch -w``'s and a ``.netrc`` line's.
# At most 24 arguments stand between the command and its flag: with no bound, a line repeating
# the command word alone would be scanned to its end from each of them (quadratic).
_ARGUMENTS = r"(?:[ \t]+\S+){0,24}?"
_USER = r"[^\s:\"'\[]+:"
"""The user before a ``user:password`` argument's password (curl's ``-u``, HTTPie's ``-a``)."""


def _argument(name: str, bare: str = r"[^\s\"']+", before: str = "") -> str:
    r"""A flag's value as a shell prints it: bare, or quoted as ``set -x`` quotes it ('p w').

    Each form has a group of its own (``name``, ``name_sq``, ``name_dq``), so the quotes stay;
    `before` is what stands ahead of the value inside the same quotes (curl's ``user:``). Double
    quotes may be escaped, as in a JSON string (``-p \"pw\"``).
    """
    return (
        rf"(?:'{before}(?P<{name}_sq>[^'\n]+)'"
        rf"|\\?\"{before}(?P<{name}_dq>[^\"\\\n]+)\\?\""
        rf"|{before}(?P<{name}>{bare}))"
    )


_OPTION_VALUE = r"[^\s\"'-][^\s\"']*"
"""A bare value that is not the next option."""
_SHORT_FLAG_PASSWORD = re.compile(
    r"redis-cli"
    + _ARGUMENTS
    + r"[ \t]+-a[ \t]+"
    + _argument("redis")
    + r"|sshpass[ \t]+-p[ \t]*"
    + _argument("sshpass")
    # MySQL's -p takes its value attached, maybe quoted: -pPASS, -p'PASS', -p"PASS".
    + r"|mysql(?:dump|admin)?"
    + _ARGUMENTS
    + r"[ \t]+-p"
    + _argument("mysql")
    # Tools whose -p is a password, not a port: registry logins (docker, podman, buildah,
    # skopeo, nerdctl, oras, helm registry), Azure's CLI, MongoDB's shell and tools, PsExec; -P
    # for sqlcmd and bcp. (A value shaped like a port is none: `_short_flag_password`.)
    + r"|(?:docker|podman|buildah|skopeo|nerdctl|oras|helm[ \t]+registry|az)[ \t]+login"
    + _ARGUMENTS
    + r"[ \t]+-p(?:[ \t]+|=)"
    + _argument("login", _OPTION_VALUE)
    + r"|(?:mongo(?:sh|dump|restore|export|import|stat|top|files)?|(?i:psexec)(?:[0-9]{2})?)"
    + r"(?:\.exe)?"
    + _ARGUMENTS
    + r"[ \t]+-p[ \t]+"
    + _argument("dash_p", _OPTION_VALUE)
    + r"|(?:sqlcmd|bcp)(?:\.exe)?"
    + _ARGUMENTS
    + r"[ \t]+-P[ \t]*"
    + _argument("dash_big_p", _OPTION_VALUE)
    # HTTPie and xh (and their https and xhs aliases): -a / --auth user:password, as curl's -u.
    + r"|(?<![\w/.-])(?:https?|xhs?)"
    + _ARGUMENTS
    + r"[ \t]+(?:-a|--auth)[ \t]+"
    + _argument("httpie", before=_USER)
    # Windows' net use \\server\share [PASSWORD] /user:DOMAIN\user [PASSWORD].
    + r"|(?i:net)[ \t]+(?i:use)(?:[ \t]+[A-Za-z]:)?[ \t]+\\\\[^\s\\]+\\\S*"
    r"(?:[ \t]+(?P<net_use>[^\s/\"'][^\s\"']*))?[ \t]+/(?i:u(?:ser)?):\S+"
    r"(?:[ \t]+(?P<net_use_after>[^\s/\"'][^\s\"']*))?"
    # curl -u user:password, ldapsearch -w password, a .netrc line.
    + r"|curl"
    + _ARGUMENTS
    + r"[ \t]+(?:-u|--user)[ \t]*"
    + _argument("curl", before=_USER)
    + r"|ldap[a-z]{0,8}"
    + _ARGUMENTS
    + r"[ \t]+-w[ \t]+"
    + _argument("ldap")
    + r"|machine[ \t]+\S+[ \t]+login[ \t]+\S+[ \t]+password[ \t]+(?P<netrc>[^\s\"']+)"
    # vault login TOKEN (after its options; a key=value argument is a pair), when it looks random.
    r"|vault[ \t]+login(?:[ \t]+-\S+)*[ \t]+(?P<vault>[^\s\"'=-][^\s\"'=]*)(?!\S)"
    # rabbitmqctl add_user USER PASS (and change_password), a broker's bootstrap script.
    r"|rabbitmqctl" + _ARGUMENTS + r"[ \t]+(?:add_user|change_password|authenticate_user)"
    r"[ \t]+[^\s\"']+[ \t]+"
    + _argument("rabbitmq")
    # keytool's store and key passwords given as values (not -storepass:env NAME), with one
    # dash as keytool spells them or two as wrappers and scripts do (--storepass).
    + r"|--?(?:src|dest)?(?:store|key)pass[ \t]+"
    + _argument("keytool", _OPTION_VALUE)
    # htpasswd's batch mode (-b, alone or among other flags): [FILE] USER PASSWORD, the file left
    # out with -n.
    + r"|htpasswd(?:[ \t]+-C[ \t]+[0-9]+|[ \t]+-[A-Za-z]+)*?[ \t]+-[A-Za-z]*b[A-Za-z]*"
    r"(?:[ \t]+-C[ \t]+[0-9]+|[ \t]+-[A-Za-z]+)*(?:[ \t]+[^\s\"'-]\S*)?[ \t]+[^\s\"'-]\S*"
    r"[ \t]+" + _argument("htpasswd") + r"(?![^\s])"
    # openssl enc -k PASS (the -pass pass:PASS form is a key-value pair).
    r"|openssl"
    + _ARGUMENTS
    + r"[ \t]+-k[ \t]+"
    + _argument("openssl", _OPTION_VALUE)
    # Oracle's user/password@database: a JDBC thin or OCI URL, and the connect string of its
    # command-line tools (sqlplus scott/pw@orcl, rman target sys/pw@db, expdp system/pw@pdb).
    + r"|(?:jdbc:oracle:(?:thin|oci[0-9]?):|(?<![\w.-])(?:sqlplus|rman|impdp|expdp|sqlldr)"
    r"(?:\.exe)?" + _ARGUMENTS + r"[ \t]+(?:(?:target|auxiliary|catalog|userid)[ \t=]+)?)"
    r"[\w$#]{1,30}/(?P<oracle>[^\s/@\"']{1,128})@"
)

_SHORT_FLAG_HINTS = (
    "redis-cli",
    "sshpass",
    "mysql",
    " login ",
    "mongo",
    "psexec",
    "sqlcmd",
    "bcp",
    "http ",
    "https ",
    "xh ",
    "xhs ",
    "net use",
    "curl",
    "ldap",
    "machine",
    "rabbitmqctl",
    "openssl",
    "htpasswd",
    "oracle:",
    "sqlplus",
    "rman",
    "pdp",  # impdp, expdp
    "sqlldr",
)

# A port (ssh -p 22, docker run -p 8080:80, -p 5000-5010) is no password.
_PORT_SHAPED = re.compile(r"[0-9]+(?:[:-][0-9]+)*")


def _short_flag_password(match: re.Match[str]) -> tuple[str, str] | None:
    if match.lastgroup is None:
        return None  # net use without a password
    group = match.lastgroup
    value = match.group(group)
    if _inside_word(match) or _is_not_secret(value) or _PORT_SHAPED.fullmatch(value):
        return None
    if group == "vault":
        # A word is no token: "vault login failed", the dev server's "root".
        return _swap(match, group, "vault_token") if _mixed_case_with_digit(value) else None
    return _swap(match, group, "password")


# A value a CI job declares secret, as its log command echoes it expanded: GitHub Actions'
# ::add-mask::VALUE and Azure Pipelines' ##vso[task.setvariable ...;issecret=true]VALUE. The
# value runs to the end of the line (or of the JSON string holding it).
# The value is taken whole, greedily, to its last character that is no space: a lazy value
# tried its end after every character, each try scanning the run of spaces ahead (quadratic
# in it), and a bound on its length made every "::add-mask::" of a line scan that far again.
# Unbounded, the first match runs to the line's end, so the line is read once.
_DECLARED_SECRET_VALUE = r"[^\s\"'\\](?:[^\r\n\"\\]*[^\s\"\\])?"
_DECLARED_SECRET_END = r"(?=[ \t]*(?:$|[\r\n\"\\]))"
_DECLARED_SECRET = re.compile(
    rf"::add-mask::(?P<mask>{_DECLARED_SECRET_VALUE})"
    + _DECLARED_SECRET_END
    + r"|##vso\[task\.setvariable[^\]\n]{0,256}?(?i:issecret)=true[^\]\n]{0,256}\]"
    rf"(?P<vso>{_DECLARED_SECRET_VALUE})" + _DECLARED_SECRET_END
)
_DECLARED_SECRET_HINTS = ("-mask::", "##vso[task.setvariable")  # "add" is a hex word


def _declared_secret(match: re.Match[str]) -> tuple[str, str] | None:
    group = str(match.lastgroup)
    if _is_not_secret(match.group(group)):
        return None  # ::add-mask::$TOKEN, unexpanded; ***, masked already
    return _swap(match, group, "secret")


_DECLARED_SECRET_RULE = _Rule(_DECLARED_SECRET, _DECLARED_SECRET_HINTS, _declared_secret)
