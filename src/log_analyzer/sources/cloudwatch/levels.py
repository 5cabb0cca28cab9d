"""The level of a CloudWatch event, as the count queries take it.

CloudWatch Logs keeps no level of its own. The Logs Insights count query takes the first level
field of a JSON event (Insights discovers JSON fields by itself), else the first level word in
the text; `line_level` is the same rule in Python, for counting in the service where Logs
Insights is not available, so both ways count the same levels.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from log_analyzer.logs.structured import json_object

LEVEL_FIELDS = ("level", "lvl", "severity", "log.level", "levelname", "loglevel")
"""JSON fields holding a level, in the order they are tried (``log.level`` is nested)."""
LEVEL_WORDS = (
    "fatal", "panic", "critical", "crit", "error", "severe", "warning", "warn", "notice", "info",
    "debug", "trace",
)  # fmt: skip
"""Words naming a level, longest first where one starts another (``warning`` before ``warn``)."""
_WORD = re.compile(r"(?i)\b(" + "|".join(LEVEL_WORDS) + r")\b")


def line_level(message: str) -> str:
    """The level value of one event ("" when it names none)."""
    if message[:1] == "{":
        fields = json_object(message)
        if fields is not None:
            for name in LEVEL_FIELDS:
                value = _field(fields, name)
                if (
                    isinstance(value, str | int | float)
                    and not isinstance(value, bool)
                    and value != ""
                ):
                    return str(value)
    word = _WORD.search(message)
    return word.group(1) if word else ""


def _field(fields: Mapping[str, Any], name: str) -> Any:
    if name in fields:
        return fields[name]
    head, _, rest = name.partition(".")
    inner = fields.get(head) if rest else None
    return inner.get(rest) if isinstance(inner, Mapping) else None
