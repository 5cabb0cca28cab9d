"""The candidates for a suspect: every pattern, and every change no pattern holds.

A change found before an onset is matched to the window's pattern of the same message, however
each was masked (:func:`shape`); one no pattern holds counts its lines before the onset, or, if
the window fetched a line of it (a trace's last line), that line's pattern's.
:mod:`log_analyzer.logs.suspects` scores the candidates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from log_analyzer.logs.changes import Change
from log_analyzer.logs.condense import Pattern
from log_analyzer.logs.levels import Level
from log_analyzer.logs.masking import mask_message
from log_analyzer.logs.services import names_in, service_names

# A placeholder with what masking may leave stuck to it: the letters before it (an id's hex
# letters, ``c<NUM>``) and the punctuation after it (``<HEX>:``), but not a key (``uid=<NUM>``).
_VALUE = re.compile(r"[A-Za-z0-9]*<(?:\*|[A-Z]+(?::[A-Z]+)?)>[^\s=]*")


@dataclass
class Candidate:
    """One pattern or change being scored, with the names its text and sources hold."""

    pattern: str | None
    text: str
    level: Level
    sources: tuple[str, ...]
    first_ns: int
    count: int
    new: bool
    change: Change | None = None
    words: frozenset[str] = frozenset()
    """The names its text holds, lower case (what `pointed_at_by` looks for)."""
    services: tuple[tuple[str, ...], ...] = ()
    """`service_names` of each of its sources."""

    def __post_init__(self) -> None:
        self.words = names_in(self.text)
        self.services = tuple(service_names(source) for source in self.sources)


def candidates_of(patterns: Sequence[Pattern], changes: Sequence[Change]) -> list[Candidate]:
    """Every pattern, holding the change found for it if any, then the changes no pattern holds."""
    by_template = {pattern.template: pattern for pattern in patterns}
    # The changes are mined from other lines than the patterns, so one message may be masked
    # differently there (``<HEX>`` where the window's miner widened it to ``<*>``).
    by_shape: dict[str, Pattern] = {}
    for each in patterns:
        by_shape.setdefault(shape(each.template), each)
    found = [
        Candidate(p.id, p.template, p.level, p.sources, p.first_ns, p.count, p.new)
        for p in patterns
    ]
    index = {candidate.pattern: candidate for candidate in found}
    for change in changes:
        pattern = by_template.get(change.template) or by_shape.get(shape(change.template))
        if pattern is not None:
            candidate = index[pattern.id]
            candidate.change = change
            candidate.first_ns = min(candidate.first_ns, change.first_ns)
        else:
            # An event the window's filter fetched a line of: as many as that line's pattern.
            seen = _trace_line_pattern(change, by_shape)
            count = max(change.recent, seen.count) if seen is not None else change.recent
            found.append(
                Candidate(
                    None,
                    change.template,
                    change.level,
                    change.sources,
                    change.first_ns,
                    count,
                    True,
                    change,
                )
            )
    return found


def _trace_line_pattern(change: Change, by_shape: dict[str, Pattern]) -> Pattern | None:
    """The window's pattern of a line of the event ``change`` is, from the same source.

    The lines before an onset are read whole, so a trace is one event there, its template its
    head (and exception); the window's line filter may have fetched only some of its lines (an
    uncaught ``httpx.PoolTimeout`` without its ``Traceback (most recent call last):``), each a
    pattern of its own, whose count is then how often the window holds the event. The head
    line is tried first, then the others from the last.
    """
    head, *rest = change.example.splitlines() or [""]
    for line in (head, *reversed(rest)):
        pattern = by_shape.get(shape(mask_message(line.strip())))
        if pattern is not None and set(pattern.sources) & set(change.sources):
            return pattern
    return None


def shape(template: str) -> str:
    """``template`` with every value alike: the same message, however it was masked.

    The window's miner may have widened a value to ``<*>`` where the lines before an onset
    kept ``<HEX>:`` or ``c<NUM>:`` (a hex id's letters and the colon after it).
    """
    return _VALUE.sub("<*>", template)
