"""Multi-line events: lines a container runtime split apart, joined again.

A runtime writes each line of a stack trace as an entry of its own; the trace is one event, so
its frames, causes and a Python traceback's lines are joined to the line that logged it.
"""

from __future__ import annotations

import re

from log_analyzer.logs.entries import STORE_LEVEL, Row

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
_RAISED = re.compile(r"[\w.$]+(?:Error|Exception|Warning|Exit|Interrupt)\b")
_JOIN_WITHIN_NS = 1_000_000_000
"""The longest gap between two lines of one split event: a runtime writes them at once."""


def regroup_continuations(rows: list[Row]) -> tuple[list[Row], int]:
    """Join continuation lines to the entry they continue; return the rows and how many joined.

    Only lines of one stream, each within a second of the line before, are joined, and only
    lines that look like a continuation (`_CONTINUATION`), or that follow one inside a Python
    traceback. The joined entry keeps its first line's time and place; the others are gone.
    A list with no continuation line comes back as it is.
    """
    if not any(_CONTINUATION.match(line) for _, _, line in rows):
        return rows, 0
    joined: dict[int, list[str]] = {}
    dropped: set[int] = set()
    for positions in _streams(rows):
        head = previous = -1
        in_traceback = in_goroutine = chained = after_frame = False
        for position in positions:
            _, ts, line = rows[position]
            near = previous >= 0 and ts - rows[previous][1] <= _JOIN_WITHIN_NS
            blank = not line.strip()
            indented = in_traceback and _INDENTED.match(line) is not None
            # The final line of a Python traceback: its exception, right after a frame's code.
            raised = in_traceback and (
                _RAISED.match(line) is not None or (after_frame and _NAMED.match(line) is not None)
            )
            continues = near and (
                _CONTINUATION.match(line) is not None
                or indented
                or raised
                or (in_goroutine and _GO_FRAME.match(line) is not None)
                or (chained and blank)
            )
            after_frame = continues and indented
            if continues:
                joined.setdefault(head, [rows[head][2]]).append(line)
                dropped.add(position)
                in_traceback = in_traceback or line.startswith("Traceback (")
                in_goroutine = in_goroutine or line.startswith("goroutine ")
                if raised:
                    in_traceback = False
                    chained = True  # another traceback may be chained to it
                elif not blank:
                    chained = _CHAINING.match(line) is not None
            else:
                head = position
                in_traceback = line.startswith("Traceback (")
                in_goroutine = line.startswith("goroutine ")
                chained = False
            previous = position
    out = [
        (labels, ts, "\n".join(joined[position]) if position in joined else line)
        for position, (labels, ts, line) in enumerate(rows)
        if position not in dropped
    ]
    return out, len(dropped)


def _streams(rows: list[Row]) -> list[list[int]]:
    """The positions of ``rows`` per stream, each in time order.

    A stream is its labels less the level a store detected (`STORE_LEVEL`): a store that
    detects levels sends a trace's first line (``error``) and its frames (no level) as two
    streams, yet they are one container's output. Each store stream is put in time order on its
    own first (one sent newest first is reversed, so lines of equal time keep their order).
    """
    keys: dict[int, tuple[tuple[str, str], ...]] = {}
    per_labels: dict[int, list[int]] = {}
    for position, (labels, _, _) in enumerate(rows):
        per_labels.setdefault(id(labels), []).append(position)
        if id(labels) not in keys:
            keys[id(labels)] = tuple(sorted((k, v) for k, v in labels.items() if k != STORE_LEVEL))
    merged: dict[tuple[tuple[str, str], ...], list[int]] = {}
    for label_id, positions in per_labels.items():
        if rows[positions[0]][1] > rows[positions[-1]][1]:
            positions.reverse()
        merged.setdefault(keys[label_id], []).extend(positions)
    streams = list(merged.values())
    for positions in streams:
        positions.sort(key=lambda position: rows[position][1])
    return streams
