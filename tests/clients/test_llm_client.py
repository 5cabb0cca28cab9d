"""LlamaClient against recorded llama.cpp payloads."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
import respx

from log_analyzer.clients.llm import ChatChunk, Completion, LlamaClient, TokenDelta
from log_analyzer.core.errors import (
    LLMContextExceeded,
    LLMError,
    LLMTimeout,
    LLMUnavailable,
    ServiceError,
)
from tests.conftest import LLAMA_URL, recorded, recorded_response, sse_bytes

pytestmark = pytest.mark.anyio
MESSAGES = [{"role": "system", "content": "sys"}, {"role": "user", "content": "hi"}]


async def collect(client: LlamaClient) -> list[ChatChunk]:
    return [c async for c in client.stream_chat(MESSAGES, max_tokens=8, temperature=0.1, model="m")]


def sse(name: str) -> httpx.Response:
    return httpx.Response(
        200, content=sse_bytes(name), headers={"content-type": "text/event-stream"}
    )


async def test_props_reads_slot_context_and_slots(llama_mock: respx.MockRouter) -> None:
    llama_mock.get("/props").mock(
        return_value=httpx.Response(200, json=recorded("llama", "props.json"))
    )
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        props = await LlamaClient(http).props()
    assert (props.n_ctx, props.total_slots) == (1024, 2)
    assert props.model.endswith("SmolLM2-135M-Instruct.Q4_1.gguf")


async def test_count_chat_tokens_applies_the_template_then_tokenizes(
    llama_mock: respx.MockRouter,
) -> None:
    template = llama_mock.post("/apply-template").mock(
        return_value=httpx.Response(200, json=recorded("llama", "apply-template.json")["body"])
    )
    tokenize = llama_mock.post("/tokenize").mock(
        return_value=httpx.Response(200, json=recorded("llama", "tokenize.json")["body"])
    )
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        count = await LlamaClient(http).count_chat_tokens(MESSAGES)

    assert count == 3
    assert json.loads(template.calls.last.request.content) == {"messages": MESSAGES}
    sent = json.loads(tokenize.calls.last.request.content)
    assert sent["content"] == recorded("llama", "apply-template.json")["body"]["prompt"]
    assert sent["add_special"] is True and sent["parse_special"] is True


@pytest.mark.parametrize(
    ("lines", "fixture", "expected"),
    [
        # Recorded pieces: ERROR| db| timeout| connecting| to| post|gres|:|5|4|3|2. The token
        # " connecting" starts on the byte where the first line's newline would be, so it is
        # charged to the first line; the costs always add up to the whole.
        pytest.param(
            ["ERROR db timeout", "connecting to postgres:5432"],
            "tokenize-with-pieces.json",
            [4, 8],
            id="pieces",
        ),
        pytest.param(
            ["ERROR db timeout connecting to", "postgres:5432"],
            "tokenize-with-pieces.json",
            [6, 6],
            id="later-split",
        ),
        pytest.param(["á"], "reconstructed-tokenize-nonutf8-piece.json", [2], id="byte-pieces"),
    ],
)
async def test_line_token_costs_map_pieces_to_lines(
    llama_mock: respx.MockRouter, lines: list[str], fixture: str, expected: list[int]
) -> None:
    route = llama_mock.post("/tokenize").mock(
        return_value=httpx.Response(200, json=recorded("llama", fixture)["body"])
    )
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        costs = await LlamaClient(http).line_token_costs(lines)
    assert costs == expected
    assert json.loads(route.calls.last.request.content)["with_pieces"] is True


async def test_stream_yields_tokens_then_usage(llama_mock: respx.MockRouter) -> None:
    route = llama_mock.post("/v1/chat/completions").mock(
        return_value=sse("chat-completions-stream.sse.txt")
    )
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        chunks = await collect(LlamaClient(http))

    *tokens, last = chunks
    assert all(isinstance(t, TokenDelta) for t in tokens) and len(tokens) >= 5
    assert isinstance(last, Completion)
    assert last.finish_reason == "length"
    assert last.prompt_tokens == 34 and last.completion_tokens == 12
    sent = json.loads(route.calls.last.request.content)
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}


async def test_stream_without_usage_reads_timings(llama_mock: respx.MockRouter) -> None:
    llama_mock.post("/v1/chat/completions").mock(
        return_value=sse("reconstructed-chat-completions-stream-no-usage.sse.txt")
    )
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        last = (await collect(LlamaClient(http)))[-1]
    assert isinstance(last, Completion)
    assert (last.finish_reason, last.prompt_tokens, last.completion_tokens) == ("stop", 61, 9)


def raw_stream(text: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _: httpx.Response(
        200, content=text.encode(), headers={"content-type": "text/event-stream"}
    )


CHUNK = '{"choices":[{"finish_reason":null,"index":0,"delta":{"content":"Hi"}}]}'


@pytest.mark.parametrize(
    ("answer", "error", "text"),
    [
        pytest.param(
            recorded_response("llama", "error-exceed-context-size.json"),
            LLMContextExceeded,
            "exceeds the available context size",
            id="context",
        ),
        pytest.param(
            recorded_response("llama", "reconstructed-health-loading.json"),
            LLMUnavailable,
            "Loading model",
            id="loading",
        ),
        pytest.param(
            recorded_response("llama", "reconstructed-error-invalid-api-key.json"),
            LLMError,
            "Invalid API Key",
            id="api-key",
        ),
        pytest.param(
            sse("reconstructed-chat-completions-stream-error.sse.txt"),
            LLMError,
            "context shift is disabled",
            id="in-band-error",
        ),
        pytest.param(httpx.ConnectError("refused"), LLMUnavailable, "ConnectError", id="down"),
        pytest.param(httpx.ReadTimeout("slow"), LLMTimeout, "went silent", id="silent"),
        pytest.param(
            raw_stream(f"data: {CHUNK}\n\n"), LLMError, "before finishing", id="cut-short"
        ),
        pytest.param(raw_stream("data: {not json\n\n"), LLMError, "not JSON", id="garbage"),
    ],
)
async def test_failures_map_to_the_error_tree(
    llama_mock: respx.MockRouter,
    answer: httpx.Response | Exception | Callable[[httpx.Request], httpx.Response],
    error: type[ServiceError],
    text: str,
) -> None:
    route = llama_mock.post("/v1/chat/completions")
    if isinstance(answer, httpx.Response):
        route.mock(return_value=answer)
    else:
        route.mock(side_effect=answer)
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        with pytest.raises(error) as caught:
            await collect(LlamaClient(http))
    assert text in caught.value.message
    assert caught.value.to_dict()["upstream"] == "llama.cpp"
    if isinstance(caught.value, LLMContextExceeded):
        assert (caught.value.n_prompt_tokens, caught.value.n_ctx) == (6429, 1024)


async def test_keep_alive_comments_are_ignored(llama_mock: respx.MockRouter) -> None:
    finish = '{"choices":[{"finish_reason":"stop","index":0,"delta":{}}]}'
    llama_mock.post("/v1/chat/completions").mock(
        side_effect=raw_stream(f":\n\ndata: {CHUNK}\n\n:\n\ndata: {finish}\n\ndata: [DONE]\n\n")
    )
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        chunks = await collect(LlamaClient(http))
    assert chunks == [TokenDelta("Hi"), Completion("stop", None, None, None)]
