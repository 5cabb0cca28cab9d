"""The three scenarios, run against the real service between the two fakes.

The fakes start once; the service starts afresh for each scenario, so that no scenario inherits
another's memory, and answers a few warm-up analyses at once before anything is measured (a
failed warm-up on an idle service is a harness error: nothing after it would mean anything).

- A: `clients` analyses at once, while `/health` is polled every 50 ms and RSS sampled.
- B: `clients` that leave after the first token; how fast the fake llama.cpp saw every
  streaming request close, and RSS a few seconds later against RSS before.
- C: one analysis at a time on an idle service; time to first byte against the fake Loki's own
  time for the backward log query.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from bench.fakes.incident import NAMESPACE
from bench.load.clients import (
    Outcome,
    all_at_once,
    analysis_body,
    full_analysis,
    leave_after_first_token,
)
from bench.load.probes import HealthPoller, RssSampler
from bench.load.processes import Child, Children, HarnessError, free_port

SETTLE_SECONDS = 3.0
"""How long after the upstream went quiet scenario B reads RSS."""
QUIET_SECONDS = 2.0
"""Scenario B waits until no stream has opened or closed for this long."""


WARM_UP_ANALYSES = 4
"""Enough for every worker process (one per CPU, two here) to have done a task."""


@dataclass(frozen=True, slots=True)
class Options:
    """What the command line asked for."""

    clients: int
    lines: int
    tokens: int
    tokens_per_second: float
    slots: int
    n_ctx: int
    loki_latency: float
    runs: int
    client_timeout: float


@dataclass(slots=True)
class LoadResult:
    """Scenario A."""

    outcomes: list[Outcome]
    wall_seconds: float
    health_latencies: list[float]
    health_errors: dict[str, int]
    rss_before: tuple[int, int]
    rss_peak: tuple[int, int]
    loki_log_seconds: list[float]
    upstream_max_open: int


@dataclass(slots=True)
class LeaveResult:
    """Scenario B."""

    outcomes: list[Outcome]
    streams: list[dict[str, Any]]
    """The fake llama.cpp's record of each streaming request opened during the scenario."""
    last_left_at: float
    open_at_end: int
    rss_before: tuple[int, int]
    rss_after: tuple[int, int]


@dataclass(slots=True)
class SingleRun:
    """One analysis of scenario C and the fake Loki's time for its backward log query."""

    outcome: Outcome
    loki_seconds: float | None


@dataclass(slots=True)
class Results:
    """Whatever scenarios ran."""

    options: Options
    load: LoadResult | None = None
    leave: LeaveResult | None = None
    single: list[SingleRun] = field(default_factory=list)
    logs: str = ""


class Bench:
    """The fakes, started once, and the service, started for each scenario."""

    def __init__(self, children: Children, options: Options) -> None:
        self.children = children
        self.options = options
        self.body = analysis_body(NAMESPACE, min(options.lines, 5000))
        port = free_port()
        self.loki = children.start(
            "fake-loki",
            [sys.executable, "-m", "bench.fakes.loki", "--port", str(port),
             "--lines", str(options.lines), "--latency", str(options.loki_latency)],
            port=port,
            ready_path="/ready",
        )  # fmt: skip
        port = free_port()
        self.llama = children.start(
            "fake-llama",
            [sys.executable, "-m", "bench.fakes.llama", "--port", str(port),
             "--tokens", str(options.tokens), "--tokens-per-second", str(options.tokens_per_second),
             "--slots", str(options.slots), "--n-ctx", str(options.n_ctx)],
            port=port,
            ready_path="/health",
        )  # fmt: skip

    def start_service(self, label: str) -> Child:
        """The service as deployed (see the Dockerfile), on a free port, pointed at the fakes."""
        port = free_port()
        return self.children.start(
            f"service-{label}",
            [sys.executable, "-m", "uvicorn", "log_analyzer.main:app", "--host", "127.0.0.1",
             "--port", str(port), "--timeout-graceful-shutdown", "2"],
            port=port,
            ready_path="/health",
            env={
                "LOKI_URL": self.loki.url,
                "LLAMA_URL": self.llama.url,
                "OTEL_ENABLED": "false",
                "LOG_LEVEL": "WARNING",
                "LLM_QUEUE_TIMEOUT_SECONDS": "120",
                "MAX_TOKENS": "256",
                # As the Dockerfile sets them for the image.
                "MALLOC_MMAP_THRESHOLD_": "131072",
                "MALLOC_ARENA_MAX": "2",
            },
        )  # fmt: skip

    def client(self, service: Child) -> httpx.AsyncClient:
        """A client with room for every benchmark client's connection at once."""
        return httpx.AsyncClient(
            base_url=service.url,
            timeout=httpx.Timeout(self.options.client_timeout, connect=30.0),
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=None),
        )

    async def stats(self, fake: Child) -> dict[str, Any]:
        """A fake's `/_bench/stats`."""
        async with httpx.AsyncClient(base_url=fake.url, timeout=30.0) as client:
            response = await client.get("/_bench/stats")
            response.raise_for_status()
            stats: dict[str, Any] = response.json()
            return stats

    async def reset(self, fake: Child) -> None:
        """Clear a fake's record."""
        async with httpx.AsyncClient(base_url=fake.url, timeout=30.0) as client:
            (await client.post("/_bench/reset")).raise_for_status()

    async def warm_up(self, service: Child) -> None:
        """A few analyses at once on the idle service; each must succeed.

        Several, so that every worker process has done one task: a worker's first task warms
        it up once (compiled patterns, allocator arenas: about 8 MiB that then stay flat), which
        belongs to the service's steady state, not to the load measured after.
        """
        async with self.client(service) as client:
            outcomes = await asyncio.gather(
                *(full_analysis(client, self.body, self.options.client_timeout)
                  for _ in range(WARM_UP_ANALYSES))
            )  # fmt: skip
        for outcome in outcomes:
            if not outcome.ok:
                raise HarnessError(
                    f"a warm-up analysis on the idle service failed ({outcome.reason}: "
                    f"{outcome.detail}); see {service.log}:\n{service.log_tail()}"
                )
        await asyncio.sleep(1.0)  # let the warm-up's leftovers go before measuring memory


