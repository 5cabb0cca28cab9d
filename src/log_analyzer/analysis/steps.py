"""Timed steps of work done where no span can be started (a worker process).

The worker times each step with the wall clock (comparable across processes) and returns the
steps with its result; the service process turns them into spans (`JobContext.record`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

Attribute = str | int | float | bool


@dataclass(frozen=True, slots=True)
class Step:
    """One timed step, to become a span in the service process."""

    name: str
    start_ns: int
    end_ns: int
    attributes: tuple[tuple[str, Attribute], ...]


class Steps:
    """Collects timed steps: ``with steps.step("normalize_logs") as attributes: ...``."""

    def __init__(self) -> None:
        self.done: list[Step] = []

    @contextmanager
    def step(self, name: str) -> Iterator[dict[str, Attribute]]:
        """Time the block; what it puts in the yielded dict becomes the span's attributes."""
        attributes: dict[str, Attribute] = {}
        start = time.time_ns()
        yield attributes
        self.done.append(Step(name, start, time.time_ns(), tuple(attributes.items())))
