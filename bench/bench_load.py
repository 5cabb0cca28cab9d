"""Load benchmark of the real service over HTTP, between a fake Loki and a fake llama.cpp.

    uv run --group bench python bench/bench_load.py [--scenario a|b|c|all] [--clients 100]

Starts the fake Loki (`bench/fakes/loki.py`), the fake llama.cpp (`bench/fakes/llama.py`) and,
for each scenario, a fresh `uvicorn log_analyzer.main:app`, each on a free loopback port, and
drives the service as a black box (see `bench/load/scenarios.py` for the three scenarios).
Prints Markdown tables. Exits non-zero only when the benchmark itself could not run, never
because the service missed a target; every process it started is stopped on the way out.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load.processes import Children, HarnessError  # noqa: E402
from bench.load.report import render  # noqa: E402
from bench.load.scenarios import (  # noqa: E402
    Bench,
    Options,
    Results,
    run_leave,
    run_load,
    run_single,
)


def parse_args() -> tuple[Options, str]:
    parser = argparse.ArgumentParser(
        description="Load benchmark of log-analyzer against a fake Loki and a fake llama.cpp."
    )
    parser.add_argument("--scenario", choices=("a", "b", "c", "all"), default="all")
    parser.add_argument("--clients", type=int, default=100, help="clients in scenarios A and B")
    parser.add_argument("--lines", type=int, default=5000, help="log lines the fake Loki holds")
    parser.add_argument("--tokens", type=int, default=200, help="tokens per answer")
    parser.add_argument("--tokens-per-second", type=float, default=50.0)
    parser.add_argument("--slots", type=int, default=128, help="llama.cpp slots (total_slots)")
    parser.add_argument("--n-ctx", type=int, default=4096, help="context tokens of one slot")
    parser.add_argument("--loki-latency", type=float, default=0.0, help="added per log query (s)")
    parser.add_argument("--runs", type=int, default=5, help="analyses in scenario C")
    parser.add_argument(
        "--client-timeout", type=float, default=180.0, help="a client gives up after this (s)"
    )
    args = parser.parse_args()
    options = Options(
        clients=args.clients,
        lines=args.lines,
        tokens=args.tokens,
        tokens_per_second=args.tokens_per_second,
        slots=args.slots,
        n_ctx=args.n_ctx,
        loki_latency=args.loki_latency,
        runs=args.runs,
        client_timeout=args.client_timeout,
    )
    return options, args.scenario


async def run(children: Children, options: Options, scenario: str) -> Results:
    bench = Bench(children, options)
    results = Results(options, logs=str(children.log_dir))
    if scenario in ("a", "all"):
        print(f"A: {options.clients} concurrent analyses...", file=sys.stderr)
        results.load = await run_load(bench)
    if scenario in ("b", "all"):
        print(f"B: {options.clients} clients that leave after the first token...", file=sys.stderr)
        results.leave = await run_leave(bench)
    if scenario in ("c", "all"):
        print(f"C: {options.runs} analyses one at a time...", file=sys.stderr)
        results.single = await run_single(bench)
    return results


def commit() -> str:
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return found.stdout.decode().strip()


def _exit_on_signal(signum: int, _: FrameType | None) -> None:
    # SystemExit unwinds through `Children.__exit__`, which stops every process started.
    raise SystemExit(128 + signum)


def main() -> int:
    options, scenario = parse_args()
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        with Children(log_dir) as children:
            results = asyncio.run(run(children, options, scenario))
    except HarnessError as exc:
        print(f"bench_load: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench_load: interrupted; every process started was stopped", file=sys.stderr)
        return 130
    print(render(results, commit()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
