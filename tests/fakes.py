"""Fakes for our own seams: a scripted LLM and a log source serving recorded bodies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any

from log_analyzer.clients.llm import ChatChunk, Completion, Message, ServerProps, TokenDelta
from log_analyzer.clients.loki import LogQuery
from log_analyzer.core.errors import ServiceError
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
        fail_after_tokens: ServiceError | None = None,
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
        # The template adds a few tokens per message, as a real chat template does.
        return self.frame_tokens + sum(fake_token_count(m["content"]) + 4 for m in messages)

    async def line_token_costs(self, lines: Sequence[str]) -> list[int]:
        return [fake_token_count(line) for line in lines]

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
            prompt = await self.count_chat_tokens(messages)
            yield Completion("stop", prompt, len(self.replies), "fake-model")
            self.finished_normally = True
        finally:
            self.closed.set()


class RecordedLogSource:
    """A `LogSource` answering with fixed Loki bodies (metric ones recorded from a real Loki)."""

    def __init__(
        self,
        body: Mapping[str, Any],
        *,
        vector: Mapping[str, Any] | ServiceError | None = None,
        matrix: Mapping[str, Any] | ServiceError | None = None,
    ) -> None:
        self.body = body
        self.vector = vector or recorded("loki", "query-vector.json")["body"]
        self.matrix = matrix or recorded("loki", "query_range-matrix.json")["body"]
        self.queries: list[LogQuery] = []
        self.metric_queries: list[str] = []

    async def query_logs(self, query: LogQuery) -> Mapping[str, Any]:
        self.queries.append(query)
        return self.body

    async def query_metric_instant(self, logql: str, time_ns: int) -> Mapping[str, Any]:
        self.metric_queries.append(logql)
        if isinstance(self.vector, ServiceError):
            raise self.vector
        return self.vector

    async def query_metric_range(
        self, logql: str, start_ns: int, end_ns: int, step_seconds: int
    ) -> Mapping[str, Any]:
        self.metric_queries.append(logql)
        if isinstance(self.matrix, ServiceError):
            raise self.matrix
        return self.matrix

    async def ready(self) -> None:
        return None
