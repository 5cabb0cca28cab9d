"""Entries from a real CloudWatch Logs emulator (moto's server): order, limit, filters, paging.

The expectations are computed from the seeded events with Python's own `re`, not with the code
under test. moto applies the time range and term filter patterns, pages with ``nextToken``,
ignores regex filter patterns (``%...%``: it passes every event) and ``logStreamNamePrefix``
on FilterLogEvents; the store checks both again in the service, so the answers are the same
as CloudWatch's.
"""

from __future__ import annotations

import re

import pytest

from log_analyzer.logs.normalize import normalize_rows
from log_analyzer.sources.base import (
    SEVERE_PATTERN,
    EntryQuery,
    LineFilter,
    Order,
    Selection,
)
from log_analyzer.sources.cloudwatch.filters import filter_pattern
from log_analyzer.sources.cloudwatch.shapes import decode_events
from tests.sources.cloudwatch.conftest import Emulator, emulated_source
from tests.sources.cloudwatch.seed import (
    CAUSE,
    DATAPLANE_GROUP,
    EKS_GROUP,
    LAMBDA_GROUP,
    STREAMS,
    Seeded,
    dataplane_cri,
    dataplane_record,
)
from tests.wrapped import APP_LINES

pytestmark = pytest.mark.anyio


def query(
    emulator: Emulator,
    group: str,
    line_filter: LineFilter,
    limit: int,
    order: Order = Order.NEWEST,
    **more: str,
) -> EntryQuery:
    return EntryQuery(
        emulator.window(), Selection.of({"log_group": group, **more}), line_filter, limit, order
    )


def expected(events: list[Seeded], regex: str | None, limit: int, order: Order) -> list[int]:
    """Timestamps of the events the store should keep, in the order it should keep them."""
    kept = [e for e in events if regex is None or re.search(regex, e.message)]
    stamps = sorted((e.ts_ms for e in kept), reverse=order is Order.NEWEST)
    return stamps[:limit]


