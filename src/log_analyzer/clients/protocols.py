"""The seam between the pipeline and its model.

llama.cpp or a test fake stands behind `LLMBackend`; the pipeline only ever sees this. (Log
stores have their own seam, `log_analyzer.sources.base.LogSource`.)
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from typing import Protocol

from log_analyzer.clients.llm import ChatChunk, Message, PricedPrompt, ServerProps


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

    async def price_chat(
        self, messages: Sequence[Message], spans: Sequence[tuple[int, int]]
    ) -> PricedPrompt:
        """Exact prompt tokens, and the tokens of each span of the last message's content."""
        ...

    def stream_chat(
        self, messages: Sequence[Message], *, max_tokens: int, temperature: float, model: str
    ) -> AsyncGenerator[ChatChunk, None]:
        """Stream the answer as `TokenDelta`s, then one `Completion`."""
        ...
