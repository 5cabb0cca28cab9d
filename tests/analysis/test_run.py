"""The one run: after the first event, whatever fails ends the stream with `error`, then nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Span, StatusCode

from log_analyzer.analysis.events import (
    ContextEvent,
    DoneEvent,
    ErrorEvent,
    Event,
    SummaryEvent,
    TokenEvent,
)
from log_analyzer.analysis.job import Head, JobContext
from log_analyzer.analysis.limiter import GenerationLimiter
from log_analyzer.analysis.run import Run
from log_analyzer.analysis.run_deps import RunDeps, RunOptions
from log_analyzer.clients.protocols import Message, PricedPrompt, ServerProps
from log_analyzer.clients.sse import ChatChunk
from log_analyzer.core.errors import (
    LLMContextExceeded,
    LLMError,
    LLMTimeout,
    LLMUnavailable,
    ServiceError,
)
from log_analyzer.core.workers import WorkerPool
from log_analyzer.logs.prompt import PromptMaterial, Section
from log_analyzer.logs.summary import summarize
from log_analyzer.sources.loki.errors import LokiTimeout
from tests.fakes import FakeLLM, RowsSource

pytestmark = pytest.mark.anyio
OPTIONS = RunOptions("m", 128, 0.2, None, 2000)
MATERIAL = PromptMaterial(
    "{tag}", "why?", ("fact",), (Section(("## rows",), ("a | 1", "b | 2")),), ((0, 0), (0, 1))
)
SUMMARY = summarize([], start_ns=0, end_ns=1, query="q", limit=10)


class FixedJob:
    span_name = "test_run"

    def __init__(self, fail: BaseException | None = None) -> None:
        self.fail = fail

    def describe(self, span: Span) -> None:
        span.set_attribute("job", "fixed")

    async def prepare(self, context: JobContext) -> Head:
        if self.fail is not None:
            raise self.fail
        return Head(SummaryEvent(SUMMARY), MATERIAL)


class FailingLLM(FakeLLM):
    """Fails at one step: `props`, pricing, the stream's start, or after `after` tokens."""

    def __init__(self, where: str, error: BaseException, after: int = 2) -> None:
        super().__init__()
        self.where, self.error, self.after = where, error, after

    async def props(self) -> ServerProps:
        if self.where == "props":
            raise self.error
        return await super().props()

    async def price_chat(
        self, messages: Sequence[Message], spans: Sequence[tuple[int, int]]
    ) -> PricedPrompt:
        if self.where == "price":
            raise self.error
        return await super().price_chat(messages, spans)

    async def stream_chat(
        self, messages: Sequence[Message], *, max_tokens: int, temperature: float, model: str
    ) -> AsyncGenerator[ChatChunk, None]:
        if self.where == "start":
            raise self.error
        count = 0
        async for chunk in super().stream_chat(
            messages, max_tokens=max_tokens, temperature=temperature, model=model
        ):
            if self.where == "tokens" and count == self.after:
                raise self.error
            count += 1
            yield chunk


def deps(llm: FakeLLM | None, exporter: InMemorySpanExporter, **kw: Any) -> RunDeps:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return RunDeps(
        RowsSource([]), llm, kw.get("limiter"), WorkerPool(0), provider.get_tracer("t"), OPTIONS
    )


async def stream(run: Run) -> list[Event]:
    async with run:
        head = await run.prepare()
        return [event async for event in run.events(head)]


FAILURES = [
    pytest.param("props", LLMUnavailable("cannot reach llama.cpp"), "llm_unavailable", id="props"),
    pytest.param("props", ValueError("bug in props"), "internal_error", id="props-bug"),
    pytest.param("price", LLMTimeout("/tokenize did not answer"), "llm_timeout", id="price"),
    pytest.param("price", KeyError("tokens"), "internal_error", id="price-bug"),
    pytest.param("start", LLMError("llama.cpp failed"), "llm_error", id="stream-refused"),
    pytest.param(
        "start",
        LLMContextExceeded("too long", n_prompt_tokens=9999, n_ctx=10),
        "llm_context_exceeded",
        id="refused-twice",
    ),
    pytest.param("tokens", LLMTimeout("went silent"), "llm_timeout", id="silent-mid-stream"),
    pytest.param("tokens", RuntimeError("boom"), "internal_error", id="bug-mid-stream"),
    pytest.param("tokens", LokiTimeout("a store error, oddly"), "loki_timeout", id="other-tree"),
]


