"""`logs_per_day` over a month-long window, and the two window limits.

The in-memory store counts like a real one, so the table can be checked against the lines it
was given, counted here independently.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.sources.demo import MemoryLine, MemorySource
from tests.conftest import running_app, settings_for_tests

pytestmark = pytest.mark.anyio
START = datetime(2026, 10, 1, tzinfo=UTC)
END = START + timedelta(days=30)
S = 1_000_000_000


def month_of_lines() -> list[MemoryLine]:
    api = {"namespace": "shop", "pod": "api-0", "container": "api"}
    lines: list[MemoryLine] = []
    for day in range(30):
        for k in range(day % 7 + 1):  # a weekly rhythm: 1..7 errors a day
            at = START + timedelta(days=day, hours=k * 3, minutes=17)
            lines.append((int(at.timestamp()) * S, api, "error", f"ERROR request {k} failed"))
        at = START + timedelta(days=day, hours=23, minutes=59, seconds=59)
        lines.append((int(at.timestamp()) * S, api, "info", "INFO nightly job done"))
    return lines


async def recipe(
    spans: InMemorySpanExporter, name: str, start: datetime, end: datetime, **settings: Any
) -> tuple[int, dict[str, Any]]:
    store = MemorySource(month_of_lines(), name="demo", title="a month")
    body = {
        "filters": {"namespace": "shop"},
        "time_range": {"start": start.isoformat(), "end": end.isoformat()},
        "llm": False,
    }
    path = f"/v1/recipes/{name}/stream" if name != "analyze" else "/v1/analyze/stream"
    async with running_app(
        spans, settings=settings_for_tests(log_source="demo", **settings), log_source=store
    ) as (_, client):
        response = await client.post(path, json=body, headers={"accept": "application/x-ndjson"})
    if response.status_code != 200:
        return response.status_code, response.json()
    return 200, json.loads(response.text.splitlines()[0])


async def test_lines_per_calendar_day_match_the_lines_given(spans: InMemorySpanExporter) -> None:
    status, result = await recipe(spans, "logs_per_day", START, END)
    assert status == 200, result
    [table] = result["tables"]
    assert table["counts_are"] == "total"
    assert table["columns"] == ["day (UTC)", "error", "info", "total"]
    expected: Counter[tuple[str, str]] = Counter()
    for ts, _, level, _ in month_of_lines():
        day = datetime.fromtimestamp(ts / S, UTC).date().isoformat()
        expected[day, level] += 1
    days = sorted({day for day, _ in expected})
    assert table["rows"] == [
        [
            day,
            expected[day, "error"],
            expected[day, "info"],
            expected[day, "error"] + expected[day, "info"],
        ]
        for day in days
    ]
    assert any("the busiest day starts at 2026-10-07" in fact for fact in result["facts"])


async def test_a_recipe_window_is_bounded_by_max_recipe_range(spans: InMemorySpanExporter) -> None:
    status, body = await recipe(spans, "logs_per_day", START, END + timedelta(days=1))
    assert status == 422
    assert body["error"]["field"] == "time_range"
    assert "MAX_RECIPE_RANGE" in body["error"]["message"]


async def test_an_analysis_window_keeps_its_own_limit(spans: InMemorySpanExporter) -> None:
    status, body = await recipe(spans, "analyze", START, START + timedelta(days=2))
    assert status == 422
    assert "MAX_TIME_RANGE" in body["error"]["message"]
