"""A recipe run: compute the tables, then let the model explain them, on the shared `Run`."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from opentelemetry.trace import Span

from log_analyzer.analysis.events import ResultEvent
from log_analyzer.analysis.job import Head, JobContext
from log_analyzer.analysis.request import AnalysisRequest
from log_analyzer.recipes.context import Recipe, RecipeContext
from log_analyzer.recipes.prompt import recipe_material

logger = logging.getLogger(__name__)

NOTHING = (
    "the model was not asked: every number of the tables is zero or none (the store found no "
    "matching line in the window), so there is nothing for the model to explain"
)


class RecipeJob:
    """One recipe over one request's window and filters."""

    span_name = "run_recipe"

    def __init__(
        self, recipe: Recipe, params: Mapping[str, int | float | str], request: AnalysisRequest
    ) -> None:
        self.recipe = recipe
        self.params = params
        self.request = request

    def describe(self, span: Span) -> None:
        """Name the recipe on the root span and in the log."""
        span.set_attributes(
            {
                "recipe.name": self.recipe.name,
                "namespace": self.request.selection.get("namespace") or "",
                "log.source": self.request.source,
            }
        )
        logger.info("Running recipe", extra={"recipe": self.recipe.name,
                                             "source": self.request.source})  # fmt: skip

    async def prepare(self, context: JobContext) -> Head:
        """Run the recipe's queries and computations."""
        result = await self.recipe.run(RecipeContext(context, self.request, self.params))
        context.span.set_attribute("recipe.tables", len(result.tables))
        material = recipe_material(result, self.request.question)
        idle = None if result.counted_anything else NOTHING
        return Head(ResultEvent(result), material, "Interpretation", idle)