@pytest.mark.parametrize("order", [Order.NEWEST, Order.OLDEST], ids=["newest", "oldest"])
async def test_the_severe_lines_of_one_end_of_the_window(emulator: Emulator, order: Order) -> None:
    events = emulator.of(EKS_GROUP)
    async with emulated_source(emulator, page_events=500) as source:
        raw = await source.entries(query(emulator, EKS_GROUP, LineFilter.default(), 700, order))
    decoded = raw.decoded()
    stamps = [ts // 1_000_000 for _, ts, _ in decoded.rows]
    assert stamps == expected(events, SEVERE_PATTERN, 700, order)
    assert decoded.more  # thousands more severe lines than the limit
    seeded = {(e.stream, e.ts_ms, e.message) for e in events}
    for labels, ts, message in decoded.rows:
        assert (labels["log_stream"], ts // 1_000_000, message) in seeded
        assert labels["log_group"] == EKS_GROUP
    # The query text says what CloudWatch was asked and what the service decided.
    assert raw.query.startswith(f'FilterLogEvents logGroupName="{EKS_GROUP}"')
    assert "filterPattern=" in raw.query and f"in the service: RE2 {SEVERE_PATTERN}" in raw.query


async def test_every_line_when_the_window_holds_fewer_than_the_limit(emulator: Emulator) -> None:
    events = emulator.of(LAMBDA_GROUP)
    async with emulated_source(emulator, page_events=50) as source:
        raw = await source.entries(
            query(emulator, LAMBDA_GROUP, LineFilter.every(), 10_000, Order.NEWEST)
        )
    decoded = raw.decoded()
    assert len(decoded.rows) == len(events) == 210
    assert not decoded.more
    assert [ts // 1_000_000 for _, ts, _ in decoded.rows] == expected(
        events, None, 10_000, Order.NEWEST
    )
    assert "filterPattern" not in raw.query and "in the service" not in raw.query


async def test_a_plain_word_filter_is_sent_as_a_pattern_and_checked_with_re2(
    emulator: Emulator,
) -> None:
    events = emulator.of(EKS_GROUP)
    async with emulated_source(emulator, page_events=1000) as source:
        raw = await source.entries(
            query(emulator, EKS_GROUP, LineFilter(pattern="HikariPool"), 100, Order.OLDEST)
        )
    rows = raw.decoded().rows
    assert [r[2] for r in rows] == [e.message for e in events if "HikariPool" in e.message]
    assert CAUSE in rows[0][2]
    assert 'filterPattern="%HikariPool%"' in raw.query
    assert "the pattern only narrows what CloudWatch sends" in raw.query
    assert "in the service: RE2 HikariPool" in raw.query


async def test_a_regex_cloudwatch_cannot_read_is_applied_in_the_service_only(
    emulator: Emulator,
) -> None:
    regex = r"(?i)password (authentication) failed"
    events = emulator.of(EKS_GROUP)
    async with emulated_source(emulator, page_events=2000) as source:
        raw = await source.entries(
            query(emulator, EKS_GROUP, LineFilter(pattern=regex), 50, Order.NEWEST)
        )
    rows = raw.decoded().rows
    assert sorted(r[1] // 1_000_000 for r in rows) == sorted(
        e.ts_ms for e in events if re.search(regex, e.message)
    )
    assert len(rows) == 2
    assert "filterPattern" not in raw.query
    assert "no filter pattern (CloudWatch's cannot express this line filter)" in raw.query
    assert f"then in the service: RE2 {regex}" in raw.query


async def test_a_stream_prefix_keeps_those_streams_only(emulator: Emulator) -> None:
    events = [e for e in emulator.of(EKS_GROUP) if e.stream.startswith("payments-")]
    async with emulated_source(emulator, page_events=3000) as source:
        raw = await source.entries(
            query(
                emulator,
                EKS_GROUP,
                LineFilter.every(),
                5000,
                Order.OLDEST,
                log_stream_prefix="payments-",
            )
        )
    decoded = raw.decoded()
    assert {labels["log_stream"] for labels, _, _ in decoded.rows} == {STREAMS["payments"]}
    assert [ts // 1_000_000 for _, ts, _ in decoded.rows] == expected(
        events, None, 5000, Order.OLDEST
    )
    assert not decoded.more
    assert 'logStreamNamePrefix="payments-"' in raw.query


async def test_exclusions_are_sent_as_terms_and_checked_again(emulator: Emulator) -> None:
    events = emulator.of(EKS_GROUP)
    line_filter = LineFilter(pattern="GET|POST", exclude=("/healthz",))
    async with emulated_source(emulator) as source:
        raw = await source.entries(query(emulator, EKS_GROUP, line_filter, 20_000, Order.OLDEST))
    rows = raw.decoded().rows
    want = [e for e in events if re.search("GET|POST", e.message) and "/healthz" not in e.message]
    assert len(rows) == len(want) > 6000
    assert all("/healthz" not in message for _, _, message in rows)


def test_decoding_keeps_the_order_and_says_what_was_over_the_limit() -> None:
    events = [("s", 3, "c"), ("s", 2, "b"), ("t", 1, "a")]
    decoded = decode_events(("/g", events, False, 1), 2)
    assert [(labels["log_stream"], ts, line) for labels, ts, line in decoded.rows] == [
        ("s", 3_000_000, "c"),
        ("s", 2_000_000, "b"),
    ]
    assert decoded.more and decoded.malformed == 1


async def test_the_scan_cap_stops_a_read_and_says_more_remain(emulator: Emulator) -> None:
    async with emulated_source(emulator, page_events=500, max_scan_events=2000) as source:
        raw = await source.entries(
            query(emulator, EKS_GROUP, LineFilter.every(), 5000, Order.OLDEST)
        )
    decoded = raw.decoded()
    assert len(decoded.rows) == 2000  # four pages, then the cap
    assert decoded.more
    assert "stopped after reading 2,000 events" in raw.query
    events = emulator.of(EKS_GROUP)
    assert [ts // 1_000_000 for _, ts, _ in decoded.rows] == expected(
        events, None, 2000, Order.OLDEST
    )


async def test_a_burst_at_the_end_is_narrowed_not_read_whole(emulator: Emulator) -> None:
    events = emulator.of(EKS_GROUP)
    async with emulated_source(emulator, page_events=100) as source:
        raw = await source.entries(query(emulator, EKS_GROUP, LineFilter.every(), 50, Order.NEWEST))
    decoded = raw.decoded()
    assert [ts // 1_000_000 for _, ts, _ in decoded.rows] == expected(
        events, None, 50, Order.NEWEST
    )
    assert decoded.more


async def test_wrapped_lines_are_selected_and_read_as_the_lines_inside(emulator: Emulator) -> None:
    events = emulator.of(DATAPLANE_GROUP)
    severe = [app for app in APP_LINES if app.severe]
    wrapped_severe = {
        e.ts_ms
        for e in events
        for app in severe
        if e.message in (dataplane_record(app.line, e.ts_ms), dataplane_cri(app.line))
    }
    async with emulated_source(emulator) as source:
        raw = await source.entries(
            query(emulator, DATAPLANE_GROUP, LineFilter.default(), 1000, Order.OLDEST)
        )
    decoded = raw.decoded()
    assert [ts // 1_000_000 for _, ts, _ in decoded.rows] == sorted(wrapped_severe)
    # moto ignores regex filter patterns; CloudWatch would apply this one, so it must pass them
    pattern = filter_pattern(LineFilter.default())
    assert pattern is not None
    narrowing = re.compile(pattern[1:-1])
    assert all(narrowing.search(e.message) for e in events if e.ts_ms in wrapped_severe)
    found = normalize_rows(decoded.rows)
    assert {(entry.message, entry.level) for entry in found} == {
        (app.message, app.level) for app in severe
    }
