"""Benchmark the whole step from a raw Loki body to patterns, against Drain3 on the same input.

Run: uv run --group bench python bench/bench_pipeline.py [--corpus loghub|incident]
[--datasets-dir PATH] [--lines N]

With ``--corpus incident`` the input is instead the load benchmark's generated Kubernetes
incident (``bench/fakes/incident.py``: JSON, logfmt, klog, Java and access-log lines of about
300 characters with trace ids, UUIDs, addresses and latencies drawn per line), served as the
fake Loki serves it. Otherwise the input is a Loki ``query_range`` streams body of ``--lines``
lines (100,000 by default) built at run time from the ``Content`` column of the eight
Loghub-2k datasets (read from their directory, never copied). Every standalone number is
re-drawn from a seeded RNG, so lines repeat far less than in the datasets, as ids, addresses and
times would in a real window:

* a maximal run of ASCII digits with no letter, digit or underscore on either side becomes a
  random run of the same length (no leading zero unless it is one digit long): counts, ports,
  IPv4 octets, timestamp fields, ``node-17``'s and ``blk_-42``'s numbers;
* a whole-token hex value (``0x`` followed by hex digits, or a bare run of 8+ hex characters
  mixing digits and letters, with no word character, dot or hyphen around it) has each of its
  digits re-drawn (its letters and the ``0x`` prefix stay);
* digits inside words are kept (``ssh2``, ``SOCKS5``, ``jk2_init``, ``12ms``,
  ``blk_640008``, host names such as ``t12.baidu.com``): they name things and do not vary.

Lines without such values cannot change and stay duplicates (the output says how many lines are
distinct).

* ours: ``analysis.processing.summarize_window``, the worker's task of an analysis, on the body's
  bytes: decode (Loki's JSON), flatten, normalize, redact, condense, summarize
* Drain3: ``json.loads`` + iterating the values + ``TemplateMiner.add_log_message`` per line
* ours through the worker pool: the same task as the service runs it, handed to a worker process
  (the body's bytes pickled over, the summary back), so the figure includes what crossing the
  process boundary costs

The first two are timed best of three in the same process. Peak memory is measured for ours on
one extra run, with tracemalloc and as the growth of the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gc
import json
import logging
import random
import re
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fakes.incident import generate

from log_analyzer.analysis.processing import Gathered, SummaryWork, summarize_window
from log_analyzer.core.runtime import forget_task_caches
from log_analyzer.core.workers import WorkerPool
from log_analyzer.service.runs import WORKER_MODULES
from log_analyzer.sources.base import RawEntries, Window
from log_analyzer.sources.loki.shapes import decode_streams

DATASETS = ("Apache", "BGL", "HDFS", "HPC", "Linux", "OpenSSH", "Proxifier", "Zookeeper")
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "loghub-2k"
PODS_PER_DATASET = 3
RUNS = 3
SEED = 20260101
T0_NS = 1_795_457_333_000_000_000
# A whole-token hex value first (its digits are re-drawn), else a standalone digit run.
_VALUE = re.compile(
    r"(?<![\w.-])(?:0[xX][0-9a-fA-F]+"
    r"|(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*[0-9])[0-9a-fA-F]{8,})(?![\w-]|\.\w)"
    r"|(?<!\w)[0-9]+(?!\w)"
)
_DIGIT = re.compile(r"[0-9]")

try:
    from drain3 import TemplateMiner

    DRAIN3_ERROR: str | None = None
except Exception as exc:  # pragma: no cover - reported in the output instead
    DRAIN3_ERROR = f"{type(exc).__name__}: {exc}"


def load_contents(directory: Path, name: str) -> list[str]:
    path = directory / name / f"{name}_2k.log_structured_corrected.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        return [row["Content"] for row in csv.DictReader(handle)]


def redraw_numbers(line: str, rng: random.Random) -> str:
    """Re-draw the standalone numbers and whole-token hex values of ``line`` (module docstring)."""

    def digit(_: re.Match[str]) -> str:
        return str(rng.randrange(10))

    def draw(match: re.Match[str]) -> str:
        value = match.group()
        if not value.isdigit():  # hex: keep the letters and the 0x prefix
            prefix = 2 if value[1:2] in ("x", "X") else 0
            return value[:prefix] + _DIGIT.sub(digit, value[prefix:])
        if len(value) == 1:
            return str(rng.randrange(10))
        return str(rng.randrange(10 ** (len(value) - 1), 10 ** len(value)))

    return _VALUE.sub(draw, line)


def build_body(directory: Path, lines: int) -> tuple[str, int]:
    """A Loki streams body of ``lines`` lines, and how many distinct lines it holds."""
    rng = random.Random(SEED)
    corpus = [(name, content) for name in DATASETS for content in load_contents(directory, name)]
    streams: dict[tuple[str, int], list[list[str]]] = {}
    distinct: set[str] = set()
    step_ns = 1_800 * 10**9 // lines  # spread over a 30-minute window
    for position in range(lines):
        name, content = corpus[position % len(corpus)]
        line = redraw_numbers(content, rng)
        distinct.add(line)
        pod = rng.randrange(PODS_PER_DATASET)
        streams.setdefault((name, pod), []).append([str(T0_NS + position * step_ns), line])
    result = []
    for (name, pod), values in streams.items():
        app = name.lower()
        result.append(
            {
                "stream": {
                    "app": app,
                    "container": app,
                    "namespace": "loghub",
                    "pod": f"{app}-7d4b9c-{pod}",
                    "service_name": app,
                },
                "values": values[::-1],  # Loki sends each stream newest first (backward)
            }
        )
    body = {
        "status": "success",
        "data": {"resultType": "streams", "result": result, "stats": {"summary": {}}},
    }
    return json.dumps(body), len(distinct)


def build_incident_body(lines: int) -> tuple[str, int]:
    """A Loki streams body of the generated incident's ``lines`` lines, and how many differ."""
    incident = generate(lines)
    step_ns = 1_800 * 10**9 // lines
    streams: dict[int, list[list[str]]] = {}
    for position, line in enumerate(incident.lines):
        streams.setdefault(line.stream, []).append([str(T0_NS + position * step_ns), line.text])
    result = [
        {"stream": incident.streams[stream].labels(), "values": values[::-1]}
        for stream, values in streams.items()
    ]
    body = {
        "status": "success",
        "data": {"resultType": "streams", "result": result, "stats": {"summary": {}}},
    }
    return json.dumps(body), len({line.text for line in incident.lines})


