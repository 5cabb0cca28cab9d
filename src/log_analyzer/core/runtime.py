"""Interpreter-level helpers for the service's hot paths."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
