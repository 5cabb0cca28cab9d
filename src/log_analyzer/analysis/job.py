"""A job: what one kind of run computes, what it may use, what it hands back (its head).

An analysis and a recipe are jobs; :class:`~log_analyzer.analysis.run.Run` drives either one
the same way: it lets the job prepare its head (queries and CPU work, spans under the run),
then fits the head's material and streams the model's answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from opentelemetry import trace
from opentelemetry.trace import Span

from log_analyzer.analysis.events import HeadEvent
from log_analyzer.analysis.run_deps import RunDeps
from log_analyzer.analysis.steps import Step
from log_analyzer.logs.prompt import PromptMaterial

T = TypeVar("T")
W = TypeVar("W")


@dataclass(frozen=True, slots=True)
class Head:
    """What a job computed before the model is asked: its first event, the model's material."""

    event: HeadEvent
    material: PromptMaterial
    heading: str = "Analysis"
    """Title of the model's part in text mode."""
    idle: str | None = None
    """Why the model is not asked although it could be (the store found nothing to explain);
    the run then ends after the numbers, with this as their note."""


class JobContext:
    """What a job may use while it prepares: the store, the workers, spans under the run."""

    def __init__(self, deps: RunDeps, span: Span) -> None:
        self.source = deps.source
        self.tracer = deps.tracer
        self.options = deps.options
        self.span = span
        self._workers = deps.workers
        self._waited = 0.0

    async def compute(self, fn: Callable[[W], T], work: W) -> T:
        """``fn(work)`` in a worker process; the wait for a free worker is a span attribute."""
        result, waited = await self._workers.run(fn, work)
        self._waited += waited
        self.span.set_attribute("worker.wait_seconds", round(self._waited, 4))
        return result

    def record(self, steps: tuple[Step, ...]) -> None:
        """A worker's timed steps, as spans under the run, with the steps' own start and end."""
        context = trace.set_span_in_context(self.span)
        for step in steps:
            span = self.tracer.start_span(step.name, context=context, start_time=step.start_ns)
            span.set_attributes(dict(step.attributes))
            span.end(end_time=step.end_ns)


class Job(Protocol):
    """What one kind of run computes."""

    span_name: str
    """The root span's name (``analyze_logs_stream``, ``run_recipe``)."""

    def describe(self, span: Span) -> None:
        """Set the root span's attributes; log that the run starts."""
        ...

    async def prepare(self, context: JobContext) -> Head:
        """Query and compute; raise `ServiceError` when nothing can be shown."""
        ...
