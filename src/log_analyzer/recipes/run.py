"""One recipe from request to streamed answer: compute the tables, then let the model explain.

`RecipeRun.compute()` runs before the response starts (Loki errors become HTTP statuses);
`RecipeRun.events()` streams the result first and the explanation after it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncGenerator, Mapping

from opentelemetry import trace

from log_analyzer.analysis.events import Event, RecipeFit, ResultEvent
from log_analyzer.analysis.fetch import AnalysisRequest
from log_analyzer.analysis.limiter import Permit
from log_analyzer.analysis.run import SAFETY_TOKENS, AnalysisOptions, Prompt, Run
from log_analyzer.clients.llm import Completion
from log_analyzer.clients.protocols import LLMBackend, LogSource
from log_analyzer.core.errors import LLMContextExceeded, ServiceError, UpstreamError
from log_analyzer.logs.budget import completion_budget, pack
from log_analyzer.recipes.base import Recipe, RecipeContext, RecipeResult
from log_analyzer.recipes.prompt import RecipePromptParts, build_recipe_messages, table_rows

logger = logging.getLogger(__name__)


class RecipeRun(Run):
    """State of one recipe run; owns the `run_recipe` span until the stream ends."""

    def __init__(
        self,
        recipe: Recipe,
        params: Mapping[str, int | float | str],
        request: AnalysisRequest,
        source: LogSource,
        llm: LLMBackend | None,
        options: AnalysisOptions,
        tracer: trace.Tracer,
        *,
        permit: Permit | None = None,
    ) -> None:
        super().__init__("run_recipe", llm, options, tracer, permit)
        self._recipe = recipe
        self._context = RecipeContext(
            source, request, params, tracer, max_line_chars=options.max_line_chars
        )
        self._question = request.question
        self.span.set_attribute("recipe.name", recipe.name)
        self.span.set_attribute("namespace", request.namespace or "")

    async def compute(self) -> RecipeResult:
        """Run the recipe's queries and computations; a failure ends the run and propagates."""
        with trace.use_span(self.span, end_on_exit=False):
            logger.info("Running recipe", extra={"recipe": self._recipe.name})
            try:
                result = await self._recipe.run(self._context)
            except ServiceError as exc:
                logger.warning("Recipe failed", extra={"error": exc.to_dict()})
                self.finish(exc)
                raise
            self.span.set_attribute("recipe.tables", len(result.tables))
            return result

    async def events(
        self, result: RecipeResult, *, no_llm_reason: str | None = None
    ) -> AsyncGenerator[Event, None]:
        """The result, then the model's explanation (unless there is no model to ask)."""
        try:
            if self._llm is None:
                yield ResultEvent(result, None, (no_llm_reason or "numbers only: llm is false",))
                yield self.done(Completion(None, None, None, None))
                return
            try:
                prompt, fit, fitter = await self._fit(self._llm, result)
            except UpstreamError as exc:
                note = f"numbers only: the LLM could not be used ({exc.message})"
                yield ResultEvent(result, None, (note,))
                yield self.done(Completion(None, None, None, None))
                return
            yield ResultEvent(result, fit, fitter.notes)
            async for event in self.generate(self._llm, prompt, fitter.shrink):
                yield event
        finally:
            self.finish()

    async def _fit(
        self, llm: LLMBackend, result: RecipeResult
    ) -> tuple[Prompt, RecipeFit, _TableFitter]:
        props = await llm.props()
        n_ctx = (self._options.context_tokens or props.n_ctx) - SAFETY_TOKENS
        budget = completion_budget(n_ctx, self._options.max_tokens)
        fitter = _TableFitter(llm, result, self._question, n_ctx, budget.max_tokens)
        if budget.note:
            fitter.notes = (budget.note,)
        prompt, fit = await fitter.fit()
        return prompt, fit, fitter


class _TableFitter:
    """Fits table rows (first rows first) into the prompt budget, counted exactly."""

    def __init__(
        self, llm: LLMBackend, result: RecipeResult, question: str | None, n_ctx: int, answer: int
    ) -> None:
        self._llm = llm
        self._parts = RecipePromptParts(result, question, secrets.token_hex(4))
        self._n_ctx = n_ctx
        self._answer = answer
        self._rows = [
            (t, line) for t, table in enumerate(result.tables) for line in table_rows(table)
        ]
        self._costs: list[int] = []
        self._chosen: tuple[int, ...] = ()
        self.notes: tuple[str, ...] = ()

    async def fit(self) -> tuple[Prompt, RecipeFit]:
        budget = self._n_ctx - self._answer
        frame = await self._llm.count_chat_tokens(self._messages(()))
        if frame > budget:
            raise LLMContextExceeded(
                f"the recipe prompt without rows needs {frame} tokens, more than {budget}",
                n_prompt_tokens=frame,
                n_ctx=self._n_ctx,
            )
        self._costs = await self._llm.line_token_costs([line for _, line in self._rows])
        self._chosen = pack(self._costs, range(len(self._rows)), budget - frame).chosen
        return await self._verified()

    async def shrink(self, overshoot: int) -> Prompt:
        freed = 0
        chosen = list(self._chosen)
        while chosen and freed < overshoot:
            freed += self._costs[chosen.pop()]
        self._chosen = tuple(chosen)
        return (await self._verified())[0]

    async def _verified(self) -> tuple[Prompt, RecipeFit]:
        budget = self._n_ctx - self._answer
        while True:
            messages = self._messages(self._chosen)
            total = await self._llm.count_chat_tokens(messages)
            if total <= budget or not self._chosen:
                break
            self._chosen = self._chosen[:-1]
        fit = RecipeFit(
            self._n_ctx, self._answer, total, len(self._chosen), len(self._rows) - len(self._chosen)
        )
        return Prompt(messages, self._answer, total, self._n_ctx), fit

    def _messages(self, chosen: tuple[int, ...]) -> list[dict[str, str]]:
        shown: dict[int, list[str]] = {}
        for index in sorted(chosen):
            table, line = self._rows[index]
            shown.setdefault(table, []).append(line)
        return build_recipe_messages(self._parts, shown)
