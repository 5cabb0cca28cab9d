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

A runtime splits a line longer than its buffer: a CRI runtime into ``P`` parts ended by an ``F``
part (containerd's ``max_container_log_line_size``, 16 KiB by default; CRI-O's conmon reads 8 KiB
at a time), Docker into records whose ``log`` does not end with a newline, the last part's
does (its 16 KiB copy buffer). `unwrap` says which pipe of which container a wrapped line came
from and whether it ends there, for `log_analyzer.logs.reassembly` to put such lines together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from log_analyzer.logs.levels import level_from_fields
from log_analyzer.logs.structured import parse_structured

_RUNTIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}) std(?:out|err) [FP]"
    r"(?: |\Z)"
)
MAYBE_WRAPPED = r'\{.*"log"|' r"\d{4}-\d\d-\d\dT.{8,24} std"
"""A regex that matches at the start of every wrapped line, and of few others: for a pre-check
that is one alternative more in a regex the caller runs over every line anyway."""
INCOMPLETE = " …[incomplete: the rest of this line was not read]"
"""Written after a line a runtime split whose last part was not read; kept through a cut."""
_MESSAGE_KEYS_BEFORE_LOG = ("msg", "message", "@m")
"""The message keys a structured line's message is taken from before ``log``."""
MAX_WRAPPERS = 2
"""Shippers' records read through, one inside the other (a tailer's around Docker's)."""
_SOURCE_KEYS = ("namespace_name", "pod_name", "container_name", "pod_id", "docker_id")
"""The keys of a record's ``kubernetes`` object that name the container it came from."""
_CONTAINER_KEYS = ("container_id", "container_name")
"""The keys of a record that name its container without ``kubernetes`` (Docker's drivers)."""


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


class Unwrapped(NamedTuple):
    """A wrapped line: the application's line, where it came from and whether it ends there."""

    line: str
    """The application's line, without the record's final newline."""
    source: tuple[str, ...]
    """The pipe (``stdout``, ``stderr``, or empty when the wrapper names none) and the
    container the records name, if any: lines of one store stream may come from several."""
    complete: bool
    """False when the runtime split a longer line here and the next part continues it."""
    by_newline: bool
    """Whether `complete` was read from a record's final newline (Docker's), not from a CRI
    tag: a missing newline means a split line only where the pipe's other records have one."""
    written: str
    """The time the innermost wrapper names (the runtime's, as it wrote the line), or empty."""


def unwrap(text: str) -> Unwrapped | None:
    """The line inside ``text``'s wrappers, as `runtime_prefix` and `shipped_line` read them.

    None when ``text`` is not wrapped. Records are read through `MAX_WRAPPERS` deep, as
    normalizing reads them, then a CRI prefix inside the innermost.
    """
    source: list[str] = []
    stream = written = ""
    complete, by_newline, wrapped = True, False, False
    for depth in range(MAX_WRAPPERS + 1):
        cut = runtime_prefix(text)
        if cut:
            head = text[:cut].rstrip()
            stream, tag = head[-8:-2], head[-1]
            return Unwrapped(text[cut:], (stream, *source), tag == "F", False, head[:-9])
        record = text.strip()
        if depth == MAX_WRAPPERS or record[:1] != "{":
            break
        fields = parse_structured(record)
        if fields is None or level_from_fields(fields) is not None:
            break
        line = shipped_line(fields)
        if line is None:
            break
        wrapped = True
        stream = _text(fields.get("stream")) or _text(fields.get("source")) or stream
        written = _text(fields.get("time")) or written
        source.extend(_source(fields))
        complete, by_newline = line.endswith("\n"), True
        text = line[:-1] if complete else line
    return Unwrapped(text, (stream, *source), complete, by_newline, written) if wrapped else None


def _source(fields: Mapping[str, Any]) -> list[str]:
    """What a record says of the container it came from, as ``key=value`` texts."""
    kubernetes = fields.get("kubernetes")
    found = [f"{key}={fields[key]}" for key in _CONTAINER_KEYS if _text(fields.get(key))]
    if isinstance(kubernetes, Mapping):
        found += [f"{key}={kubernetes[key]}" for key in _SOURCE_KEYS if _text(kubernetes.get(key))]
    return found


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
