"""Generation slots cannot be held hostage: not by a slow store, a slow reader or a slow model.

Each test fills every slot (or tries to) with a faulty party, then checks that a well-behaved
client is still served within its queue timeout. Time limits here are settings set small, and
the assertions are on outcomes (served, cancelled, freed), never on measured durations.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from typing import Any

import httpx
import pytest
import respx
from fastapi import FastAPI
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.api.test_streaming_asgi import REQUEST, RawExchange, app_with, loki_body
from tests.conftest import recorded_response, running_app, settings_for_tests
from tests.fakes import FakeLLM, RecordedLogSource
from tests.llama_fakes import mock_llama

pytestmark = pytest.mark.anyio
NDJSON = {"accept": "application/x-ndjson"}


class StalledReader(RawExchange):
    """A client that takes the first ``reads`` body chunks, then never reads again."""

    def __init__(self, app: FastAPI, reads: int) -> None:
        super().__init__(app, REQUEST, "application/x-ndjson")
        self.reads = reads
        self.stalled = asyncio.Event()

    async def send(self, message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.body" and self.reads == 0:
            self.stalled.set()
            await asyncio.Event().wait()  # a full socket buffer, for ever
        if message["type"] == "http.response.body" and message.get("body"):
            self.reads -= 1
        await super().send(message)


def types_of(response: httpx.Response) -> list[str]:
    return [json.loads(line)["type"] for line in response.text.splitlines()]


async def test_clients_that_stop_reading_give_their_slots_back(
    spans: InMemorySpanExporter,
) -> None:
    llm = FakeLLM(replies=[f"t{i} " for i in range(200)])
    settings = settings_for_tests(
        llm_max_concurrency=2, llm_queue_timeout_seconds=5, client_send_timeout_seconds=0.2
    )
    app = app_with(spans, llm, settings=settings)
    async with app.router.lifespan_context(app):
        # Two clients read the numbers and one token each, then stop reading: both slots held.
        stalled = [StalledReader(app, reads=3) for _ in range(2)]
        tasks = [asyncio.create_task(reader.run()) for reader in stalled]
        for reader in stalled:
            await asyncio.wait_for(reader.stalled.wait(), 5)

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            third = await asyncio.wait_for(
                client.post("/v1/analyze/stream", json=REQUEST, headers=NDJSON), 10
            )
        # The stalled runs end on their own (cancelled), without anyone disconnecting.
        await asyncio.wait_for(asyncio.gather(*tasks), 5)

    assert types_of(third)[-1] == "done"
    assert len(llm.prompts) == 3
    runs = [s for s in spans.get_finished_spans() if s.name == "analyze_logs_stream"]
    assert sorted(bool((s.attributes or {}).get("run.cancelled")) for s in runs) == [
        False,
        True,
        True,
    ]
    calls = [s for s in spans.get_finished_spans() if s.name == "call_llm"]
    assert sorted(bool((s.attributes or {})["llm.cancelled"]) for s in calls) == [False, True, True]


async def test_a_store_that_drips_holds_no_slot_and_is_cut_off(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    class Drip(httpx.AsyncByteStream):
        async def __aiter__(self) -> Any:
            while True:
                yield b" "
                await asyncio.sleep(0.01)

    def answer(request: httpx.Request) -> httpx.Response:
        if "dripping" in request.url.params["query"]:
            return httpx.Response(200, stream=Drip())
        return recorded_response("loki", "query_range-streams.json")

    loki_mock.get("/loki/api/v1/query_range").mock(side_effect=answer)
    mock_llama(llama_mock)
    settings = settings_for_tests(
        llm_max_concurrency=1, llm_queue_timeout_seconds=5, source_query_deadline_seconds=0.5
    )
    dripping = {**REQUEST, "filters": {"namespace": "dripping"}}
    async with running_app(spans, settings=settings) as (_, client):
        slow = asyncio.create_task(client.post("/v1/analyze/stream", json=dripping))
        await asyncio.sleep(0.05)
        served = await client.post("/v1/analyze/stream", json=REQUEST, headers=NDJSON)
        assert types_of(served)[-1] == "done"  # served while the other one still waited
        assert not slow.done()
        cut_off = await asyncio.wait_for(slow, 5)
    assert cut_off.status_code == 504
    error = cut_off.json()["error"]
    assert error["code"] == "loki_timeout"
    assert "SOURCE_QUERY_DEADLINE_SECONDS" in error["message"]


async def test_a_model_that_stalls_is_cut_off_at_the_deadline(
    spans: InMemorySpanExporter,
) -> None:
    gate = asyncio.Event()  # never set: the model sends one token and then nothing
    llm = FakeLLM(gate=gate)
    settings = settings_for_tests(llm_deadline_seconds=0.3)
    async with running_app(
        spans, settings=settings, log_source=RecordedLogSource(loki_body()), llm=llm
    ) as (_, client):
        response = await asyncio.wait_for(
            client.post("/v1/analyze/stream", json=REQUEST, headers=NDJSON), 10
        )
    events = [json.loads(line) for line in response.text.splitlines()]
    assert [e["type"] for e in events] == ["summary", "context", "token", "error"]
    assert events[-1]["error"]["code"] == "llm_timeout"
    assert "LLM_DEADLINE_SECONDS" in events[-1]["error"]["message"]
    assert llm.closed.is_set() and not llm.finished_normally
