"""Entry point of the `log-analyzer` command.

Its sub-commands: `serve`, `analyze`, `demo`, `recipe`, `patterns`, `eval`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from log_analyzer.cli.analyze import add_analyze_parsers, run_analyze, run_demo
from log_analyzer.cli.evaluate import add_eval_parser, run_eval
from log_analyzer.cli.patterns import add_patterns_parser, run_patterns
from log_analyzer.cli.recipe import add_recipe_parser, run_recipe_command
from log_analyzer.cli.terminal import EXIT_INPUT, EXIT_UPSTREAM
from log_analyzer.core.config import ConfigError, get_settings
from log_analyzer.core.logging import configure_logging
from log_analyzer.service.runs import log_line_scrubber

__all__ = ["EXIT_INPUT", "EXIT_UPSTREAM", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `log-analyzer` command; returns its exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_INPUT
    if args.command == "patterns":
        return run_patterns(args)
    try:
        settings = get_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INPUT
    if args.command == "serve":
        import uvicorn

        uvicorn.run("log_analyzer.main:app", host=args.host, port=args.port, reload=args.reload)
        return 0
    configure_logging("WARNING", stream=sys.stderr, scrub=log_line_scrubber(settings))
    if args.command == "recipe":
        return asyncio.run(run_recipe_command(args, settings, sys.stdout))
    if args.command == "demo":
        return asyncio.run(run_demo(args, settings, sys.stdout))
    if args.command == "eval":
        return asyncio.run(run_eval(args, settings, sys.stdout))
    return asyncio.run(run_analyze(args, settings, sys.stdout))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="log-analyzer", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--reload", action="store_true", help="restart on code changes")
    add_analyze_parsers(sub)
    add_patterns_parser(sub)
    add_recipe_parser(sub)
    add_eval_parser(sub)
    return parser


if __name__ == "__main__":
    sys.exit(main())
