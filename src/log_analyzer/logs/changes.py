"""What changed just before things broke: patterns new or much louder before an onset.

The usual causes of an incident (a deploy, a rollout, a restart, a configuration change, a
certificate rotation, a leader election) are seldom logged as errors, so the error filter of an
analysis never sees them. Here every line of a short window before the onset (``recent``) is
compared with every line of a longer window before that (``baseline``): a template with no line
in the baseline is **new**, one whose rate grew at least ``RATE_FACTOR`` times is **louder**,
and one whose lines all held a number alike in the baseline, until a line just before the onset
held another, **changed** (`changed_values`: a limit cut by a configuration re-applied every
minute, which masking makes the same template). All are evidence, at any level, with their time
relative to the onset.

Pure and CPU-bound: it runs in a worker process, on entries already normalized and redacted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from log_analyzer.logs.changed_values import changed_value
from log_analyzer.logs.condense import condense
from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import NormalizedEntry
from log_analyzer.logs.redact import DEFAULT_PII

_WORD = re.compile(r"[^\W\d_]{2}")
"""Two letters in a row: a template without them (blank, ASCII art, a row of dashes) is no
change, however new; a start-up prints a few such lines just before the one that matters."""
RATE_FACTOR = 3.0
"""A template at least this many times more frequent (per second) before the onset is louder
(and more frequent, beyond chance, than in the busiest stretch as long of its baseline)."""
MIN_LOUDER_LINES = 3
"""A louder template needs at least this many lines before the onset (one line is noise)."""
LOUDER_Z = 3.0
"""... and this many standard deviations above the lines its baseline rate predicts (a count
of lines varies by its square root): a line logged once a minute shows 4 times in two minutes
about one time in twenty, and that is no change."""
MAX_CHANGES = 8
EARLIEST_KEPT = 2
"""The new templates seen first before an onset always kept, and listed first, however many
more severe ones followed: a reload logged at info before a dozen new errors is what changed."""


@dataclass(frozen=True, slots=True)
class Change:
    """A template that appeared, or grew loud, in the minutes before an onset."""

    template: str
    level: Level
    kind: str
    """``new`` (no line in the baseline), ``louder`` (its rate grew ``RATE_FACTOR`` times) or
    ``changed`` (a number its lines all held alike in the baseline differs: `changed_value`)."""
    onset_ns: int
    first_ns: int
    """Its first line before the onset (of a ``changed`` one: the first line that changed)."""
    recent: int
    """Its lines in the window just before the onset."""
    baseline: int
    """Its lines in the baseline window before that."""
    example: str
    """One of its lines (of a ``changed`` one: the first that changed), redacted: the values
    the template masks (``new size 1``, ``5s -> 50ms``, ``version=2.4.1``) are often what
    explains the incident."""
    sources: tuple[str, ...]

    @property
    def telling_example(self) -> str | None:
        """The example, when it shows more than the template does; None otherwise."""
        return self.example if self.example and self.example != self.template else None

    @property
    def offset_seconds(self) -> float:
        """How long before the onset it was first seen (negative: before)."""
        return round((self.first_ns - self.onset_ns) / 1e9, 1)

    @property
    def offset_text(self) -> str:
        """The offset in whole seconds, signed (``-40 s``, ``+3 s``), or ``0 s``."""
        seconds = round(self.offset_seconds)
        return f"{seconds:+d} s" if seconds else "0 s"


def changes_before(
    onset_ns: int,
    recent: Sequence[NormalizedEntry],
    baseline: Sequence[NormalizedEntry],
    *,
    recent_seconds: float,
    baseline_seconds: float,
    pii: frozenset[str] = DEFAULT_PII,
) -> tuple[Change, ...]:
    """The templates new, louder or changed in ``recent`` against ``baseline``, most telling first.

    The `EARLIEST_KEPT` new (or changed) ones seen first come first; then the other new ones,
    the most severe and then the closest to the onset first; then louder ones by how much
    louder. At most `MAX_CHANGES`. Both windows are mined together, so a template is the same in
    both.
    """
    if not recent:
        return ()
    entries = [*recent, *baseline]
    split = len(recent)
    patterns = condense(entries, examples=1, redacted=True, pii=pii)
    baseline_end = max((entry.last_ns for entry in baseline), default=0)
    found: list[tuple[tuple[float, ...], Change]] = []
    for pattern in patterns:
        before = [entries[i] for i in pattern.entries if i < split]
        if not before or _WORD.search(pattern.template) is None:
            continue  # not before the onset, or says nothing: a blank line, a banner's art
        recent_lines = sum(entry.count for entry in before)
        baseline_lines = sum(entries[i].count for i in pattern.entries if i >= split)
        level = min((entry.level for entry in before), key=lambda lv: lv.rank)
        first_ns = min(entry.first_ns for entry in before)
        example = pattern.examples[0] if pattern.examples else pattern.template
        if baseline_lines == 0:
            kind = "new"
            order: tuple[float, ...] = (0, level.rank, onset_ns - first_ns)
        else:
            growth = (recent_lines / recent_seconds) / (baseline_lines / baseline_seconds)
            earlier = [entries[i] for i in pattern.entries if i >= split]
            if (
                growth >= RATE_FACTOR
                and _beyond_noise(recent_lines, baseline_lines * recent_seconds / baseline_seconds)
                and _beyond_noise(recent_lines, _busiest(earlier, recent_seconds, baseline_end))
            ):
                kind = "louder"
                order = (1, -growth, level.rank)
            else:
                changed = changed_value(before, earlier)
                if changed is None:
                    continue
                kind, first_ns, example = "changed", changed.first_ns, changed.message
                level = changed.level
                before = [changed]
                order = (0, level.rank, onset_ns - first_ns)
        sources = tuple(sorted({source for entry in before for source in entry.sources}))
        change = Change(
            template=pattern.template,
            level=level,
            kind=kind,
            onset_ns=onset_ns,
            first_ns=first_ns,
            recent=recent_lines,
            baseline=baseline_lines,
            example=example,
            sources=sources,
        )
        found.append((order, change))
    found.sort(key=lambda item: item[0])
    ordered = [change for _, change in found]
    new = [change for change in ordered if change.kind != "louder"]
    earliest = sorted(new, key=lambda change: change.first_ns)[:EARLIEST_KEPT]
    rest = [change for change in ordered if all(change is not first for first in earliest)]
    return tuple([*earliest, *rest][:MAX_CHANGES])


def _busiest(entries: Sequence[NormalizedEntry], seconds: float, end_ns: int) -> float:
    """The most lines of ``entries`` in any stretch of ``seconds`` of a baseline up to ``end_ns``.

    A job that runs every ten minutes writes its burst in the baseline too: the minutes before
    an onset are louder than the baseline's average, not than its busiest stretch. The last
    ``seconds`` before ``end_ns`` are left out: a rise that began a little before the minutes
    before the onset (a leak's GC pauses growing) is the same change, not a usual burst. An
    entry's lines are spread evenly from its first sighting to its last (in `_SPREAD` points
    at most).
    """
    points: list[tuple[int, float]] = []
    for entry in entries:
        parts = min(entry.count, _SPREAD) if entry.last_ns > entry.first_ns else 1
        step = (entry.last_ns - entry.first_ns) / max(parts - 1, 1)
        points.extend((entry.first_ns + int(step * k), entry.count / parts) for k in range(parts))
    width = int(seconds * 1e9)
    points = sorted(point for point in points if point[0] <= end_ns - width)
    busiest = held = 0.0
    start = 0
    for ts, lines in points:
        held += lines
        while points[start][0] <= ts - width:
            held -= points[start][1]
            start += 1
        busiest = max(busiest, held)
    return busiest


_SPREAD = 32


def _beyond_noise(lines: int, expected: float) -> bool:
    """Whether ``lines`` are more than chance around ``expected`` (see `LOUDER_Z`)."""
    return lines >= MIN_LOUDER_LINES and lines >= expected + LOUDER_Z * math.sqrt(
        max(expected, 1.0)
    )
