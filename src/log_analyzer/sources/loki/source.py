"""Loki as a `LogSource`: the pipeline's queries as LogQL, Loki's answers as pipeline values."""

from __future__ import annotations

from functools import partial

from log_analyzer.logs.totals import Histogram, Totals
from log_analyzer.sources.base import CountQuery, EntryQuery, Order, RawEntries, Selection
from log_analyzer.sources.loki.answer_warnings import warned, warnings_of
from log_analyzer.sources.loki.client import QUERY, QUERY_RANGE, Body, LokiClient
from log_analyzer.sources.loki.errors import LokiAnswerTooLarge, LokiBadResponse, LokiSeriesLimit
from log_analyzer.sources.loki.labels import LABELS, LabelNames, maybe_empty
from log_analyzer.sources.loki.logql import LEVEL_LABEL, buckets_query, log_query, totals_query
from log_analyzer.sources.loki.shapes import (
    decode_streams,
    parse_json,
    parse_matrix,
    parse_vector,
)

NAME = "loki"
MIN_LIMIT = 100
"""The fewest entries asked for when Loki's answer is too large for its gRPC messages."""


class LokiSource:
    """Answers the pipeline's queries with LogQL over a `LokiClient`.

    The filters are matched on the stream labels ``labels`` names (``LOKI_*_LABEL``).
    """

    name = NAME

    def __init__(self, client: LokiClient, labels: LabelNames = LABELS) -> None:
        self._client = client
        self._labels = labels

    async def entries(self, query: EntryQuery) -> RawEntries:
        """A log query; Loki keeps the newest (``backward``) or oldest (``forward``) entries.

        An answer too large for Loki's own gRPC messages is asked for again with half the
        limit, down to `MIN_LIMIT`: fewer entries, marked as leaving more in the window.
        """
        labels = self._labels
        logql = log_query(query.selection, query.line_filter, labels)
        oldest = query.order is Order.OLDEST
        limit = query.limit
        lowered: LokiAnswerTooLarge | None = None
        # One deadline for every try: each call's own would let the halvings take several.
        async with self._client.deadline(QUERY_RANGE):
            while True:
                try:
                    body = await self._client.query_range(
                        {
                            "query": logql,
                            "start": str(query.window.start_ns),
                            "end": str(query.window.end_ns),
                            "limit": str(limit),
                            "direction": "forward" if oldest else "backward",
                        }
                    )
                    break
                except LokiAnswerTooLarge as exc:
                    if limit <= MIN_LIMIT:
                        raise
                    limit = max(limit // 2, MIN_LIMIT)
                    lowered = exc
        decode = partial(
            decode_streams, newest_first=not oldest, complete=body.complete, labels=labels
        )
        shown = warned(logql, warnings_of(body.content))
        if body.complete and maybe_empty(body.content):
            shown += _silent(body.content, labels, query.selection)
        if lowered is not None:
            shown += (
                f"; limit lowered from {query.limit:,} to {limit:,}: Loki could not pass a "
                f"larger answer between its components ({lowered.message})"
            )
        return RawEntries(shown, body.content, decode, limit)

    async def totals(self, query: CountQuery) -> Totals:
        """An instant metric query at the window's end, summed by level, pod and container.

        A window with more level, pod and container groups than Loki's ``max_query_series``
        (500 by default) is counted by level only: true totals without the split by source,
        both queries within one deadline.
        """
        async with self._client.deadline(QUERY):
            return await self._totals(query)

    async def _totals(self, query: CountQuery) -> Totals:
        window, labels = query.window, self._labels
        selection, line_filter = query.selection, query.line_filter
        logql = totals_query(selection, line_filter, window.start_ns, window.end_ns, None, labels)
        try:
            body = await self._client.query({"query": logql, "time": str(window.end_ns)})
        except LokiSeriesLimit as exc:
            by_level = totals_query(
                selection, line_filter, window.start_ns, window.end_ns, (LEVEL_LABEL,), labels
            )
            body = await self._client.query({"query": by_level, "time": str(window.end_ns)})
            shown = (
                f"{by_level}; by level only, not by pod and container ({labels.pod}, "
                f"{labels.container}): Loki refused {logql} ({exc.message})"
            )
        else:
            shown = logql
        answer = parse_json(_whole(body, "totals"))
        shown = warned(shown, answer.get("warnings")) + labels.silent(answer, selection)
        return parse_vector(answer, shown, labels)

    async def histogram(self, query: CountQuery, step_seconds: int) -> Histogram:
        """A metric range query with one point per step, summed by level."""
        window = query.window
        logql = buckets_query(query.selection, query.line_filter, step_seconds, self._labels)
        body = await self._client.query_range(
            {
                "query": logql,
                "start": str(window.start_ns),
                "end": str(window.end_ns),
                "step": str(step_seconds),
            }
        )
        answer = parse_json(_whole(body, "counts per bucket"))
        return parse_matrix(
            answer,
            start_ns=window.start_ns,
            end_ns=window.end_ns,
            step_seconds=step_seconds,
            query=warned(logql, answer.get("warnings")),
        )

    async def ready(self) -> None:
        """Loki's own `/ready`."""
        await self._client.ready()


def _silent(content: bytes, labels: LabelNames, selection: Selection) -> str:
    """Why an answer with no entries is empty, if its stats say (see `LabelNames.silent`).

    Such an answer is small, so it is read here; one that is not Loki's success is left to the
    decoder, which says so.
    """
    try:
        return labels.silent(parse_json(content), selection)
    except LokiBadResponse:
        return ""


def _whole(body: Body, what: str) -> bytes:
    """A metric answer's bytes; one cut at the byte cap cannot be read."""
    if not body.complete:
        raise LokiBadResponse(
            f"Loki's answer with the {what} is larger than SOURCE_MAX_RESPONSE_BYTES "
            f"({len(body.content):,} bytes); it was not read"
        )
    return body.content
