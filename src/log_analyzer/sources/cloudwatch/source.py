"""CloudWatch Logs as a `LogSource`: entries by FilterLogEvents, counts by Logs Insights.

Entries: FilterLogEvents over the window, narrowed by a filter pattern where one is sound and
decided by the exact line filter in the service (`filters`), read from the end the query asks
(`reading`). Counts: a Logs Insights ``stats`` query, polled until it completes. Where Logs
Insights is not available (an endpoint without it, or an emulator that answers stats queries
with event rows), every matching event of the window is read and counted in the service
(`counting`), up to `max_count_events`; past that, the counts would be a sample, so none are
given and the error says why.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from log_analyzer.logs.totals import Histogram, Totals
from log_analyzer.sources.base import CountQuery, EntryQuery, Order, RawEntries, Selection
from log_analyzer.sources.cloudwatch import insights
from log_analyzer.sources.cloudwatch.client import CloudWatchClient
from log_analyzer.sources.cloudwatch.counting import histogram_by_paging, ms_range, totals_by_paging
from log_analyzer.sources.cloudwatch.errors import (
    CloudWatchBadResponse,
    CloudWatchInsightsFull,
    CloudWatchQueryError,
    CloudWatchTimeout,
    CloudWatchUnavailable,
    CloudWatchUnsupported,
)
from log_analyzer.sources.cloudwatch.filters import LinePlan, plan
from log_analyzer.sources.cloudwatch.reading import PAGE_EVENTS, EventReader, Read, Scope
from log_analyzer.sources.cloudwatch.shapes import NAME, decode_events
from log_analyzer.sources.cloudwatch.texts import (
    LOG_STREAM_PREFIX,
    events_text,
    group_of,
    insights_text,
)

if TYPE_CHECKING:
    from types_aiobotocore_logs.type_defs import (
        GetQueryResultsResponseTypeDef,
        StartQueryRequestTypeDef,
    )

MAX_SCAN_EVENTS = 200_000
"""Most events one entries query reads (20 full pages) before it settles for what it has."""
MAX_COUNT_EVENTS = 100_000
"""Most events counted in the service when Logs Insights is not available."""
NO_INSIGHTS = "Logs Insights is not available at this CloudWatch Logs endpoint"
COUNTING = "counting (a Logs Insights query, or paging with FilterLogEvents after it)"
"""What the one deadline of a count covers: Logs Insights and the paging that may follow it."""


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How often a running Logs Insights query is asked for its results."""

    initial_seconds: float = 0.25
    max_seconds: float = 2.0
    factor: float = 1.5


