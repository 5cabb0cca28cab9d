"""`log-analyzer recipe NAME`: a recipe's numbers, then its explanation, in the terminal."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from log_analyzer.cli.analyze import add_request_arguments, request_body
from log_analyzer.cli.terminal import EXIT_INPUT, run_command, validated
from log_analyzer.core.config import Settings
from log_analyzer.core.errors import InputError, ServiceError
from log_analyzer.recipes.catalog import RECIPES, get_recipe
from log_analyzer.recipes.params import parse_params
from log_analyzer.service.requests import RecipeRequest
from log_analyzer.service.runs import recipe_run
from log_analyzer.sources.registry import SPECS


def add_recipe_parser(sub: Any) -> None:
    """Register the `recipe` sub-command."""
    recipe = sub.add_parser(
        "recipe",
        help="answer a recurring incident question with numbers from the store, then explain them",
        description="Recipes: " + ", ".join(RECIPES),
    )
    recipe.add_argument("name", help="recipe name: " + ", ".join(RECIPES))
    add_request_arguments(recipe)
    recipe.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a recipe parameter (repeatable); numbers are parsed as numbers",
    )


async def run_recipe_command(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Validate, compute (with a progress indicator), then stream the result and explanation."""
    try:
        params: dict[str, Any] = dict(_param(p) for p in args.param)
        recipe = get_recipe(args.name)
        parse_params(recipe.name, recipe.params, params)
    except ServiceError as exc:
        print(f"invalid input: {exc.message}", file=sys.stderr)
        return EXIT_INPUT
    body = validated(RecipeRequest, {**request_body(args), "params": params})
    if body is None:
        return EXIT_INPUT
    return await run_command(
        settings,
        lambda services: recipe_run(services, args.name, body),
        out,
        progress=_progress(body.source or settings.log_source, settings),
    )


def _progress(source: str, settings: Settings) -> str:
    spec = SPECS.get(source)
    return f"querying {source}" + (f" at {spec.where(settings)}" if spec else "")


def _param(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise InputError("params", f"expected KEY=VALUE, got {text!r}")
    for kind in (int, float):
        try:
            return key, kind(value)
        except ValueError:
            continue
    return key, value
