"""The lines of one store stream as the application wrote them: per pipe, split lines whole.

A store stream can hold wrapped lines (`log_analyzer.logs.wrappers`) of both pipes of a
container, or, when a shipper sends every container's records to one stream, of several
containers. Each pipe of each container is its own sequence of lines, and within it the parts a
runtime split a long line into (CRI ``P`` parts ended by an ``F`` part; Docker records whose
``log`` lacks its final newline) are put back together, in order. The next row of a pipe after a
part continues its line however late it came: a runtime writes a part when its read of the pipe
ends without a newline (CRI-O's conmon after each read, so an application that writes a line in
pieces, a progress line say, leaves parts seconds apart), and only the rest of that line can
follow it in that pipe. A line whose last part is not among the rows (the window or the limit
ended first) is kept with `INCOMPLETE` at its end, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from log_analyzer.logs.clock import iso_ns
from log_analyzer.logs.entries import Row
from log_analyzer.logs.wrappers import INCOMPLETE, MAYBE_WRAPPED, Unwrapped, unwrap

_MAYBE_WRAPPED = re.compile(MAYBE_WRAPPED).match


class Lines(NamedTuple):
    """The lines of one pipe of one container, in time order, each one or more rows."""

    positions: list[int]
    """The position of each line's (first) row."""
    texts: list[str]
    """Each line's text: the row's line, or for a wrapped row the application's line."""
    times: list[int]
    """Each line's time in nanoseconds, to measure the gap between two lines."""
    parts: list[int]
    """The positions of the rows after the first of a line put together from parts."""
    rewritten: list[int]
    """The indexes of lines whose text is not their row's line: put together, or incomplete."""
    unwrapped: list[int]
    """The indexes of the other lines of wrapped rows, whose text normalizing reads as it reads
    their row (`handed_over`): the wrappers are read once, here."""


def is_wrapped(line: str) -> bool:
    """Whether ``line`` is wrapped by a runtime or a shipper (`unwrap` reads it)."""
    return _MAYBE_WRAPPED(line) is not None and unwrap(line) is not None


def pipes(rows: list[Row], positions: list[int], *, wrapped: bool) -> Iterator[Lines]:
    """The lines of one stream (``positions`` of ``rows``, in time order), per pipe.

    Rows that are not wrapped are one sequence, as they are. In a ``wrapped`` stream, a wrapped
    row's application line is read, and rows of different pipes or containers are told apart;
    their times are the wrappers' own when every row of the pipe names one (the runtime's time
    as it wrote the line: a shipper that stamps lines as it reads them can bunch lines written
    far apart, or spread lines written at once), else the store's.
    """
    texts = [rows[position][2] for position in positions]
    if not wrapped:
        yield Lines(positions, texts, [rows[position][1] for position in positions], [], [], [])
        return
    plain: list[int] = []
    per_pipe: dict[tuple[str, ...], list[tuple[int, Unwrapped]]] = {}
    for position, text in zip(positions, texts, strict=True):
        found = unwrap(text) if _MAYBE_WRAPPED(text) else None
        if found is None:
            plain.append(position)
        else:
            per_pipe.setdefault(found.source, []).append((position, found))
    if plain:
        yield Lines(plain, [rows[p][2] for p in plain], [rows[p][1] for p in plain], [], [], [])
    for pipe in per_pipe.values():
        yield _put_together(rows, pipe)


def _put_together(rows: list[Row], found: list[tuple[int, Unwrapped]]) -> Lines:
    """The lines of one pipe's wrapped rows, the parts of each split line joined."""
    written = [iso_ns(item.written) for _, item in found]
    times = (
        [rows[position][1] for position, _ in found]
        if None in written
        else [ns for ns in written if ns is not None]
    )
    # A record without its final newline is a part only where records do end with one: a
    # shipper that strips it from every record leaves no sign of a split line.
    newlines = any(item.by_newline and item.complete for _, item in found)
    lines = Lines([], [], [], [], [], [])
    pieces: list[str] = []
    open_line = False  # the last row was a part of a line not yet ended
    for (position, item), ts in zip(found, times, strict=True):
        if open_line:
            pieces.append(item.line)
            lines.parts.append(position)
        else:
            _end(lines, pieces)
            pieces = [item.line]
            lines.positions.append(position)
            lines.times.append(ts)
        open_line = not (item.complete or (item.by_newline and not newlines))
    if open_line:
        pieces.append(INCOMPLETE)
    _end(lines, pieces)
    return lines


def _end(lines: Lines, pieces: list[str]) -> None:
    """Add the line of ``pieces`` (none at the start) to ``lines``."""
    if not pieces:
        return
    if len(pieces) > 1:
        lines.rewritten.append(len(lines.texts))
    elif handed_over(pieces[0]):
        lines.unwrapped.append(len(lines.texts))
    lines.texts.append("".join(pieces))


def handed_over(line: str) -> bool:
    """Whether normalizing reads a wrapped row's application ``line`` as it reads the row.

    It does unless ``line`` holds a record normalizing would read through too: it reads
    `MAX_WRAPPERS` records deep from the row, and from ``line`` it would read that deep again.
    A record wrapper has a ``log`` key.
    """
    return '"log"' not in line
