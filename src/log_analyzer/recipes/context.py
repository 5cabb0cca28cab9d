"""What a recipe is, and what it may use: named parameters in, computed tables out.

A recipe answers one recurring incident question with numbers computed by code, from the
store's count queries (true totals) or from fetched entries (a sample when the store stopped
at the limit). The LLM only explains the tables afterwards; it never produces a number.

A recipe's `run` does its I/O through a `RecipeContext` (store queries in spans, each answer
fetched once per line filter) and hands CPU work over lines to a worker process
(`RecipeContext.compute`), so the event loop never reads thousands of lines itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from opentelemetry import trace

from log_analyzer.analysis.gather import gather_evidence, query_entries
from log_analyzer.analysis.job import JobContext
from log_analyzer.analysis.processing import SummaryDone, SummaryWork, summarize_window
from log_analyzer.analysis.request import AnalysisRequest
from log_analyzer.logs.tables import RecipeResult
from log_analyzer.logs.totals import Histogram, Totals
from log_analyzer.recipes.params import Param
from log_analyzer.sources.base import LineFilter, RawEntries

T = TypeVar("T")
W = TypeVar("W")


@dataclass(slots=True)
class RecipeContext:
    """What a recipe may use: the window and filters, its parameters, the store, the workers."""

    job: JobContext
    request: AnalysisRequest
    params: Mapping[str, int | float | str]
    _entries: dict[LineFilter, RawEntries] = field(default_factory=dict)
    _analysis: SummaryDone | None = None

    @property
    def source_name(self) -> str:
        """The store's name, for the labels of the tables."""
        return self.job.source.name

    @property
    def max_line_chars(self) -> int:
        """Longer lines are cut to this many characters, as in an analysis."""
        return self.job.options.max_line_chars

    @property
    def pii(self) -> frozenset[str]:
        """Personal data redacted besides secrets, as in an analysis (``REDACT_PII``)."""
        return self.job.options.pii

    def line_filter(self, every_line: bool) -> LineFilter:
        """Every line of the selected streams, or the request's line filter."""
        return LineFilter.every() if every_line else self.request.line_filter

    async def entries(self, *, every_line: bool = False) -> RawEntries:
        """The newest entries up to the limit (once per line filter), undecoded."""
        line_filter = self.line_filter(every_line)
        if line_filter not in self._entries:
            source = self.job.source
            self._entries[line_filter] = await query_entries(
                source,
                self.request.entries(line_filter=line_filter),
                self.job.tracer,
                f"query_{source.name}",
            )
        return self._entries[line_filter]

    async def totals(self, *, every_line: bool = False) -> Totals:
        """Lines of the window by level and source (true totals)."""
        source = self.job.source
        with self.job.tracer.start_as_current_span(f"query_{source.name}_totals") as span:
            totals = await source.totals(self.request.counts(self.line_filter(every_line)))
            span.set_attribute("db.query.text", totals.query)
            return totals

    async def histogram(self, step_seconds: int, *, every_line: bool = False) -> Histogram:
        """Lines per bucket and level over the window (true totals)."""
        source = self.job.source
        with self.job.tracer.start_as_current_span(f"query_{source.name}_buckets") as span:
            counts = self.request.counts(self.line_filter(every_line))
            histogram = await source.histogram(counts, step_seconds)
            span.set_attribute("db.query.text", histogram.query)
            return histogram

    async def analysis(self) -> SummaryDone:
        """The request's analysis summary: patterns of the fetched lines and true totals."""
        if self._analysis is None:
            gathered = await gather_evidence(self.job.source, self.request, self.job.tracer)
            work = SummaryWork(
                source=self.source_name,
                gathered=gathered,
                window=self.request.window,
                limit=self.request.limit,
                max_line_chars=self.max_line_chars,
                pii=self.job.options.pii,
            )
            self._analysis = await self.compute(summarize_window, work)
            self.job.record(self._analysis.steps)
        return self._analysis

    async def compute(self, fn: Callable[[W], T], work: W) -> T:
        """``fn(work)`` in a worker process (``fn`` module-level, ``work`` picklable)."""
        return await self.job.compute(fn, work)

    @property
    def tracer(self) -> trace.Tracer:
        """The run's tracer."""
        return self.job.tracer


class Recipe(Protocol):
    """One incident question answered with numbers."""

    name: str
    description: str
    params: tuple[Param, ...]

    async def run(self, ctx: RecipeContext) -> RecipeResult:
        """Compute the tables; raise `UpstreamError` only when nothing at all can be computed."""
        ...
