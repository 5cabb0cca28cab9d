"""A validated request, in the pipeline's own terms (no HTTP, no store's query language)."""

from __future__ import annotations

from dataclasses import dataclass

from log_analyzer.sources.base import CountQuery, EntryQuery, LineFilter, Order, Selection, Window


@dataclass(frozen=True, slots=True)
class AnalysisRequest:
    """What to read, from which store, and what to ask about it."""

    source: str
    """The store's name (``loki``)."""
    window: Window
    selection: Selection
    line_filter: LineFilter
    limit: int
    question: str | None = None
    llm: bool = True
    """Ask the model; False streams the computed numbers only."""

    def entries(
        self, *, line_filter: LineFilter | None = None, limit: int | None = None,
        order: Order = Order.NEWEST,
    ) -> EntryQuery:  # fmt: skip
        """The entries query of this request, optionally with another filter, limit or order."""
        return EntryQuery(
            self.window,
            self.selection,
            self.line_filter if line_filter is None else line_filter,
            self.limit if limit is None else limit,
            order,
        )

    def counts(self, line_filter: LineFilter | None = None) -> CountQuery:
        """The count query of this request, optionally with another line filter."""
        return CountQuery(
            self.window, self.selection, self.line_filter if line_filter is None else line_filter
        )
