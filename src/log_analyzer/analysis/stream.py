"""One analysis from request to streamed answer: the orchestration of the pipeline.

`AnalysisRun.fetch()` runs before the response starts (its errors become HTTP statuses);
`AnalysisRun.events()` is the async generator the response streams. Spans are never kept current
across a `yield`: each is started with an explicit parent and ended in `finally`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode

from log_analyzer.analysis.events import DoneEvent, ErrorEvent, Event, SummaryEvent, TokenEvent
from log_analyzer.analysis.fetch import AnalysisRequest, FetchedLogs, fetch_logs
from log_analyzer.analysis.fit import FittedPrompt, PromptFitter
from log_analyzer.analysis.limiter import Permit
from log_analyzer.clients.llm import Completion, TokenDelta
from log_analyzer.clients.protocols import LLMBackend, LogSource
from log_analyzer.core.errors import LLMContextExceeded, ServiceError, UpstreamError
from log_analyzer.core.logging import log_in_span
from log_analyzer.logs.budget import completion_budget

logger = logging.getLogger(__name__)
_SAFETY_TOKENS = 8


@dataclass(frozen=True, slots=True)
class AnalysisOptions:
    """The settings an analysis needs, and nothing else."""

    model_name: str
    max_tokens: int
    temperature: float
    context_tokens: int | None
    max_line_chars: int


class AnalysisRun:
    """State of one analysis; owns the `analyze_logs_stream` span until the stream ends."""

    def __init__(
        self,
        request: AnalysisRequest,
        source: LogSource,
        llm: LLMBackend | None,
        options: AnalysisOptions,
        tracer: trace.Tracer,
        *,
        permit: Permit | None = None,
    ) -> None:
        self._request = request
        self._source = source
        self._llm = llm
        self._options = options
        self._tracer = tracer
        self._started = time.monotonic()
        self.span: Span = tracer.start_span("analyze_logs_stream")
        self.span.set_attribute("namespace", request.namespace or "")
        self.span.set_attribute("log_limit", request.limit)
        self._permit = permit
        if permit is not None:
            self.span.set_attribute("llm.queue_wait_seconds", round(permit.waited_seconds, 4))
        self._ended = False

    @property
    def trace_id(self) -> str:
        """This analysis' trace id, as Tempo shows it."""
        return f"{self.span.get_span_context().trace_id:032x}"

    async def fetch(self) -> FetchedLogs:
        """Query and prepare the logs; a failure ends the run and propagates."""
        with trace.use_span(self.span, end_on_exit=False):
            logger.info(
                "Starting log analysis",
                extra={"namespace": self._request.namespace, "limit": self._request.limit},
            )
            try:
                return await fetch_logs(
                    self._source,
                    self._request,
                    max_line_chars=self._options.max_line_chars,
                    tracer=self._tracer,
                )
            except ServiceError as exc:
                logger.warning("Log fetch failed", extra={"error": exc.to_dict()})
                self.finish(exc)
                raise

    async def events(
        self, logs: FetchedLogs, *, no_llm_reason: str = "no LLM is configured"
    ) -> AsyncGenerator[Event, None]:
        """The analysis as events: summary, tokens, then done (or error)."""
        try:
            if self._llm is None:
                yield SummaryEvent(logs.summary, None, (no_llm_reason,))
                yield self._done(Completion(None, None, None, None))
                return
            try:
                fitted, fitter, notes = await self._fit(self._llm, logs)
            except UpstreamError as exc:
                yield SummaryEvent(logs.summary, None, (f"no analysis: {exc.message}",))
                yield self._error(exc)
                return
            yield SummaryEvent(logs.summary, fitted.fit, notes)
            async for event in self._generate(self._llm, fitted, fitter):
                yield event
        finally:
            self.finish()

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

    async def _fit(
        self, llm: LLMBackend, logs: FetchedLogs
    ) -> tuple[FittedPrompt, PromptFitter, tuple[str, ...]]:
        props = await llm.props()
        n_ctx = self._options.context_tokens or props.n_ctx
        budget = completion_budget(n_ctx, self._options.max_tokens)
        fitter = PromptFitter(
            llm,
            logs.summary,
            self._request.question,
            n_ctx=n_ctx - _SAFETY_TOKENS,
            max_tokens=budget.max_tokens,
        )
        fitted = await fitter.fit()
        return fitted, fitter, (budget.note,) if budget.note else ()

    async def _generate(
        self, llm: LLMBackend, fitted: FittedPrompt, fitter: PromptFitter
    ) -> AsyncIterator[Event]:
        span = self._tracer.start_span("call_llm", context=trace.set_span_in_context(self.span))
        span.set_attribute("llm.model", self._options.model_name)
        span.set_attribute("gen_ai.operation.name", "chat")
        span.set_attribute("gen_ai.request.model", self._options.model_name)
        span.set_attribute("gen_ai.request.max_tokens", fitted.fit.max_tokens)
        span.set_attribute("gen_ai.request.temperature", self._options.temperature)
        span.set_attribute("llm.prompt_tokens_counted", fitted.fit.prompt_tokens)
        span.set_attribute("llm.context_tokens", fitted.fit.n_ctx)
        started = time.monotonic()
        tokens = 0
        completion = Completion(None, None, None, None)
        cancelled = True  # until the stream ends on its own
        refusals = 0
        try:
            for attempt in (1, 2):
                try:
                    # aclosing: if our consumer leaves, the upstream request is closed now, not
                    # whenever the garbage collector finalizes the generator.
                    async with aclosing(
                        llm.stream_chat(
                            fitted.messages,
                            max_tokens=fitted.fit.max_tokens,
                            temperature=self._options.temperature,
                            model=self._options.model_name,
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
                    # Only possible before the first token; our count disagreed with the server's.
                    refusals += 1
                    if attempt == 2 or tokens:
                        raise
                    overshoot = exc.n_prompt_tokens - (exc.n_ctx - fitted.fit.max_tokens)
                    log_in_span(
                        span,
                        logger,
                        logging.WARNING,
                        "Prompt refused; shrinking",
                        n_prompt_tokens=exc.n_prompt_tokens,
                        n_ctx=exc.n_ctx,
                    )
                    fitted = await fitter.refit(fitted, max(overshoot, 1) + _SAFETY_TOKENS)
            cancelled = False
            self._record_usage(span, completion, tokens)
            yield self._done(completion)
        except UpstreamError as exc:
            cancelled = False
            span.set_status(Status(StatusCode.ERROR, exc.message))
            span.set_attribute("error.type", exc.code)
            log_in_span(span, logger, logging.ERROR, "LLM call failed", error=exc.to_dict())
            yield self._error(exc)
        finally:
            span.set_attribute("llm.tokens_generated", tokens)
            span.set_attribute("llm.cancelled", cancelled)
            span.set_attribute("llm.context_refusals", refusals)
            span.end()

    def _record_usage(self, span: Span, completion: Completion, tokens: int) -> None:
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

    def _done(self, completion: Completion) -> DoneEvent:
        return DoneEvent(
            model=completion.model or (self._options.model_name if self._llm else None),
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            finish_reason=completion.finish_reason,
            duration_seconds=round(time.monotonic() - self._started, 3),
            trace_id=self.trace_id,
        )

    def _error(self, exc: ServiceError) -> ErrorEvent:
        self.span.set_status(Status(StatusCode.ERROR, exc.message))
        return ErrorEvent(exc.to_dict(), self.trace_id)
