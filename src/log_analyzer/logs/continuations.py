"""Multi-line events: lines a container runtime split apart, joined again.

A runtime writes each line of a stack trace as an entry of its own; the trace is one event, so
its frames, causes and a Python traceback's lines are joined to the line that logged it, inside
a runtime's or a shipper's wrapper too (`log_analyzer.logs.reassembly`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from log_analyzer.logs.entries import STORE_LEVEL, Row
from log_analyzer.logs.reassembly import Lines, is_wrapped, pipes

JOIN_WITHIN_NS = 1_000_000_000
"""The longest gap between two lines of one event: a program writes a trace's lines at once."""

# Lines that continue the entry before them in the same stream, when a container runtime split a
# multi-line event (a stack trace) into one entry per line: frames, causes, elisions, a Python
# traceback's lines, and a Java exception's header right after the line that logged it.
_CONTINUATION = re.compile(
    r"(?:\s+at\s|\s*\.\.\. \d+ (?:more|common frames omitted)|\s*Caused by:|\s*Suppressed:"
    r"|Traceback \(most recent call last\):|\s+File \"[^\"\n]*\", line \d+"
    r"|During handling of the above exception|The above exception was the direct cause"
    r"|(?:[\w$]+\.)+[\w$]*(?:Error|Exception|Throwable)\b(?::|$)"
    r"|goroutine \d+ \[[^\]\n]*\]:$|\s+\S+\.go:\d+(?: \+0x[0-9a-f]+)?$)"
)
# Inside a Go goroutine dump, the function lines (``main.(*Server).handle(0xc0001, ...)``,
# ``created by net/http.(*Server).Serve in goroutine 1``) continue it too.
_GO_FRAME = re.compile(r"(?:created by \S|(?:[\w.-]+/)*[\w-]+\.[\w.*()$\[\]-]*\(.*\)$)")
# A Python traceback's code lines and final exception line continue it too, and so do the blank
# lines around the sentence that chains one traceback to the next.
_INDENTED = re.compile(r"\s{2,}\S")
_NAMED = re.compile(r"[A-Za-z_][\w.]*(?::|$)")  # UploadFailed: ..., or KeyboardInterrupt
_CHAINING = re.compile(r"During handling of the above|The above exception was the direct cause")
# A structured logger writes an event's trace inside its object (structlog's ``exception``, a
# Logback encoder's ``stack_trace``, zap's ``stacktrace``): a trace after a JSON line is another
# event, such as an uncaught exception the interpreter printed beside a JSON log line.
_JSON_OBJECT = re.compile(r"\s*\{.*\}\s*\Z", re.DOTALL)
_RAISED = re.compile(r"[\w.$]+(?:Error|Exception|Warning|Exit|Interrupt)\b")


class Regrouped(NamedTuple):
    """Rows with their split events joined (`regroup_events`)."""

    rows: list[Row]
    joined: int
    """How many rows were joined to the row before them (and are gone)."""
    several: frozenset[int]
    """The indexes in `rows` of the events the store holds as several lines: joined, put
    together from a runtime's parts, or a part whose rest was not read."""


def regroup_events(rows: list[Row]) -> Regrouped:
    """Join continuation lines to the entry they continue, and say which rows were joined.

    Only lines of one stream, each within a second of the line before, are joined, and only
    lines that look like a continuation (`_CONTINUATION`), or that follow one inside a Python
    traceback. Inside a runtime's or a shipper's wrapper, a stream is one pipe of one container,
    and the parts of a line the runtime split are put together first (`reassembly.pipes`). The
    joined entry keeps its first line's time and place; the others are gone. A wrapped entry is
    the application's text alone, without its wrappers: normalizing reads it as it reads the
    wrapped row, without reading the wrappers a second time (`reassembly.handed_over`). A list with
    no continuation line and no wrapped stream comes back as it is.
    """
    wrapped, continued = _survey(rows)
    if not wrapped and not continued:
        return Regrouped(rows, 0, frozenset())
    replaced: dict[int, str] = {}
    dropped: set[int] = set()
    whole: set[int] = set()  # rows that hold several of the store's lines
    for positions, holds_wrapped in _streams(rows, wrapped):
        for lines in pipes(rows, positions, wrapped=holds_wrapped):
            _join(lines, replaced, dropped, whole)
    out: list[Row] = []
    several: list[int] = []
    for position, (labels, ts, line) in enumerate(rows):
        if position in dropped:
            continue
        if position in whole:
            several.append(len(out))
        out.append((labels, ts, replaced.get(position, line)))
    return Regrouped(out, len(dropped), frozenset(several))


