"""The CPU work on the lines read just before each onset, run in a worker process.

They are read as the analysis reads its own window's lines (`analysis.processing`): joined,
normalized and redacted. From them come the texts that name their patterns, for a second read
past them (`analysis.onsets`), and what is new or louder there than in the usual hour.
"""

from __future__ import annotations

from dataclasses import dataclass

from log_analyzer.analysis.onsets import OnsetEvidence
from log_analyzer.analysis.processing import OnsetsDone, redact_entries, with_oldest
from log_analyzer.analysis.steps import Steps
from log_analyzer.core.runtime import gc_paused
from log_analyzer.logs.changes import Change, changes_before
from log_analyzer.logs.condense import condense
from log_analyzer.logs.continuations import regroup_events
from log_analyzer.logs.entries import Row
from log_analyzer.logs.exclusions import choose_exclusions
from log_analyzer.logs.normalize import NormalizedEntry, normalize_rows
from log_analyzer.logs.redact import DEFAULT_PII
from log_analyzer.sources.base import RawEntries, Window


@dataclass(frozen=True, slots=True)
class OnsetsWork:
    """The lines read just before each onset of the window's errors, to find what changed."""

    evidence: tuple[OnsetEvidence, ...]
    max_line_chars: int
    pii: frozenset[str] = DEFAULT_PII


def onset_exclusions(work: OnsetsWork) -> tuple[tuple[str, ...], ...]:
    """Per onset, texts that name the patterns of the lines read just before it.

    Only where that read stopped at the limit; ``()`` where it read the window whole (see
    `analysis.onsets`).
    """
    found: list[tuple[str, ...]] = []
    with gc_paused():
        for onset in work.evidence:
            decoded = onset.recent.decoded()
            if not decoded.more:
                found.append(())
                continue
            rows, several, entries = _read(decoded.rows, work)
            patterns = condense(entries, examples=1, redacted=True, pii=work.pii)
            lines = [line for _, _, line in decoded.rows]
            split = [rows[index][2] for index in several]
            found.append(choose_exclusions(patterns, lines, split=split))
    return tuple(found)


def changes_near_onsets(work: OnsetsWork) -> OnsetsDone:
    """The worker's task for the lines before the onsets: what is new or louder there.

    It needs none of the window's own lines, so it runs beside `summarize_window`, in the
    other worker, and once per analysis however many coverage passes follow.
    """
    steps = Steps()
    changes: list[Change] = []
    with gc_paused(), steps.step("changes_before_onset") as attributes:
        for onset in work.evidence:
            recent, recent_seconds = _entries_of(
                onset.recent, onset.recent_window, work, onset.beyond
            )
            baseline, baseline_seconds = _entries_of(onset.baseline, onset.baseline_window, work)
            changes.extend(
                changes_before(
                    onset.onset_ns,
                    recent,
                    baseline,
                    recent_seconds=recent_seconds,
                    baseline_seconds=baseline_seconds,
                    pii=work.pii,
                )
            )
        attributes["logs.changes"] = len(changes)
    onsets_ns = tuple(onset.onset_ns for onset in work.evidence)
    note = "nothing new or louder just before the onset" if onsets_ns and not changes else None
    return OnsetsDone(onsets_ns, tuple(changes), note, tuple(steps.done))


def _entries_of(
    raw: RawEntries, window: Window, work: OnsetsWork, beyond: RawEntries | None = None
) -> tuple[tuple[NormalizedEntry, ...], float]:
    """A side query's entries, read as the analysis reads its own, and the seconds they cover.

    They are joined, normalized and redacted; they cover the window, or from the oldest entry
    read to the window's end when the store stopped at the limit (the newest were read). The
    entries of a second read without the first's patterns (``beyond``) are added, each once;
    then the window is covered as far as that read reached.
    """
    decoded = raw.decoded()
    read, more = decoded.rows, decoded.more
    if beyond is not None:
        second = beyond.decoded()
        read, more = with_oldest(read, second.rows)[0], second.more
    seconds = window.seconds
    if more and read:
        oldest = min(ts for _, ts, _ in read)
        seconds = max((window.end_ns - oldest) / 1e9, 1.0)
    return _read(read, work)[2], seconds


def _read(
    rows: list[Row], work: OnsetsWork
) -> tuple[list[Row], frozenset[int], tuple[NormalizedEntry, ...]]:
    """Rows read before an onset, joined, and their entries normalized and redacted.

    They are read as the analysis reads its own window's; the indexes of the joined rows that
    hold several of the store's lines come with them (`Regrouped.several`).
    """
    joined, _, several = regroup_events(rows)
    normalized = normalize_rows(joined, work.max_line_chars, pii=work.pii)
    return joined, several, redact_entries(normalized, work.pii)[0]
