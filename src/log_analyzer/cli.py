"""Command line: `serve`, `analyze`, `demo`, `patterns` and `recipe`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from log_analyzer.analysis.events import ErrorEvent
from log_analyzer.analysis.stream import AnalysisRun
from log_analyzer.api.encoders import encode_text
from log_analyzer.api.models import AnalyzeRequest
from log_analyzer.api.routes.analyze import analysis_options
from log_analyzer.clients.llm import LlamaClient
from log_analyzer.clients.loki import LokiClient
from log_analyzer.clients.protocols import LLMBackend, LogSource
from log_analyzer.core.config import ConfigError, Settings, get_settings
from log_analyzer.core.errors import ServiceError
from log_analyzer.core.logging import configure_logging
from log_analyzer.core.telemetry import TRACER_NAME, build_tracer_provider
from log_analyzer.demo import NAMESPACE, DemoLogSource
from log_analyzer.main import loki_retry
from log_analyzer.patterns_cli import add_patterns_parser, run_patterns
from log_analyzer.recipe_cli import add_recipe_parser, run_recipe_command
from log_analyzer.terminal import EXIT_INPUT, EXIT_UPSTREAM, upstream_clients, validated

__all__ = ["EXIT_INPUT", "EXIT_UPSTREAM", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `log-analyzer` command."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_INPUT
    if args.command == "patterns":
        return run_patterns(args)
    if args.command == "serve":
        import uvicorn

        uvicorn.run("log_analyzer.main:app", host=args.host, port=args.port, reload=args.reload)
        return 0
    try:
        settings = get_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INPUT
    configure_logging("WARNING", stream=sys.stderr)
    if args.command == "recipe":
        return asyncio.run(run_recipe_command(args, settings, sys.stdout))
    if args.command == "demo":
        body: dict[str, Any] = {
            "filters": {"namespace": NAMESPACE},
            "time_range": {"since": "30m"},
            "question": args.question,
        }
        return asyncio.run(_analyze(settings, body, sys.stdout, demo=True))
    body = {
        "filters": {k: getattr(args, k) for k in ("namespace", "pod", "container", "node")},
        "time_range": {"since": args.since}
        if args.start is None
        else {"start": args.start, "end": args.end},
        "limit": args.limit,
        "log_filter": args.filter,
        "question": args.question,
    }
    return asyncio.run(_analyze(settings, body, sys.stdout, demo=False))


async def _analyze(settings: Settings, raw: dict[str, Any], out: TextIO, *, demo: bool) -> int:
    checked = validated(AnalyzeRequest, raw, settings)
    if checked is None:
        return EXIT_INPUT
    _, request = checked
    provider = build_tracer_provider(settings.model_copy(update={"otel_enabled": False}))
    async with upstream_clients(settings) as (loki_http, llama_http):
        source: LogSource = (
            DemoLogSource()
            if demo
            else LokiClient(loki_http, settings.loki_tenant, loki_retry(settings))
        )
        client = LlamaClient(llama_http)
        llm: LLMBackend | None = client
        no_llm = "no LLM is configured"
        if demo:
            try:
                await client.health()
            except ServiceError as exc:
                llm = None
                no_llm = (
                    f"no LLM was reached at {settings.llama_url} ({exc.message}); "
                    "showing the log summary only. Start one with `just llm`."
                )
        run = AnalysisRun(
            request, source, llm, analysis_options(settings), provider.get_tracer(TRACER_NAME)
        )
        try:
            logs = await run.fetch()
        except ServiceError as exc:
            print(f"error [{exc.code}]: {exc.message}", file=sys.stderr)
            return EXIT_UPSTREAM
        failed = False
        async for event in run.events(logs, no_llm_reason=no_llm):
            out.write(encode_text(event))
            out.flush()
            failed = failed or isinstance(event, ErrorEvent)
    provider.shutdown()
    return EXIT_UPSTREAM if failed else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="log-analyzer", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--reload", action="store_true", help="restart on code changes")
    demo = sub.add_parser("demo", help="analyse a bundled multi-pod incident (no Loki needed)")
    demo.add_argument("--question", default=None, help="plain-English focus for the analysis")
    add_patterns_parser(sub)
    add_recipe_parser(sub)
    analyze = sub.add_parser("analyze", help="analyse logs from Loki (LOKI_URL) in the terminal")
    analyze.add_argument("--namespace")
    analyze.add_argument("--pod", help="RE2 regex over pod names")
    analyze.add_argument("--container")
    analyze.add_argument("--node")
    analyze.add_argument("--since", default="1h", help="window ending now, e.g. 30m, 2h, 1d")
    analyze.add_argument("--start", help="RFC3339 start (instead of --since)")
    analyze.add_argument("--end", help="RFC3339 end (with --start)")
    analyze.add_argument("--limit", type=int, default=1000, help="entries to fetch (max 5000)")
    analyze.add_argument("--filter", help="RE2 line filter replacing the error/warning default")
    analyze.add_argument("--question", help="plain-English focus for the analysis")
    return parser


if __name__ == "__main__":
    sys.exit(main())
