"""What a recipe is: named parameters in, computed tables out, every number labelled.

A recipe answers one recurring incident question with numbers computed by code, from Loki metric
queries (true totals) or from fetched entries (a sample when Loki stopped at the limit). The LLM
only explains the tables afterwards; it never produces a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

from opentelemetry.trace import Tracer

from log_analyzer.analysis.fetch import (
    AnalysisRequest,
    FetchedLogs,
    RawLogs,
    fetch_logs,
    fetch_raw,
)
from log_analyzer.clients.protocols import LogSource
from log_analyzer.core.errors import InputError

Cell = str | int | float | None


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


USE_REQUEST = "\x00request"
"""Sentinel line filter: the one the request carries."""
CountsAre = Literal["total", "sample"]


@dataclass(frozen=True, slots=True)
class Param:
    """One recipe parameter, with its type, default and bounds."""

    name: str
    kind: type[int] | type[float] | type[str]
    default: int | float | str
    description: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    def parse(self, value: Any) -> int | float | str:
        """Validate `value`; raise `InputError` naming `params.<name>` when it does not fit."""
        field_name = f"params.{self.name}"
        if self.kind is str:
            if not isinstance(value, str):
                raise InputError(field_name, "must be a string")
            if self.choices and value not in self.choices:
                raise InputError(field_name, f"must be one of {', '.join(self.choices)}")
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(field_name, f"must be a number ({self.kind.__name__})")
        if self.kind is int and not float(value).is_integer():
            raise InputError(field_name, "must be a whole number")
        number = int(value) if self.kind is int else float(value)
        if self.minimum is not None and number < self.minimum:
            raise InputError(field_name, f"must be at least {self.minimum:g}")
        if self.maximum is not None and number > self.maximum:
            raise InputError(field_name, f"must be at most {self.maximum:g}")
        return number


@dataclass(frozen=True, slots=True)
class Table:
    """One computed table; `counts_are` and `source` say where its numbers come from."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    counts_are: CountsAre
    source: str
    """E.g. `Loki metric query` or `1,000 fetched entries (limit reached: a sample)`."""


@dataclass(frozen=True, slots=True)
class RecipeResult:
    """Everything a recipe computed, ready to render and to explain."""

    recipe: str
    tables: tuple[Table, ...]
    logql: tuple[str, ...]
    """Every query that produced the numbers, in the order they ran."""
    facts: tuple[str, ...] = ()
    """Short sentences computed by code (e.g. `p95 2.31 s over 412 requests (sample)`)."""
    notes: tuple[str, ...] = ()
    """What could not be computed, and why."""


@dataclass(frozen=True, slots=True)
class RecipeContext:
    """What a recipe may use: the source, the window and filters, its parameters."""

    source: LogSource
    request: AnalysisRequest
    params: Mapping[str, int | float | str]
    tracer: Tracer
    max_line_chars: int = 2000
    _logs: dict[str | None, FetchedLogs] = field(default_factory=dict)
    _raw: dict[str | None, RawLogs] = field(default_factory=dict)

    def with_filter(self, line_regex: str | None) -> AnalysisRequest:
        """The request with another line filter (None: every line of the selected streams)."""
        return replace(self.request, line_regex=line_regex)

    async def fetch(self, line_regex: str | None = USE_REQUEST) -> FetchedLogs:
        """Entries normalized, redacted and condensed, with true totals (once per filter)."""
        request = self.request if line_regex == USE_REQUEST else self.with_filter(line_regex)
        if request.line_regex not in self._logs:
            self._logs[request.line_regex] = await fetch_logs(
                self.source, request, max_line_chars=self.max_line_chars, tracer=self.tracer
            )
        return self._logs[request.line_regex]

    async def fetch_raw(self, line_regex: str | None = USE_REQUEST) -> RawLogs:
        """Raw flattened entries, for reading fields of each line (once per filter)."""
        request = self.request if line_regex == USE_REQUEST else self.with_filter(line_regex)
        if request.line_regex not in self._raw:
            self._raw[request.line_regex] = await fetch_raw(self.source, request, self.tracer)
        return self._raw[request.line_regex]


class Recipe(Protocol):
    """One incident question answered with numbers."""

    name: str
    description: str
    params: tuple[Param, ...]

    async def run(self, ctx: RecipeContext) -> RecipeResult:
        """Compute the tables; raise `UpstreamError` only when nothing at all can be computed."""
        ...


def parse_params(recipe: Recipe, given: Mapping[str, Any]) -> dict[str, int | float | str]:
    """Defaults overlaid with `given`; unknown names and bad values raise `InputError`."""
    known = {p.name: p for p in recipe.params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise InputError(
            f"params.{unknown[0]}",
            f"unknown parameter of {recipe.name}; it takes: "
            + (", ".join(known) if known else "no parameters"),
        )
    values: dict[str, int | float | str] = {p.name: p.default for p in recipe.params}
    for name, value in given.items():
        values[name] = known[name].parse(value)
    return values
