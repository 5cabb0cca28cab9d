"""The seam between the pipeline and its model, and the values that cross it.

llama.cpp or a test fake stands behind `LLMBackend`; the pipeline only ever sees this. (Log
stores have their own seam, `log_analyzer.sources.base.LogSource`.)
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from log_analyzer.clients.sse import ChatChunk

Message = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ServerProps:
    """What the service needs from `/props`."""

    n_ctx: int
    """Context size of one slot (llama.cpp reports it per slot)."""
    total_slots: int
    model: str


@dataclass(frozen=True, slots=True)
class PricedPrompt:
    """A prompt's exact size, and what each of some of its lines costs."""

    total: int
    costs: list[int]
    """Tokens of each priced span (its newline included), in the order given."""
    markers: frozenset[str] = frozenset()
    """Single tokens of the last message's content that look like a chat template's control
    tokens (``<repo_name>``, ``[INST]``): the model would read them as such."""


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
