"""Reading a window with FilterLogEvents: its oldest events, its newest, or all of them.

FilterLogEvents pages forward in time only (oldest first, ``nextToken`` to go on), up to 10,000
events or 1 MB a page. The oldest ``limit`` events are its first pages. The newest are read in
time slices from the window's end backwards: each slice is paged to its end, its events kept,
and the next (older) slice sized from the density seen so far, until ``limit`` events are kept
or the window is read. A slice that turns out far denser than needed is given up after its
first pages and narrowed towards its end, so a burst costs a page or two, not all its events.

Every read stops after `max_scanned` events, and the caller's deadline bounds its time. Events
are filtered by the exact line filter here, page by page (`Scope.keep`), so what is counted
against ``limit`` is what the pipeline keeps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from log_analyzer.sources.cloudwatch.client import CloudWatchClient
from log_analyzer.sources.cloudwatch.shapes import Event, event_of

if TYPE_CHECKING:
    from types_aiobotocore_logs.type_defs import FilterLogEventsRequestTypeDef

PAGE_EVENTS = 10_000
"""Events asked for per FilterLogEvents page (the API's maximum)."""
FIRST_SLICES = 16
"""The newest events are first looked for in the last 1/16 of the window."""
MIN_SLICE_MS = 1000
GROWTH = 8
"""A slice is at most this many times wider than the one before it."""
MARGIN = 1.25
"""Slices are sized for a quarter more events than still needed, for the density's noise."""


@dataclass(frozen=True, slots=True)
class Scope:
    """What to read: a log group, a stream prefix, a narrowing pattern, the exact line test."""

    group: str
    stream_prefix: str | None = None
    pattern: str | None = None
    keep: Callable[[str], bool] | None = None


@dataclass(slots=True)
class Read:
    """What one read found."""

    events: list[Event] = field(default_factory=list)
    more: bool = False
    """Matching events may remain outside `events` (the limit, or the scan cap, was reached)."""
    complete: bool = True
    """Every page of the window was read."""
    malformed: int = 0
    scanned: int = 0
    """Events CloudWatch sent, matching or not."""
    calls: int = 0


@dataclass(slots=True)
class _Slice:
    events: list[Event]
    complete: bool
    last_ms: int


class EventReader:
    """Reads one scope's events through a `CloudWatchClient`, page by page."""

    def __init__(
        self,
        client: CloudWatchClient,
        scope: Scope,
        *,
        page_events: int = PAGE_EVENTS,
        max_scanned: int = 200_000,
    ) -> None:
        self._client = client
        self._scope = scope
        self._page_events = page_events
        self._max_scanned = max_scanned
        self.read = Read()

    @property
    def exhausted(self) -> bool:
        """The scan cap is reached."""
        return self.read.scanned >= self._max_scanned

    async def oldest(self, start_ms: int, end_ms: int, limit: int) -> Read:
        """The oldest ``limit`` matching events of ``[start_ms, end_ms)``, oldest first."""
        kept = self.read.events
        token: str | None = None
        while start_ms < end_ms:
            page, token, _ = await self._page(start_ms, end_ms, token)
            kept.extend(page)
            if len(kept) >= limit or token is None or self.exhausted:
                break
        kept.sort(key=_timestamp)
        self.read.more = len(kept) > limit or token is not None
        self.read.complete = token is None
        del kept[limit:]
        return self.read

    async def newest(self, start_ms: int, end_ms: int, limit: int) -> Read:
        """The newest ``limit`` matching events of ``[start_ms, end_ms)``, newest first."""
        kept = self.read.events
        hi = end_ms
        width = max(MIN_SLICE_MS, (end_ms - start_ms) // FIRST_SLICES)
        while len(kept) < limit and hi > start_ms and not self.exhausted:
            lo = max(start_ms, hi - width)
            need = limit - len(kept)
            found = await self._slice(lo, hi, stop_after=2 * need if hi - lo > 1 else None)
            if found.complete:
                found.events.sort(key=_timestamp, reverse=True)
                kept.extend(found.events)
                width = _next_width(hi - lo, len(found.events), need - len(found.events))
                hi = lo
            elif not self.exhausted:
                # Far denser than needed: narrow the slice towards its end, to what `need`
                # takes at the density of its first pages, and at least halve it.
                density = len(found.events) / max(found.last_ms - lo + 1, 1)
                width = max(1, min((hi - lo) // 2, math.ceil(need * MARGIN / density)))
        self.read.more = len(kept) > limit or hi > start_ms
        self.read.complete = hi <= start_ms
        del kept[limit:]
        return self.read

    async def every(self, start_ms: int, end_ms: int, take: Callable[[list[Event]], None]) -> Read:
        """Every matching event of the window, handed to ``take`` a page at a time.

        ``complete`` is false when the scan cap stopped the read before the window's end.
        """
        token: str | None = None
        while start_ms < end_ms:
            page, token, _ = await self._page(start_ms, end_ms, token)
            take(page)
            if token is None or self.exhausted:
                break
        self.read.complete = token is None
        self.read.more = token is not None
        return self.read

    async def _slice(self, lo: int, hi: int, stop_after: int | None) -> _Slice:
        events: list[Event] = []
        last = lo
        token: str | None = None
        while True:
            page, token, page_last = await self._page(lo, hi, token)
            events.extend(page)
            last = max(last, page_last)
            if token is None:
                return _Slice(events, True, last)
            if (stop_after is not None and len(events) >= stop_after) or self.exhausted:
                return _Slice(events, False, last)

    async def _page(
        self, start_ms: int, end_ms: int, token: str | None
    ) -> tuple[list[Event], str | None, int]:
        """The matching events of one page, the token of the next, the page's last timestamp."""
        scope = self._scope
        params: FilterLogEventsRequestTypeDef = {
            "logGroupName": scope.group,
            "startTime": start_ms,
            "endTime": end_ms - 1,  # FilterLogEvents' end is inclusive
            "limit": self._page_events,
            # Ignored by CloudWatch, which always interleaves the streams by time since 2019;
            # emulators still honour it, and without it page through one stream after another.
            "interleaved": True,
        }
        if scope.stream_prefix:
            params["logStreamNamePrefix"] = scope.stream_prefix
        if scope.pattern:
            params["filterPattern"] = scope.pattern
        if token:
            params["nextToken"] = token
        answer = await self._client.filter_events(params)
        self.read.calls += 1
        items = answer.get("events") or []
        self.read.scanned += len(items)
        kept: list[Event] = []
        last = start_ms
        prefix, keep = scope.stream_prefix, scope.keep
        for item in items:
            event = event_of(item)
            if event is None:
                self.read.malformed += 1
                continue
            stream, ts, message = event
            last = max(last, ts)
            # The window and the prefix are CloudWatch's to apply; checked again, because an
            # emulator may not (and an event outside them would be counted as inside).
            if not start_ms <= ts < end_ms or (prefix and not stream.startswith(prefix)):
                continue
            if keep is None or keep(message):
                kept.append(event)
        next_token = answer.get("nextToken") or None
        return kept, next_token, last


def _timestamp(event: Event) -> int:
    return event[1]


def _next_width(width: int, found: int, still_needed: int) -> int:
    """The width of the next (older) slice, from the density of the one just read."""
    if still_needed <= 0:
        return width
    if found == 0:
        return width * GROWTH
    wanted = math.ceil(still_needed * MARGIN * width / found)
    return max(MIN_SLICE_MS, min(width * GROWTH, wanted))