@pytest.mark.parametrize(("where", "error", "code"), FAILURES)
async def test_every_failure_after_the_first_event_ends_with_one_error_event(
    where: str, error: BaseException, code: str
) -> None:
    exporter = InMemorySpanExporter()
    run = Run(FixedJob(), deps(FailingLLM(where, error), exporter))
    events = await stream(run)

    assert isinstance(events[0], SummaryEvent)
    assert isinstance(events[-1], ErrorEvent)
    assert [e for e in events if isinstance(e, ErrorEvent | DoneEvent)] == [events[-1]]
    assert events[-1].error["code"] == code
    assert events[-1].trace_id == run.trace_id
    if code == "internal_error":
        assert "see the service log" in events[-1].error["message"]
        assert str(error) not in events[-1].error["message"]  # the type, never the text
    if where == "tokens":
        assert [type(e) for e in events[1:4]] == [ContextEvent, TokenEvent, TokenEvent]
    [root] = [s for s in exporter.get_finished_spans() if s.name == "test_run"]
    assert root.status.status_code is StatusCode.ERROR
    assert (root.attributes or {})["error.type"] == code


async def test_a_normal_run_ends_with_done_and_an_unset_status() -> None:
    exporter = InMemorySpanExporter()
    events = await stream(Run(FixedJob(), deps(FakeLLM(), exporter)))
    kinds = [type(e) for e in events]
    assert kinds == [SummaryEvent, ContextEvent, *[TokenEvent] * 5, DoneEvent]
    [root] = [s for s in exporter.get_finished_spans() if s.name == "test_run"]
    assert root.status.status_code is StatusCode.UNSET
    assert (root.attributes or {})["job"] == "fixed"


async def test_without_a_model_the_numbers_say_why_then_done() -> None:
    events = await stream(Run(FixedJob(), deps(None, InMemorySpanExporter())))
    assert len(events) == 2
    first, last = events
    assert isinstance(first, SummaryEvent) and isinstance(last, DoneEvent)
    assert first.notes == ("numbers only: the model was not asked (llm is false)",)


async def test_a_failure_before_the_first_event_is_raised_and_frees_the_slot() -> None:
    limiter = GenerationLimiter(1, 0.1, lambda: asyncio.sleep(0, 1))
    exporter = InMemorySpanExporter()
    for _ in range(3):  # the slot comes back each time, or the later runs would get 429
        run = Run(
            FixedJob(LokiTimeout("Loki timed out")), deps(FakeLLM(), exporter, limiter=limiter)
        )
        with pytest.raises(LokiTimeout):
            async with run:
                await run.prepare()
    roots = [s for s in exporter.get_finished_spans() if s.name == "test_run"]
    assert len(roots) == 3
    assert all((s.attributes or {})["error.type"] == "loki_timeout" for s in roots)


async def test_a_consumer_that_leaves_frees_the_slot_and_marks_the_run_cancelled() -> None:
    limiter = GenerationLimiter(1, 0.1, lambda: asyncio.sleep(0, 1))
    exporter = InMemorySpanExporter()
    gate = asyncio.Event()
    run = Run(FixedJob(), deps(FakeLLM(gate=gate), exporter, limiter=limiter))

    async def consume() -> None:
        async with run:
            async for _ in run.events(await run.prepare()):
                pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    permit = await limiter.acquire()  # would time out if the run still held the slot
    permit.release()
    [root] = [s for s in exporter.get_finished_spans() if s.name == "test_run"]
    assert (root.attributes or {})["run.cancelled"] is True
    [llm] = [s for s in exporter.get_finished_spans() if s.name == "call_llm"]
    assert (llm.attributes or {})["llm.cancelled"] is True


async def test_a_consumer_that_closes_the_stream_early_closes_the_model_s_stream_at_once() -> None:
    llm = FakeLLM(gate=asyncio.Event())  # the answer would wait for ever after its first token
    run = Run(FixedJob(), deps(llm, InMemorySpanExporter()))
    async with run:
        events = run.events(await run.prepare())
        async for event in events:
            if isinstance(event, TokenEvent):
                break
        await events.aclose()  # as `aclosing` does for a client that stopped reading
        assert llm.closed.is_set()


def test_service_errors_pickle_as_themselves() -> None:
    import pickle

    for error in (
        LLMContextExceeded("too long", n_prompt_tokens=5, n_ctx=4),
        LokiTimeout("slow", status=504),
        ServiceError("x", a=1),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert copy.to_dict() == error.to_dict()
        assert copy.message == error.message
