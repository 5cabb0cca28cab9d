"""The HTTP API over OpenSearch, end to end: analyses, recipes, /ready and the spans."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.conftest import running_app, settings_for_tests
from tests.fakes import FakeLLM
from tests.sources.opensearch.conftest import Cluster, free_port
from tests.sources.opensearch.seed import CAUSE, MONTH_INDEX, level_name
from tests.sources.opensearch.test_entries import severe

pytestmark = pytest.mark.anyio
WINDOW = {"since": "2h"}


@asynccontextmanager
async def app_over(
    url: str, spans: InMemorySpanExporter, **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for_tests(
        opensearch_url=url,
        log_source="opensearch",
        loki_url=f"http://127.0.0.1:{free_port()}",  # configured, never reached: no network
        **overrides,
    )
    async with running_app(spans, settings=settings, llm=FakeLLM()) as (_, client):
        yield client


async def stream(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> list[Any]:
    response = await client.post(path, json=body, headers={"accept": "application/x-ndjson"})
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


def shop_body(**more: Any) -> dict[str, Any]:
    return {
        "source": "opensearch",
        "filters": {"namespace": "shop"},
        "time_range": WINDOW,
        "llm": False,
        **more,
    }


async def test_the_cause_reaches_the_patterns_and_the_totals_are_true(
    cluster: Cluster, spans: InMemorySpanExporter
) -> None:
    async with app_over(cluster.url, spans) as client:
        events = await stream(client, "/v1/analyze/stream", shop_body())
    summary = events[0]["summary"]
    assert summary["source"] == "opensearch"
    cause = [p for p in summary["patterns"] if CAUSE in p["template"]]
    assert cause and cause[0]["level"] == "fatal"
    assert set(cause[0]["sources"]) == {
        "payments-7f6d5e-k9r1s/payments",
        "payments-7f6d5e-m3j8d/payments",
    }
    selected = [d for d in cluster.shop() if severe(d)]
    totals = summary["totals"]
    assert totals["counts_are"] == "total" and totals["lines"] == len(selected)
    assert totals["by_level"] == dict(Counter(level_name(d) for d in selected))
    assert totals["by_source"] == dict(Counter(f"{d.pod}/{d.container}" for d in selected))
    # The selection is a filter on the level field, shown in the query text.
    assert '{"terms": {"level.keyword": ["fatal", "FATAL", "Fatal"' in summary["query"]
    finished = {span.name: span for span in spans.get_finished_spans()}
    query = finished["query_opensearch"].attributes or {}
    assert query["db.query.text"] == summary["query"]
    assert str(query["db.query.text"]).startswith('POST fluent-bit/_search {"query": {"bool"')
    counted = finished["query_opensearch_totals"].attributes or {}
    assert '"composite"' in str(counted["db.query.text"])


async def test_a_log_filter_over_the_api(cluster: Cluster, spans: InMemorySpanExporter) -> None:
    async with app_over(cluster.url, spans) as client:
        events = await stream(
            client, "/v1/analyze/stream", shop_body(log_filter="too many clients")
        )
    summary = events[0]["summary"]
    want = sum(1 for d in cluster.shop() if "too many clients" in d.message)
    assert summary["totals"]["lines"] == want
    assert [p["template"] for p in summary["patterns"]] == [f"pq: {CAUSE}"]
    assert "then RE2 in the service: lines match too many clients" in summary["query"]


async def test_logs_per_level_matches_the_seed(
    cluster: Cluster, spans: InMemorySpanExporter
) -> None:
    async with app_over(cluster.url, spans) as client:
        events = await stream(client, "/v1/recipes/logs_per_level/stream", shop_body())
    [table] = events[0]["tables"]
    assert table["counts_are"] == "total"
    counted = {row[0]: row[1] for row in table["rows"]}
    assert counted == dict(Counter(level_name(d) for d in cluster.shop()))


async def test_logs_per_hour_matches_the_seed(
    cluster: Cluster, spans: InMemorySpanExporter
) -> None:
    async with app_over(cluster.url, spans) as client:
        events = await stream(client, "/v1/recipes/logs_per_hour/stream", shop_body())
    [table] = events[0]["tables"]
    assert table["counts_are"] == "total"
    columns = table["columns"]
    hours: dict[str, Counter[str]] = {}
    for doc in cluster.shop():
        hour = datetime.fromtimestamp(doc.ts_ms // 3_600_000 * 3600, UTC)
        hours.setdefault(hour.strftime("%Y-%m-%dT%H:%M:%SZ"), Counter())[level_name(doc)] += 1
    got = {
        row[0]: {name: n for name, n in zip(columns[1:-1], row[1:-1], strict=True) if n}
        for row in table["rows"]
        if row[-1]
    }
    assert got == {hour: dict(counts) for hour, counts in hours.items()}


async def test_ready_checks_the_cluster(cluster: Cluster, spans: InMemorySpanExporter) -> None:
    async with app_over(cluster.url, spans) as client:
        up = await client.get("/ready")
    async with app_over(f"http://127.0.0.1:{free_port()}", spans) as client:
        down = await client.get("/ready")
    assert up.status_code == 200 and up.json()["checks"]["opensearch"] == "ok"
    assert down.status_code == 503 and down.json()["not_ready"] == ["opensearch"]
    assert "cannot reach OpenSearch" in down.json()["checks"]["opensearch"]


@pytest.mark.parametrize(
    ("filters", "status", "code", "field"),
    [
        pytest.param({"index": "no-such-index"}, 400, "opensearch_query_error", "filters.index",
                     id="missing-index"),
        pytest.param({"index": "_all"}, 422, "invalid_input", "filters.index", id="bad-index"),
        pytest.param({"pod": "(unclosed"}, 422, "invalid_input", "filters.pod", id="bad-pod"),
        pytest.param({"log_group": "/aws/eks"}, 422, "invalid_input", "filters.log_group",
                     id="filter-of-another-store"),
    ],
)  # fmt: skip
async def test_request_errors_name_the_field(
    cluster: Cluster,
    spans: InMemorySpanExporter,
    filters: dict[str, str],
    status: int,
    code: str,
    field: str,
) -> None:
    async with app_over(cluster.url, spans) as client:
        response = await client.post("/v1/analyze/stream", json=shop_body(filters=filters))
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["field"] == field


async def test_an_unreachable_cluster_is_a_502_naming_opensearch(
    spans: InMemorySpanExporter,
) -> None:
    async with app_over(f"http://127.0.0.1:{free_port()}", spans) as client:
        response = await client.post("/v1/analyze/stream", json=shop_body())
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "opensearch_unavailable" and error["upstream"] == "opensearch"


async def test_counts_past_the_scan_cap_are_not_given_as_totals(
    cluster: Cluster, spans: InMemorySpanExporter
) -> None:
    async with app_over(cluster.url, spans, opensearch_max_scan_documents=1000) as client:
        events = await stream(client, "/v1/analyze/stream", shop_body(log_filter="GET"))
    summary = events[0]["summary"]
    assert summary["totals"] is None
    assert summary["totals_error"].startswith("no true totals: the service matches these lines")
    assert "what it counted would be a sample" in summary["totals_error"]
    assert summary["coverage"]["statement"].startswith("sampled: ")


async def test_logs_per_day_over_thirty_days_matches_the_seed(
    cluster: Cluster, spans: InMemorySpanExporter
) -> None:
    end = datetime.fromtimestamp(cluster.now_ms / 1000 + 60, UTC)
    body = shop_body(
        filters={"index": MONTH_INDEX, "namespace": "shop"},
        time_range={"start": (end - timedelta(days=30)).isoformat(), "end": end.isoformat()},
    )
    async with app_over(cluster.url, spans) as client:
        events = await stream(client, "/v1/recipes/logs_per_day/stream", body)
    [table] = events[0]["tables"]
    assert table["counts_are"] == "total"
    assert table["columns"] == ["day (UTC)", "error", "info", "total"]
    days: dict[str, Counter[str]] = {}
    for doc in cluster.month:
        day = datetime.fromtimestamp(doc.ts_ms / 1000, UTC).date().isoformat()
        days.setdefault(day, Counter())[level_name(doc)] += 1
    got = {row[0][:10]: row[1:] for row in table["rows"] if row[-1]}
    want = {day: [c["error"], c["info"], c["error"] + c["info"]] for day, c in days.items()}
    assert got == want and len(want) >= 29  # today has none yet in its first 17 minutes
    assert '"date_histogram"' in events[0]["queries"][0]
