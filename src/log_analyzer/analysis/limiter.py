"""A bound on concurrent generations, shared by every request of the process.

llama.cpp queues requests beyond its slots without telling anyone, so latency grows without limit.
Here a request waits for one of `capacity` places (by default the server's slot count from
`/props`) for at most `timeout` seconds, and is then told to come back later (an `overloaded`
error event with `retry_after`).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from log_analyzer.core.errors import OverloadedError, ServiceError


@dataclass(slots=True)
class Permit:
    """A held place; `release()` is idempotent."""

    waited_seconds: float
    _release: Callable[[], None] | None

    def release(self) -> None:
        """Give the place back (once)."""
        if self._release is not None:
            release, self._release = self._release, None
            release()


class GenerationLimiter:
    """Admits at most `capacity` generations at once; the rest wait up to `timeout` seconds."""

    def __init__(
        self,
        capacity: int | None,
        timeout: float,
        discover: Callable[[], Awaitable[int]],
    ) -> None:
        self._capacity = capacity
        self._timeout = timeout
        self._discover = discover
        self._semaphore: asyncio.Semaphore | None = None
        self._waiting = 0

    @property
    def capacity(self) -> int | None:
        """The bound in force, once known."""
        return self._capacity

    @property
    def waiting(self) -> int:
        """Requests waiting for a place now."""
        return self._waiting

    async def acquire(self) -> Permit:
        """Wait for a place; raise `OverloadedError` after `timeout` seconds."""
        semaphore = await self._ensure_semaphore()
        if semaphore is None:
            # The server could not tell its slot count (it is down or loading); the request will
            # fail on its own and report why, so it is not held back here.
            return Permit(0.0, None)
        started = time.monotonic()
        self._waiting += 1
        try:
            async with asyncio.timeout(self._timeout):
                await semaphore.acquire()
        except TimeoutError:
            raise OverloadedError(
                f"all {self._capacity} LLM generation slots stayed busy for {self._timeout:g} s; "
                "retry later",
                retry_after=max(1, math.ceil(self._timeout)),
            ) from None
        finally:
            self._waiting -= 1
        return Permit(time.monotonic() - started, semaphore.release)

    async def _ensure_semaphore(self) -> asyncio.Semaphore | None:
        if self._semaphore is None:
            if self._capacity is None:
                try:
                    discovered = max(1, await self._discover())
                except ServiceError:
                    return None
                if self._capacity is None:  # another request may have discovered it meanwhile
                    self._capacity = discovered
            if self._semaphore is None:
                self._semaphore = asyncio.Semaphore(self._capacity)
        return self._semaphore
