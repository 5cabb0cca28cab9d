"""A coverage pass that reads nothing new leaves the summary as a full recomputation would.

The pass's answer is checked in a worker against the digests of what was read before
(`processing.entries_new`); only a pass with new entries has the summary computed again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar, cast

import pytest
from opentelemetry import trace

from log_analyzer.analysis.coverage import cover_window
from log_analyzer.analysis.job import JobContext
from log_analyzer.analysis.processing import (
    Gathered,
    PassWork,
    SummaryDone,
    SummaryWork,
    entries_new,
    row_digest,
    summarize_window,
)
from log_analyzer.analysis.request import AnalysisRequest
from log_analyzer.logs.entries import Row
from log_analyzer.sources.base import (
    EntryQuery,
    LineFilter,
    RawEntries,
    Selection,
    Window,
    decode_rows,
)

pytestmark = pytest.mark.anyio
T0 = 1_795_457_333_000_000_000
S = 1_000_000_000
API = {"pod": "api-1", "container": "api"}
DB = {"pod": "db-0", "container": "db"}
W = TypeVar("W")
R = TypeVar("R")


def loud(count: int) -> list[Row]:
    """``count`` lines of one loud error, newest first as a store returns them."""
    return [(API, T0 - i * S, f"ERROR upstream payments returned 503 for order {i}") for i in
            range(count)]  # fmt: skip


def answer(rows: Sequence[Row], more: bool, limit: int = 100) -> RawEntries:
    return RawEntries("q", (list(rows), more), decode_rows, limit)


@dataclass
class Store:
    """Answers every entries query with the next of ``answers``; records the queries."""

    answers: list[RawEntries]
    name: str = "fake"
    queries: list[EntryQuery] = field(default_factory=list)

    async def entries(self, query: EntryQuery) -> RawEntries:
        self.queries.append(query)
        return self.answers.pop(0)


@dataclass
class Context:
    """What `cover_window` uses of a `JobContext`; computes in process and records what."""

    source: Store
    tracer: trace.Tracer = field(default_factory=trace.NoOpTracer)
    computed: list[str] = field(default_factory=list)

    async def compute(self, fn: Callable[[W], R], work: W) -> R:
        self.computed.append(getattr(fn, "__name__", repr(fn)))
        return fn(work)

    def record(self, steps: object) -> None:
        pass


def request() -> AnalysisRequest:
    window = Window(T0 - 3600 * S, T0 + S)
    return AnalysisRequest(
        source="fake",
        window=window,
        selection=Selection.of({"namespace": "shop"}),
        line_filter=LineFilter(severe=True),
        limit=100,
        question=None,
    )


def first(rows: Sequence[Row]) -> tuple[SummaryWork, SummaryDone]:
    gathered = Gathered(answer(rows, True), None, None, None, None, None)
    work = SummaryWork("fake", gathered, request().window, 100, 2000, more_passes=True)
    return work, summarize_window(work)


def recomputed(work: SummaryWork, done: SummaryDone, passes: Sequence[RawEntries]) -> SummaryDone:
    """The summary as the pass's answer computed again with everything would make it."""
    gathered = replace(work.gathered, passes=tuple(passes), excluded=done.exclusions)
    return summarize_window(replace(work, gathered=gathered, more_passes=False))


async def cover(
    store: Store, work: SummaryWork, done: SummaryDone, passes: int
) -> tuple[SummaryDone, list[str]]:
    """``cover_window`` over ``store``, and the names of the worker tasks it ran."""
    context = Context(store)
    result = await cover_window(cast(JobContext, context), request(), work, done, passes)
    return result, context.computed


async def test_a_pass_that_reads_only_known_lines_keeps_the_summary_it_would_recompute() -> None:
    rows = loud(100)
    work, done = first(rows)
    assert done.exclusions and done.read
    again = answer(rows[:100], True)  # the store could not leave them out: the same lines
    store = Store([again])

    covered, computed = await cover(store, work, done, passes=2)

    assert covered.summary == recomputed(work, done, [again]).summary
    assert not covered.summary.covered
    assert covered.summary.coverage_passes == 1
    assert covered.exclusions == ()  # no second pass: it would read the same
    assert computed == ["entries_new"]
    [query] = store.queries
    assert query.line_filter.exclude == done.exclusions


async def test_an_empty_pass_says_every_line_is_covered_without_computing_again() -> None:
    work, done = first(loud(100))
    store = Store([answer([], False)])

    covered, computed = await cover(store, work, done, passes=2)

    assert covered.summary == recomputed(work, done, [answer([], False)]).summary
    assert covered.summary.covered
    assert computed == ["entries_new"]


async def test_a_pass_with_a_new_line_computes_the_summary_again_with_it() -> None:
    rows = loud(100)
    work, done = first(rows)
    cause = (DB, T0 - 1800 * S, "FATAL disk quota exceeded on volume pvc-7f3a")
    found = answer([cause], False)
    store = Store([found])

    covered, computed = await cover(store, work, done, passes=2)

    assert covered.summary == recomputed(work, done, [found]).summary
    assert any("disk quota" in p.template for p in covered.summary.patterns)
    assert covered.summary.covered and covered.summary.coverage_lines == 1
    assert computed == ["entries_new", "summarize_window"]


def test_new_entries_are_told_from_known_ones_by_time_and_line() -> None:
    rows = loud(3)
    read = frozenset(row_digest(ts, line) for _, ts, line in rows)
    same_line_later = (API, rows[0][1] + 1, rows[0][2])
    other_line_same_time = (API, rows[0][1], rows[0][2] + "!")
    payload = answer([*rows, same_line_later, other_line_same_time], True)

    assert entries_new(PassWork(payload, read)) == (2, True)
    assert entries_new(PassWork(answer(rows, False), read)) == (0, False)


def test_row_digests_differ_for_lines_that_differ_in_one_character_or_are_not_utf8() -> None:
    lines = ["a", "b", "\ud800 lone surrogate", "\udc00 lone surrogate"]
    assert len({row_digest(T0, line) for line in lines}) == len(lines)
