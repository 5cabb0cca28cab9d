"""The numbers computed about the fetched logs, and whether they are a sample."""

from __future__ import annotations

from typing import Any

import pytest

from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import NormalizedEntry
from log_analyzer.logs.summary import LogSummary, MessageCount, summarize


def ne(
    message: str,
    level: Level,
    count: int,
    last_ns: int = 100,
    source_counts: tuple[tuple[str, int], ...] = (),
    truncated: bool = False,
) -> NormalizedEntry:
    counts = source_counts or (("pod/app", count),)
    return NormalizedEntry(
        message=message,
        level=level,
        count=count,
        first_ns=1,
        last_ns=last_ns,
        sources=tuple(sorted(s for s, _ in counts)),
        truncated=truncated,
        source_counts=counts,
    )


def summary_of(entries: list[NormalizedEntry], limit: int = 1000, **kw: Any) -> LogSummary:
    return summarize(entries, start_ns=0, end_ns=60_000_000_000, query='{a="b"}', limit=limit, **kw)


ENTRIES = [
    ne("db timeout", Level.ERROR, 5, source_counts=(("api/a", 3), ("worker/w", 2))),
    ne("slow query", Level.WARN, 7, source_counts=(("worker/w", 7),)),
    ne("started", Level.INFO, 1, source_counts=(("api/a", 1),)),
    ne("oom killed", Level.FATAL, 1, source_counts=(("worker/w", 1),), truncated=True),
    ne("db timeout retry", Level.ERROR, 2, source_counts=(("api/a", 2),), truncated=True),
]


def test_by_level_sums_counts_most_severe_first() -> None:
    s = summary_of(ENTRIES)
    assert s.by_level == ((Level.FATAL, 1), (Level.ERROR, 7), (Level.WARN, 7), (Level.INFO, 1))


def test_by_source_comes_from_source_counts_most_common_first() -> None:
    s = summary_of(ENTRIES)
    assert s.by_source == (("worker/w", 10), ("api/a", 6))
    assert sum(n for _, n in s.by_source) == s.fetched


def test_totals() -> None:
    s = summary_of(ENTRIES, redactions=4, malformed=2)
    assert (s.fetched, s.distinct) == (16, 5)
    assert s.truncated_lines == 3
    assert s.redactions == 4
    assert s.malformed == 2
    assert (s.start_ns, s.end_ns, s.query, s.limit) == (0, 60_000_000_000, '{a="b"}', 1000)


def test_top_messages_by_count_then_severity_then_recency() -> None:
    entries = [
        ne("warn-old", Level.WARN, 3, last_ns=10),
        ne("error-3", Level.ERROR, 3, last_ns=5),
        ne("warn-new", Level.WARN, 3, last_ns=20),
        ne("many", Level.INFO, 9),
        ne("once", Level.FATAL, 1),
    ]
    s = summary_of(entries)
    assert [m.message for m in s.top_messages] == [
        "many",
        "error-3",
        "warn-new",
        "warn-old",
        "once",
    ]
    assert s.top_messages[0] == MessageCount("many", Level.INFO, 9, ("pod/app",))


def test_top_is_capped() -> None:
    entries = [ne(f"m{i}", Level.ERROR, i + 1) for i in range(15)]
    s = summarize(entries, start_ns=0, end_ns=1, query="q", limit=10_000, top=3)
    assert [m.message for m in s.top_messages] == ["m14", "m13", "m12"]
    assert s.distinct == 15


def test_empty() -> None:
    s = summary_of([])
    assert (s.fetched, s.distinct, s.by_level, s.by_source, s.top_messages) == (0, 0, (), (), ())
    assert s.sampled is False


@pytest.mark.parametrize(
    ("counts", "limit", "sampled"),
    [
        pytest.param([3, 1], 5, False, id="below-limit"),
        pytest.param([4, 1], 5, True, id="at-limit"),
        pytest.param([5, 1], 5, True, id="above-limit"),
        pytest.param([1], 1, True, id="limit-one"),
        pytest.param([], 1, False, id="nothing-fetched"),
    ],
)
def test_sampled_iff_fetched_reaches_limit(counts: list[int], limit: int, sampled: bool) -> None:
    entries = [ne(f"m{i}", Level.ERROR, c) for i, c in enumerate(counts)]
    assert summary_of(entries, limit=limit).sampled is sampled


def test_malformed_values_still_count_towards_the_limit() -> None:
    s = summary_of([ne("m", Level.ERROR, 4)], limit=5, malformed=1)
    assert s.sampled is True
