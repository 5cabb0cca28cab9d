"""One log analysis from request to streamed answer.

`AnalysisRun.fetch()` runs before the response starts (its errors become HTTP statuses);
`AnalysisRun.events()` is the async generator the response streams.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator

from opentelemetry import trace

from log_analyzer.analysis.events import Event, SummaryEvent
from log_analyzer.analysis.fetch import AnalysisRequest, FetchedLogs, fetch_logs
from log_analyzer.analysis.fit import FittedPrompt, PromptFitter
from log_analyzer.analysis.limiter import Permit
from log_analyzer.analysis.run import SAFETY_TOKENS, AnalysisOptions, Prompt, Run
from log_analyzer.clients.llm import Completion
from log_analyzer.clients.protocols import LLMBackend, LogSource
from log_analyzer.core.errors import ServiceError, UpstreamError
from log_analyzer.logs.budget import completion_budget

logger = logging.getLogger(__name__)


class AnalysisRun(Run):
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
        super().__init__("analyze_logs_stream", llm, options, tracer, permit)
        self._request = request
        self._source = source
        self.span.set_attribute("namespace", request.namespace or "")
        self.span.set_attribute("log_limit", request.limit)

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
                yield self.done(Completion(None, None, None, None))
                return
            try:
                fitted, fitter, notes = await self._fit(self._llm, logs)
            except UpstreamError as exc:
                yield SummaryEvent(logs.summary, None, (f"no analysis: {exc.message}",))
                yield self.error(exc)
                return
            yield SummaryEvent(logs.summary, fitted.fit, notes)
            current = fitted

            async def shrink(overshoot: int) -> Prompt:
                nonlocal current
                current = await fitter.refit(current, overshoot)
                return _prompt(current)

            async for event in self.generate(self._llm, _prompt(fitted), shrink):
                yield event
        finally:
            self.finish()

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
            n_ctx=n_ctx - SAFETY_TOKENS,
            max_tokens=budget.max_tokens,
        )
        fitted = await fitter.fit()
        notes = tuple(note for note in (budget.note, fitter.note) if note)
        return fitted, fitter, notes


def _prompt(fitted: FittedPrompt) -> Prompt:
    return Prompt(
        fitted.messages, fitted.fit.max_tokens, fitted.fit.prompt_tokens, fitted.fit.n_ctx
    )
