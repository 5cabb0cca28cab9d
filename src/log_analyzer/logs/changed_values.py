"""A number that every line of a template held alike before the onset, and one line changed.

Masking makes ``requests_per_unit=500`` and ``requests_per_unit=5`` one template, so a
configuration re-applied every minute hides the one push that cut a limit: its template is
neither new nor louder. Its lines are compared number by number instead: a number that every
line of the same wording held alike in the baseline (a limit, a size, a timeout), and that a
line just before the onset holds differently, changed. Numbers that vary in the baseline (ids,
revisions, durations, counts) say nothing, and a wording seen too seldom there says nothing
either. Pure; :mod:`log_analyzer.logs.changes` reports what it finds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from log_analyzer.logs.normalize import NormalizedEntry

_DIGITS = re.compile(r"\d+")
MIN_SAME_LINES = 3
"""The baseline lines of one wording that must all hold a number alike for it to be settled."""


def changed_value(
    recent: Sequence[NormalizedEntry], baseline: Sequence[NormalizedEntry]
) -> NormalizedEntry | None:
    """The first entry of ``recent`` holding a number its wording always held otherwise.

    A wording is the message with each run of digits alike; ``baseline`` must hold at least
    `MIN_SAME_LINES` lines of it, all with one value at that place. None when no entry has.
    """
    settled = _settled(baseline)
    if not settled:
        return None
    for entry in sorted(recent, key=lambda entry: entry.first_ns):
        wording = _DIGITS.sub("#", entry.message)
        places = settled.get(wording)
        if places is None:
            continue
        numbers = _DIGITS.findall(entry.message)
        if any(numbers[place] != value for place, value in places):
            return entry
    return None


def _settled(baseline: Sequence[NormalizedEntry]) -> dict[str, tuple[tuple[int, str], ...]]:
    """Per wording seen `MIN_SAME_LINES` times, the places whose number never varied."""
    lines: dict[str, int] = {}
    values: dict[str, list[set[str]]] = {}
    for entry in baseline:
        numbers = _DIGITS.findall(entry.message)
        if not numbers:
            continue
        wording = _DIGITS.sub("#", entry.message)
        lines[wording] = lines.get(wording, 0) + entry.count
        seen = values.get(wording)
        if seen is None:  # (setdefault would build the sets for every line)
            seen = values[wording] = [set() for _ in numbers]
        for place, number in enumerate(numbers):
            seen[place].add(number)
    settled = {}
    for wording, seen in values.items():
        places = tuple((place, next(iter(v))) for place, v in enumerate(seen) if len(v) == 1)
        if lines[wording] >= MIN_SAME_LINES and places:
            settled[wording] = places
    return settled