def _survey(rows: list[Row]) -> tuple[set[int], bool]:
    """The `id`s of the labels of the store streams that are wrapped, and whether a line continues.

    A wrapper is the runtime's or the shipper's, so every line of a store stream has one or
    none: its first line tells. That costs an identity test per row (in the loop that looks for
    a continuation anyway), where a test of every line for a shipper's ``"log"`` key would scan
    each JSON line.
    """
    wrapped: set[int] = set()
    seen: set[int] = set()
    continued = False
    last = None
    for labels, _, line in rows:
        if labels is not last:
            last = labels
            if id(labels) not in seen:
                seen.add(id(labels))
                if is_wrapped(line):
                    wrapped.add(id(labels))
        if not continued and _CONTINUATION.match(line):
            continued = True
    return wrapped, continued


def _join(lines: Lines, replaced: dict[int, str], dropped: set[int], whole: set[int]) -> None:
    """Join the continuation lines of one pipe.

    Rows joined go into ``dropped``, new texts by row into ``replaced``, and rows that hold
    several of the store's lines into ``whole``.
    """
    texts, times = lines.texts, lines.times
    joined: dict[int, list[str]] = {}
    head = previous = -1
    in_traceback = in_goroutine = chained = after_frame = structured = False
    for index, line in enumerate(texts):
        near = previous >= 0 and times[index] - times[previous] <= JOIN_WITHIN_NS
        blank = not line.strip()
        indented = in_traceback and _INDENTED.match(line) is not None
        # The final line of a Python traceback: its exception, right after a frame's code.
        raised = in_traceback and (
            _RAISED.match(line) is not None or (after_frame and _NAMED.match(line) is not None)
        )
        continues = (
            near
            and not structured
            and (
                _CONTINUATION.match(line) is not None
                or indented
                or raised
                or (in_goroutine and _GO_FRAME.match(line) is not None)
                or (chained and blank)
            )
        )
        after_frame = continues and indented
        if continues:
            joined.setdefault(head, [texts[head]]).append(line)
            dropped.add(lines.positions[index])
            in_traceback = in_traceback or line.startswith("Traceback (")
            in_goroutine = in_goroutine or line.startswith("goroutine ")
            if raised:
                in_traceback = False
                chained = True  # another traceback may be chained to it
            elif not blank:
                chained = _CHAINING.match(line) is not None
        else:
            head = index
            structured = _JSON_OBJECT.match(line) is not None
            in_traceback = line.startswith("Traceback (")
            in_goroutine = line.startswith("goroutine ")
            chained = False
        previous = index
    dropped.update(lines.parts)
    for index in lines.unwrapped:
        replaced[lines.positions[index]] = texts[index]
    for index in lines.rewritten:
        replaced[lines.positions[index]] = texts[index]
        whole.add(lines.positions[index])
    for index, joined_lines in joined.items():
        replaced[lines.positions[index]] = "\n".join(joined_lines)
        whole.add(lines.positions[index])


def _streams(rows: list[Row], wrapped: set[int]) -> list[tuple[list[int], bool]]:
    """The positions of ``rows`` per stream, each in time order, and whether it is ``wrapped``.

    A stream is its labels less the level a store detected (`STORE_LEVEL`): a store that
    detects levels sends a trace's first line (``error``) and its frames (no level) as two
    streams, yet they are one container's output. Each store stream is put in time order on its
    own first (one sent newest first is reversed, so lines of equal time keep their order).
    A stream is wrapped when one of its store streams' labels is in ``wrapped`` (by `id`).
    """
    keys: dict[int, tuple[tuple[str, str], ...]] = {}
    per_labels: dict[int, list[int]] = {}
    for position, (labels, _, _) in enumerate(rows):
        per_labels.setdefault(id(labels), []).append(position)
        if id(labels) not in keys:
            keys[id(labels)] = tuple(sorted((k, v) for k, v in labels.items() if k != STORE_LEVEL))
    merged: dict[tuple[tuple[str, str], ...], list[int]] = {}
    merged_wrapped: set[tuple[tuple[str, str], ...]] = set()
    for label_id, positions in per_labels.items():
        if rows[positions[0]][1] > rows[positions[-1]][1]:
            positions.reverse()
        merged.setdefault(keys[label_id], []).extend(positions)
        if label_id in wrapped:
            merged_wrapped.add(keys[label_id])
    for positions in merged.values():
        positions.sort(key=lambda position: rows[position][1])
    return [(positions, key in merged_wrapped) for key, positions in merged.items()]
