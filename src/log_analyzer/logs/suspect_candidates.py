"""The candidates for a suspect: every pattern, and every change no pattern holds.

A change found before an onset is matched to the window's pattern of the same message, however
each was masked (:func:`shape`); :mod:`log_analyzer.logs.suspects` scores the candidates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from log_analyzer.logs.changes import Change
from log_analyzer.logs.condense import Pattern
from log_analyzer.logs.levels import Level
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
            found.append(
                Candidate(
                    None,
                    change.template,
                    change.level,
                    change.sources,
                    change.first_ns,
                    change.recent,
                    True,
                    change,
                )
            )
    return found


def shape(template: str) -> str:
    """``template`` with every value alike: the same message, however it was masked.

    The window's miner may have widened a value to ``<*>`` where the lines before an onset
    kept ``<HEX>:`` or ``c<NUM>:`` (a hex id's letters and the colon after it).
    """
    return _VALUE.sub("<*>", template)
