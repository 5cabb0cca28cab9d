"""A bounded pool of worker processes for the CPU work of requests.

Decoding a store's answer, normalizing, redacting and mining thousands of lines takes tens to
hundreds of milliseconds. On the event loop that time would stall every other request's timers
(they then fire late and look like upstream timeouts) and `/health`. Here it runs in worker
processes, one per CPU the service may use, so both cores of a small node work; the event loop
only waits.

Back-pressure, twice. A request is *admitted* (`admitted()`) before it fetches what its task
will compute on, and at most two requests per worker are admitted at once: the others wait
before they fetch anything, so what a burst of requests holds in memory stays bounded (a store's
answer is megabytes). Then at most one task per worker is handed over at a time, and a task
waits for a free worker. Both waits are reported, for the request's span. The wait for
admission has a deadline (`admission_timeout`): a request that would queue longer is told to come
back later (`OverloadedError`, with `retry_after`) before it fetched anything, rather than being
served minutes late to an engineer who gave up. A task whose caller left is not interrupted (a
process cannot be), but it holds its worker until it ends, so the bound stays true.

`processes=0` runs the work in threads of the service process instead: still off the event
loop, without the start-up cost of processes (tests, tiny deployments).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import importlib
import math
import multiprocessing
import os
import signal
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from log_analyzer.core.errors import OverloadedError, ServiceError
from log_analyzer.core.runtime import forget_task_caches

P = ParamSpec("P")
T = TypeVar("T")

_CGROUP_V2 = Path("/sys/fs/cgroup/cpu.max")
_CGROUP_V1 = (
    Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
    Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us"),
)


class WorkerCrashed(ServiceError):
    """A worker process died in the middle of a task (killed, or out of memory)."""

    code = "worker_crashed"


def available_cpus() -> int:
    """CPUs this process may use: its CPU affinity, capped by a cgroup CPU limit (a pod's)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    quota = _cgroup_quota()
    if quota is not None:
        cpus = min(cpus, max(1, round(quota)))
    return max(1, cpus)


def _cgroup_quota() -> float | None:
    try:
        if _CGROUP_V2.exists():
            quota, _, period = _CGROUP_V2.read_text().partition(" ")
            return None if quota == "max" else int(quota) / int(period)
        quota_path, period_path = _CGROUP_V1
        if quota_path.exists():
            quota_us = int(quota_path.read_text())
            return None if quota_us <= 0 else quota_us / int(period_path.read_text())
    except (OSError, ValueError):
        return None
    return None


WORKER_NICENESS = 5
"""Added to a worker process's nice value. When the workers keep every CPU busy, the kernel's
scheduler then gives the service process (its event loop serves `/health` and every open stream)
about three times a worker's share of CPU time, so the loop is not kept waiting behind the work
it handed off (`/health` p95 under load: ``bench/bench_load.py``). When the loop is idle the
workers still get all the CPU."""


def prepare_worker(modules: Sequence[str]) -> None:
    """Set a new worker process up: lower its priority, ignore Ctrl-C, import ``modules``."""
    with contextlib.suppress(OSError):  # a sandbox may forbid it; the work runs all the same
        os.nice(WORKER_NICENESS)
    # Ctrl-C in a terminal reaches the whole process group; the service shuts its workers down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in modules:
        importlib.import_module(name)
    # What the worker inherited or imported lives as long as it does; frozen, the collector
    # never walks it, so the pages it shares with the fork server are not copied one by one.
    gc.freeze()


def _trim() -> None:
    """Hand the heap a task freed back to the system (glibc only; elsewhere nothing to do)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def run_task(fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
    """A task in a worker process: its result, then nothing of it left behind.

    Caches that hold what the task read are emptied (`core.runtime.task_cache`), so no
    request's log text outlives it in a worker, and the heap the task freed goes back to the
    system: a task builds one object per line, and without the trim a worker would keep the
    high-water mark of its largest task for the rest of its life.
    """
    try:
        return fn(*args, **kwargs)
    finally:
        forget_task_caches()
        _trim()


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], object]) -> None:
    with contextlib.suppress(RuntimeError):  # the loop closed while the task ran (shutdown)
        loop.call_soon_threadsafe(callback)


def _nothing() -> None:
    time.sleep(0.05)  # long enough that every warm-up task gets a process of its own


class WorkerPool:
    """Runs functions in worker processes (or threads), one task per worker at a time."""

    def __init__(
        self,
        processes: int,
        *,
        max_tasks_per_worker: int = 1000,
        preload: Sequence[str] = (),
        executor: Executor | None = None,
        admission_timeout: float | None = None,
    ) -> None:
        """Size the pool; nothing starts before `start()` or the first task.

        Args:
            processes: Worker processes; 0 runs tasks in threads of this process.
            max_tasks_per_worker: A process is replaced after this many tasks.
            preload: Modules every worker imports when it starts, so a first task is not slow.
            executor: An executor of ``processes`` workers to use instead of starting one; it
                is not shut down by `close()` (tests share one across event loops).
            admission_timeout: Longest wait to be admitted (`admitted()`); None waits as long
                as it takes.
        """
        self._processes = processes
        self._max_tasks = max_tasks_per_worker
        self._preload = tuple(preload)
        self.size = max(1, processes)
        """Tasks that may run at once."""
        self._executor: Executor | None = executor
        self._owned = executor is None
        self._slots = asyncio.Semaphore(self.size)
        self._places = 2 * self.size
        self._admission = asyncio.Semaphore(self._places)
        self._admission_timeout = admission_timeout

    @property
    def uses_processes(self) -> bool:
        """Whether tasks run in worker processes (rather than threads)."""
        return self._processes > 0

    async def start(self) -> None:
        """Start every worker now, so the first requests do not pay for it."""
        if self._executor is None:
            self._executor = self._new_executor()
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(loop.run_in_executor(self._executor, _nothing) for _ in range(self.size))
        )

    async def close(self) -> None:
        """Stop the workers; tasks still running are waited for."""
        executor, self._executor = self._executor, None
        if executor is not None and self._owned:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)

    @contextlib.asynccontextmanager
    async def admitted(self) -> AsyncIterator[float]:
        """Hold one of the places for requests with work for the pool; yield the wait.

        Raises `OverloadedError` when no place frees within the admission timeout.
        """
        queued = time.monotonic()
        timeout = self._admission_timeout
        try:
            async with asyncio.timeout(timeout):
                await self._admission.acquire()
        except TimeoutError:
            assert timeout is not None  # only a deadline raises it
            raise OverloadedError(
                f"all {self._places} places for requests with CPU work (2 per worker, "
                f"{self.size} workers) stayed taken for {timeout:g} s: the service is "
                "computing other analyses; retry later",
                retry_after=max(1, math.ceil(timeout)),
            ) from None
        try:
            yield time.monotonic() - queued
        finally:
            self._admission.release()

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> tuple[T, float]:
        """Run ``fn(*args)`` in a worker; return its result and how long the task waited.

        ``fn`` and its arguments must pickle (module-level functions, plain data).
        """
        if self._executor is None:
            self._executor = self._new_executor()
        queued = time.monotonic()
        await self._slots.acquire()
        waited = time.monotonic() - queued
        loop = asyncio.get_running_loop()
        try:
            future: Future[T] = (
                self._executor.submit(run_task, fn, args, kwargs)
                if self.uses_processes
                else self._executor.submit(fn, *args, **kwargs)
            )
        except BaseException:
            self._slots.release()
            raise
        # The worker is free when the task ends, not when our caller stops waiting for it.
        future.add_done_callback(lambda _: _call_soon(loop, self._slots.release))
        try:
            return await asyncio.wrap_future(future), waited
        except BrokenProcessPool as exc:
            if self._owned:
                self._executor = self._new_executor()
            raise WorkerCrashed(
                "a worker process died during the computation (out of memory?); retry"
            ) from exc

    def _new_executor(self) -> Executor:
        if self._processes == 0:
            return ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="cpu-work")
        # Not forked from the service: it has threads (telemetry export) a fork would copy in
        # whatever state they were, locks included. A fork server is a clean single-threaded
        # process that imports the worker modules once and forks each worker from itself, so
        # the workers share those pages and never import the service's own entry point.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(self._preload))
        return ProcessPoolExecutor(
            max_workers=self._processes,
            mp_context=context,
            initializer=prepare_worker,
            initargs=(self._preload,),
            max_tasks_per_child=self._max_tasks,
        )
