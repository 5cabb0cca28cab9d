"""`log-analyzer eval`: the analysis measured on the bundled golden incidents."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from log_analyzer.cli.terminal import EXIT_INPUT
from log_analyzer.core.config import Settings
from log_analyzer.eval.evaluate import Thresholds, evaluate
from log_analyzer.eval.golden import GOLDEN
from log_analyzer.eval.store_levels import STORE_LEVELS
from log_analyzer.eval.table import render

EXIT_BELOW_THRESHOLD = 1


def add_eval_parser(sub: Any) -> None:
    """Register the `eval` sub-command."""
    parser = sub.add_parser(
        "eval", help="measure the analysis on the bundled golden incidents (no store needed)"
    )
    parser.add_argument(
        "--incident",
        action="append",
        choices=[incident.name for incident in GOLDEN],
        help="run only this incident (repeatable; default: all)",
    )
    parser.add_argument(
        "--no-llm", action="store_true", help="do not ask llama.cpp even if LLAMA_URL answers"
    )
    parser.add_argument("--limit", type=int, default=1000, help="entries to fetch per analysis")
    parser.add_argument(
        "--store-levels",
        choices=sorted(STORE_LEVELS),
        default="written",
        help="the levels the store counts by: as each line was written (default), as Loki 3 "
        "guesses them from the line, or none (every line unknown)",
    )


async def run_eval(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Print the table; 0 when the thresholds are met, 1 when not."""
    if not 1 <= args.limit <= 5000:
        print("invalid limit: must be between 1 and 5000", file=sys.stderr)
        return EXIT_INPUT
    chosen = [i for i in GOLDEN if args.incident is None or i.name in args.incident]
    evaluation = await evaluate(
        settings,
        chosen,
        ask_model=not args.no_llm,
        limit=args.limit,
        store_levels=STORE_LEVELS[args.store_levels],
    )
    thresholds = Thresholds()
    out.write(render(evaluation, thresholds))
    return EXIT_BELOW_THRESHOLD if evaluation.failures(thresholds) else 0
