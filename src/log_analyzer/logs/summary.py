"""Numbers about the fetched logs, computed here so the model never has to invent them.

Two kinds of number live here and are never mixed up. `fetched`, `by_level`, `by_source`,
`top_messages` and the patterns count the entries the store returned: when it stopped at the
request's limit the window holds more, `sampled` says so, and every renderer must label them a
sample. `totals` and `series` come from the store's count queries over the whole window: they are
true totals, whatever the limit.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from log_analyzer.logs.changes import Change
from log_analyzer.logs.condense import Pattern
from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import NormalizedEntry
from log_analyzer.logs.suspects import Suspect
from log_analyzer.logs.totals import Series, Spike, Totals


@dataclass(frozen=True, slots=True)
class MessageCount:
    """A distinct message and how often it was fetched."""

    message: str
    level: Level
    count: int
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LogSummary:
    """What was fetched, by level, by source, and the most frequent messages."""

    start_ns: int
    end_ns: int
    query: str
    """The store's own text of the entries query."""
    limit: int
    fetched: int
    distinct: int
    by_level: tuple[tuple[Level, int], ...]
    by_source: tuple[tuple[str, int], ...]
    top_messages: tuple[MessageCount, ...]
    truncated_lines: int
    redactions: int
    malformed: int
    sampled: bool
    """The store stopped at the limit, so the window holds more lines than were fetched."""
    source: str = ""
    """The store's name (``loki``)."""
    patterns: tuple[Pattern, ...] = ()
    """Every pattern of the fetched entries, in priority order (ids P1, P2, ...)."""
    totals: Totals | None = None
    """True totals over the window, by level and source; None when the count query failed."""
    series: Series | None = None
    """True line counts per time bucket; None when the count query failed."""
    series_query: str = ""
    """The store's own text of the query that counted the buckets."""
    spikes: tuple[Spike, ...] = ()
    totals_error: str | None = None
    """Why true totals are missing, when they are."""
    onset_lines: int = 0
    """Of `fetched`, lines from the window's oldest end (added because the store hit the limit)."""
    onset_error: str | None = None
    """Why the window's oldest lines could not be fetched, when that failed."""
    over_limit: int = 0
    """Entries the store sent beyond the limit, dropped (the newest `limit` were kept)."""
    cut_at_bytes: int | None = None
    """The store's answer was longer than the byte cap: only this many bytes of it were read."""
    joined_lines: int = 0
    """Lines that continued the entry before them (a split stack trace), joined to it."""
    onsets_ns: tuple[int, ...] = ()
    """Where the window's errors rose (a spike's start, or the first errors), to 10 s."""
    changes: tuple[Change, ...] = ()
    """Templates new or much louder just before an onset, at any level."""
    changes_note: str | None = None
    """Why there are no changes to show (no onset, nothing changed, a failed query)."""
    suspects: tuple[Suspect, ...] = ()
    """The likely causes, ranked by code, with their reasons."""
    covered: bool = False
    """A sampled window's every matching line is in a known pattern anyway: a coverage pass
    that left out the known patterns' lines read all the rest (an unsampled window is always
    covered)."""
    coverage_passes: int = 0
    """Queries of the window without the known patterns' lines, after the first fetch."""
    coverage_lines: int = 0
    """Of `fetched`, lines the coverage passes added."""
    excluded_texts: int = 0
    """Texts (one per known pattern) the last coverage pass left out."""
    coverage_error: str | None = None
    """Why a coverage pass failed, when one did."""

    @property
    def queries(self) -> tuple[str, ...]:
        """The store's text of every query behind the numbers, in the order they are shown."""
        found = [self.query]
        if self.totals is not None and self.totals.query:
            found.append(self.totals.query)
        if self.series is not None and self.series_query:
            found.append(self.series_query)
        return tuple(dict.fromkeys(found))


def _prominence(entry: NormalizedEntry) -> tuple[int, int, int]:
    """Most frequent first, then most severe, then most recent."""
    return (-entry.count, entry.level.rank, -entry.last_ns)


