"""`GET /v1/recipes` and `POST /v1/recipes/{name}/stream`: numbers first, the LLM second."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path
from pydantic import BaseModel, ConfigDict, Field

from log_analyzer.analysis.limiter import Permit
from log_analyzer.api.dependencies import LLMDep, LogSourceDep, ServicesDep
from log_analyzer.api.encoders import NDJSON, SSE, TEXT
from log_analyzer.api.models import AnalyzeRequest, ErrorEnvelope
from log_analyzer.api.routes.analyze import analysis_options, negotiate, to_analysis_request
from log_analyzer.api.streaming import EventStreamResponse, stream_run
from log_analyzer.recipes.base import Param, parse_params
from log_analyzer.recipes.catalog import RECIPES, get_recipe
from log_analyzer.recipes.run import RecipeRun

router = APIRouter(prefix="/v1/recipes", tags=["recipes"])


class RecipeRequest(AnalyzeRequest):
    """The analysis request's window and filters, plus the recipe's parameters."""

    model_config = ConfigDict(extra="forbid")

    params: dict[str, Any] = Field(
        default_factory=dict, description="Recipe parameters; see GET /v1/recipes."
    )
    llm: bool = Field(True, description="Ask the LLM to explain the numbers; false: numbers only.")


class ParamInfo(BaseModel):
    """One recipe parameter."""

    name: str
    type: str
    default: int | float | str
    description: str
    minimum: float | None = None
    maximum: float | None = None
    choices: list[str] = []


class RecipeInfo(BaseModel):
    """One recipe."""

    name: str
    description: str
    params: list[ParamInfo]


@router.get("")
async def list_recipes() -> list[RecipeInfo]:
    """Every recipe, with its description and parameters."""
    return [
        RecipeInfo(
            name=recipe.name,
            description=recipe.description,
            params=[_param_info(p) for p in recipe.params],
        )
        for recipe in RECIPES.values()
    ]


@router.post(
    "/{name}/stream",
    responses={
        200: {
            "description": "The computed tables with their LogQL, then the LLM's interpretation.",
            "content": {TEXT: {}, SSE: {}, NDJSON: {}},
        },
        400: {"model": ErrorEnvelope, "description": "Loki rejected a query."},
        422: {"model": ErrorEnvelope, "description": "Unknown recipe, parameter or bad value."},
        429: {"model": ErrorEnvelope, "description": "Every LLM slot stayed busy; Retry-After."},
        502: {"model": ErrorEnvelope, "description": "Loki unreachable or failing."},
        504: {"model": ErrorEnvelope, "description": "Loki timed out."},
    },
)
async def run_recipe(
    name: Annotated[str, Path(description="A recipe name from GET /v1/recipes.")],
    body: RecipeRequest,
    services: ServicesDep,
    logs: LogSourceDep,
    llm: LLMDep,
    accept: str | None = Header(default=None),
) -> EventStreamResponse:
    """Compute the recipe's numbers from Loki, stream them, then stream the explanation."""
    recipe = get_recipe(name)
    params = parse_params(recipe, body.params)
    media_type = negotiate(accept)
    request = to_analysis_request(body, services.settings)
    permit: Permit | None = await services.limiter.acquire() if body.llm else None
    run = RecipeRun(
        recipe,
        params,
        request,
        logs,
        llm if body.llm else None,
        analysis_options(services.settings),
        services.tracer,
        permit=permit,
    )
    try:
        result = await run.compute()  # Loki errors surface here, before any byte is sent
    except BaseException:
        run.finish()
        raise
    return stream_run(run, run.events(result), media_type)


def _param_info(param: Param) -> ParamInfo:
    return ParamInfo(
        name=param.name,
        type=param.kind.__name__,
        default=param.default,
        description=param.description,
        minimum=param.minimum,
        maximum=param.maximum,
        choices=list(param.choices),
    )
