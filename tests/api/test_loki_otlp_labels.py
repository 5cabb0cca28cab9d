"""An analysis over a Loki fed over OTLP: its streams labelled ``k8s_namespace_name`` and so on.

The Loki here answers only queries that select with the OTLP labels; any other selector gets
the recorded empty answer, as such a Loki would give. Its bodies are the recordings with the
labels renamed (BUILT, see `tests.sources.loki.otlp`); llama.cpp is replayed as recorded.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.conftest import recorded, recorded_response, running_app, settings_for_tests
from tests.llama_fakes import mock_llama
from tests.sources.loki.otlp import empty_vector, otlp_body

pytestmark = pytest.mark.anyio

BODY = {
    "time_range": {"start": "2026-11-23T10:00:00Z", "end": "2026-11-23T11:00:00Z"},
    "filters": {"namespace": "billing", "container": "checkout"},
    "limit": 15,
    "llm": False,
}
OTLP_SELECTOR = '{k8s_namespace_name="billing", k8s_container_name="checkout"}'


def otlp_loki(router: respx.MockRouter) -> list[str]:
    """Route every Loki query to an OTLP-labelled answer; return the queries as they come."""
    sent: list[str] = []

    def answer(kind: str) -> Any:
        def respond(request: httpx.Request) -> httpx.Response:
            query = request.url.params["query"]
            sent.append(query)
            if OTLP_SELECTOR not in query:
                empty = {"vector": empty_vector()}.get(kind)
                return (
                    httpx.Response(200, json=empty)
                    if empty
                    else recorded_response("loki", "query_range-empty.json")
                )
            if kind == "vector":
                return httpx.Response(
                    200, json=otlp_body("query-vector-by-level-pod-container.json")
                )
            if kind == "matrix":
                return recorded_response("loki", "query_range-matrix-by-level.json")
            return httpx.Response(200, json=otlp_body("query_range-streams.json"))

        return respond

    router.routes["loki_matrix"].mock(side_effect=answer("matrix"))
    router.routes["loki_vector"].mock(side_effect=answer("vector"))
    router.get("/loki/api/v1/query_range").mock(side_effect=answer("streams"))
    return sent


async def analyze(spans: InMemorySpanExporter, limit: int = 15, **settings: Any) -> httpx.Response:
    async with running_app(spans, settings=settings_for_tests(**settings)) as (_, client):
        return await client.post("/v1/analyze/stream", json={**BODY, "limit": limit})


async def test_with_the_otlp_labels_the_analysis_finds_the_lines(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    sent = otlp_loki(loki_mock)
    mock_llama(llama_mock)

    response = await analyze(spans, loki_labels="otel")

    assert response.status_code == 200, response.text
    text = response.text
    assert f"Query:   {OTLP_SELECTOR} |~ " in text
    assert "Fetched: 5 lines (all matching lines in the window)" in text
    assert "By pod/container (total): checkout-2c386bbc4-lft7s/checkout 5" in text
    # The true totals are grouped by the OTLP labels and read back as pod/container.
    grouped = recorded("loki", "query-vector-by-level-pod-container.json")["body"]
    total = sum(int(item["value"][1]) for item in grouped["data"]["result"])
    assert f"True totals (loki count query, whole window): {total:,} lines" in text
    assert "by pod/container (total): checkout-d535a7e07-b7mn7/checkout 900, " in text
    # Every query, the log, count, onset and coverage ones alike, selected with OTLP's labels.
    assert sent
    assert all(OTLP_SELECTOR in query for query in sent), sent
    assert OTLP_SELECTOR in sent, "the read of every line before the onset"
    assert any(
        query.startswith("sum by (detected_level, k8s_pod_name, k8s_container_name) (")
        for query in sent
    )


async def test_the_coverage_pass_selects_with_the_otlp_labels_too(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    sent = otlp_loki(loki_mock)
    mock_llama(llama_mock)

    # The answer's 5 entries reach a limit of 5: a coverage pass asks again without them.
    response = await analyze(spans, limit=5, loki_labels="otel")

    assert response.status_code == 200, response.text
    (coverage,) = [query for query in sent if "!= " in query]
    assert coverage.startswith(f"{OTLP_SELECTOR} |~ ")
    assert coverage.endswith(' != "upstream payments returned"')


async def test_with_the_default_labels_the_empty_window_says_which_labels_were_matched(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    sent = otlp_loki(loki_mock)
    mock_llama(llama_mock)

    response = await analyze(spans)

    assert response.status_code == 200, response.text
    assert "Fetched: 0 lines" in response.text
    (query_line,) = [line for line in response.text.splitlines() if line.startswith("Query:")]
    assert query_line.startswith('Query:   {namespace="billing", container="checkout"} |~ ')
    assert query_line.endswith(
        "; Loki read no line of any stream this selector matches in the window: namespace is "
        "the label namespace (LOKI_NAMESPACE_LABEL; a Loki fed over OTLP calls it "
        "k8s_namespace_name); container is the label container (LOKI_CONTAINER_LABEL; a Loki "
        "fed over OTLP calls it k8s_container_name) (loki)"
    )
    assert all("k8s_" not in query for query in sent)


async def test_with_the_otlp_labels_the_node_alone_is_refused_naming_the_filter(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    sent = otlp_loki(loki_mock)
    mock_llama(llama_mock)
    body = {**BODY, "filters": {"node": "node-2"}}
    async with running_app(spans, settings=settings_for_tests(loki_labels="otel")) as (_, client):
        response = await client.post("/v1/analyze/stream", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_input", "filters.node")
    assert "k8s_node_name" in error["message"]
    assert sent == [], "Loki is not asked"