class CloudWatchSource:
    """Answers the pipeline's queries with FilterLogEvents and Logs Insights."""

    name = NAME

    def __init__(
        self,
        client: CloudWatchClient,
        *,
        page_events: int = PAGE_EVENTS,
        max_scan_events: int = MAX_SCAN_EVENTS,
        max_count_events: int = MAX_COUNT_EVENTS,
        poll: PollPolicy | None = None,
        narrow: bool = True,
    ) -> None:
        self._client = client
        self._page_events = page_events
        self._max_scan = max_scan_events
        self._max_count = max_count_events
        self._poll = poll or PollPolicy()
        self._narrow = narrow
        self._insights = True
        """False once the endpoint showed it has no Logs Insights; then counts are paged."""

    async def entries(self, query: EntryQuery) -> RawEntries:
        """The window's newest or oldest matching events, at most ``limit``."""
        line_plan = plan(query.line_filter, narrow=self._narrow)
        start, end = ms_range(query.window)
        refused = None
        async with self._client.deadline("FilterLogEvents"):
            try:
                read = await self._read_entries(query, line_plan, start, end)
            except CloudWatchQueryError as exc:
                if line_plan.pattern is None or "field" in exc.details:
                    raise
                # CloudWatch refused the narrowing pattern; the exact filter does not need it.
                refused = line_plan.pattern
                line_plan = LinePlan(None, line_plan.keep, line_plan.service)
                read = await self._read_entries(query, line_plan, start, end)
        text = events_text(query.selection, line_plan, order=query.order, refused=refused)
        if read.scanned >= self._max_scan and read.more:
            text += (
                f"; stopped after reading {read.scanned:,} events, the most one query reads: "
                "what it kept is a sample of the window"
            )
        payload = (group_of(query.selection), read.events, read.more, read.malformed)
        return RawEntries(text, payload, decode_events, query.limit)

    async def _read_entries(
        self, query: EntryQuery, line_plan: LinePlan, start: int, end: int
    ) -> Read:
        reader = self._reader(query.selection, line_plan, self._max_scan)
        if query.order is Order.OLDEST:
            return await reader.oldest(start, end, query.limit)
        return await reader.newest(start, end, query.limit)

    async def totals(self, query: CountQuery) -> Totals:
        """Events of the window by level and log stream, within one deadline however counted."""
        async with self._client.deadline(COUNTING):
            return await self._totals(query)

    async def _totals(self, query: CountQuery) -> Totals:
        start, end = ms_range(query.window)
        prefix = query.selection.get(LOG_STREAM_PREFIX)
        why = NO_INSIGHTS
        if self._insights:
            text = insights.totals_query(start, end, prefix, query.line_filter)
            answer = await self._insights_answer(
                query.selection, start, end, text, insights.totals_fields()
            )
            if not isinstance(answer, str):
                rows, matched = answer
                return insights.parse_totals(rows, matched, query=insights_text(query, text))
            why = answer
        return await totals_by_paging(
            self._count_reader(query), query.window, self._count_text(query), why, self._max_count
        )

    async def histogram(self, query: CountQuery, step_seconds: int) -> Histogram:
        """Events per ``step_seconds`` bin and level; a bin counts ``[end - step, end)``."""
        async with self._client.deadline(COUNTING):
            return await self._histogram(query, step_seconds)

    async def _histogram(self, query: CountQuery, step_seconds: int) -> Histogram:
        window = query.window
        start, end = ms_range(window)
        prefix = query.selection.get(LOG_STREAM_PREFIX)
        why = NO_INSIGHTS
        if self._insights:
            text = insights.buckets_query(start, end, prefix, query.line_filter, step_seconds)
            answer = await self._insights_answer(
                query.selection, start, end, text, insights.buckets_fields(step_seconds)
            )
            if not isinstance(answer, str):
                rows = answer[0]
                if len(rows) >= insights.ROW_LIMIT:
                    raise CloudWatchQueryError(
                        f"no counts per {step_seconds} s bin: Logs Insights returns at most "
                        f"{insights.ROW_LIMIT:,} rows (bins times levels), and this window "
                        "needs more; a longer step or a shorter window fits"
                    )
                return insights.parse_histogram(
                    rows,
                    start_ns=window.start_ns,
                    end_ns=window.end_ns,
                    step_seconds=step_seconds,
                    query=insights_text(query, text),
                )
            why = answer
        return await histogram_by_paging(
            self._count_reader(query),
            window,
            step_seconds,
            self._count_text(query),
            why,
            self._max_count,
        )

    async def ready(self) -> None:
        """A DescribeLogGroups call of one group: region, identity and endpoint all work."""
        await self._client.ready()

    async def _insights_answer(
        self, selection: Selection, start: int, end: int, text: str, fields: tuple[str, ...]
    ) -> tuple[list[insights.Row], float | None] | str:
        """The rows of a complete Logs Insights stats query, or why the events are paged instead.

        An endpoint that shows it has no Logs Insights (it refuses the operation, or answers a
        stats query with event rows) is not asked again.
        """
        first, last = insights.seconds_range(start, end)
        try:
            answer = await self._run_insights(
                {
                    "logGroupName": group_of(selection),
                    "startTime": first,
                    "endTime": last,
                    "queryString": text,
                    "limit": insights.ROW_LIMIT,
                }
            )
        except CloudWatchUnsupported:
            self._insights = False
            return NO_INSIGHTS
        except CloudWatchQueryError as exc:
            if "field" in exc.details:  # the log group itself: paging would fail the same way
                raise
            return f"Logs Insights refused the count query ({exc.message})"
        except CloudWatchInsightsFull as full:
            return full.message
        except _InsightsEnded as ended:
            # Failed (or Unknown): Logs Insights gave up on the query, which FilterLogEvents
            # can still count; a timeout or a cancellation is reported as it is.
            return f"the Logs Insights count query ended with status {ended.status!r}"
        rows = insights.stats_rows(answer, fields)
        if rows is not None:
            return rows, insights.records_matched(answer)
        if answer.get("results"):
            self._insights = False
            return (
                "this endpoint answered a Logs Insights stats query with event rows and no "
                "counts, as an emulator does: it has no Logs Insights to count with"
            )
        return "Logs Insights answered with no rows and no statistics, which proves nothing"

    async def _run_insights(
        self, params: StartQueryRequestTypeDef
    ) -> GetQueryResultsResponseTypeDef:
        """Start a query and poll it to its end; stop it if we give up first."""
        query_id = await self._client.start_query(params)
        finished = False
        try:
            wait = self._poll.initial_seconds
            while True:
                answer = await self._client.query_results(query_id)
                status = answer.get("status")
                if status == "Complete":
                    finished = True
                    return answer
                if status not in ("Scheduled", "Running"):
                    finished = True
                    raise _ended(str(status))
                await asyncio.sleep(wait)
                wait = min(wait * self._poll.factor, self._poll.max_seconds)
        finally:
            if not finished:  # our deadline, the client gone, or a failed poll
                await self._client.stop_query(query_id)

    def _reader(self, selection: Selection, line_plan: LinePlan, cap: int) -> EventReader:
        scope = Scope(
            group_of(selection), selection.get(LOG_STREAM_PREFIX), line_plan.pattern, line_plan.keep
        )
        return EventReader(self._client, scope, page_events=self._page_events, max_scanned=cap)

    def _count_reader(self, query: CountQuery) -> EventReader:
        line_plan = plan(query.line_filter, narrow=self._narrow)
        return self._reader(query.selection, line_plan, self._max_count)

    def _count_text(self, query: CountQuery) -> str:
        return events_text(query.selection, plan(query.line_filter, narrow=self._narrow))


class _InsightsEnded(CloudWatchBadResponse):
    """A Logs Insights query that ended ``Failed`` or ``Unknown``: counted another way."""

    def __init__(self, status: str) -> None:
        super().__init__(f"the Logs Insights query ended with status {status!r}")
        self.status = status


def _ended(status: str) -> Exception:
    if status == "Timeout":
        return CloudWatchTimeout("the Logs Insights query timed out on CloudWatch's side")
    if status == "Cancelled":
        return CloudWatchUnavailable("the Logs Insights query was cancelled before it completed")
    return _InsightsEnded(status)
