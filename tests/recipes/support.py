"""Synthetic Loki bodies (in the recorded shapes) and a recipe context to run recipes against."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry import trace

from log_analyzer.analysis.fetch import AnalysisRequest
from log_analyzer.core.errors import ServiceError
from log_analyzer.logs.logql import DEFAULT_LINE_FILTER, LabelMatcher, MatchOp
from log_analyzer.recipes.base import Recipe, RecipeContext, RecipeResult, Table, parse_params
from tests.fakes import RecordedLogSource

S = 10**9
T0 = 1_800_000_000
"""Unix seconds, a multiple of one hour."""
MATCHERS = (LabelMatcher("namespace", MatchOp.EQ, "shop"),)

Line = tuple[int, str, str]
"""``(unix seconds, pod, line)``."""


def json_line(**fields: Any) -> str:
    return json.dumps(fields)


def streams(lines: Sequence[Line], *, container: str = "app") -> dict[str, Any]:
    """A `streams` body: one stream per pod, newest first (direction=backward)."""
    by_pod: dict[str, list[list[str]]] = {}
    for ts, pod, line in sorted(lines, key=lambda item: -item[0]):
        by_pod.setdefault(pod, []).append([str(ts * S), line])
    result = [
        {"stream": {"namespace": "shop", "pod": pod, "container": container}, "values": values}
        for pod, values in by_pod.items()
    ]
    return {"status": "success", "data": {"resultType": "streams", "result": result}}


def vector(samples: Sequence[tuple[Mapping[str, str], float]], at: int) -> dict[str, Any]:
    """A `vector` body shaped like tests/fixtures/loki/query-vector.json."""
    result = [{"metric": dict(m), "value": [at, f"{v:g}"]} for m, v in samples]
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


def matrix(
    series: Sequence[tuple[Mapping[str, str], Sequence[tuple[int, float]]]],
) -> dict[str, Any]:
    """A `matrix` body shaped like tests/fixtures/loki/query_range-matrix.json."""
    result = [
        {"metric": dict(m), "values": [[ts, f"{v:g}"] for ts, v in points if v]}
        for m, points in series
    ]
    return {"status": "success", "data": {"resultType": "matrix", "result": result}}


def source(
    lines: Sequence[Line] = (),
    *,
    vector_body: Mapping[str, Any] | ServiceError | None = None,
    matrix_body: Mapping[str, Any] | ServiceError | None = None,
) -> RecordedLogSource:
    """Answers the log query with `lines`, metric queries with the bodies (default: recorded)."""
    return RecordedLogSource(streams(lines), vector=vector_body, matrix=matrix_body)


async def run(
    recipe: Recipe,
    log_source: RecordedLogSource,
    *,
    start: int = T0,
    end: int = T0 + 1800,
    limit: int = 1000,
    params: Mapping[str, Any] | None = None,
    line_regex: str | None = DEFAULT_LINE_FILTER,
) -> RecipeResult:
    """Run `recipe` over `[start, end)` (unix seconds) with validated `params`."""
    request = AnalysisRequest(start * S, end * S, MATCHERS, line_regex, limit, namespace="shop")
    ctx = RecipeContext(
        log_source, request, parse_params(recipe, params or {}), trace.get_tracer("tests")
    )
    return await recipe.run(ctx)


def table(result: RecipeResult, title: str) -> Table:
    return next(t for t in result.tables if t.title == title)


def column(t: Table, name: str) -> list[Any]:
    index = t.columns.index(name)
    return [row[index] for row in t.rows]


def as_dicts(t: Table) -> list[dict[str, Any]]:
    return [dict(zip(t.columns, row, strict=True)) for row in t.rows]
