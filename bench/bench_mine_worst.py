"""Worst-case mining time: many one-off lines that share their length and first words.

Run: uv run python bench/bench_mine_worst.py [--lines 2500 5000 10000]

Such lines (free text after a fixed word: search queries, user input, SQL) all land in one leaf
of the miner's prefix tree, and none fits another's template. Each size is mined as the worker
mines a window (`analysis.processing.summarize_window`, caches cleared first); the time of the
mining step is printed with how it grows with the size: about 2x per doubling is linear, 4x is
quadratic.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from log_analyzer.analysis.processing import Gathered, SummaryWork, summarize_window
from log_analyzer.core.runtime import forget_task_caches
from log_analyzer.sources.base import RawEntries, Window, decode_rows

T0 = 1_795_457_333_000_000_000


def one_off_lines(count: int, *, same_length: bool, rng: random.Random) -> list[str]:
    def word() -> str:
        return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9)))

    lines = []
    for _ in range(count):
        size = 10 if same_length else rng.randint(3, 20)
        lines.append(
            " ".join([rng.choice(["error", "warn", "failed"]), *(word() for _ in range(size))])
        )
    return lines


def mine_ms(lines: list[str]) -> tuple[float, int]:
    rows = [({"pod": "p"}, T0 + i, line) for i, line in enumerate(lines)]
    raw = RawEntries("q", (rows, False), decode_rows, len(lines))
    work = SummaryWork("rows", Gathered(raw, None, None, None, None, None),
                       Window(T0, T0 + 10**12), len(lines), 2_000)  # fmt: skip
    forget_task_caches()
    start = time.perf_counter()
    done = summarize_window(work)
    took = time.perf_counter() - start
    mined = next(s for s in done.steps if s.name == "mine_patterns")
    return (mined.end_ns - mined.start_ns) / 1e6, len(done.summary.patterns) if took else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[2_500, 5_000, 10_000])
    args = parser.parse_args()
    print("| lines | words per line | mining | x the previous size | patterns |")
    print("|---:|---|---:|---:|---:|")
    for same_length in (True, False):
        previous = None
        for count in args.lines:
            took, patterns = mine_ms(
                one_off_lines(count, same_length=same_length, rng=random.Random(5))
            )
            growth = f"{took / previous:.1f}" if previous else ""
            shape = "11 (all alike)" if same_length else "4 to 21"
            print(f"| {count:,} | {shape} | {took:,.0f} ms | {growth} | {patterns:,} |")
            previous = took


if __name__ == "__main__":
    main()
