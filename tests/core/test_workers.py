"""The worker pool: CPU work leaves the event loop free, waits for a worker, survives a crash.

Ordering, not wall time: a gate holds the CPU work of an analysis inside a worker while the test
asks for `/health`; the health answer must come first.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
from functools import partial
from typing import Any, Protocol

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.analysis import analyze
from log_analyzer.analysis.processing import SummaryDone, SummaryWork, summarize_window
from log_analyzer.core.errors import OverloadedError
from log_analyzer.core.workers import (
    WORKER_NICENESS,
    WorkerCrashed,
    WorkerPool,
    available_cpus,
)
from tests.conftest import recorded, running_app, shared_workers
from tests.fakes import FakeLLM, RecordedLogSource

pytestmark = pytest.mark.anyio
REQUEST = {"filters": {"namespace": "billing"}, "time_range": {"since": "1h"}}


class Gate(Protocol):
    def set(self) -> None: ...
    def is_set(self) -> bool: ...
    def wait(self, timeout: float | None = None) -> bool: ...


def gated_summary(started: Gate, release: Gate, work: SummaryWork) -> SummaryDone:
    """The analysis' CPU task, held until the test releases it (runs in a worker)."""
    started.set()
    release.wait(30)
    return summarize_window(work)


async def health_comes_first(
    started: Gate, release: Gate, workers: WorkerPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analyze, "summarize_window", partial(gated_summary, started, release))
    source = RecordedLogSource(recorded("loki", "query_range-streams.json")["body"])
    async with running_app(
        InMemorySpanExporter(), log_source=source, llm=FakeLLM(), workers=workers
    ) as (_, client):
        analysis = asyncio.create_task(client.post("/v1/analyze/stream", json=REQUEST))
        assert await asyncio.to_thread(started.wait, 30)
        health = await client.get("/health")
        assert health.status_code == 200
        assert not analysis.done()  # the analysis is still computing in its worker
        release.set()
        response = await asyncio.wait_for(analysis, 30)
    assert response.status_code == 200
    assert "--- done" in response.text


async def test_health_is_answered_while_a_thread_worker_computes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await health_comes_first(threading.Event(), threading.Event(), WorkerPool(0), monkeypatch)


async def test_health_is_answered_while_a_process_worker_computes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with multiprocessing.get_context("spawn").Manager() as manager:
        await health_comes_first(manager.Event(), manager.Event(), shared_workers(), monkeypatch)


def hold(release: Any, value: int) -> int:
    release.wait(30)
    return value


async def test_a_task_waits_for_a_free_worker_and_reports_the_wait() -> None:
    pool = WorkerPool(0)  # one thread: the second task must wait for the first
    release = threading.Event()
    first = asyncio.create_task(pool.run(hold, release, 1))
    await asyncio.sleep(0.02)
    second = asyncio.create_task(pool.run(hold, release, 2))
    await asyncio.sleep(0.05)
    assert not first.done() and not second.done()
    release.set()
    (one, first_wait), (two, second_wait) = await asyncio.gather(first, second)
    assert (one, two) == (1, 2)
    assert first_wait < second_wait
    await pool.close()


async def test_a_cancelled_caller_keeps_its_worker_until_the_task_ends() -> None:
    pool = WorkerPool(0)
    release = threading.Event()
    abandoned = asyncio.create_task(pool.run(hold, release, 1))
    await asyncio.sleep(0.02)
    abandoned.cancel()
    waiting = asyncio.create_task(pool.run(hold, release, 2))
    await asyncio.sleep(0.05)
    assert not waiting.done()  # the abandoned task still runs: its worker is not free
    release.set()
    assert (await asyncio.wait_for(waiting, 5))[0] == 2
    await pool.close()


def die(_: int) -> int:
    os.kill(os.getpid(), signal.SIGKILL)
    return 0


async def test_a_crashed_worker_is_an_error_and_the_pool_recovers() -> None:
    pool = WorkerPool(1)
    await pool.start()
    try:
        with pytest.raises(WorkerCrashed) as caught:
            await pool.run(die, 0)
        assert caught.value.to_dict()["code"] == "worker_crashed"
        assert (await pool.run(abs, -3))[0] == 3
    finally:
        await pool.close()


def test_available_cpus_is_at_least_one() -> None:
    assert 1 <= available_cpus() <= (os.cpu_count() or 1)


async def test_processes_return_what_they_computed() -> None:
    async with httpx.AsyncClient():  # the pool works beside an open client (no fork copies it)
        result, waited = await shared_workers().run(sorted, [3, 1, 2])
    assert result == [1, 2, 3]
    assert waited >= 0


def niceness(_: object) -> int:
    """The nice value of the process this runs in."""
    return os.nice(0)


async def test_workers_run_at_a_lower_priority_than_the_service() -> None:
    value, _ = await shared_workers().run(niceness, None)
    assert value == min(19, os.nice(0) + WORKER_NICENESS)


async def test_admission_past_its_deadline_is_overloaded_and_takes_no_place() -> None:
    pool = WorkerPool(0, admission_timeout=0.05)  # one worker: two places
    async with pool.admitted(), pool.admitted():
        with pytest.raises(OverloadedError) as caught:
            async with pool.admitted():
                pytest.fail("a third request was admitted beside two")
        assert caught.value.retry_after == 1
        assert "stayed taken for 0.05 s" in caught.value.message
    # The refused request took no place: both are free again once the two leave.
    async with pool.admitted() as first, pool.admitted() as second:
        assert first < 0.05 and second < 0.05
    await pool.close()


async def test_a_request_refused_admission_gets_429_with_retry_after_and_queried_nothing() -> None:
    pool = WorkerPool(0, admission_timeout=0.05)
    source = RecordedLogSource(recorded("loki", "query_range-streams.json")["body"])
    async with (
        running_app(InMemorySpanExporter(), log_source=source, llm=FakeLLM(), workers=pool) as (
            _,
            client,
        ),
        pool.admitted(),
        pool.admitted(),
    ):
        response = await client.post("/v1/analyze/stream", json=REQUEST)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.json()["error"]["code"] == "overloaded"
    assert source.texts == []  # refused before it asked the store anything
