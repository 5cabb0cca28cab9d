"""What the benchmark watches while the load runs: `/health` latency and resident memory.

Each probe runs in its own thread, so that the benchmark's own event loop, busy with a hundred
streams, delays it as little as possible. The `/health` poller sends a request every 50 ms
whether or not the previous ones have answered, as a kubelet's probes do: a service whose event
loop stalls for 5 s then shows that stall in the hundred requests that waited on it, not in the
one a poller waiting for each answer would have sent.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Sequence

import httpx
from bench.load.processes import Child

_DRAIN_SECONDS = 30.0
"""How long polls still in flight when polling stops may take to answer."""


class HealthPoller(threading.Thread):
    """GETs `url` every `interval` seconds, on its own event loop, and times every answer."""

    def __init__(self, url: str, interval: float = 0.05) -> None:
        super().__init__(name="health-poller", daemon=True)
        self._url = url
        self._interval = interval
        self._halt = threading.Event()
        self._drain = _DRAIN_SECONDS
        self.latencies: list[float] = []
        self.errors: Counter[str] = Counter()

    def run(self) -> None:
        """Poll until stopped, then wait for the polls in flight."""
        asyncio.run(self._poll())

    async def _poll(self) -> None:
        # A new connection per poll, as a kubelet's probes do; it also keeps the poller out of
        # the race between reusing an idle connection and the server closing it.
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
        async with httpx.AsyncClient(timeout=httpx.Timeout(120.0), limits=limits) as client:
            in_flight: set[asyncio.Task[None]] = set()
            due = time.perf_counter()
            while not self._halt.is_set():
                task = asyncio.create_task(self._one(client))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
                due += self._interval
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            if in_flight:
                _, unanswered = await asyncio.wait(in_flight, timeout=self._drain)
                for task in unanswered:
                    task.cancel()
                    self.errors["no answer when polling stopped"] += 1

    async def _one(self, client: httpx.AsyncClient) -> None:
        """One poll; a failed poll counts as an error and its time as a latency."""
        started = time.perf_counter()
        try:
            response = await client.get(self._url)
            if response.status_code != 200:
                self.errors[f"HTTP {response.status_code}"] += 1
        except httpx.HTTPError as exc:
            self.errors[type(exc).__name__] += 1
        self.latencies.append(time.perf_counter() - started)

    def finish(self, drain: float = _DRAIN_SECONDS) -> list[float]:
        """Stop polling, wait up to `drain` s for the polls in flight; the latencies measured."""
        self._drain = drain
        self._halt.set()
        if self.is_alive():
            self.join(timeout=drain + 5.0)
        return list(self.latencies)


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
