"""True counts where Logs Insights is not available: every event paged and counted, against moto.

moto's server accepts StartQuery but runs it as a plain search: it ignores ``filter``,
``stats`` and ``bin`` and answers with event rows. The store must see that this is no stats
answer and count by paging instead; the counts must match the seed exactly. The expectations
are computed from the seeded events and the level each was seeded with.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

import pytest

from log_analyzer.logs.levels import Level
from log_analyzer.sources.base import SEVERE_PATTERN, CountQuery, LineFilter, Selection, Window
from log_analyzer.sources.cloudwatch.errors import CloudWatchUnavailable
from tests.sources.cloudwatch.conftest import Emulator, emulated_source
from tests.sources.cloudwatch.seed import (
    ECS_GROUP,
    EKS_GROUP,
    EMPTY_GROUP,
    LEVELS,
    STREAMS,
    Seeded,
)

pytestmark = pytest.mark.anyio


def counts(emulator: Emulator, group: str, line_filter: LineFilter, **more: str) -> CountQuery:
    return CountQuery(emulator.window(), Selection.of({"log_group": group, **more}), line_filter)


def by_level(events: list[Seeded]) -> dict[Level, int]:
    return dict(Counter(LEVELS[e.level] for e in events))


async def test_totals_by_paging_match_the_seed(emulator: Emulator) -> None:
    events = emulator.of(EKS_GROUP)
    async with emulated_source(emulator, page_events=2500) as source:
        totals = await source.totals(counts(emulator, EKS_GROUP, LineFilter.every()))
    assert totals.total == len(events) > 12_000
    assert dict(totals.by_level) == by_level(events)
    assert dict(totals.by_source) == dict(Counter(e.stream for e in events))
    assert "every event read and counted in the service: a total" in totals.query
    assert "emulator" in totals.query  # moto's event rows were seen for what they are


async def test_severe_totals_of_one_stream_prefix(emulator: Emulator) -> None:
    events = [
        e
        for e in emulator.of(EKS_GROUP)
        if e.stream.startswith("frontend-") and re.search(SEVERE_PATTERN, e.message)
    ]
    async with emulated_source(emulator) as source:
        totals = await source.totals(
            counts(emulator, EKS_GROUP, LineFilter.default(), log_stream_prefix="frontend-")
        )
    assert totals.total == len(events) == 470 + 50  # klog errors and "Error:" lines
    assert dict(totals.by_source) == {STREAMS["frontend"]: len(events)}
    assert dict(totals.by_level) == by_level(events)


@pytest.mark.parametrize("step", [60, 300, 86_400], ids=["1m", "5m", "1d"])
async def test_histogram_by_paging_matches_the_seed(emulator: Emulator, step: int) -> None:
    events = emulator.of(ECS_GROUP)
    async with emulated_source(emulator) as source:
        histogram = await source.histogram(counts(emulator, ECS_GROUP, LineFilter.every()), step)
    want: Counter[tuple[int, Level]] = Counter(
        ((e.ts_ms // 1000 // step + 1) * step, LEVELS[e.level]) for e in events
    )
    got = {(ts, level): n for ts, by in histogram.points for level, n in by.items() if n}
    assert got == want
    stamps = [ts for ts, _ in histogram.points]
    assert all(b - a == step for a, b in itertools.pairwise(stamps))


async def test_thirty_days_by_day_within_the_deadline(emulator: Emulator) -> None:
    events = emulator.of(EKS_GROUP)
    end_ns = (emulator.now_ms + 60_000) * 1_000_000
    window = Window(end_ns - 30 * 86_400 * 1_000_000_000, end_ns)
    query = CountQuery(window, Selection.of({"log_group": EKS_GROUP}), LineFilter.every())
    async with emulated_source(emulator) as source:
        histogram = await source.histogram(query, 86_400)
    assert 30 <= len(histogram.points) <= 31
    assert sum(sum(by.values()) for _, by in histogram.points) == len(events)
    assert (
        histogram.series([Level.ERROR]).points[-1][1]
        + histogram.series([Level.ERROR]).points[-2][1]
        == by_level(events)[Level.ERROR]
    )


async def test_an_empty_group_counts_zero(emulator: Emulator) -> None:
    async with emulated_source(emulator) as source:
        totals = await source.totals(counts(emulator, EMPTY_GROUP, LineFilter.every()))
    assert totals.total == 0 and totals.by_level == ()


async def test_no_totals_past_the_cap_rather_than_a_sample_called_total(
    emulator: Emulator,
) -> None:
    async with emulated_source(emulator, page_events=1000, max_count_events=3000) as source:
        with pytest.raises(CloudWatchUnavailable, match="would be a sample") as raised:
            await source.totals(counts(emulator, EKS_GROUP, LineFilter.every()))
    assert "3,000" in raised.value.message
    assert raised.value.to_dict()["upstream"] == "cloudwatch"