async def run_load(bench: Bench) -> LoadResult:
    """Scenario A: every client analyses at once."""
    service = bench.start_service("a")
    poller = HealthPoller(service.url + "/health")
    sampler = RssSampler(service)
    try:
        await bench.warm_up(service)
        await bench.reset(bench.loki)
        await bench.reset(bench.llama)
        rss_before = service.rss()
        poller.start()
        sampler.start()
        started = time.perf_counter()
        async with bench.client(service) as client:
            outcomes = await all_at_once(
                bench.options.clients,
                lambda: full_analysis(client, bench.body, bench.options.client_timeout),
            )
        wall = time.perf_counter() - started
        latencies = poller.finish()
        peak = sampler.finish()
        queries = (await bench.stats(bench.loki))["queries"]
        upstream = await bench.stats(bench.llama)
    finally:
        poller.finish(drain=0.0)  # at once, when an error or Ctrl-C brought us here
        sampler.finish()
        bench.children.stop(service)
    return LoadResult(
        outcomes=outcomes,
        wall_seconds=wall,
        health_latencies=latencies,
        health_errors=dict(poller.errors),
        rss_before=rss_before,
        rss_peak=peak,
        loki_log_seconds=[
            q["seconds"] for q in queries if q["kind"] == "log" and q["direction"] == "backward"
        ],
        upstream_max_open=int(upstream["max_open"]),
    )


async def run_leave(bench: Bench) -> LeaveResult:
    """Scenario B: every client reads up to the first token and hangs up."""
    service = bench.start_service("b")
    try:
        await bench.warm_up(service)
        await bench.reset(bench.llama)
        rss_before = service.rss()
        async with bench.client(service) as client:
            outcomes = await all_at_once(
                bench.options.clients,
                lambda: leave_after_first_token(client, bench.body, bench.options.client_timeout),
            )
        last_left = max(outcome.left_at or 0.0 for outcome in outcomes)
        # A stream that never closes runs its whole answer; wait for that and some more.
        patience = bench.options.tokens / bench.options.tokens_per_second + 15.0
        stats = await _upstream_quiet(bench, last_left, patience)
        await asyncio.sleep(SETTLE_SECONDS)
        rss_after = service.rss()
    finally:
        bench.children.stop(service)
    return LeaveResult(
        outcomes=outcomes,
        streams=list(stats["streams"]),
        last_left_at=last_left,
        open_at_end=int(stats["open"]),
        rss_before=rss_before,
        rss_after=rss_after,
    )


async def _upstream_quiet(bench: Bench, since: float, patience: float) -> dict[str, Any]:
    """The fake llama.cpp's stats once nothing is open and nothing has changed for a while."""
    give_up = time.monotonic() + patience
    while True:
        stats = await bench.stats(bench.llama)
        streams = stats["streams"]
        moments = [
            since,
            *(s["opened_at"] for s in streams),
            *(s["closed_at"] or 0 for s in streams),
        ]
        if stats["open"] == 0 and time.time() - max(moments) >= QUIET_SECONDS:
            return stats
        if time.monotonic() > give_up:
            return stats
        await asyncio.sleep(0.1)


async def run_single(bench: Bench) -> list[SingleRun]:
    """Scenario C: one analysis at a time, `runs` times."""
    service = bench.start_service("c")
    runs: list[SingleRun] = []
    try:
        await bench.warm_up(service)
        async with bench.client(service) as client:
            for _ in range(bench.options.runs):
                await bench.reset(bench.loki)
                outcome = await full_analysis(client, bench.body, bench.options.client_timeout)
                queries = (await bench.stats(bench.loki))["queries"]
                loki = [q["seconds"] for q in queries if q["direction"] == "backward"]
                runs.append(SingleRun(outcome, loki[0] if loki else None))
    finally:
        bench.children.stop(service)
    return runs
