"""What coverage passes cost: store queries, lines the store must read, time to the summary.

Run: uv run python bench/bench_coverage.py [--lines 30000] [--passes 2]

No Loki runs on this machine, so Loki's time cannot be measured here. What is measured instead
is what drives it: how many queries an analysis sends, and how many lines each makes the store
read (every line of the selected streams inside the query's window: Loki reads all of them to
apply the line filters, whatever the limit; a limit only stops a log query early when enough
lines matched). The store is the in-memory one (`sources/demo/memory.py`), wrapped to count.
The window is a busy one: two incidents (a storm of timeouts after a config change, then a
second failure in another service), `--lines` error lines in 32 minutes, and the cause lines
in the middle. It is analysed with `COVERAGE_PASSES=0` (the analysis before coverage passes)
and with `--passes`, through the app as a client calls it (`llm: false`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from log_analyzer.core.config import Settings
from log_analyzer.logs.totals import Histogram, Totals
from log_analyzer.main import create_app
from log_analyzer.sources.base import CountQuery, EntryQuery, RawEntries, Window
from log_analyzer.sources.demo import MemoryLine, MemorySource

S = 1_000_000_000


def busy_window(end_ns: int, lines: int) -> list[MemoryLine]:
    """Two incidents in 32 minutes, with the cause lines in the middle of the window."""
    cart = {"namespace": "shop", "pod": "cart-7c9f-x2k4p", "container": "cart"}
    checkout = {"namespace": "shop", "pod": "checkout-5d8b-q8r2m", "container": "checkout"}
    search = {"namespace": "shop", "pod": "search-6f4c-h3j5n", "container": "search"}
    start = end_ns - 1900 * S
    out: list[MemoryLine] = []
    storm = lines * 2 // 3
    for i in range(storm):  # from minute 12 on: timeouts after the config change
        ts = start + 720 * S + i * (1100 * S // storm)
        out.append((ts, checkout, "error", f"ERROR call to cart timed out after 2000ms order={i}"))
    rest = lines - storm
    for i in range(rest):  # from minute 20 on: the second incident
        ts = start + 1200 * S + i * (650 * S // rest)
        out.append((ts, search, "error", f"ERROR index shard {i % 7} unavailable: retrying"))
    for i in range(600):  # background warnings all along
        out.append((start + i * 3 * S, cart, "warn", f"WARN slow cache read key=k{i}"))
    out.append((start + 715 * S, cart, "info", "INFO config reloaded: pool_size changed 20 -> 2"))
    for k in range(3):
        out.append((start + 716 * S + k * S, cart, "error", "ERROR connection pool exhausted"))
    out.append((start + 1195 * S, search, "fatal", "FATAL disk full on /data (shard 3)"))
    return out


@dataclass
class Counting:
    """A store that counts queries and the lines each made it read."""

    inner: MemorySource
    lines: list[MemoryLine]
    queries: list[tuple[str, int]] = field(default_factory=list)
    name: str = "demo"

    def _read(self, window: Window) -> int:
        return sum(window.start_ns <= line[0] < window.end_ns for line in self.lines)

    async def entries(self, query: EntryQuery) -> RawEntries:
        self.queries.append(("entries", self._read(query.window)))
        return await self.inner.entries(query)

    async def totals(self, query: CountQuery) -> Totals:
        self.queries.append(("totals", self._read(query.window)))
        return await self.inner.totals(query)

    async def histogram(self, query: CountQuery, step_seconds: int) -> Histogram:
        self.queries.append(("histogram", self._read(query.window)))
        return await self.inner.histogram(query, step_seconds)

    async def ready(self) -> None:
        await self.inner.ready()


async def analyse(lines: list[MemoryLine], passes: int, limit: int) -> dict[str, object]:
    store = Counting(MemorySource(lines, name="demo", title="busy window"), lines)
    settings = Settings(log_source="demo", otel_enabled=False, coverage_passes=passes)
    app = create_app(settings, log_source=store)
    body = {"filters": {"namespace": "shop"}, "time_range": {"since": "32m"}, "limit": limit,
            "llm": False}  # fmt: skip
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            began = time.perf_counter()
            response = await client.post(
                "/v1/analyze/stream", json=body, headers={"accept": "application/x-ndjson"}
            )
            elapsed = time.perf_counter() - began
    summary = json.loads(response.text.splitlines()[0])["summary"]
    return {
        "queries": len(store.queries),
        "read": sum(read for _, read in store.queries),
        "seconds": elapsed,
        "coverage": summary["coverage"]["statement"],
        "cause": any("disk full" in p["template"] for p in summary["patterns"])
        and any("pool_size changed" in c["template"] for c in summary["changes"]),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=30_000)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--limit", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    lines = busy_window(time.time_ns() - 5 * S, args.lines)
    rows = []
    for passes in (0, args.passes):
        runs = [await analyse(lines, passes, args.limit) for _ in range(args.runs)]
        rows.append((passes, runs[0], statistics.median(float(r["seconds"]) for r in runs)))  # type: ignore[arg-type]
    base_read = float(rows[0][1]["read"])  # type: ignore[arg-type]
    print(f"{args.lines:,} error lines in 32 minutes, limit {args.limit:,}\n")
    print("| COVERAGE_PASSES | store queries | lines the store reads | vs. no passes | "
          "summary after (median) | cause and change found | coverage |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---|---|")
    for passes, run, seconds in rows:
        read = float(run["read"])  # type: ignore[arg-type]
        print(
            f"| {passes} | {run['queries']} | {int(read):,} | {read / base_read:.2f}x | "
            f"{seconds:.2f} s | {'yes' if run['cause'] else 'no'} | {run['coverage']} |"
        )


if __name__ == "__main__":
    asyncio.run(main())
