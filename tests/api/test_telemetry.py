"""Span names, parentage and attributes; log records carry the ids of their span."""

from __future__ import annotations

import json
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.core.config import Settings
from log_analyzer.core.telemetry import build_tracer_provider
from tests.conftest import recorded, running_app
from tests.fakes import FakeLLM, RecordedLogSource

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
    for child in ("query_loki", "flatten_logs", "normalize_logs", "call_llm"):
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
    query = attrs(named["query_loki"])
    assert query["logql.query"].startswith('{namespace="billing"} |~ ')
    assert query["logs.returned"] == 5
    assert attrs(named["flatten_logs"])["logs.flattened_count"] == 5
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
    assert start["level"] == "INFO" and start["logger"] == "log_analyzer.analysis.stream"

    finished = next(r for r in records if r["message"] == "LLM call finished")
    call_llm = named["call_llm"].context
    assert call_llm is not None
    assert finished["span_id"] == f"{call_llm.span_id:016x}"


def test_resource_names_the_service() -> None:
    settings = Settings(deployment_environment="staging", otel_enabled=False)
    provider = build_tracer_provider(settings, InMemorySpanExporter())
    resource = dict(provider.resource.attributes)
    assert resource["service.name"] == "log-analyzer"
    assert resource["service.version"] == settings.version
    assert resource["deployment.environment"] == "staging"
