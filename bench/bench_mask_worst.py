"""Worst-case masking time on hostile lines: a regex that scans a token again from every
position turns a flood of crafted lines into minutes of CPU in a worker.

Run: uv run python bench/bench_mask_worst.py [--chars 2000] [--top 8]

Each line repeats a short piece (``a=``, ``>1``, ``"``, ``1.``...) up to ``--chars`` characters
(the default is ``MAX_LINE_CHARS``, where messages are cut before they are mined), with a digit, a
letter or nothing after it, so that every occurrence starts a match attempt that may fail late.
Masking's caches (by token, by token shape) are cleared before each line, as for lines that
never repeat. Each line is
timed at ``--chars`` and at twice as many: a linear pattern takes about twice as long, a
quadratic one four times. Prints the slowest and the largest growth.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from log_analyzer.core.runtime import forget_task_caches
from log_analyzer.logs.masking import mask_message

PIECES = (
    "a=", "a=1", "=a", '"a', "'a", "1.", "1:", "1-", "a1", "0x", "1 ", "<1", ">1", "~1", "1ms",
    "1.5 ", "[1", '{"a":', '"a":1,', "1 bytes ", "Jan 1 ", "::", "a::1", "1.1.1.1:", "a.b:1",
    "http://", "a@b.", "/1/", "''", '""', "1e", "-1", "a_1", "1h1m", "a/", "a-1.", "1/a",
)  # fmt: skip
TAILS = ("", "1", "a", " x")


def seconds(text: str) -> float:
    forget_task_caches()  # masking's caches by token and by shape
    start = time.perf_counter()
    mask_message(text)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=2_000, help="length of each line")
    parser.add_argument("--top", type=int, default=8, help="how many of the slowest to print")
    args = parser.parse_args()
    rows = []
    for piece in PIECES:
        for tail in TAILS:
            line = (piece * (args.chars // len(piece) + 1))[: args.chars] + tail
            twice = (piece * (2 * args.chars // len(piece) + 1))[: 2 * args.chars] + tail
            took = min(seconds(line) for _ in range(3))
            growth = min(seconds(twice) for _ in range(3)) / max(took, 1e-9)
            rows.append((took, growth, piece + "…" + tail))
    print(f"{len(rows)} lines of {args.chars:,} characters; the {args.top} slowest:\n")
    print("| repeated piece, then | ms | x at twice the length |\n|---|---:|---:|")
    for took, growth, label in sorted(rows, reverse=True)[: args.top]:
        print(f"| `{label!r}` | {took * 1000:.2f} | {growth:.1f} |")
    worst = max(rows, key=lambda row: row[1] if row[0] > 1e-4 else 0)
    print(f"\nlargest growth at twice the length: {worst[1]:.1f}x (`{worst[2]!r}`)")


if __name__ == "__main__":
    main()
