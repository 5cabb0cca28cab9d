"""The least any pure-Python raw-body-to-patterns step pays per line, against the issue's budgets.

Run: uv run --group bench python bench/bench_floor.py [--corpus loghub|incident] [--lines N]
[--datasets-dir PATH]

Same inputs as ``bench/bench_pipeline.py`` (its ``build_body`` and ``build_incident_body``).
Each row is one step that every implementation of the service's worker task must take for each
line, in its cheapest form here, timed alone (best of five, cyclic garbage collector paused):

* decode: ``json.loads`` of Loki's body and a list of its lines (Drain3's row pays it too);
* secret scan: the redaction prefilter, one RE2 program of every rule's hints, over each line
  as the service runs it, and over the whole case-folded body in one pass (the lower bound:
  no call per line; it still has to tell which lines matched);
* shape key: the key under which lines alike share one masking, redaction verdict and mining
  step (without one, every line pays masking and mining in full): ``skeleton`` (digits made
  alike, one translate at C speed: the floor counts this one) and ``id_skeleton`` (hex ids
  made alike too, which the incident's lines need to repeat at all: what the service uses);
* one Python step per line: a dict lookup and an increment, the least any per-line bookkeeping
  (counting a pattern, keeping a sample) costs.

It also times Drain3's mining alone (``add_log_message`` over the decoded lines) and prints the
two budgets of issue 9: twice Drain3's lines per second (decode + mining, halved) and 50 ms of
service time before the first byte for 5,000 lines (10 us a line, with nothing else: no worker
handover, no summary). What the floor leaves of each budget is all a pure-Python implementation
could spend on parsing, levels, masking, redacting the suspect lines, mining and summarizing.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_pipeline import DEFAULT_DIR, build_body, build_incident_body
from drain3 import TemplateMiner

from log_analyzer.logs.id_skeleton import id_skeleton, skeleton
from log_analyzer.logs.redact import DEFAULT_PII, may_contain_secret
from log_analyzer.logs.redact.engine import _folded, _plan

RUNS = 5
FIRST_BYTE_BUDGET_S = 0.050
FIRST_BYTE_LINES = 5_000


def best_seconds(step: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(RUNS):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            step()
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets-dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--corpus", choices=("loghub", "incident"), default="loghub")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # Drain3 logs its configuration on every miner.
    if args.corpus == "incident":
        text, _ = build_incident_body(args.lines)
    else:
        text, _ = build_body(args.datasets_dir, args.lines)

    def decode() -> list[str]:
        body = json.loads(text)
        return [value[1] for stream in body["data"]["result"] for value in stream["values"]]

    lines = decode()
    hint = _plan(DEFAULT_PII).hint
    joined = "\n".join(lines)

    def scan_each() -> int:
        return sum(1 for line in lines if may_contain_secret(line))

    def scan_body() -> int:
        return sum(1 for _ in hint.finditer(_folded(joined)))

    def digit_keys() -> list[bytes]:
        return [skeleton(line) for line in lines]

    def id_keys() -> list[bytes]:
        return [id_skeleton(line) for line in lines]

    def one_step() -> int:
        counts: dict[str, int] = {}
        for line in lines:
            counts[line] = counts.get(line, 0) + 1
        return len(counts)

    def drain3() -> int:
        miner = TemplateMiner()
        for line in lines:
            miner.add_log_message(line)
        return len(miner.drain.clusters)

    n = len(lines)
    us = {
        name: best_seconds(step) / n * 1e6
        for name, step in (
            ("decode", decode),
            ("scan_each", scan_each),
            ("scan_body", scan_body),
            ("digit_keys", digit_keys),
            ("id_keys", id_keys),
            ("one_step", one_step),
            ("drain3", drain3),
        )
    }
    floor = us["decode"] + min(us["scan_each"], us["scan_body"]) + us["digit_keys"]
    floor += us["one_step"]
    twice_drain3 = (us["decode"] + us["drain3"]) / 2
    first_byte = FIRST_BYTE_BUDGET_S / FIRST_BYTE_LINES * 1e6
    print(f"Input: {n:,} lines of the {args.corpus} corpus (bench_pipeline.py's body).\n")
    print("| Step, per line | us |")
    print("|---|---:|")
    print(f"| decode (json.loads + list of lines) | {us['decode']:.2f} |")
    print(f"| secret scan, one RE2 call per line (the service's form) | {us['scan_each']:.2f} |")
    print(
        f"| secret scan, one RE2 pass over the whole body (lower bound) | {us['scan_body']:.2f} |"
    )
    print(f"| shape key, digits alike (skeleton) | {us['digit_keys']:.2f} |")
    print(
        f"| shape key, digits and hex ids alike (id_skeleton: the service's) "
        f"| {us['id_keys']:.2f} |"
    )
    print(f"| one Python step (dict lookup + increment) | {us['one_step']:.2f} |")
    print(f"| **floor** (decode + cheaper scan + skeleton + one step) | **{floor:.2f}** |")
    print(f"| Drain3 0.9 mining alone (add_log_message, default config) | {us['drain3']:.2f} |")
    print()
    print(
        "| Budget of issue 9 | us a line | left after the floor "
        "| left after the floor and mining at Drain3's speed |"
    )
    print("|---|---:|---:|---:|")
    for name, budget in (
        ("2x Drain3 (decode + mining, halved)", twice_drain3),
        ("first byte: 50 ms for 5,000 lines", first_byte),
    ):
        print(
            f"| {name} | {budget:.2f} | {budget - floor:.2f} "
            f"| {budget - floor - us['drain3']:.2f} |"
        )


if __name__ == "__main__":
    main()
