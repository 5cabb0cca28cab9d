"""The deadline of one generation: the model's next chunk, or `LLMTimeout` once it passed.

A generation has a total deadline (``LLM_DEADLINE_SECONDS``), whatever the pace of its tokens;
:class:`~log_analyzer.analysis.run.Run` reads every chunk of the stream through
:func:`next_before`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator

from log_analyzer.analysis.run_deps import RunOptions
from log_analyzer.clients.sse import Completion, TokenDelta
from log_analyzer.core.errors import LLMTimeout


async def next_before(
    chunks: AsyncGenerator[TokenDelta | Completion, None], deadline: float, options: RunOptions
) -> TokenDelta | Completion | None:
    """The stream's next chunk (None at its end), or `LLMTimeout` once the deadline passed."""
    try:
        async with asyncio.timeout_at(_loop_time(deadline)):
            return await anext(chunks, None)
    except TimeoutError:
        raise LLMTimeout(
            f"llama.cpp did not finish the answer within {options.llm_deadline_seconds:g} s "
            "(LLM_DEADLINE_SECONDS)"
        ) from None


def _loop_time(monotonic_deadline: float) -> float:
    """A `time.monotonic()` deadline on the event loop's clock."""
    return asyncio.get_running_loop().time() + (monotonic_deadline - time.monotonic())
