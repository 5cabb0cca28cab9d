"""The CPU work of an analysis, run in a worker process: decode, normalize, redact, condense.

Everything here is pure and picklable both ways: the store's undecoded answers and counts go
in, the summary (numbers, patterns) and the evidence lines come out. Spans cannot be started in
a worker, so each step is timed and returned (`analysis.steps`); the caller turns the steps
into child spans of its own.

The step runs with the cyclic garbage collector paused: it builds one object per line and
keeps them all alive, and without the pause the collector walks them again and again although
they hold no reference cycles (about a fifth of the step's time on 100,000 lines; `bench/`).
Reference counting still frees everything as usual.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from operator import attrgetter

from log_analyzer.analysis.steps import Step, Steps
from log_analyzer.core.runtime import gc_paused
from log_analyzer.logs.changes import Change
from log_analyzer.logs.condense import condense
from log_analyzer.logs.continuations import regroup_events
from log_analyzer.logs.entries import Row
from log_analyzer.logs.evidence import diversity_order, evidence_line
from log_analyzer.logs.exclusions import choose_exclusions
from log_analyzer.logs.id_skeleton import coarsen, id_skeleton, skeleton
from log_analyzer.logs.normalize import NormalizedEntry, normalize_rows
from log_analyzer.logs.redact import DEFAULT_PII, may_contain_secret, redact, same_for_all_digits
from log_analyzer.logs.summary import LogSummary, summarize
from log_analyzer.logs.suspects import rank_suspects
from log_analyzer.logs.totals import Histogram, Totals, find_spikes
from log_analyzer.sources.base import RawEntries, Window

_DAY_NS = 86_400 * 10**9
_FIRST = attrgetter("first_ns")


@dataclass(frozen=True, slots=True)
class Gathered:
    """What the store answered, not yet decoded, or why a side query has no answer."""

    newest: RawEntries
    oldest: RawEntries | None
    oldest_error: str | None
    totals: Totals | None
    histogram: Histogram | None
    counts_error: str | None
    passes: tuple[RawEntries, ...] = ()
    """Coverage passes: the window again without the lines of the patterns known before each."""
    excluded: tuple[str, ...] = ()
    """The texts the last coverage pass left out (the lines of the patterns known before it)."""


@dataclass(frozen=True, slots=True)
class SummaryWork:
    """Everything an analysis' summary is computed from."""

    source: str
    gathered: Gathered
    window: Window
    limit: int
    max_line_chars: int
    pii: frozenset[str] = DEFAULT_PII
    """Personal data redacted besides secrets (``REDACT_PII``)."""
    more_passes: bool = False
    """Another coverage pass may follow: say which texts it should leave out."""


@dataclass(frozen=True, slots=True)
class SummaryDone:
    """The summary, one evidence line per pattern and the order patterns get room in."""

    summary: LogSummary
    evidence: tuple[str, ...]
    """``evidence[i]`` is the line of ``summary.patterns[i]``."""
    order: tuple[int, ...]
    steps: tuple[Step, ...]
    exclusions: tuple[str, ...] = ()
    """Texts naming the known patterns, for the next coverage pass; empty when none is due."""
    read: frozenset[int] = frozenset()
    """`row_digest` of every entry read, when a coverage pass is due: it tells whether the pass
    read anything new (`entries_new`)."""


