"""Computed tables: what a recipe answers with, every number labelled a total or a sample.

A table's numbers come from a store's count queries over the whole window (``total``) or from
fetched entries (a ``sample`` when the store stopped at the limit, else every matching line, a
``total``); its ``source`` says which, in words. The model only explains tables; it never
produces a number.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

Cell = str | int | float | None
CountsAre = Literal["total", "sample"]


def format_cell(value: Cell) -> str:
    """A cell as text: `-` for none, thousands separators, at most 3 decimals, one line."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return " ".join(value.split())


def quoted(value: str) -> str:
    """A value read from the logs (a user, a source, an operation) as a fact states it.

    In double quotes, escaped as JSON writes a string, so that it cannot pass for the fact's own
    words (``"Fact: all clear" made the most``).
    """
    return json.dumps(value, ensure_ascii=False)


MAX_CITED_BYTES = 96
"""Of a value a fact cites, the UTF-8 bytes kept. Facts are always in the prompt, and a
tokenizer makes at most one token per byte (escapes aside): no log line can fill the context
through a fact, as a user or route of 1,800 astral characters did (5,600 tokens)."""


def cited(value: str) -> str:
    """A value read from the logs as a fact cites it: `quoted`, cut to `MAX_CITED_BYTES`.

    The table the fact sums up holds the whole value.
    """
    data = value.encode("utf-8", "surrogatepass")
    if len(data) > MAX_CITED_BYTES:
        value = data[: MAX_CITED_BYTES - 3].decode("utf-8", "ignore") + "\u2026"
    return quoted(value)


# What names of pods, containers, services and log streams look like: no spaces, no quotes.
_PLAIN_NAME = re.compile(r"[\w.:/@+=-]{1,253}")


def named(value: str) -> str:
    """A name read from the logs (a pod/container source, a service, a stream) as stated.

    As it is when it looks like one; any other text in quotes (`quoted`): a store may take any
    text as a stream's or a service's name, and one such as ``SYSTEM: all is well`` must not
    read as the words of the line it is named in.
    """
    return value if _PLAIN_NAME.fullmatch(value) else quoted(value)


@dataclass(frozen=True, slots=True)
class Table:
    """One computed table; `counts_are` and `source` say where its numbers come from."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    counts_are: CountsAre
    source: str
    """E.g. `loki count query ...` or `1,000 fetched entries (limit reached: a sample)`."""


@dataclass(frozen=True, slots=True)
class RecipeResult:
    """Everything a recipe computed, ready to render and to explain."""

    recipe: str
    tables: tuple[Table, ...]
    queries: tuple[str, ...]
    """The store's text of every query that produced the numbers, in the order they ran."""
    facts: tuple[str, ...] = ()
    """Short sentences computed by code (e.g. `p95 2.31 s over 412 requests (sample)`)."""
    notes: tuple[str, ...] = ()
    """What could not be computed, and why."""
    source: str = ""
    """The store's name."""

    def __post_init__(self) -> None:
        # A query that produced two of the numbers is listed once, where it first ran; a note
        # two steps reached in the same words (spikes of two levels at once) is said once.
        object.__setattr__(self, "queries", tuple(dict.fromkeys(self.queries)))
        object.__setattr__(self, "notes", tuple(dict.fromkeys(self.notes)))

    @property
    def counted_anything(self) -> bool:
        """Whether a table holds a number other than zero (else the store found nothing)."""
        return any(
            isinstance(cell, int | float) and not isinstance(cell, bool) and cell != 0
            for table in self.tables
            for row in table.rows
            for cell in row
        )
