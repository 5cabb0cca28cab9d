"""A client that leaves at each stage of a run: the run ends at once and holds nothing.

Raw ASGI (`tests.api.test_streaming_asgi.RawExchange`), since an in-process httpx client buffers
the whole body and cannot leave half-way. Each stage is held open by an upstream that waits on
an event no one sets, so only the disconnect can end the run; the assertions are on what
was cancelled, closed and given back.
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

from log_analyzer.analysis.run import CANCELLED
from log_analyzer.clients.llm import LlamaClient
from log_analyzer.clients.protocols import ServerProps
from log_analyzer.sources.base import EntryQuery, RawEntries
from tests.api.test_streaming_asgi import REQUEST, RawExchange, app_with, loki_body
from tests.conftest import LLAMA_URL, settings_for_tests
from tests.fakes import FakeLLM, RecordedLogSource
from tests.llama_fakes import mock_llama

pytestmark = pytest.mark.anyio
NDJSON = "application/x-ndjson"


class HangingStore(RecordedLogSource):
    """A store whose entries query never answers; it records that it was cancelled."""

    def __init__(self) -> None:
        super().__init__(loki_body())
        self.asked = asyncio.Event()
        self.cancelled = asyncio.Event()

    async def entries(self, query: EntryQuery) -> RawEntries:
        self.asked.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled.set()
            raise
        raise AssertionError("unreachable")


class HangingProps(FakeLLM):
    """A model whose /props never answers once the numbers are out."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = asyncio.Event()

    async def props(self) -> ServerProps:
        self.asked.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def leave_when(exchange: RawExchange, stage: asyncio.Event) -> asyncio.Task[None]:
    task = asyncio.create_task(exchange.run())
    await asyncio.wait_for(stage.wait(), 10)
    exchange.disconnect.set()
    await asyncio.wait_for(task, 2)
    return task


def assert_cancel_logged(caplog: pytest.LogCaptureFixture) -> None:
    cancelled = [r for r in caplog.records if r.getMessage() == CANCELLED]
    assert len(cancelled) == 1
    assert cancelled[0].levelname == "INFO"
    assert isinstance(getattr(cancelled[0], "run_duration_seconds", None), float)


def span_attributes(spans: InMemorySpanExporter, name: str) -> dict[str, object]:
    span = next(s for s in spans.get_finished_spans() if s.name == name)
    return dict(span.attributes or {})


async def test_leaving_while_the_store_answers_cancels_its_query(
    spans: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    store = HangingStore()
    app = app_with(spans, FakeLLM(), store=store)
    async with app.router.lifespan_context(app):
        exchange = RawExchange(app, REQUEST, NDJSON)
        await leave_when(exchange, store.asked)
        await asyncio.wait_for(store.cancelled.wait(), 1)

    assert exchange.body_text == ""  # nothing was sent: there was nothing to send yet
    assert span_attributes(spans, "analyze_logs_stream")["run.cancelled"] is True
    # The service log says so too: a request that left before the first byte has no access line.
    assert_cancel_logged(caplog)


async def test_leaving_while_the_model_is_asked_its_context_ends_the_run(
    spans: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    llm = HangingProps()
    app = app_with(spans, llm)
    async with app.router.lifespan_context(app):
        exchange = RawExchange(app, REQUEST, NDJSON)
        await leave_when(exchange, llm.asked)

    assert [json.loads(line)["type"] for line in exchange.body_text.splitlines()] == ["summary"]
    assert not llm.prompts  # the model was never asked to generate
    assert span_attributes(spans, "analyze_logs_stream")["run.cancelled"] is True
    assert_cancel_logged(caplog)


class StageExchange(RawExchange):
    """An exchange that notes when an event of type ``stage`` went out."""

    def __init__(self, app: FastAPI, stage: str) -> None:
        super().__init__(app, REQUEST, NDJSON)
        self.marker = f'"type":"{stage}"'.encode()
        self.reached = asyncio.Event()

    async def send(self, message: MutableMapping[str, Any]) -> None:
        await super().send(message)
        if self.marker in message.get("body", b""):
            self.reached.set()


async def test_leaving_while_waiting_for_a_slot_takes_no_slot(
    spans: InMemorySpanExporter,
) -> None:
    gate = asyncio.Event()
    llm = FakeLLM(gate=gate)
    settings = settings_for_tests(llm_max_concurrency=1, llm_queue_timeout_seconds=60)
    app = app_with(spans, llm, settings=settings)
    async with app.router.lifespan_context(app):
        holder = StageExchange(app, "token")
        holding = asyncio.create_task(holder.run())
        await asyncio.wait_for(holder.reached.wait(), 10)  # it has the one slot

        queued = StageExchange(app, "context")  # then it waits for a slot
        await leave_when(queued, queued.reached)  # long before its 60 s queue timeout

        gate.set()
        await asyncio.wait_for(holding, 5)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            after = await asyncio.wait_for(
                client.post("/v1/analyze/stream", json=REQUEST, headers={"accept": NDJSON}), 10
            )

    types = [json.loads(line)["type"] for line in queued.body_text.splitlines()]
    assert types == ["summary", "context"]
    assert json.loads(after.text.splitlines()[-1])["type"] == "done"  # the slot came back
    assert len(llm.prompts) == 2  # the holder and the one after; never the client that left


async def test_leaving_before_the_model_s_first_byte_closes_its_request(
    spans: InMemorySpanExporter, llama_mock: respx.MockRouter
) -> None:
    # llama.cpp processes the prompt before it sends a byte: a client that leaves then must
    # still have the request closed, or the slot works on for no one.
    asked, abandoned = asyncio.Event(), asyncio.Event()

    async def processing_the_prompt(request: httpx.Request) -> httpx.Response:
        asked.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            abandoned.set()
            raise
        raise AssertionError("unreachable")

    mock_llama(llama_mock)
    llama_mock.post("/v1/chat/completions").mock(side_effect=processing_the_prompt)
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        app = app_with(spans, LlamaClient(http))
        async with app.router.lifespan_context(app):
            exchange = RawExchange(app, REQUEST, NDJSON)
            await leave_when(exchange, asked)
            await asyncio.wait_for(abandoned.wait(), 1)

    assert [json.loads(line)["type"] for line in exchange.body_text.splitlines()] == [
        "summary",
        "context",
    ]
    assert span_attributes(spans, "call_llm")["llm.cancelled"] is True
