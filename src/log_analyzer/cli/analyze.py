"""`log-analyzer analyze` (a store's logs) and `log-analyzer demo` (the bundled incident)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from log_analyzer.cli.terminal import EXIT_INPUT, run_command, validated
from log_analyzer.core.config import Settings
from log_analyzer.core.errors import ServiceError
from log_analyzer.service.requests import AnalyzeRequest
from log_analyzer.service.runs import Services, analysis_run
from log_analyzer.sources.registry import DEMO_FILTERS, SPECS


def add_analyze_parsers(sub: Any) -> None:
    """Register the `demo` and `analyze` sub-commands."""
    demo = sub.add_parser("demo", help="analyse a bundled multi-pod incident (no store needed)")
    demo.add_argument("--question", default=None, help="plain-English focus for the analysis")
    analyze = sub.add_parser("analyze", help="analyse a store's logs in the terminal")
    add_request_arguments(analyze)


def add_request_arguments(parser: argparse.ArgumentParser) -> None:
    """The window, filters, limit, line filter and question of an analysis or a recipe."""
    names = [name for name in SPECS if name != "demo"]
    parser.add_argument("--source", choices=names, help="log store (default: LOG_SOURCE)")
    for spec_filter in dict.fromkeys(f.name for spec in SPECS.values() for f in spec.filters):
        parser.add_argument(f"--{spec_filter.replace('_', '-')}", dest=spec_filter)
    parser.add_argument(
        "--since", help="window ending now, e.g. 30m, 2h, 1d (default: 1h, without --start)"
    )
    parser.add_argument("--start", help="RFC3339 start (instead of --since)")
    parser.add_argument("--end", help="RFC3339 end (with --start)")
    parser.add_argument("--limit", type=int, default=1000, help="entries to fetch (max 5000)")
    parser.add_argument("--filter", help="RE2 line filter replacing the error/warning default")
    parser.add_argument("--question", help="plain-English focus for the analysis")
    parser.add_argument(
        "--llm",
        action=argparse.BooleanOptionalAction,
        default=True,
        help='ask the LLM (--no-llm: the numbers only, as the API\'s "llm": false)',
    )


def request_body(args: argparse.Namespace) -> dict[str, Any]:
    """The JSON body the API would get for these arguments."""
    names = dict.fromkeys(f.name for spec in SPECS.values() for f in spec.filters)
    filters = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    # Every window option given is passed on, so a combination the API refuses (--end without
    # --start, --since with either) is refused here too, never silently dropped.
    given = {"since": args.since, "start": args.start, "end": args.end}
    window = {key: value for key, value in given.items() if value is not None} or {"since": "1h"}
    body = {
        "filters": filters,
        "time_range": window,
        "limit": args.limit,
        "log_filter": args.filter,
        "question": args.question,
        "llm": args.llm,
    }
    if args.source is not None:
        body["source"] = args.source
    return body


async def run_analyze(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Analyse a store's logs and print the stream as text."""
    body = validated(AnalyzeRequest, request_body(args))
    if body is None:
        return EXIT_INPUT
    return await run_command(settings, lambda services: analysis_run(services, body), out)


async def run_demo(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Analyse the bundled incident; without a reachable model, show the numbers and say why."""
    body = AnalyzeRequest.model_validate(
        {
            "filters": dict(DEMO_FILTERS),
            "time_range": {"since": "30m"},
            "question": args.question,
        }
    )
    no_llm: list[str] = []

    async def check_llm(services: Services) -> None:
        try:
            await services.llm.health()
        except ServiceError as exc:
            no_llm.append(
                f"no LLM was reached at {settings.llama_url} ({exc.message}); showing the log "
                "summary only. Start one with `just llm`."
            )

    def make_run(services: Services) -> Any:
        return analysis_run(services, body, no_llm_reason=no_llm[0] if no_llm else None)

    demo_settings = settings.model_copy(update={"log_source": "demo"})
    return await run_command(demo_settings, make_run, out, prepare=check_llm)
