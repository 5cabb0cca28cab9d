"""Interpreter-level helpers for the service's hot paths."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_TASK_CACHES: list[Callable[[], None]] = []


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector for a synchronous, allocation-heavy step.

    Parsing a store's answer and normalizing its lines build hundreds of thousands of objects that
    stay alive and hold no reference cycles; the collector would walk them again and again for
    nothing. Reference counting still frees memory as usual, and collection resumes (if it was
    on) when the step ends. Only for code without an `await` inside, so no other request runs
    meanwhile.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def freeze_startup_objects() -> None:
    """Move every object alive now (modules, settings, clients) out of the collector's sight.

    A full collection walks every tracked object; after start-up those are hundreds of
    thousands that live as long as the process. Under load the walk took over 100 ms per full
    collection, stalling every request (and `/health`) meanwhile. Frozen objects are never
    walked again; garbage made later is collected as usual.
    """
    gc.collect()
    gc.freeze()


def task_cache(clear: Callable[[], None]) -> None:
    """Register how to empty a module-level cache that holds what one task read.

    Such caches speed a task up (a template seen on one line helps the next) but would keep
    fragments of one request's logs in a worker for the next: `forget_task_caches` empties them
    all once a task is done.
    """
    _TASK_CACHES.append(clear)


def forget_task_caches() -> None:
    """Empty every cache registered with `task_cache`."""
    for clear in _TASK_CACHES:
        clear()
