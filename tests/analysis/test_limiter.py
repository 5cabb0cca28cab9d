"""The shared bound on concurrent generations."""

from __future__ import annotations

import asyncio

import pytest

from log_analyzer.analysis.limiter import GenerationLimiter
from log_analyzer.core.errors import LLMUnavailable, OverloadedError

pytestmark = pytest.mark.anyio


async def slots(n: int) -> int:
    return n


async def test_waiters_beyond_capacity_get_overloaded_after_the_timeout() -> None:
    limiter = GenerationLimiter(None, 0.05, lambda: slots(2))
    first, second = await limiter.acquire(), await limiter.acquire()
    assert limiter.capacity == 2

    with pytest.raises(OverloadedError) as caught:
        await limiter.acquire()
    assert caught.value.retry_after == 1
    assert caught.value.status_code == 429
    assert limiter.waiting == 0

    first.release()
    first.release()  # idempotent: must not free a second place
    third = await limiter.acquire()
    with pytest.raises(OverloadedError):
        await limiter.acquire()
    second.release()
    third.release()


async def test_a_waiter_gets_the_place_when_it_frees() -> None:
    limiter = GenerationLimiter(1, 2.0, lambda: slots(9))
    held = await limiter.acquire()
    waiter = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0.02)
    assert limiter.waiting == 1
    held.release()
    permit = await asyncio.wait_for(waiter, 1)
    assert permit.waited_seconds > 0
    assert limiter.capacity == 1  # the setting wins over discovery


async def test_unknown_slot_count_does_not_block_and_is_asked_again() -> None:
    calls = 0

    async def failing() -> int:
        nonlocal calls
        calls += 1
        raise LLMUnavailable("loading")

    limiter = GenerationLimiter(None, 0.05, failing)
    for _ in range(3):
        (await limiter.acquire()).release()
    assert calls == 3
    assert limiter.capacity is None
