"""A recipe's result as JSON and as aligned text tables, each labelled total or sample."""

from __future__ import annotations

from typing import Any

from log_analyzer.analysis.events import ResultEvent
from log_analyzer.api.report_text import report_lines
from log_analyzer.logs.tables import Cell, Table, format_cell

_MAX_CELL = 80


def result_data(event: ResultEvent) -> dict[str, Any]:
    """The `result` event's JSON payload."""
    r = event.result
    return {
        "recipe": r.recipe,
        "tables": [
            {
                "title": t.title,
                "counts_are": t.counts_are,
                "source": t.source,
                "columns": list(t.columns),
                "rows": [list(row) for row in t.rows],
            }
            for t in r.tables
        ],
        "source": r.source,
        "queries": list(r.queries),
        "facts": list(r.facts),
        "notes": [*r.notes, *event.notes],
    }


def result_text(event: ResultEvent) -> str:
    """The result as readable tables, with the store's queries that produced them."""
    r = event.result
    out = [f"=== Recipe: {r.recipe} ==="]
    for table in r.tables:
        out += ["", f"{table.title} [{table.counts_are}: {table.source}]", *_aligned(table)]
    if r.facts:
        out += ["", *(f"- {fact}" for fact in r.facts)]
    out += ["", f"Queries ({r.source}):", *(f"  {q}" for q in r.queries)]
    out += [f"Note: {note}" for note in (*r.notes, *event.notes)]
    return report_lines(out) + "\n"


def _aligned(table: Table) -> list[str]:
    cells = [list(table.columns)] + [[_text(c) for c in row] for row in table.rows]
    if not table.rows:
        return ["  (no rows)"]
    widths = [max(len(row[i]) for row in cells) for i in range(len(table.columns))]
    numeric = [
        all(isinstance(row[i], int | float) or row[i] is None for row in table.rows)
        for i in range(len(table.columns))
    ]
    lines = []
    for row in cells:
        parts = [
            value.rjust(width) if is_number else value.ljust(width)
            for value, width, is_number in zip(row, widths, numeric, strict=True)
        ]
        lines.append("  " + "  ".join(parts).rstrip())
    return lines


def _text(value: Cell) -> str:
    text = format_cell(value)
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 1] + "…"
