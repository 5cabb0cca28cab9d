"""The seams between the pipeline and its upstreams.

Loki, a bundled demo incident or a test fake can stand behind `LogSource`; llama.cpp or a fake
behind `LLMBackend`. The pipeline only ever sees these.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Protocol

from log_analyzer.clients.llm import ChatChunk, Message, ServerProps
from log_analyzer.clients.loki import LogQuery


class LogSource(Protocol):
    """Answers log and metric queries with Loki-shaped JSON bodies."""

    async def query_logs(self, query: LogQuery) -> Mapping[str, Any]:
        """Return a `streams` result for `query`."""
        ...

    async def query_metric_instant(self, logql: str, time_ns: int) -> Mapping[str, Any]:
        """Return a `vector` result of a metric query evaluated at `time_ns`."""
        ...

    async def query_metric_range(
        self, logql: str, start_ns: int, end_ns: int, step_seconds: int
    ) -> Mapping[str, Any]:
        """Return a `matrix` result of a metric query over `[start_ns, end_ns]`."""
        ...

    async def ready(self) -> None:
        """Return when the source can answer; raise an `UpstreamError` otherwise."""
        ...


class LLMBackend(Protocol):
    """A chat model with a known context size and an exact tokenizer."""

    async def health(self) -> None:
        """Return when the model is loaded; raise an `UpstreamError` otherwise."""
        ...

    async def props(self) -> ServerProps:
        """Context size per slot, slot count and model name."""
        ...

    async def count_chat_tokens(self, messages: Sequence[Message]) -> int:
        """Exact prompt tokens of `messages` once the chat template is applied."""
        ...

    async def line_token_costs(self, lines: Sequence[str]) -> list[int]:
        """Tokens each of `lines` costs when they are joined by newlines."""
        ...

    def stream_chat(
        self, messages: Sequence[Message], *, max_tokens: int, temperature: float, model: str
    ) -> AsyncGenerator[ChatChunk, None]:
        """Stream the answer as `TokenDelta`s, then one `Completion`."""
        ...
