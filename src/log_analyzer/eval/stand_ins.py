"""What stands around the real pipeline during an evaluation: a counted store, a recorded model.

The store is the in-memory one, wrapped to count every query the pipeline makes. The model is
llama.cpp when it answers, else a stand-in that counts tokens by an estimate and answers
nothing; either way the messages the pipeline sends are recorded, so the evaluation reads the
prompt that was really built.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncGenerator, Sequence

from log_analyzer.clients.protocols import LLMBackend, Message, PricedPrompt, ServerProps
from log_analyzer.clients.sse import ChatChunk, Completion
from log_analyzer.logs.totals import Histogram, Totals
from log_analyzer.sources.base import CountQuery, EntryQuery, LogSource, RawEntries

DEFAULT_SLOT_TOKENS = 2048
"""The per-slot context of the default llama-server (`just llm`: 4096 tokens over 2 slots)."""
_TEMPLATE_TOKENS = 4
"""Tokens a chat template adds around each message, in the estimate."""


def estimate_tokens(text: str) -> int:
    """An estimate of a text's tokens: one per 4 characters, at least one per word."""
    return max(len(text.split()), (len(text) + 3) // 4)


class CountingSource:
    """A store that counts the queries made of it, by kind."""

    def __init__(self, store: LogSource) -> None:
        self._store = store
        self.calls: Counter[str] = Counter()

    @property
    def name(self) -> str:
        """The wrapped store's name."""
        return self._store.name

    async def entries(self, query: EntryQuery) -> RawEntries:
        """Entries, counted."""
        self.calls["entries"] += 1
        return await self._store.entries(query)

    async def totals(self, query: CountQuery) -> Totals:
        """Totals, counted."""
        self.calls["totals"] += 1
        return await self._store.totals(query)

    async def histogram(self, query: CountQuery, step_seconds: int) -> Histogram:
        """Buckets, counted."""
        self.calls["histogram"] += 1
        return await self._store.histogram(query, step_seconds)

    async def ready(self) -> None:
        """Ready when the wrapped store is."""
        await self._store.ready()


class EstimatingModel:
    """A model that is not there: `estimate_tokens` for its tokenizer, no answer at all."""

    def __init__(self, n_ctx: int = DEFAULT_SLOT_TOKENS) -> None:
        self.n_ctx = n_ctx

    async def health(self) -> None:
        """Always up: nothing to reach."""

    async def props(self) -> ServerProps:
        """One slot of ``n_ctx`` tokens."""
        return ServerProps(self.n_ctx, 1, "token-estimate")

    async def count_chat_tokens(self, messages: Sequence[Message]) -> int:
        """The estimate of the whole chat."""
        return sum(estimate_tokens(m["content"]) + _TEMPLATE_TOKENS for m in messages)

    async def price_chat(
        self, messages: Sequence[Message], spans: Sequence[tuple[int, int]]
    ) -> PricedPrompt:
        """The estimate of the chat, and of each span of the last message."""
        content = messages[-1]["content"]
        return PricedPrompt(
            await self.count_chat_tokens(messages),
            [estimate_tokens(content[start:end]) for start, end in spans],
        )

    async def stream_chat(
        self, messages: Sequence[Message], *, max_tokens: int, temperature: float, model: str
    ) -> AsyncGenerator[ChatChunk, None]:
        """No answer: the stream ends at once."""
        yield Completion(None, None, None, None)


class RecordingModel:
    """A model that records the messages of each chat it is asked, then asks ``model``."""

    def __init__(self, model: LLMBackend) -> None:
        self._model = model
        self.chats: list[Sequence[Message]] = []

    async def health(self) -> None:
        """The wrapped model's health."""
        await self._model.health()

    async def props(self) -> ServerProps:
        """The wrapped model's."""
        return await self._model.props()

    async def count_chat_tokens(self, messages: Sequence[Message]) -> int:
        """The wrapped model's count."""
        return await self._model.count_chat_tokens(messages)

    async def price_chat(
        self, messages: Sequence[Message], spans: Sequence[tuple[int, int]]
    ) -> PricedPrompt:
        """The wrapped model's prices."""
        return await self._model.price_chat(messages, spans)

    def stream_chat(
        self, messages: Sequence[Message], *, max_tokens: int, temperature: float, model: str
    ) -> AsyncGenerator[ChatChunk, None]:
        """Record ``messages``, then stream the wrapped model's answer."""
        self.chats.append(messages)
        return self._model.stream_chat(
            messages, max_tokens=max_tokens, temperature=temperature, model=model
        )
