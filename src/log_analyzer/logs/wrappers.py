r"""Wrapped lines: the application's line inside what a container runtime or a shipper wrote.

A store often keeps the wrapper rather than the line. CRI runtimes (containerd, CRI-O) write
each line to the node's file as ``<RFC 3339 time> <stdout|stderr> <tag> <line>``, the tag ``F``
for a whole line and ``P`` for a part of a longer one, and a shipper that does not parse that
(Promtail or Alloy without their ``cri`` stage, a plain file tailer) sends it as it is. Docker's
json-file driver writes ``{"log":"<line>\n","stream":"stderr","time":...}``; Fluent Bit and
Fluentd keep that record, often with ``kubernetes`` metadata beside it (CloudWatch Container
Insights stores exactly this), and a Fluent Bit tail without a parser puts the CRI line itself
in ``log``. The level and the message are the inner line's. The wrapper's stream says which pipe
the line was written to, never its severity: most programs write everything to one of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_RUNTIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}) std(?:out|err) [FP]"
    r"(?: |\Z)"
)
_MESSAGE_KEYS_BEFORE_LOG = ("msg", "message", "@m")
"""The message keys a structured line's message is taken from before ``log``."""


def runtime_prefix(text: str) -> int:
    """How many leading characters of ``text`` are a CRI runtime's prefix (0 when none)."""
    # Most lines are rejected before the regex, which costs a microsecond to fail on a line that
    # opens with an ISO time: the stream's name follows a time of 20 to 35 characters.
    if text[10:11] != "T" or text.find(" std", 19, 40) < 0:
        return 0
    match = _RUNTIME.match(text)
    return 0 if match is None else match.end()


def shipped_line(fields: Mapping[str, Any]) -> str | None:
    """The application's line a shipper's JSON record holds in ``log``, or None.

    A record is such a wrapper when ``log`` is its message: a text, and no ``msg`` or
    ``message`` text beside it. Whether the record names a level of its own (then it is the
    application's own JSON, whose message key happens to be ``log``) is the caller's check.
    """
    line = fields.get("log")
    if not isinstance(line, str):
        return None
    if any(isinstance(fields.get(key), str) for key in _MESSAGE_KEYS_BEFORE_LOG):
        return None
    return line
