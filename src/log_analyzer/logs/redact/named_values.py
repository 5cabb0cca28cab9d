"""A secret given as a name and a value: ``{"name": "DB_PASSWORD", "value": ...}`` (`_named_value`).

The name says it is a secret; the value is read as a key-value pair's (`key_values._VALUE`).
Also an environment variable, a setting or a constant set by a call or a command
(`_named_setting`): ``SetEnvironmentVariable("API_TOKEN", "...")``, ``define('DB_PASSWORD',
'...')``, ``setProperty("...Password", "...")``, ``setx API_TOKEN ...``,
``os.environ["DB_PASSWORD"] = "..."``.
"""

from __future__ import annotations

import re

from log_analyzer.logs.redact.key_names import _kv_kind, _secret_name
from log_analyzer.logs.redact.key_value_syntax import _VALUE, _unbalanced_tail
from log_analyzer.logs.redact.rule import _swap
from log_analyzer.logs.redact.values import _is_not_secret

# A secret given as a name and a value: Kubernetes env vars ({"name":"DB_PASSWORD","value":"x"},
# {Name:DB_PASSWORD Value:x ValueFrom:nil} as Go prints them, or YAML's "- name: X" and
# "value: x" on the next line of a multi-line entry, or after a JSON-escaped newline),
# CloudFormation parameters (ParameterKey, ParameterValue) and stack outputs (OutputKey,
# OutputValue), SSM parameters (Name, Value), Consul's KV export (key, value), Elastic
# Beanstalk option settings (OptionName, Value). The name says it is a secret.
# Up to two short fields may stand between the name and the value (SSM's "Type").
_BETWEEN = (
    r"(?:\\?[\"']?\w{1,32}\\?[\"']?[ \t]*[:=][ \t]*"
    r"\\?[\"']?[\w.-]{0,64}\\?[\"']?[ \t]*,[ \t]*){0,2}"
)
_NAMED_VALUE = re.compile(
    r"(?<![A-Za-z0-9_])(?:[Nn]ame|[Kk]ey|Parameter[Kk]ey|Output[Kk]ey|Option[Nn]ame)"
    r"\\?[\"']?[ \t]*[:=][ \t]*"
    r"(?P<vq>\\?[\"']?)(?P<name>[A-Za-z0-9_./-]{1,128})(?P=vq)[ \t]*,?[ \t]*"
    r"(?:(?:\r?\n|(?:\\r)?\\n)[ \t]*)?"
    + _BETWEEN
    + r"\\?[\"']?(?:[Vv]alue|Parameter[Vv]alue|Output[Vv]alue)\\?[\"']?[ \t]*[:=][ \t]*"
    + _VALUE
)
_FIELD = re.compile(r"[A-Za-z]\w*:")


def _named_value(match: re.Match[str]) -> tuple[str, str] | None:
    named = _secret_name(match.group("name"))
    group = str(match.lastgroup)
    value = match.group(group)
    tail = _unbalanced_tail(value) if group == "bare" else 0
    value = value[: len(value) - tail]
    if named is None or _is_not_secret(value):
        return None
    if group == "bare" and _FIELD.match(value):
        return None  # Go's {Name:X Value: ValueFrom:...}: the value is empty
    return _swap(match, group, _kv_kind(*named), tail=tail)


# An environment variable set from code or a shell: .NET's and PowerShell's
# [Environment]::SetEnvironmentVariable("NAME", "value"[, target]), Windows' setx NAME value,
# Python's os.environ["NAME"] = "value". The name says it is a secret.
_QUOTED = r"(?:\"(?P<{0}_dq>[^\"\\\n]+)\"|'(?P<{0}_sq>[^'\n]+)')"
# And a setting or a constant set by a call, its name then its value (after a section's name,
# as ConfigParser takes them): PHP's define('DB_PASSWORD', '...'), Java's
# System.setProperty("javax.net.ssl.keyStorePassword", "..."), a map's put("password", ...),
# os.environ.setdefault("API_KEY", ...), config.set("db", "password", ...).
_NAMED_SETTING = re.compile(
    r"(?<![A-Za-z0-9_])(?i:set)\([ \t]*[\"'][\w.-]{1,64}[\"'][ \t]*,[ \t]*"
    r"[\"'](?P<option>[\w.-]{1,128})[\"'][ \t]*,[ \t]*"
    + _QUOTED.format("option")
    + r"|(?<![A-Za-z0-9_])(?i:setenvironmentvariable|define|setenv|setproperty|setdefault|set"
    r"|put|setitem|setvalue)\([ \t]*[\"'](?P<call>[\w.-]{1,128})[\"'][ \t]*,[ \t]*"
    + _QUOTED.format("call")
    # (and the fish shell's set -x NAME value, set -gx, set -Ux: an exported variable)
    + r"|(?<![\w-])(?:(?i:setx)(?:\.exe)?|set(?:[ \t]+-[A-Za-z]{1,4}){1,3})"
    r"[ \t]+(?P<setx>[\w.-]{1,128})[ \t]+"
    + r"(?:"
    + _QUOTED.format("setx")
    + r"|(?P<setx_bare>[^\s\"'/;][^\s\"';]*))"
    + r"|environ\[[ \t]*[\"'](?P<environ>[\w.-]{1,128})[\"'][ \t]*\][ \t]*=[ \t]*"
    + _QUOTED.format("environ")
)

_NAMED_SETTING_HINTS = (
    "setenvironmentvariable", "setx", "environ[", "define(", "setenv(", "set(", "put(", "set -",
    "setproperty(", "setdefault(", "setitem(", "setvalue(",
)  # fmt: skip


def _named_setting(match: re.Match[str]) -> tuple[str, str] | None:
    group = str(match.lastgroup)
    named = _secret_name(match.group(group.rsplit("_", 1)[0]))
    if named is None or _is_not_secret(match.group(group)):
        return None
    return _swap(match, group, _kv_kind(*named))
