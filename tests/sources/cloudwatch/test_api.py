"""The HTTP API over CloudWatch Logs end to end: the app opens the store from its settings.

The app reads moto's server (``CLOUDWATCH_ENDPOINT_URL``) with credentials from the
environment, as in production. Expectations come from the seeded events, counted here.
"""

from __future__ import annotations

import json
import re
import socket
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.core.config import Settings
from log_analyzer.sources.base import SEVERE_PATTERN
from tests.conftest import running_app, settings_for_tests
from tests.sources.cloudwatch.conftest import Emulator
from tests.sources.cloudwatch.seed import CAUSE, ECS_GROUP, EKS_GROUP, LEVELS, REGION

pytestmark = pytest.mark.anyio


def settings(endpoint: str) -> Settings:
    return settings_for_tests(
        log_source="cloudwatch", aws_region=REGION, cloudwatch_endpoint_url=endpoint
    )


def time_range(emulator: Emulator) -> dict[str, str]:
    window = emulator.window()
    return {"start": _iso(window.start_ns), "end": _iso(window.end_ns)}


def _iso(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, UTC).isoformat(timespec="milliseconds")


def ndjson(response: httpx.Response) -> list[dict[str, Any]]:
    return [json.loads(line) for line in response.text.splitlines()]


async def test_the_incident_cause_reaches_the_summary(
    emulator: Emulator, spans: InMemorySpanExporter
) -> None:
    body = {
        "source": "cloudwatch",
        "filters": {"log_group": EKS_GROUP},
        "time_range": time_range(emulator),
        "limit": 2000,
        "llm": False,
    }
    async with running_app(spans, settings=settings(emulator.url)) as (_, client):
        response = await client.post(
            "/v1/analyze/stream", json=body, headers={"accept": "application/x-ndjson"}
        )
    assert response.status_code == 200, response.text
    events = ndjson(response)
    summary = events[0]["summary"]
    assert summary["source"] == "cloudwatch"
    # The newest 2,000 severe lines, plus the window's oldest: where the cause is.
    assert summary["counts_are"] == "sample"
    templates = [p["template"] for p in summary["patterns"]]
    assert any(CAUSE in template for template in templates), templates
    severe = [e for e in emulator.of(EKS_GROUP) if re.search(SEVERE_PATTERN, e.message)]
    totals = summary["totals"]
    assert totals["counts_are"] == "total"
    assert totals["lines"] == len(severe)
    assert totals["by_level"] == {
        level.value: n for level, n in Counter(LEVELS[e.level] for e in severe).items()
    }
    assert summary["totals_error"] is None
    assert summary["query"].startswith(f'FilterLogEvents logGroupName="{EKS_GROUP}"')
    assert f"then in the service: RE2 {SEVERE_PATTERN}" in summary["query"]
    # A spike: 1,900 checkout errors in the first third of the incident.
    assert summary["spikes"]
    queries = {span.name: dict(span.attributes or {}) for span in spans.get_finished_spans()}
    entries = queries["query_cloudwatch"]
    assert entries["db.system.name"] == "cloudwatch"
    assert str(entries["db.query.text"]).startswith("FilterLogEvents ")
    assert "counted in the service" in str(queries["query_cloudwatch_totals"]["db.query.text"])


async def test_a_missing_log_group_is_a_422_naming_the_filter(
    emulator: Emulator, spans: InMemorySpanExporter
) -> None:
    body = {"source": "cloudwatch", "filters": {"log_stream_prefix": "payments-"}, "llm": False}
    async with running_app(spans, settings=settings(emulator.url)) as (_, client):
        response = await client.post("/v1/analyze/stream", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "filters.log_group"


async def test_logs_per_level_matches_the_seed(
    emulator: Emulator, spans: InMemorySpanExporter
) -> None:
    body = {"source": "cloudwatch", "filters": {"log_group": EKS_GROUP}, "llm": False}
    body["time_range"] = time_range(emulator)
    async with running_app(spans, settings=settings(emulator.url)) as (_, client):
        response = await client.post(
            "/v1/recipes/logs_per_level/stream",
            json=body,
            headers={"accept": "application/x-ndjson"},
        )
    assert response.status_code == 200, response.text
    result = ndjson(response)[0]
    assert result["source"] == "cloudwatch"
    (table,) = result["tables"]
    assert table["counts_are"] == "total"
    got = {row[0]: row[1] for row in table["rows"]}
    want = Counter(LEVELS[e.level].value for e in emulator.of(EKS_GROUP))
    assert got == dict(want)
    assert any("every event read and counted" in query for query in result["queries"])


async def test_logs_per_hour_matches_the_seed(
    emulator: Emulator, spans: InMemorySpanExporter
) -> None:
    body = {"source": "cloudwatch", "filters": {"log_group": ECS_GROUP}, "llm": False}
    body["time_range"] = time_range(emulator)
    async with running_app(spans, settings=settings(emulator.url)) as (_, client):
        response = await client.post(
            "/v1/recipes/logs_per_hour/stream",
            json=body,
            headers={"accept": "application/x-ndjson"},
        )
    assert response.status_code == 200, response.text
    (table,) = ndjson(response)[0]["tables"]
    columns = table["columns"]
    got: Counter[tuple[str, str]] = Counter()
    for row in table["rows"]:
        for column, value in zip(columns[1:-1], row[1:-1], strict=True):
            got[row[0], column] += value
    want: Counter[tuple[str, str]] = Counter()
    for event in emulator.of(ECS_GROUP):
        hour = datetime.fromtimestamp(event.ts_ms // 3_600_000 * 3600, UTC)
        want[hour.strftime("%Y-%m-%dT%H:%M:%SZ"), LEVELS[event.level].value] += 1
    assert {k: v for k, v in got.items() if v} == want


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_an_unreachable_cloudwatch_is_a_502_and_not_ready(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    loki_mock.get("/ready").mock(return_value=httpx.Response(200, text="ready"))
    llama_mock.get("/health").mock(return_value=httpx.Response(200, json={"status": "ok"}))
    body = {"source": "cloudwatch", "filters": {"log_group": EKS_GROUP}, "llm": False}
    async with running_app(spans, settings=settings(f"http://127.0.0.1:{_closed_port()}")) as (
        _,
        client,
    ):
        response = await client.post("/v1/analyze/stream", json=body)
        ready = await client.get("/ready")
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["upstream"] == "cloudwatch"
    assert error["code"] == "cloudwatch_unavailable"
    assert "cannot reach CloudWatch Logs" in error["message"]
    assert ready.status_code == 503
    assert ready.json()["not_ready"] == ["cloudwatch"]
    assert "CloudWatch" in ready.json()["checks"]["cloudwatch"]


async def test_ready_checks_cloudwatch(
    emulator: Emulator,
    spans: InMemorySpanExporter,
    loki_mock: respx.MockRouter,
    llama_mock: respx.MockRouter,
) -> None:
    loki_mock.get("/ready").mock(return_value=httpx.Response(200, text="ready"))
    llama_mock.get("/health").mock(return_value=httpx.Response(200, json={"status": "ok"}))
    async with running_app(spans, settings=settings(emulator.url)) as (_, client):
        ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"]["cloudwatch"] == "ok"
