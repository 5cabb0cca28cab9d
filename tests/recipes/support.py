"""Loki bodies with chosen contents, and a recipe context to run recipes against.

A body is a recording of a real Loki 3 (stats and all) with its ``result`` replaced by entries
or samples chosen for known answers: the shape is never invented, only the numbers and lines.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry import trace

from log_analyzer.analysis.job import JobContext
from log_analyzer.analysis.request import AnalysisRequest
from log_analyzer.analysis.run_deps import RunDeps, RunOptions
from log_analyzer.core.errors import ServiceError
from log_analyzer.logs.tables import RecipeResult, Table
from log_analyzer.recipes.context import Recipe, RecipeContext
from log_analyzer.recipes.params import parse_params
from log_analyzer.sources.base import LineFilter, Selection, Window
from tests.conftest import recorded, shared_workers
from tests.fakes import RecordedLogSource

S = 10**9
T0 = 1_800_000_000
"""Unix seconds, a multiple of one hour."""
SHOP = Selection.of({"namespace": "shop"})
OPTIONS = RunOptions("m", 512, 0.2, None, 2000)

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
    return _recorded_with("query_range-streams.json", result)


def vector(samples: Sequence[tuple[Mapping[str, str], float]], at: int) -> dict[str, Any]:
    """The recorded grouped `vector` body with these samples."""
    result = [{"metric": dict(m), "value": [at, f"{v:g}"]} for m, v in samples]
    return _recorded_with("query-vector-by-level-pod-container.json", result)


def matrix(
    series: Sequence[tuple[Mapping[str, str], Sequence[tuple[int, float]]]],
) -> dict[str, Any]:
    """The recorded `matrix` body with these series (zero samples left out, as Loki does)."""
    result = [
        {"metric": dict(m), "values": [[ts, f"{v:g}"] for ts, v in points if v]}
        for m, points in series
    ]
    return _recorded_with("query_range-matrix-by-level.json", result)


def _recorded_with(name: str, result: list[dict[str, Any]]) -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(recorded("loki", name)["body"])
    body["data"]["result"] = result
    return body


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
    line_filter: LineFilter | None = None,
) -> RecipeResult:
    """Run `recipe` over `[start, end)` (unix seconds) with validated `params`.

    CPU work runs in the tests' real worker processes, so what a recipe hands over pickles.
    """
    request = AnalysisRequest(
        "loki",
        Window(start * S, end * S),
        SHOP,
        line_filter or LineFilter.default(),
        limit,
    )
    tracer = trace.get_tracer("tests")
    deps = RunDeps(log_source, None, None, shared_workers(), tracer, OPTIONS)
    job = JobContext(deps, trace.INVALID_SPAN)
    return await recipe.run(
        RecipeContext(job, request, parse_params(recipe.name, recipe.params, params or {}))
    )


def table(result: RecipeResult, title: str) -> Table:
    return next(t for t in result.tables if t.title == title)


def column(t: Table, name: str) -> list[Any]:
    index = t.columns.index(name)
    return [row[index] for row in t.rows]


def as_dicts(t: Table) -> list[dict[str, Any]]:
    return [dict(zip(t.columns, row, strict=True)) for row in t.rows]