def summarize_window(work: SummaryWork) -> SummaryDone:
    """The worker's task for an analysis (see the module docstring)."""
    steps = Steps()
    gathered, window = work.gathered, work.window
    with gc_paused():
        with steps.step("flatten_logs") as attributes:
            newest = gathered.newest.decoded()
            rows, malformed, added = newest.rows, newest.malformed, 0
            # The window's oldest lines matter only when the newest did not cover the window.
            if newest.more and gathered.oldest is not None:
                rows, added = with_oldest(rows, gathered.oldest.decoded().rows)
                attributes["logs.onset_added"] = added
            covered, pass_added = False, 0
            if newest.more and gathered.passes:
                for raw in gathered.passes:
                    decoded = raw.decoded()
                    rows, extra = with_oldest(rows, decoded.rows)
                    pass_added += extra
                covered = not decoded.more
                attributes["logs.coverage_added"] = pass_added
            read_rows = rows
            rows, joined, several = regroup_events(rows)
            attributes["logs.joined_lines"] = joined
            attributes["logs.returned"] = len(newest.rows) + newest.malformed
            attributes["logs.flattened_count"] = len(rows)
            attributes["logs.malformed_count"] = malformed

        with steps.step("normalize_logs") as attributes:
            # Rows come per stream; ordering the distinct messages by first sighting afterwards
            # costs less than sorting every line first.
            cut_redactions: Counter[str] = Counter()  # in over-long lines, before the cut
            normalized = sorted(
                normalize_rows(rows, work.max_line_chars, cut_redactions, pii=work.pii), key=_FIRST
            )
            entries, redactions, skeletons = redact_entries(normalized, work.pii)
            redactions += cut_redactions.total()
            attributes["logs.normalized_count"] = len(entries)
            attributes["logs.redactions"] = redactions

        with steps.step("mine_patterns") as attributes:
            patterns = condense(
                entries,
                window_start_ns=window.start_ns,
                window_end_ns=window.end_ns,
                skeletons=skeletons,
                redacted=True,
                pii=work.pii,
            )
            attributes["logs.patterns"] = len(patterns)

        with steps.step("summarize_logs"):
            summary = summarize(
                entries,
                start_ns=window.start_ns,
                end_ns=window.end_ns,
                query=gathered.newest.query,
                limit=work.limit,
                redactions=redactions,
                malformed=malformed,
                sampled=newest.more,
                source=work.source,
                patterns=patterns,
                onset_lines=added,
                onset_error=gathered.oldest_error if newest.more else None,
            )
            summary = replace(
                summary,
                over_limit=newest.over_limit,
                cut_at_bytes=newest.cut_at_bytes,
                joined_lines=joined,
                covered=covered,
                coverage_passes=len(gathered.passes),
                coverage_lines=pass_added,
                excluded_texts=_excluded(gathered),
            )
            summary = with_counts(
                summary, (gathered.totals, gathered.histogram, gathered.counts_error)
            )
            exclusions: tuple[str, ...] = ()
            if work.more_passes and newest.more and not covered:
                exclusions = choose_exclusions(
                    patterns,
                    [line for _, _, line in read_rows],
                    _excluded_texts(gathered),
                    split=[rows[index][2] for index in several],
                )
                if exclusions == _excluded_texts(gathered):
                    exclusions = ()  # nothing new to leave out: another pass would read the same
            read = (
                frozenset(row_digest(ts, line) for _, ts, line in read_rows) if exclusions else None
            )

            with_date = window.end_ns - window.start_ns > _DAY_NS
            evidence = tuple(evidence_line(p, with_date=with_date) for p in patterns)
            order = tuple(diversity_order(patterns))
        # Freed while the collector is paused, so its first pass afterwards never walks them.
        del rows, read_rows, normalized, entries, skeletons
    return SummaryDone(summary, evidence, order, tuple(steps.done), exclusions, read or frozenset())


@dataclass(frozen=True, slots=True)
class OnsetsDone:
    """Where the errors rose, what changed just before, or why nothing is said of it."""

    onsets_ns: tuple[int, ...] = ()
    changes: tuple[Change, ...] = ()
    note: str | None = None
    steps: tuple[Step, ...] = ()


Counted = tuple[Totals | None, Histogram | None, str | None]
"""Totals by level and source, lines per bucket, and why either is missing."""


def with_counts(summary: LogSummary, counted: Counted) -> LogSummary:
    """``summary`` with the window's true counts, its spikes, or why the counts are missing."""
    totals, histogram, error = counted
    series = histogram.series() if histogram is not None else None
    return replace(
        summary,
        totals=totals,
        series=series,
        series_query=histogram.query if histogram is not None else "",
        spikes=find_spikes(series) if series is not None else (),
        totals_error=error,
    )


@dataclass(frozen=True, slots=True)
class FinishWork:
    """A window's summary, its true counts and what changed before its onsets."""

    done: SummaryDone
    counted: Counted
    onsets: OnsetsDone


