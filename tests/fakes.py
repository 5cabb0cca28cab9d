"""Fakes for our own seams: a scripted LLM, and log sources behind the source seam."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any

from log_analyzer.clients.protocols import Message, PricedPrompt, ServerProps
from log_analyzer.clients.sse import ChatChunk, Completion, TokenDelta
from log_analyzer.core.errors import ServiceError
from log_analyzer.logs.entries import Row
from log_analyzer.logs.totals import Histogram, Totals
from log_analyzer.sources.base import (
    CountQuery,
    EntryQuery,
    Order,
    RawEntries,
    decode_rows,
)
from log_analyzer.sources.loki.logql import buckets_query, log_query, totals_query
from log_analyzer.sources.loki.shapes import decode_streams, parse_matrix, parse_vector
from tests.conftest import recorded


def fake_token_count(text: str) -> int:
    """A deterministic stand-in tokenizer: one token per 4 characters, at least one per word."""
    return max(len(text.split()), (len(text) + 3) // 4)


class FakeLLM:
    """An `LLMBackend` with queued replies, a fake tokenizer and a record of what it was asked."""

    def __init__(
        self,
        replies: Sequence[str] = ("The ", "checkout ", "service ", "is ", "failing."),
        *,
        n_ctx: int = 4096,
        total_slots: int = 2,
        gate: asyncio.Event | None = None,
        fail: ServiceError | None = None,
        fail_stream: Sequence[ServiceError] = (),
        fail_after_tokens: Exception | None = None,
        frame_tokens: int = 0,
    ) -> None:
        self.replies = list(replies)
        self.n_ctx = n_ctx
        self.total_slots = total_slots
        self.gate = gate
        self.fail = fail
        self.fail_stream = list(fail_stream)
        self.fail_after_tokens = fail_after_tokens
        self.frame_tokens = frame_tokens
        self.prompts: list[Sequence[Message]] = []
        self.tokenizer_calls = 0
        self.price_calls = 0
        self.closed = asyncio.Event()
        self.finished_normally = False
        self.tokens_sent = 0

    async def health(self) -> None:
        if self.fail:
            raise self.fail

    async def props(self) -> ServerProps:
        if self.fail:
            raise self.fail
        return ServerProps(self.n_ctx, self.total_slots, "fake-model")

    async def count_chat_tokens(self, messages: Sequence[Message]) -> int:
        self.tokenizer_calls += 1
        return self._count(messages)

    def _count(self, messages: Sequence[Message]) -> int:
        # The template adds a few tokens per message, as a real chat template does.
        return self.frame_tokens + sum(fake_token_count(m["content"]) + 4 for m in messages)

    async def price_chat(
        self, messages: Sequence[Message], spans: Sequence[tuple[int, int]]
    ) -> PricedPrompt:
        self.tokenizer_calls += 1
        self.price_calls += 1
        content = messages[-1]["content"]
        return PricedPrompt(
            self._count(messages), [fake_token_count(content[a:b]) for a, b in spans]
        )

    async def stream_chat(
        self, messages: Sequence[Message], *, max_tokens: int, temperature: float, model: str
    ) -> AsyncGenerator[ChatChunk, None]:
        self.prompts.append(messages)
        if self.fail_stream:
            raise self.fail_stream.pop(0)
        try:
            for i, text in enumerate(self.replies):
                if i == 1 and self.gate is not None:
                    await self.gate.wait()
                if i == 2 and self.fail_after_tokens is not None:
                    raise self.fail_after_tokens
                self.tokens_sent += 1
                yield TokenDelta(text)
            prompt = self._count(messages)
            yield Completion("stop", prompt, len(self.replies), "fake-model")
            self.finished_normally = True
        finally:
            self.closed.set()


class RecordedLogSource:
    """A Loki-named source answering with fixed Loki bodies, read by the Loki package's code.

    The metric bodies default to the recordings of a real Loki 3.
    """

    name = "loki"

    def __init__(
        self,
        body: Mapping[str, Any],
        *,
        vector: Mapping[str, Any] | ServiceError | None = None,
        matrix: Mapping[str, Any] | ServiceError | None = None,
        oldest: Mapping[str, Any] | ServiceError | None = None,
        fail: ServiceError | None = None,
    ) -> None:
        self.body = body
        self.vector = vector or recorded("loki", "query-vector-by-level-pod-container.json")["body"]
        self.matrix = matrix or recorded("loki", "query_range-matrix-by-level.json")["body"]
        self.oldest = oldest
        self.fail = fail
        self.queries: list[EntryQuery] = []
        self.texts: list[str] = []
        """LogQL of every query answered (counts too), in the order they came."""
        self.count_texts: list[str] = []
        self.entry_texts: list[str] = []

    async def entries(self, query: EntryQuery) -> RawEntries:
        self.queries.append(query)
        logql = log_query(query.selection, query.line_filter)
        self.texts.append(logql)
        self.entry_texts.append(logql)
        if self.fail is not None:
            raise self.fail
        body = self.body
        if query.order is Order.OLDEST and self.oldest is not None:
            if isinstance(self.oldest, ServiceError):
                raise self.oldest
            body = self.oldest
        return RawEntries(logql, json.dumps(body).encode(), decode_streams, query.limit)

    async def totals(self, query: CountQuery) -> Totals:
        window = query.window
        logql = totals_query(query.selection, query.line_filter, window.start_ns, window.end_ns)
        self.texts.append(logql)
        self.count_texts.append(logql)
        if isinstance(self.vector, ServiceError):
            raise self.vector
        return parse_vector(self.vector, logql)

    async def histogram(self, query: CountQuery, step_seconds: int) -> Histogram:
        window = query.window
        logql = buckets_query(query.selection, query.line_filter, step_seconds)
        self.texts.append(logql)
        self.count_texts.append(logql)
        if isinstance(self.matrix, ServiceError):
            raise self.matrix
        return parse_matrix(
            self.matrix,
            start_ns=window.start_ns,
            end_ns=window.end_ns,
            step_seconds=step_seconds,
            query=logql,
        )

    async def ready(self) -> None:
        return None


class RowsSource:
    """A source of plain rows behind the seam, filtered by nothing: the seam's simplest store."""

    name = "rows"

    def __init__(self, rows: Sequence[Row], totals: Totals | None = None) -> None:
        self.rows = list(rows)
        self.fixed_totals = totals
        self.queries: list[EntryQuery] = []

    async def entries(self, query: EntryQuery) -> RawEntries:
        self.queries.append(query)
        window = query.window
        inside = [r for r in self.rows if window.start_ns <= r[1] < window.end_ns]
        inside.sort(key=lambda r: r[1], reverse=query.order is Order.NEWEST)
        kept = [(dict(labels), ts, line) for labels, ts, line in inside[: query.limit]]
        return RawEntries("rows", (kept, len(inside) > query.limit), decode_rows, query.limit)

    async def totals(self, query: CountQuery) -> Totals:
        if self.fixed_totals is None:
            raise ServiceError("no totals")
        return self.fixed_totals

    async def histogram(self, query: CountQuery, step_seconds: int) -> Histogram:
        raise ServiceError("this source keeps no counts per bucket")

    async def ready(self) -> None:
        return None
