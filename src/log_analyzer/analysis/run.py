"""What every streamed run shares: its root span, its generation slot, and the LLM call.

A run's root span is started when the request is accepted and ended exactly once, when the stream
ends, the client leaves, or the work before the first byte fails. The LLM call is its own span
(`call_llm`), started with an explicit parent and ended in `finally`, never current across a
`yield`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode

from log_analyzer.analysis.events import DoneEvent, ErrorEvent, TokenEvent
from log_analyzer.analysis.limiter import Permit
from log_analyzer.clients.llm import Completion, TokenDelta
from log_analyzer.clients.protocols import LLMBackend
from log_analyzer.core.errors import LLMContextExceeded, ServiceError, UpstreamError
from log_analyzer.core.logging import log_in_span

logger = logging.getLogger(__name__)
SAFETY_TOKENS = 8
"""Tokens kept free of the slot context, against off-by-a-few counts at template boundaries."""


@dataclass(frozen=True, slots=True)
class AnalysisOptions:
    """The settings a run needs, and nothing else."""

    model_name: str
    max_tokens: int
    temperature: float
    context_tokens: int | None
    max_line_chars: int


@dataclass(frozen=True, slots=True)
class Prompt:
    """Messages that fit the context, with the numbers that prove it."""

    messages: list[dict[str, str]]
    max_tokens: int
    prompt_tokens: int
    n_ctx: int


Shrink = Callable[[int], Awaitable[Prompt]]
"""Given how many tokens too many the server counted, return a smaller prompt."""


class Run:
    """A streamed run's root span and generation slot."""

    def __init__(
        self,
        name: str,
        llm: LLMBackend | None,
        options: AnalysisOptions,
        tracer: trace.Tracer,
        permit: Permit | None,
    ) -> None:
        self._llm = llm
        self._options = options
        self._tracer = tracer
        self._started = time.monotonic()
        self.span: Span = tracer.start_span(name)
        self._permit = permit
        if permit is not None:
            self.span.set_attribute("llm.queue_wait_seconds", round(permit.waited_seconds, 4))
        self._ended = False

    @property
    def trace_id(self) -> str:
        """This run's trace id, as Tempo shows it."""
        return f"{self.span.get_span_context().trace_id:032x}"

    def finish(self, error: ServiceError | None = None) -> None:
        """Release the generation slot and end the root span, once, recording the outcome."""
        if self._ended:
            return
        self._ended = True
        if self._permit is not None:
            self._permit.release()
        if error is not None:
            self.span.set_status(Status(StatusCode.ERROR, error.message))
            self.span.set_attribute("error.type", error.code)
        self.span.end()

    def done(self, completion: Completion) -> DoneEvent:
        """The closing event of a stream that ended normally."""
        return DoneEvent(
            model=completion.model or (self._options.model_name if self._llm else None),
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            finish_reason=completion.finish_reason,
            duration_seconds=round(time.monotonic() - self._started, 3),
            trace_id=self.trace_id,
        )

    def error(self, exc: ServiceError) -> ErrorEvent:
        """The in-band error event; marks the root span as failed."""
        self.span.set_status(Status(StatusCode.ERROR, exc.message))
        return ErrorEvent(exc.to_dict(), self.trace_id)

    async def generate(
        self, llm: LLMBackend, prompt: Prompt, shrink: Shrink
    ) -> AsyncGenerator[TokenEvent | DoneEvent | ErrorEvent, None]:
        """Stream the answer: tokens as they come, then done, or an error event.

        A prompt the server refuses as too long is shrunk and sent once more; that can only
        happen before the first token, and once a token was sent the call is never repeated.
        """
        opts = self._options
        span = self._tracer.start_span("call_llm", context=trace.set_span_in_context(self.span))
        span.set_attribute("llm.model", opts.model_name)
        span.set_attribute("gen_ai.operation.name", "chat")
        span.set_attribute("gen_ai.request.model", opts.model_name)
        span.set_attribute("gen_ai.request.max_tokens", prompt.max_tokens)
        span.set_attribute("gen_ai.request.temperature", opts.temperature)
        span.set_attribute("llm.prompt_tokens_counted", prompt.prompt_tokens)
        span.set_attribute("llm.context_tokens", prompt.n_ctx)
        started = time.monotonic()
        tokens = refusals = 0
        completion = Completion(None, None, None, None)
        cancelled = True  # until the stream ends on its own
        try:
            for attempt in (1, 2):
                try:
                    # aclosing: if our consumer leaves, the upstream request is closed now, not
                    # whenever the garbage collector finalizes the generator.
                    async with aclosing(
                        llm.stream_chat(
                            prompt.messages,
                            max_tokens=prompt.max_tokens,
                            temperature=opts.temperature,
                            model=opts.model_name,
                        )
                    ) as chunks:
                        async for chunk in chunks:
                            if isinstance(chunk, TokenDelta):
                                if tokens == 0:
                                    span.set_attribute(
                                        "gen_ai.server.time_to_first_token",
                                        round(time.monotonic() - started, 4),
                                    )
                                tokens += 1
                                yield TokenEvent(chunk.text)
                            else:
                                completion = chunk
                    break
                except LLMContextExceeded as exc:
                    refusals += 1
                    if attempt == 2 or tokens:
                        raise
                    log_in_span(
                        span,
                        logger,
                        logging.WARNING,
                        "Prompt refused; shrinking",
                        n_prompt_tokens=exc.n_prompt_tokens,
                        n_ctx=exc.n_ctx,
                    )
                    overshoot = exc.n_prompt_tokens - (exc.n_ctx - prompt.max_tokens)
                    prompt = await shrink(max(overshoot, 1) + SAFETY_TOKENS)
            cancelled = False
            _record_usage(span, completion, tokens)
            yield self.done(completion)
        except UpstreamError as exc:
            cancelled = False
            span.set_status(Status(StatusCode.ERROR, exc.message))
            span.set_attribute("error.type", exc.code)
            log_in_span(span, logger, logging.ERROR, "LLM call failed", error=exc.to_dict())
            yield self.error(exc)
        finally:
            span.set_attribute("llm.tokens_generated", tokens)
            span.set_attribute("llm.cancelled", cancelled)
            span.set_attribute("llm.context_refusals", refusals)
            span.end()


def _record_usage(span: Span, completion: Completion, tokens: int) -> None:
    span.set_attribute("gen_ai.usage.output_tokens", completion.completion_tokens or tokens)
    if completion.prompt_tokens is not None:
        span.set_attribute("gen_ai.usage.input_tokens", completion.prompt_tokens)
    if completion.finish_reason:
        span.set_attribute("gen_ai.response.finish_reasons", [completion.finish_reason])
    if completion.model:
        span.set_attribute("gen_ai.response.model", completion.model)
    log_in_span(
        span,
        logger,
        logging.INFO,
        "LLM call finished",
        completion_tokens=completion.completion_tokens or tokens,
        prompt_tokens=completion.prompt_tokens,
        finish_reason=completion.finish_reason,
    )
