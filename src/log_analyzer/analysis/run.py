"""One run, for analyses and recipes alike: its root span, its generation slot, its stream.

A run is an async context manager that owns its lifecycle in one place::

    async with Run(job, deps) as run:
        head = await run.prepare()      # store queries and CPU work; errors before any byte
        async for event in run.events(head):
            ...                         # numbers, context fit, tokens, then done or error

Entering starts the root span; leaving releases the generation slot and ends the span, once,
with the outcome, however the run ended (an error before the first byte, an error event, a
client that left, a normal end). `prepare` raises `ServiceError`s, which become HTTP statuses
or exit codes; after the first event any exception becomes an `error` event, then a clean end.

A generation slot is taken only once the prompt is ready (after the numbers were sent and the
evidence fitted), and given back as soon as the model stops: store queries and CPU work never
hold one. A run that waits too long for one ends with an ``overloaded`` error event, its numbers
already delivered. The whole generation has a deadline, whatever the pace of the tokens.

A `Job` (an analysis, a recipe) only says what to compute and what to show the model. The LLM
call is its own span (`call_llm`), started with an explicit parent and ended in `finally`, never
current across a `yield`; llama.cpp's HTTP spans are its children.

Around it: the options and dependencies a run is given (:mod:`~log_analyzer.analysis.run_deps`),
the job protocol and what a job may use (:mod:`~log_analyzer.analysis.job`), and the
generation's deadline (:mod:`~log_analyzer.analysis.deadline`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import replace
from types import TracebackType

from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode

from log_analyzer.analysis.deadline import next_before
from log_analyzer.analysis.events import (
    ContextEvent,
    DoneEvent,
    ErrorEvent,
    Event,
    TokenEvent,
)
from log_analyzer.analysis.fit import SAFETY_TOKENS, Fitted, Fitter
from log_analyzer.analysis.job import Head, Job, JobContext
from log_analyzer.analysis.limiter import Permit
from log_analyzer.analysis.run_deps import RunDeps
from log_analyzer.clients.protocols import LLMBackend
from log_analyzer.clients.sse import Completion, TokenDelta
from log_analyzer.core.errors import (
    LLMContextExceeded,
    ServiceError,
    internal_error,
)
from log_analyzer.core.logging import log_in_span
from log_analyzer.logs.budget import completion_budget
from log_analyzer.logs.prompt import PromptMaterial

logger = logging.getLogger(__name__)

CANCELLED = "Run cancelled (the client left, or the service is stopping)"


class Run:
    """One streamed run of a job (see the module docstring)."""

    def __init__(self, job: Job, deps: RunDeps) -> None:
        self._job = job
        self._deps = deps
        self._permit: Permit | None = None
        self._failure: ServiceError | None = None
        self._started = time.monotonic()
        self.span: Span = trace.INVALID_SPAN

    @property
    def trace_id(self) -> str:
        """This run's trace id, as Tempo shows it."""
        return f"{self.span.get_span_context().trace_id:032x}"

    async def __aenter__(self) -> Run:
        self.span = self._deps.tracer.start_span(self._job.span_name)
        with trace.use_span(self.span, end_on_exit=False):
            self._job.describe(self.span)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._release()
        failure = self._failure
        if isinstance(exc, ServiceError):
            failure = exc
        if failure is not None:
            self.span.set_status(Status(StatusCode.ERROR, failure.message))
            self.span.set_attribute("error.type", failure.code)
        elif exc is not None:
            cancelled = not isinstance(exc, Exception)
            self.span.set_attribute("run.cancelled", cancelled)
            if not cancelled:
                self.span.record_exception(exc)
                self.span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        duration = round(time.monotonic() - self._started, 4)
        self.span.set_attribute("run.duration_seconds", duration)
        if exc is not None and not isinstance(exc, Exception):
            # Often the only line a run leaves when its client goes before the first byte.
            log_in_span(self.span, logger, logging.INFO, CANCELLED, run_duration_seconds=duration)
        self.span.end()

    async def prepare(self) -> Head:
        """Let the job query and compute, once a worker can take the request."""
        with trace.use_span(self.span, end_on_exit=False):
            try:
                async with self._deps.workers.admitted() as waited:
                    self.span.set_attribute("worker.admission_wait_seconds", round(waited, 4))
                    return await self._job.prepare(JobContext(self._deps, self.span))
            except ServiceError as exc:
                logger.warning("Run failed before streaming", extra={"error": exc.to_dict()})
                raise

    async def events(self, head: Head) -> AsyncGenerator[Event, None]:
        """The run as events: the job's numbers, the context fit, tokens, then done (or error)."""
        llm = self._deps.llm
        try:
            reason = self._deps.no_llm_reason if llm is None else head.idle
            if llm is None or reason is not None:
                first = head.event
                yield replace(first, notes=(*first.notes, reason or self._deps.no_llm_reason))
                yield self._done(Completion(None, None, None, None), asked=False)
                return
            yield head.event
            fitted, fitter, notes = await self._fit(llm, head.material)
            yield ContextEvent(fitted.fit, notes, head.heading)
            await self._take_slot()
            # aclosing: a consumer that closes this stream early (a stalled client, a broken
            # pipe) closes the llama.cpp request with it, not when the collector gets to it.
            async with aclosing(self._generate(llm, fitter, fitted)) as answer:
                async for event in answer:
                    yield event
        except Exception as exc:  # after the first byte nothing may cut the stream silently
            yield self._error(exc)
        finally:
            self._release()

    async def _take_slot(self) -> None:
        """Wait for a generation slot; `OverloadedError` when none frees in time."""
        limiter = self._deps.limiter
        if limiter is None:
            return
        self._permit = await limiter.acquire()
        self.span.set_attribute("llm.queue_wait_seconds", round(self._permit.waited_seconds, 4))

    async def _fit(
        self, llm: LLMBackend, material: PromptMaterial
    ) -> tuple[Fitted, Fitter, tuple[str, ...]]:
        span = self._deps.tracer.start_span("fit_context", trace.set_span_in_context(self.span))
        try:
            with trace.use_span(span, end_on_exit=False):
                options = self._deps.options
                n_ctx = (options.context_tokens or (await llm.props()).n_ctx) - SAFETY_TOKENS
                budget = completion_budget(n_ctx, options.max_tokens)
                fitter = Fitter(llm, material, n_ctx=n_ctx, max_tokens=budget.max_tokens)
                fitted = await fitter.fit()
            fit = fitted.fit
            span.set_attributes(
                {
                    "llm.context_tokens": fit.n_ctx,
                    "llm.prompt_tokens_counted": fit.prompt_tokens,
                    "evidence.included": fit.included,
                    "evidence.omitted": fit.omitted,
                }
            )
            return fitted, fitter, tuple(n for n in (budget.note, fitter.note) if n)
        finally:
            span.end()

    async def _generate(
        self, llm: LLMBackend, fitter: Fitter, fitted: Fitted
    ) -> AsyncGenerator[Event, None]:
        """Stream the answer: tokens as they come, then done.

        A prompt the server refuses as too long is shrunk and sent once more; that can only
        happen before the first token, and once a token was sent the call is never repeated.
        """
        opts = self._deps.options
        span = self._deps.tracer.start_span("call_llm", trace.set_span_in_context(self.span))
        span.set_attributes(
            {
                "llm.model": opts.model_name,
                "gen_ai.operation.name": "chat",
                "gen_ai.request.model": opts.model_name,
                "gen_ai.request.max_tokens": fitted.fit.max_tokens,
                "gen_ai.request.temperature": opts.temperature,
                "llm.prompt_tokens_counted": fitted.fit.prompt_tokens,
                "llm.context_tokens": fitted.fit.n_ctx,
            }
        )
        started = time.monotonic()
        deadline = started + opts.llm_deadline_seconds
        tokens = refusals = 0
        completion = Completion(None, None, None, None)
        cancelled = True  # until the stream ends on its own
        try:
            for attempt in (1, 2):
                try:
                    chunks = llm.stream_chat(
                        fitted.messages,
                        max_tokens=fitted.fit.max_tokens,
                        temperature=opts.temperature,
                        model=opts.model_name,
                    )
                    # aclosing: if our consumer leaves, the upstream request is closed now, not
                    # whenever the garbage collector finalizes the generator.
                    async with aclosing(chunks):
                        while True:
                            # llama.cpp's HTTP span starts inside the first step: under call_llm.
                            with trace.use_span(span, end_on_exit=False):
                                chunk = await next_before(chunks, deadline, opts)
                            if chunk is None:
                                break
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
                    log_in_span(span, logger, logging.WARNING, "Prompt refused; shrinking",
                                n_prompt_tokens=exc.n_prompt_tokens, n_ctx=exc.n_ctx)  # fmt: skip
                    overshoot = exc.n_prompt_tokens - (exc.n_ctx - fitted.fit.max_tokens)
                    with trace.use_span(span, end_on_exit=False):
                        fitted = await fitter.refit(fitted, max(overshoot, 1) + SAFETY_TOKENS)
            cancelled = False
            _record_usage(span, completion, tokens)
            self._release()
            yield self._done(completion)
        except ServiceError as exc:
            cancelled = False
            span.set_status(Status(StatusCode.ERROR, exc.message))
            span.set_attribute("error.type", exc.code)
            log_in_span(span, logger, logging.ERROR, "LLM call failed", error=exc.to_dict())
            raise
        finally:
            span.set_attribute("llm.tokens_generated", tokens)
            span.set_attribute("llm.cancelled", cancelled)
            span.set_attribute("llm.context_refusals", refusals)
            span.end()

    def _done(self, completion: Completion, *, asked: bool = True) -> DoneEvent:
        named = self._deps.options.model_name if asked and self._deps.llm else None
        model = completion.model or named
        return DoneEvent(
            model=model,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            finish_reason=completion.finish_reason,
            duration_seconds=round(time.monotonic() - self._started, 3),
            trace_id=self.trace_id,
        )

    def _error(self, exc: Exception) -> ErrorEvent:
        if isinstance(exc, ServiceError):
            error = exc
            log_in_span(self.span, logger, logging.WARNING, "Run failed after streaming began",
                        error=exc.to_dict())  # fmt: skip
        else:
            error = internal_error(exc)
            with trace.use_span(self.span, end_on_exit=False):
                logger.exception("Run failed after streaming began")
        self._failure = error
        return ErrorEvent(error.to_dict(), self.trace_id)

    def _release(self) -> None:
        if self._permit is not None:
            self._permit.release()


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
