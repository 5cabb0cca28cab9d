"""Span names, parentage and attributes; log records carry the ids of their span."""

from __future__ import annotations

import json
from typing import Any

import pytest
import respx
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.core.config import Settings
from log_analyzer.core.telemetry import build_tracer_provider
from tests.conftest import recorded, running_app
from tests.fakes import FakeLLM, RecordedLogSource
from tests.llama_fakes import mock_llama

pytestmark = pytest.mark.anyio

REQUEST = {"filters": {"namespace": "billing"}, "time_range": {"since": "30m"}, "limit": 15}


def by_name(spans: InMemorySpanExporter) -> dict[str, ReadableSpan]:
    return {span.name: span for span in spans.get_finished_spans()}


def attrs(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


async def run_analysis(spans: InMemorySpanExporter) -> str:
    body = recorded("loki", "query_range-streams.json")["body"]
    async with running_app(spans, log_source=RecordedLogSource(body), llm=FakeLLM()) as (_, c):
        response = await c.post("/v1/analyze/stream", json=REQUEST)
    assert response.status_code == 200
    return response.text


async def test_span_tree_matches_the_contract(spans: InMemorySpanExporter) -> None:
    await run_analysis(spans)
    named = by_name(spans)

    server = named["POST /v1/analyze/stream"]
    root = named["analyze_logs_stream"]
    assert root.parent is not None and server.context is not None
    assert root.parent.span_id == server.context.span_id
    assert root.context is not None
    for child in (
        "query_loki",
        "query_loki_onset",
        "query_loki_totals",
        "flatten_logs",
        "normalize_logs",
        "mine_patterns",
        "fit_context",
        "call_llm",
    ):
        parent = named[child].parent
        assert parent is not None, child
        assert parent.span_id == root.context.span_id, child
        assert named[child].context is not None
        assert named[child].context.trace_id == root.context.trace_id
    assert not [s for s in spans.get_finished_spans() if s.name.endswith("http send")]


async def test_span_attributes(spans: InMemorySpanExporter) -> None:
    await run_analysis(spans)
    named = by_name(spans)

    root = attrs(named["analyze_logs_stream"])
    assert (root["namespace"], root["log_limit"]) == ("billing", 15)
    assert 0 <= root["llm.queue_wait_seconds"] < 1
    assert 0 <= root["worker.wait_seconds"] < 1
    query = attrs(named["query_loki"])
    assert query["db.system.name"] == "loki"
    assert query["db.query.text"].startswith('{namespace="billing"} |~ ')
    assert query["log.limit"] == 15
    assert attrs(named["query_loki_totals"])["db.query.text"].startswith("sum by (detected_level")
    flatten = attrs(named["flatten_logs"])
    assert flatten["logs.returned"] == 5
    assert flatten["logs.flattened_count"] == 5
    normalize = attrs(named["normalize_logs"])
    assert normalize["logs.normalized_count"] == 5
    assert normalize["logs.redactions"] == 0
    llm = attrs(named["call_llm"])
    assert llm["llm.model"] == "smollm2-135m"
    assert llm["gen_ai.request.model"] == "smollm2-135m"
    assert llm["llm.tokens_generated"] == 5
    assert llm["gen_ai.usage.output_tokens"] == 5
    assert llm["gen_ai.usage.input_tokens"] == llm["llm.prompt_tokens_counted"]
    assert llm["gen_ai.response.finish_reasons"] == ("stop",)
    assert llm["gen_ai.server.time_to_first_token"] >= 0
    assert llm["llm.cancelled"] is False


async def test_log_records_carry_the_ids_of_their_span(
    spans: InMemorySpanExporter, capsys: pytest.CaptureFixture[str]
) -> None:
    await run_analysis(spans)
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    named = by_name(spans)

    start = next(r for r in records if r["message"] == "Starting log analysis")
    root = named["analyze_logs_stream"].context
    assert root is not None
    assert start["trace_id"] == f"{root.trace_id:032x}"
    assert start["span_id"] == f"{root.span_id:016x}"
    assert start["trace_flags"] & 1 == 1  # sampled (the SDK may also set the random bit)
    assert start["namespace"] == "billing" and start["limit"] == 15
    assert list(start)[:4] == ["timestamp", "level", "logger", "message"]
    assert start["level"] == "INFO" and start["logger"] == "log_analyzer.analysis.analyze"

    finished = next(r for r in records if r["message"] == "LLM call finished")
    call_llm = named["call_llm"].context
    assert call_llm is not None
    assert finished["span_id"] == f"{call_llm.span_id:016x}"


async def test_worker_steps_sit_inside_the_run_and_in_order(spans: InMemorySpanExporter) -> None:
    await run_analysis(spans)
    named = by_name(spans)
    steps = [named[n] for n in ("flatten_logs", "normalize_logs", "mine_patterns")]
    root = named["analyze_logs_stream"]
    assert root.start_time is not None and root.end_time is not None
    for step in steps:
        assert step.start_time is not None and step.end_time is not None
        assert root.start_time <= step.start_time <= step.end_time <= root.end_time
    assert [s.start_time for s in steps] == sorted(s.start_time for s in steps)  # type: ignore[type-var]


async def test_llama_cpp_http_spans_are_children_of_their_step(
    spans: InMemorySpanExporter, llama_mock: respx.MockRouter
) -> None:
    mock_llama(llama_mock)
    body = recorded("loki", "query_range-streams.json")["body"]
    async with running_app(spans, log_source=RecordedLogSource(body)) as (_, client):
        response = await client.post("/v1/analyze/stream", json=REQUEST)
    assert "--- done" in response.text
    finished = spans.get_finished_spans()
    by_id = {s.context.span_id: s for s in finished if s.context is not None}
    http = [s for s in finished if s.name in ("POST", "GET")]
    parents = {
        (s.attributes or {}).get("url.full", (s.attributes or {}).get("http.url", "")): (
            by_id[s.parent.span_id].name if s.parent is not None else None
        )
        for s in http
    }
    completions = [p for url, p in parents.items() if str(url).endswith("/v1/chat/completions")]
    tokenize = [p for url, p in parents.items() if str(url).endswith("/tokenize")]
    assert completions == ["call_llm"]
    assert tokenize and set(tokenize) == {"fit_context"}


def test_resource_names_the_service() -> None:
    settings = Settings(deployment_environment="staging", otel_enabled=False)
    provider = build_tracer_provider(settings, InMemorySpanExporter())
    resource = dict(provider.resource.attributes)
    assert resource["service.name"] == "log-analyzer"
    assert resource["service.version"] == settings.version
    assert resource["deployment.environment"] == "staging"
