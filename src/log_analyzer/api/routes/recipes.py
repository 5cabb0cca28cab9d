"""`GET /v1/recipes` and `POST /v1/recipes/{name}/stream`: numbers first, the LLM second."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path
from pydantic import BaseModel

from log_analyzer.api.dependencies import ServicesDep
from log_analyzer.api.routes.analyze import ERRORS, STREAM_FORMATS, negotiate
from log_analyzer.api.streaming import RunResponse
from log_analyzer.recipes.catalog import RECIPES
from log_analyzer.recipes.params import Param
from log_analyzer.service.requests import RecipeRequest
from log_analyzer.service.runs import recipe_run

router = APIRouter(prefix="/v1/recipes", tags=["recipes"])


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
            "description": "The computed tables with the store's queries, then the LLM's "
            "interpretation.",
            "content": STREAM_FORMATS,
        },
        **ERRORS,
        422: {"model": ERRORS[422]["model"], "description": "Unknown recipe, parameter or value."},
    },
)
async def run_recipe(
    name: Annotated[str, Path(description="A recipe name from GET /v1/recipes.")],
    body: RecipeRequest,
    services: ServicesDep,
    accept: str | None = Header(default=None),
) -> RunResponse:
    """Compute the recipe's numbers from the store, stream them, then stream the explanation."""
    return RunResponse(
        recipe_run(services, name, body),
        negotiate(accept),
        services.settings.client_send_timeout_seconds,
        services.scrub,
    )


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
