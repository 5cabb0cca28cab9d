"""Streaming behaviour at the raw ASGI level, where nothing buffers the body."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
import pytest
import respx
from fastapi import FastAPI
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.clients.llm import LlamaClient
from log_analyzer.clients.protocols import LLMBackend
from log_analyzer.core.config import Settings
from log_analyzer.main import create_app
from log_analyzer.sources.base import LogSource
from log_analyzer.sources.loki.errors import LokiUnavailable
from tests.conftest import LLAMA_URL, recorded, settings_for_tests, shared_workers
from tests.fakes import FakeLLM, RecordedLogSource
from tests.llama_fakes import mock_llama

pytestmark = pytest.mark.anyio

REQUEST = {"filters": {"namespace": "billing"}, "time_range": {"since": "1h"}}


class RawExchange:
    """Drives one request through `app(scope, receive, send)` and records what is sent."""

    def __init__(self, app: FastAPI, body: dict[str, Any], accept: str) -> None:
        self.app = app
        self.body = json.dumps(body).encode()
        self.accept = accept.encode()
        self.messages: list[MutableMapping[str, Any]] = []
        self.first_chunk = asyncio.Event()
        self.disconnect = asyncio.Event()
        self._received = False

    async def receive(self) -> dict[str, Any]:
        if not self._received:
            self._received = True
            return {"type": "http.request", "body": self.body, "more_body": False}
        await self.disconnect.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: MutableMapping[str, Any]) -> None:
        self.messages.append(message)
        if message["type"] == "http.response.body" and message.get("body"):
            self.first_chunk.set()

    async def run(self) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/v1/analyze/stream",
            "raw_path": b"/v1/analyze/stream",
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"service"),
                (b"content-type", b"application/json"),
                (b"accept", self.accept),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("service", 80),
        }
        await self.app(scope, self.receive, self.send)

    @property
    def body_text(self) -> str:
        return b"".join(
            m.get("body", b"") for m in self.messages if m["type"] == "http.response.body"
        ).decode()


def app_with(
    spans: InMemorySpanExporter,
    llm: LLMBackend,
    *,
    settings: Settings | None = None,
    store: LogSource | None = None,
) -> FastAPI:
    """The app over the recorded Loki answer (or ``store``) and ``llm``, in-memory spans."""
    return create_app(
        settings or settings_for_tests(),
        span_exporter=spans,
        log_source=store or RecordedLogSource(loki_body()),
        llm=llm,
        workers=shared_workers(),
    )


def loki_body() -> dict[str, Any]:
    body: dict[str, Any] = recorded("loki", "query_range-streams.json")["body"]
    return body


async def test_summary_reaches_the_client_before_the_model_finishes(
    spans: InMemorySpanExporter,
) -> None:
    gate = asyncio.Event()
    llm = FakeLLM(gate=gate)
    app = app_with(spans, llm)
    async with app.router.lifespan_context(app):
        exchange = RawExchange(app, REQUEST, "application/x-ndjson")
        task = asyncio.create_task(exchange.run())
        await asyncio.wait_for(exchange.first_chunk.wait(), 5)
        await asyncio.sleep(0.05)  # let anything that could be sent early be sent

        assert not llm.finished_normally
        assert llm.tokens_sent == 1
        sent_so_far = [json.loads(line)["type"] for line in exchange.body_text.splitlines()]
        assert sent_so_far == ["summary", "context", "token"]

        gate.set()
        await asyncio.wait_for(task, 5)

    types = [json.loads(line)["type"] for line in exchange.body_text.splitlines()]
    assert types == ["summary", "context"] + ["token"] * 5 + ["done"]
    assert exchange.messages[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


async def test_client_disconnect_closes_the_llm_stream_at_once(
    spans: InMemorySpanExporter,
) -> None:
    llm = FakeLLM(gate=asyncio.Event())  # never opened: the model "hangs" after one token
    app = app_with(spans, llm)
    async with app.router.lifespan_context(app):
        exchange = RawExchange(app, REQUEST, "text/event-stream")
        task = asyncio.create_task(exchange.run())
        await asyncio.wait_for(exchange.first_chunk.wait(), 5)

        exchange.disconnect.set()
        await asyncio.wait_for(task, 2)

    assert llm.closed.is_set()
    assert not llm.finished_normally
    finished = {s.name: s for s in spans.get_finished_spans()}
    assert finished["call_llm"].attributes is not None
    assert finished["call_llm"].attributes["llm.cancelled"] is True
    assert finished["call_llm"].attributes["llm.tokens_generated"] == 1
    assert "analyze_logs_stream" in finished


class HangingSSE(httpx.AsyncByteStream):
    """A llama.cpp stream that sends one token, then stalls until it is closed."""

    def __init__(self) -> None:
        self.closed = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunk = {"choices": [{"finish_reason": None, "index": 0, "delta": {"content": "The"}}]}
        yield f"data: {json.dumps(chunk)}\n\n".encode()
        await asyncio.Event().wait()

    async def aclose(self) -> None:
        self.closed.set()


async def test_disconnect_closes_the_llama_cpp_http_response(
    spans: InMemorySpanExporter, llama_mock: respx.MockRouter
) -> None:
    mock_llama(llama_mock)
    stream = HangingSSE()
    llama_mock.post("/v1/chat/completions").mock(
        return_value=httpx.Response(
            200, stream=stream, headers={"content-type": "text/event-stream"}
        )
    )
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        app = app_with(spans, LlamaClient(http))
        async with app.router.lifespan_context(app):
            exchange = RawExchange(app, REQUEST, "text/plain")
            task = asyncio.create_task(exchange.run())
            await asyncio.wait_for(exchange.first_chunk.wait(), 5)
            for _ in range(100):  # wait for the first token to be relayed
                if exchange.body_text.endswith("The"):
                    break
                await asyncio.sleep(0.01)
            assert exchange.body_text.endswith("The")

            exchange.disconnect.set()
            await asyncio.wait_for(task, 2)
            await asyncio.wait_for(stream.closed.wait(), 1)


async def test_more_analyses_than_slots_get_their_numbers_then_wait_for_a_slot(
    spans: InMemorySpanExporter,
) -> None:
    gate = asyncio.Event()
    llm = FakeLLM(gate=gate)
    settings = settings_for_tests(llm_max_concurrency=1, llm_queue_timeout_seconds=0.2)
    app = app_with(spans, llm, settings=settings)
    async with app.router.lifespan_context(app):
        holder = RawExchange(app, REQUEST, "application/x-ndjson")
        task = asyncio.create_task(holder.run())
        await asyncio.wait_for(holder.first_chunk.wait(), 5)

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            # A slot is taken only once the prompt is ready: the numbers come first, then the
            # wait, then an in-band `overloaded` error that says when to retry.
            refused = await client.post(
                "/v1/analyze/stream", json=REQUEST, headers={"accept": "application/x-ndjson"}
            )
            assert refused.status_code == 200
            events = [json.loads(line) for line in refused.text.splitlines()]
            assert [e["type"] for e in events] == ["summary", "context", "error"]
            assert events[-1]["error"]["code"] == "overloaded"
            assert events[-1]["error"]["retry_after"] == 1
            assert llm.prompts and len(llm.prompts) == 1  # the model was asked once, not twice

            # A waiter is admitted as soon as the running analysis ends.
            waiting = asyncio.create_task(client.post("/v1/analyze/stream", json=REQUEST))
            await asyncio.sleep(0.05)
            gate.set()
            await asyncio.wait_for(task, 5)
            admitted = await asyncio.wait_for(waiting, 5)
            assert admitted.status_code == 200
            assert "--- done" in admitted.text


async def test_a_failed_fetch_gives_its_slot_back(spans: InMemorySpanExporter) -> None:
    settings = settings_for_tests(llm_max_concurrency=1, llm_queue_timeout_seconds=0.2)

    down = RecordedLogSource({}, fail=LokiUnavailable("cannot reach Loki: test"))
    app = create_app(
        settings, span_exporter=spans, log_source=down, llm=FakeLLM(), workers=shared_workers()
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            statuses = [
                (await client.post("/v1/analyze/stream", json=REQUEST)).status_code
                for _ in range(3)
            ]
    assert statuses == [502, 502, 502]