def summarize(
    entries: Sequence[NormalizedEntry],
    *,
    start_ns: int,
    end_ns: int,
    query: str,
    limit: int,
    redactions: int = 0,
    malformed: int = 0,
    sampled: bool | None = None,
    source: str = "",
    top: int = 10,
    patterns: tuple[Pattern, ...] = (),
    totals: Totals | None = None,
    series: Series | None = None,
    series_query: str = "",
    spikes: tuple[Spike, ...] = (),
    totals_error: str | None = None,
    onset_lines: int = 0,
    onset_error: str | None = None,
) -> LogSummary:
    """Count the normalized entries by level and source and pick the `top` most frequent.

    ``sampled`` defaults to whether the store returned ``limit`` entries (malformed ones too).
    """
    levels: dict[Level, int] = {}
    sources: dict[str, int] = {}
    fetched = truncated = 0
    for entry in entries:
        count = entry.count
        fetched += count
        levels[entry.level] = levels.get(entry.level, 0) + count
        if entry.truncated:
            truncated += count
        for name, lines in entry.source_counts:
            sources[name] = sources.get(name, 0) + lines
    ranked = heapq.nsmallest(top, entries, key=_prominence)
    return LogSummary(
        start_ns=start_ns,
        end_ns=end_ns,
        query=query,
        limit=limit,
        fetched=fetched,
        distinct=len(entries),
        by_level=tuple(sorted(levels.items(), key=lambda kv: kv[0].rank)),
        # Most lines first; ties keep the order sources were first met in (stable sort).
        by_source=tuple(sorted(sources.items(), key=lambda kv: -kv[1])),
        top_messages=tuple(MessageCount(e.message, e.level, e.count, e.sources) for e in ranked),
        truncated_lines=truncated,
        redactions=redactions,
        malformed=malformed,
        sampled=fetched + malformed >= limit if sampled is None else sampled,
        source=source,
        patterns=patterns,
        totals=totals,
        series=series,
        series_query=series_query,
        spikes=spikes,
        totals_error=totals_error,
        onset_lines=onset_lines,
        onset_error=onset_error,
    )


def cut_notes(s: LogSummary) -> tuple[str, ...]:
    """What was cut from the store's answer before it was read, in words (none: empty)."""
    store = s.source or "the store"
    notes = []
    if s.cut_at_bytes is not None:
        notes.append(
            f"{store}'s answer was larger than SOURCE_MAX_RESPONSE_BYTES; only its first "
            f"{s.cut_at_bytes:,} bytes were read"
        )
    if s.over_limit:
        notes.append(
            f"{store} sent {s.over_limit:,} entries beyond the limit of {s.limit:,}; only the "
            f"newest {s.limit:,} were kept"
        )
    return tuple(notes)


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of the window's matching lines the patterns account for, in numbers and words."""

    lines_total: int | None
    """Matching lines in the window: the store's true count, or the lines read when they were
    all read; None when neither is known."""
    lines_seen: int
    """Lines read and put in a pattern (continuation lines included)."""
    patterns: int
    complete: bool
    """Every matching line in the window was read, so every one is in a pattern."""
    statement: str


def coverage_of(s: LogSummary) -> Coverage:
    """The coverage of a summary (see `Coverage`)."""
    seen = s.fetched + s.joined_lines
    patterns = len(s.patterns)
    noun = "pattern" if patterns == 1 else "patterns"
    skipped = f" ({s.malformed:,} malformed entries were skipped)" if s.malformed else ""
    if not s.sampled:
        statement = f"all {seen:,} matching lines are in these {patterns:,} {noun}{skipped}"
        return Coverage(seen, seen, patterns, True, statement)
    total = s.totals.total if s.totals is not None else None
    passes = s.coverage_passes
    queries = f"{passes + 1} queries" if passes else "one query"
    if s.covered:
        # The last pass left out the known patterns' lines and still read everything else.
        rest = (
            f"; the other {total - seen:,} were left out of the last query by the text of "
            f"{s.excluded_texts:,} known {'pattern' if s.excluded_texts == 1 else 'patterns'}"
            if total is not None and total > seen
            else ""
        )
        everything = f"all {total:,}" if total is not None else "all"
        statement = (
            f"{everything} matching lines are in these {patterns:,} {noun}: {seen:,} read in "
            f"{queries}{rest}{skipped}"
        )
        return Coverage(total, seen, patterns, True, statement)
    of = f" of {total:,}" if total is not None else " (the total is unknown)"
    statement = f"sampled: {seen:,}{of} matching lines seen in {queries}, in {patterns:,} {noun}"
    if passes:
        statement += "; the coverage passes ran out before every line was in a known pattern"
    if s.coverage_error:
        statement += f"; a coverage pass failed: {s.coverage_error}"
    return Coverage(total, seen, patterns, False, statement)
