"""What the benchmark watches while the load runs: `/health` latency and resident memory.

The `/health` poller runs in a process of its own and the memory sampler in a thread, so that
the benchmark's own event loop, busy with a hundred streams, delays them as little as possible.
The `/health` poller sends a request every 50 ms
whether or not the previous ones have answered, as a kubelet's probes do: a service whose event
loop stalls for 5 s then shows that stall in the hundred requests that waited on it, not in the
one a poller waiting for each answer would have sent.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

import httpx
from bench.load.processes import Child

_DRAIN_SECONDS = 30.0
"""How long polls still in flight when polling stops may take to answer."""


class HealthPoller:
    """GETs `url` every `interval` seconds from a process of its own, and times every answer.

    A process, as a kubelet is: a thread of the benchmark would share the interpreter lock with
    the benchmark's own event loop, busy with a hundred streams, and its waits for that lock
    would be counted as the service's latency.
    """

    def __init__(self, url: str, interval: float = 0.05) -> None:
        context = multiprocessing.get_context("spawn")
        self._halt = context.Event()
        self._drain = context.Value("d", _DRAIN_SECONDS)
        self._results, sender = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_poll_in_process,
            args=(url, interval, self._halt, self._drain, sender),
            name="health-poller",
            daemon=True,
        )
        self.latencies: list[float] = []
        self.errors: Counter[str] = Counter()
        self._finished = False

    def start(self) -> None:
        """Start polling (returns once the process started)."""
        self._process.start()

    def finish(self, drain: float = _DRAIN_SECONDS) -> list[float]:
        """Stop polling, wait up to `drain` s for the polls in flight; the latencies measured."""
        if self._finished or self._process.pid is None:
            return list(self.latencies)
        self._finished = True
        self._drain.value = drain
        self._halt.set()
        if self._results.poll(drain + 10.0):
            latencies, errors = self._results.recv()
            self.latencies, self.errors = list(latencies), Counter(errors)
        else:
            self.errors["the poller sent no results"] += 1
        self._process.join(timeout=5.0)
        if self._process.is_alive():
            self._process.kill()
        return list(self.latencies)


def _poll_in_process(url: str, interval: float, halt: Any, drain: Any, results: Connection) -> None:
    """The poller's process: poll until ``halt`` is set, then send the latencies and errors."""
    latencies: list[float] = []
    errors: Counter[str] = Counter()

    async def one(client: httpx.AsyncClient) -> None:
        """One poll; a failed poll counts as an error and its time as a latency."""
        started = time.perf_counter()
        try:
            response = await client.get(url)
            if response.status_code != 200:
                errors[f"HTTP {response.status_code}"] += 1
        except httpx.HTTPError as exc:
            errors[type(exc).__name__] += 1
        latencies.append(time.perf_counter() - started)

    async def poll() -> None:
        # A new connection per poll, as a kubelet's probes do; it also keeps the poller out of
        # the race between reusing an idle connection and the server closing it.
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
        async with httpx.AsyncClient(timeout=httpx.Timeout(120.0), limits=limits) as client:
            in_flight: set[asyncio.Task[None]] = set()
            due = time.perf_counter()
            while not halt.is_set():
                task = asyncio.create_task(one(client))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
                due += interval
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            if in_flight:
                _, unanswered = await asyncio.wait(in_flight, timeout=drain.value)
                for task in unanswered:
                    task.cancel()
                    errors["no answer when polling stopped"] += 1

    asyncio.run(poll())
    results.send((latencies, dict(errors)))


class RssSampler(threading.Thread):
    """Samples the resident memory of a process and its descendants every `interval` seconds."""

    def __init__(self, child: Child, interval: float = 0.1) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self._child = child
        self._interval = interval
        self._halt = threading.Event()
        self.samples: list[tuple[int, int]] = []

    def run(self) -> None:
        """Sample until stopped."""
        while not self._halt.is_set():
            self.samples.append(self._child.rss())
            self._halt.wait(self._interval)

    def finish(self) -> tuple[int, int]:
        """Stop sampling; the peaks, of the process alone and with its descendants."""
        self._halt.set()
        if self.is_alive():
            self.join(timeout=1.0)
        samples = self.samples or [self._child.rss()]
        return max(own for own, _ in samples), max(total for _, total in samples)


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` quantile with linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
