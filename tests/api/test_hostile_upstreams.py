"""Faulty upstreams: every fault is named, before the first byte as a status, after it in band.

Loki and llama.cpp are replayed with respx from the recordings; where a fault needs a shape no
recording holds (a cut body, a broken chunk), the test builds it from a recording and says so.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
import respx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.conftest import (
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
    "filters": {"namespace": "billing"},
    "limit": 100,
}
NDJSON = {"accept": "application/x-ndjson"}


def streams_body() -> dict[str, Any]:
    return copy.deepcopy(recorded("loki", "query_range-streams.json")["body"])


async def post(spans: InMemorySpanExporter, **settings: Any) -> httpx.Response:
    async with running_app(spans, settings=settings_for_tests(**settings)) as (_, client):
        return await client.post("/v1/analyze/stream", json=BODY, headers=NDJSON)


def events(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


async def test_an_answer_past_the_byte_cap_is_read_in_part_and_says_so(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    whole = recorded_response("loki", "query_range-streams.json").content
    loki_mock.get("/loki/api/v1/query_range").mock(return_value=httpx.Response(200, content=whole))
    mock_llama(llama_mock)
    third = json.loads(whole)["data"]["result"][0]["values"][2][0]
    cap = whole.index(third.encode())  # cut inside the third of the recording's five lines

    response = await post(spans, source_max_response_bytes=cap)

    stream = events(response)
    summary = stream[0]["summary"]
    assert summary["answer_cut_at_bytes"] == cap
    assert summary["counts_are"] == "sample"
    assert summary["fetched_lines"] == 2
    assert stream[-1]["type"] == "done"


async def test_more_entries_than_the_limit_are_dropped_and_counted(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    body = streams_body()  # built from the recording: its one stream sent three times over
    stream = body["data"]["result"][0]
    values = stream["values"]
    stream["values"] = [[str(int(ts) + shift), line] for shift in (0, 1, 2) for ts, line in values]
    loki_mock.get("/loki/api/v1/query_range").mock(return_value=httpx.Response(200, json=body))
    mock_llama(llama_mock)
    BODY["limit"] = 10
    try:
        response = await post(spans)
    finally:
        BODY["limit"] = 100
    summary = events(response)[0]["summary"]
    # The limit was reached, so the window's oldest lines were fetched too (the same answer).
    assert summary["fetched_lines"] - summary["oldest_lines_added"] == 10
    assert summary["entries_over_limit"] == len(values) * 3 - 10
    assert summary["counts_are"] == "sample"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda body: body["data"]["result"][0].update(stream="abc"), "labels are a str"),
        (lambda body: body["data"]["result"][0].update(values=5), "values are a int"),
        (lambda body: body["data"].update(result="abc"), "result"),
    ],
    ids=["stream-a-string", "values-a-number", "result-a-string"],
)
async def test_a_misshapen_loki_answer_is_a_bad_response(
    spans: InMemorySpanExporter,
    loki_mock: respx.MockRouter,
    change: Any,
    reason: str,
) -> None:
    body = streams_body()  # the recording, with one part of it changed to the wrong type
    change(body)
    loki_mock.get("/loki/api/v1/query_range").mock(return_value=httpx.Response(200, json=body))
    response = await post(spans)
    assert response.status_code == 502, response.text
    error = response.json()["error"]
    assert error["code"] == "loki_bad_response"
    assert reason in error["message"]


async def test_a_wrong_loki_url_is_named(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter
) -> None:
    loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=httpx.Response(404, text="404 page not found")
    )
    response = await post(spans)
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "loki_unavailable"
    assert "LOKI_URL" in error["message"]


async def test_timestamps_no_clock_can_show_are_malformed_entries(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    body = streams_body()
    body["data"]["result"][0]["values"][0][0] = "99999999999999999999999"
    loki_mock.get("/loki/api/v1/query_range").mock(return_value=httpx.Response(200, json=body))
    mock_llama(llama_mock)
    stream = events(await post(spans))
    assert stream[0]["summary"]["malformed_entries"] == 1
    assert stream[-1]["type"] == "done"


async def test_a_lone_surrogate_in_a_log_line_reaches_the_client_as_a_replacement(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    body = streams_body()
    ts, line = body["data"]["result"][0]["values"][0]
    body["data"]["result"][0]["values"][0] = [ts, line + " \ud800 bad byte"]
    body["data"]["result"][0]["stream"]["pod"] += "\udcff"
    # json.dumps writes the lone surrogates as \\u escapes, as a Go encoder could.
    loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=httpx.Response(200, content=json.dumps(body).encode())
    )
    mock_llama(llama_mock)
    response = await post(spans)
    stream = events(response)
    assert stream[-1]["type"] == "done", stream[-1]
    assert "\ufffd" in response.text


@pytest.mark.parametrize(
    "chunk",
    [
        "5",
        "[]",
        '{"choices":"abc"}',
        '{"choices":[{"delta":"x"}]}',
        '{"error":{"code":400,"type":"exceed_context_size_error","message":"too long",'
        '"n_prompt_tokens":"many","n_ctx":"x"}}',
    ],
    ids=["number", "array", "choices-string", "delta-string", "error-odd-counts"],
)
async def test_a_broken_stream_chunk_ends_the_stream_with_an_error_event(
    spans: InMemorySpanExporter,
    loki_mock: respx.MockRouter,
    llama_mock: respx.MockRouter,
    chunk: str,
) -> None:
    loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-streams.json")
    )
    # The recorded stream's first chunk, then the broken one (built here: no recording has it).
    recorded_stream = sse_bytes("chat-completions-stream.sse.txt").decode()
    first = next(line for line in recorded_stream.splitlines() if line.startswith("data: {"))
    mock_llama(
        llama_mock,
        stream=httpx.Response(
            200,
            content=f"{first}\n\ndata: {chunk}\n\ndata: [DONE]\n\n".encode(),
            headers={"content-type": "text/event-stream"},
        ),
    )
    stream = events(await post(spans))
    assert stream[0]["type"] == "summary"
    assert stream[-1]["type"] == "error"
    assert stream[-1]["error"]["code"].startswith("llm_")
    assert [e["type"] for e in stream].count("error") == 1


@pytest.mark.parametrize("accept", ["application/x-ndjson", "text/event-stream"])
async def test_line_separators_the_model_writes_reach_the_client_in_their_token(
    spans: InMemorySpanExporter,
    loki_mock: respx.MockRouter,
    llama_mock: respx.MockRouter,
    accept: str,
) -> None:
    loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-streams.json")
    )
    recording = sse_bytes("chat-completions-stream-line-separators.sse.txt")
    mock_llama(
        llama_mock,
        stream=httpx.Response(
            200, content=recording, headers={"content-type": "text/event-stream"}
        ),
    )
    async with running_app(spans, settings=settings_for_tests()) as (_, client):
        response = await client.post("/v1/analyze/stream", json=BODY, headers={"accept": accept})

    # One event per line, whatever splits the reader makes: the separators are escaped.
    lines = response.text.splitlines()
    payloads = [line.removeprefix("data: ") for line in lines if line.startswith(("{", "data:"))]
    stream = [json.loads(payload) for payload in payloads]
    text = "".join(e["text"] for e in stream if set(e) == {"text"} or e.get("type") == "token")
    assert text == "Line\u2028break\x85next\u2029end"
    assert stream[-1]["finish_reason"] == "stop"  # done, not an error