def work_of(text: str) -> SummaryWork:
    """The worker's task for an analysis of the body: what the service hands to a worker."""
    raw = RawEntries("{}", text.encode(), decode_streams, limit=10**9)
    gathered = Gathered(raw, None, None, None, None, None)
    return SummaryWork("loki", gathered, Window(T0_NS, T0_NS + 3600 * 10**9), 10**9, 2000)


def ours(text: str) -> int:
    forget_task_caches()  # each timed run starts cold, as Drain3's fresh miner does
    return len(summarize_window(work_of(text)).summary.patterns)


def through_workers(text: str) -> tuple[float, int]:
    """Best of three of the same task in a worker process, as the service runs it."""

    async def timed() -> tuple[float, int]:
        pool = WorkerPool(1, preload=WORKER_MODULES)
        await pool.start()
        best, patterns = float("inf"), 0
        try:
            for _ in range(RUNS):
                start = time.perf_counter()
                done, _ = await pool.run(summarize_window, work_of(text))
                best = min(best, time.perf_counter() - start)
                patterns = len(done.summary.patterns)
        finally:
            await pool.close()
        return best, patterns

    return asyncio.run(timed())


def drain3(text: str) -> int:
    body = json.loads(text)
    miner = TemplateMiner()
    for stream in body["data"]["result"]:
        for value in stream["values"]:
            miner.add_log_message(value[1])
    return len(miner.drain.clusters)


def best_seconds(run: Callable[[str], int], text: str) -> tuple[float, int]:
    best, result = float("inf"), 0
    for _ in range(RUNS):
        gc.collect()
        start = time.perf_counter()
        result = run(text)
        best = min(best, time.perf_counter() - start)
    return best, result


def max_rss_bytes() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


def memory(text: str) -> tuple[int, int]:
    """Peak tracemalloc bytes and max-RSS growth of one run of ours (RSS measured first)."""
    gc.collect()
    before = max_rss_bytes()
    ours(text)
    rss_growth = max_rss_bytes() - before
    gc.collect()
    tracemalloc.start()
    ours(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, rss_growth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets-dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--corpus", choices=("loghub", "incident"), default="loghub")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # Drain3 logs its configuration on every miner.

    if args.corpus == "incident":
        text, distinct = build_incident_body(args.lines)
        described = "the load benchmark's generated Kubernetes incident"
    else:
        text, distinct = build_body(args.datasets_dir, args.lines)
        described = (
            f"Loghub-2k's eight datasets; standalone numbers and hex values re-drawn from a seeded "
            f"RNG (seed {SEED}), digits inside words kept"
        )
    # RSS is measured before anything else ran the pipeline, so its growth is ours alone.
    peak, rss_growth = memory(text)
    print(
        f"Input: one Loki query_range body, {args.lines:,} lines, "
        f"{len(text) / 1_048_576:.1f} MiB of JSON, from {described}; "
        f"{distinct:,} distinct lines.\n"
    )
    seconds_ours, patterns = best_seconds(ours, text)
    print("| Pipeline | lines/s | patterns | peak memory |")
    print("|---|---:|---:|---:|")
    print(
        f"| ours (decode + flatten + normalize + redact + condense + summarize) "
        f"| {args.lines / seconds_ours:,.0f} "
        f"| {patterns:,} | {peak / 1_048_576:.1f} MiB tracemalloc, "
        f"+{rss_growth / 1_048_576:.1f} MiB max RSS |"
    )
    seconds_pool, pooled = through_workers(text)
    print(
        f"| ours through a worker process (the service's path: bytes over, summary back) "
        f"| {args.lines / seconds_pool:,.0f} | {pooled:,} | |"
    )
    if DRAIN3_ERROR is not None:
        print(f"| Drain3 | n/a ({DRAIN3_ERROR}) | | |")
        return
    seconds_drain, clusters = best_seconds(drain3, text)
    print(
        f"| Drain3 0.9 default config (json.loads + add_log_message) "
        f"| {args.lines / seconds_drain:,.0f} | {clusters:,} | |"
    )
    print(
        f"\nSpeed ratio ours / Drain3: {seconds_drain / seconds_ours:.2f}x in process, "
        f"{seconds_drain / seconds_pool:.2f}x through a worker (best of {RUNS})."
    )


if __name__ == "__main__":
    main()