def finish_window(work: FinishWork) -> SummaryDone:
    """The worker's last task for an analysis: counts joined, suspects ranked and put first.

    The true counts and the changes before the onsets were asked for while the window's lines
    were read and mined; they meet the summary here.
    """
    steps = Steps()
    done, onsets = work.done, work.onsets
    patterns = done.summary.patterns
    with steps.step("rank_suspects") as attributes:
        suspects = rank_suspects(patterns, onsets.changes, onsets.onsets_ns)
        attributes["logs.suspects"] = len(suspects)
        summary = replace(
            with_counts(done.summary, work.counted),
            onsets_ns=onsets.onsets_ns,
            changes=onsets.changes,
            changes_note=onsets.note,
            suspects=suspects,
        )
        position = {p.id: i for i, p in enumerate(patterns)}
        first = [position[s.pattern] for s in suspects if s.pattern in position]
        order = tuple(dict.fromkeys([*first, *done.order]))
    return replace(done, summary=summary, order=order, steps=tuple(steps.done))


@dataclass(frozen=True, slots=True)
class PassWork:
    """A coverage pass's answer, and the digests of the entries read before it."""

    raw: RawEntries
    read: frozenset[int]


def entries_new(work: PassWork) -> tuple[int, bool]:
    """How many entries of a pass were not read before, and whether the pass hit its limit.

    A malformed entry cannot be told apart from one read before, so it counts as new.
    """
    decoded = work.raw.decoded()
    read = work.read
    new = sum(row_digest(ts, line) not in read for _, ts, line in decoded.rows)
    return new + decoded.malformed, decoded.more


def row_digest(ts: int, line: str) -> int:
    """An entry's time and a 64-bit digest of its line, as one number (for `SummaryDone.read`).

    The digest is BLAKE2b: unlike `hash`, it is the same in every process, and two different
    lines of one nanosecond share it with odds of 2**-64.
    """
    digest = hashlib.blake2b(line.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return (ts << 64) | int.from_bytes(digest, "big")


def _excluded_texts(gathered: Gathered) -> tuple[str, ...]:
    """The texts the last coverage pass left out."""
    return gathered.excluded if gathered.passes else ()


def _excluded(gathered: Gathered) -> int:
    return len(_excluded_texts(gathered))


def with_oldest(rows: list[Row], oldest: list[Row]) -> tuple[list[Row], int]:
    """``rows`` plus the ``oldest`` rows not already among them, and how many were added."""
    seen = {(ts, line) for _, ts, line in rows}
    extra = [row for row in oldest if (row[1], row[2]) not in seen]
    return rows + extra, len(extra)


def redact_entries(
    entries: Sequence[NormalizedEntry], pii: frozenset[str] = DEFAULT_PII
) -> tuple[tuple[NormalizedEntry, ...], int, list[bytes]]:
    """Redact every entry; also return the id_skeleton of each resulting message, for the miner.

    Whether a message may hold a secret, and mostly whether one is found, depends on its
    skeleton only (see `redact.same_for_all_digits`), so messages that differ only in their
    digits are checked once: the common case costs one skeleton and two lookups. Whether one
    may hold a secret depends on its id_skeleton only (no hint reaches into a hex id), so
    messages that differ only in their trace ids or UUIDs are checked once for that too.
    Messages of one id_skeleton share one key object, so the keys kept for the miner take
    little memory, and the miner, which masks them alike, finds them at its first lookup.
    """
    out: list[NormalizedEntry] = []
    keys: list[bytes] = []
    # By skeleton and by id_skeleton: the id_skeleton (one object for all its messages) and
    # whether its messages may hold a secret.
    known: dict[bytes, tuple[bytes, bool]] = {}
    suspect: set[bytes] = set()
    total = 0
    for entry in entries:
        message = entry.message
        key = skeleton(message)
        found = known.get(key)
        if found is None:
            ids = coarsen(key)
            found = known.get(ids)
            if found is None:
                found = known[ids] = (ids, may_contain_secret(message, pii=pii))
            known[key] = found
            if found[1]:
                suspect.add(key)
        ids = found[0]
        if key in suspect:
            result = redact(message, pii=pii)
            if result.total:
                total += result.total * entry.count
                entry = entry._replace(message=result.text)
                ids = id_skeleton(result.text)
            elif same_for_all_digits(message, pii=pii):
                suspect.discard(key)  # every message of this skeleton is as clean as this one
        out.append(entry)
        keys.append(ids)
    return tuple(out), total, keys
