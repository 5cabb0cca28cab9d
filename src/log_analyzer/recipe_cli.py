"""`log-analyzer recipe NAME`: a recipe's numbers, then its explanation, in the terminal."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from log_analyzer.analysis.events import ErrorEvent
from log_analyzer.api.encoders import encode_text
from log_analyzer.api.routes.analyze import analysis_options
from log_analyzer.api.routes.recipes import RecipeRequest
from log_analyzer.clients.llm import LlamaClient
from log_analyzer.clients.loki import LokiClient
from log_analyzer.core.config import Settings
from log_analyzer.core.errors import InputError, ServiceError
from log_analyzer.core.telemetry import TRACER_NAME, build_tracer_provider
from log_analyzer.main import loki_retry
from log_analyzer.recipes.base import parse_params
from log_analyzer.recipes.catalog import RECIPES, get_recipe
from log_analyzer.recipes.run import RecipeRun
from log_analyzer.terminal import EXIT_INPUT, EXIT_UPSTREAM, spinner, upstream_clients, validated


def add_recipe_parser(sub: Any) -> None:
    """Register the `recipe` sub-command."""
    recipe = sub.add_parser(
        "recipe",
        help="answer a recurring incident question with numbers from Loki, then explain them",
        description="Recipes: " + ", ".join(RECIPES),
    )
    recipe.add_argument("name", help="recipe name: " + ", ".join(RECIPES))
    for label in ("namespace", "container", "node"):
        recipe.add_argument(f"--{label}")
    recipe.add_argument("--pod", help="RE2 regex over pod names")
    recipe.add_argument("--since", default="1h", help="window ending now, e.g. 30m, 2h, 1d")
    recipe.add_argument("--limit", type=int, default=1000, help="entries to fetch (max 5000)")
    recipe.add_argument("--filter", help="RE2 line filter replacing the error/warning default")
    recipe.add_argument("--question", help="plain-English focus for the explanation")
    recipe.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a recipe parameter (repeatable); numbers are parsed as numbers",
    )
    recipe.add_argument(
        "--llm",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="ask the LLM to explain the numbers (--no-llm: numbers only)",
    )


async def run_recipe_command(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Validate, compute (with a progress indicator), then stream the result and explanation."""
    try:
        params: dict[str, Any] = dict(_param(p) for p in args.param)
        recipe = get_recipe(args.name)
        parsed = parse_params(recipe, params)
    except ServiceError as exc:
        print(f"invalid input: {exc.message}", file=sys.stderr)
        return EXIT_INPUT
    raw = {
        "filters": {k: getattr(args, k) for k in ("namespace", "pod", "container", "node")},
        "time_range": {"since": args.since},
        "limit": args.limit,
        "log_filter": args.filter,
        "question": args.question,
        "params": params,
        "llm": args.llm,
    }
    checked = validated(RecipeRequest, raw, settings)
    if checked is None:
        return EXIT_INPUT
    _, request = checked
    provider = build_tracer_provider(settings.model_copy(update={"otel_enabled": False}))
    async with upstream_clients(settings) as (loki_http, llama_http):
        run = RecipeRun(
            recipe,
            parsed,
            request,
            LokiClient(loki_http, settings.loki_tenant, loki_retry(settings)),
            LlamaClient(llama_http) if args.llm else None,
            analysis_options(settings),
            provider.get_tracer(TRACER_NAME),
        )
        try:
            async with spinner(f"querying Loki at {settings.loki_url}"):
                result = await run.compute()
        except ServiceError as exc:
            print(f"error [{exc.code}]: {exc.message}", file=sys.stderr)
            return EXIT_UPSTREAM
        failed = False
        async for event in run.events(result):
            out.write(encode_text(event))
            out.flush()
            failed = failed or isinstance(event, ErrorEvent)
    provider.shutdown()
    return EXIT_UPSTREAM if failed else 0


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
