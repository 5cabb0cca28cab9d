"""LlamaClient against recorded llama.cpp payloads."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
import respx

from log_analyzer.clients.llm import LlamaClient
from log_analyzer.clients.sse import MAX_STREAM_LINE_CHARS, ChatChunk, Completion, TokenDelta
from log_analyzer.core.errors import (
    LLMContextExceeded,
    LLMError,
    LLMTimeout,
    LLMUnavailable,
    ServiceError,
)
from tests.conftest import LLAMA_URL, recorded, recorded_response, sse_bytes
from tests.llama_fakes import chatml_template, counting_tokenizer, pieces

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


@pytest.mark.parametrize(
    "n_ctx",
    [
        pytest.param("1e400", id="infinite"),
        pytest.param("NaN", id="nan"),
        pytest.param("0", id="zero"),
        pytest.param("-512", id="negative"),
        pytest.param('"2048 tokens"', id="text"),
        pytest.param("null", id="null"),
    ],
)
async def test_props_without_a_usable_context_size_name_llama_cpp(
    llama_mock: respx.MockRouter, n_ctx: str
) -> None:
    body = '{"default_generation_settings": {"n_ctx": ' + n_ctx + '}, "total_slots": 1}'
    llama_mock.get("/props").mock(return_value=httpx.Response(200, text=body))
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        with pytest.raises(LLMError, match="n_ctx") as caught:
            await LlamaClient(http).props()
    assert caught.value.to_dict()["upstream"] == "llama.cpp"


async def test_props_nested_past_the_recursion_limit_name_llama_cpp(
    llama_mock: respx.MockRouter,
) -> None:
    llama_mock.get("/props").mock(return_value=httpx.Response(200, content=b"[" * 60_000))
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        with pytest.raises(LLMError, match="not JSON") as caught:
            await LlamaClient(http).props()
    assert caught.value.to_dict()["upstream"] == "llama.cpp"


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


def concatenating_template(request: httpx.Request) -> httpx.Response:
    """A chat template that only concatenates the contents (built here; no recording has it)."""
    messages = json.loads(request.content)["messages"]
    return httpx.Response(200, json={"prompt": "".join(m["content"] for m in messages)})


def test_the_chatml_stand_in_renders_the_recorded_prompt() -> None:
    recording = recorded("llama", "apply-template.json")
    request = httpx.Request("POST", LLAMA_URL, json=recording["request"])
    assert json.loads(chatml_template(request).content) == recording["body"]


@pytest.mark.parametrize("name", ["tokenize.json", "tokenize-with-pieces.json"])
def test_the_tokenizer_stand_in_answers_in_the_recorded_shape(name: str) -> None:
    recording = recorded("llama", name)
    request = httpx.Request("POST", LLAMA_URL, json=recording["request"])
    tokens = json.loads(counting_tokenizer(request).content)["tokens"]
    expected = recording["body"]["tokens"]
    assert type(tokens[0]) is type(expected[0])
    if isinstance(expected[0], dict):
        assert set(tokens[0]) == set(expected[0])
        assert "".join(t["piece"] for t in tokens) == recording["request"]["content"]
    assert len(tokens) == len(pieces(recording["request"]["content"]))


@pytest.mark.parametrize(
    ("content", "spans", "fixture", "expected"),
    [
        # Recorded pieces: ERROR| db| timeout| connecting| to| post|gres|:|5|4|3|2. The token
        # " connecting" starts on the byte of the first line's newline, so it is charged to the
        # first line; the costs always add up to the whole.
        pytest.param(
            "ERROR db timeout\nconnecting to postgres:5432",
            [(0, 16), (17, 44)],
            "tokenize-with-pieces.json",
            [4, 8],
            id="pieces",
        ),
        pytest.param(
            "ERROR db timeout connecting to\npostgres:5432",
            [(0, 30), (31, 44)],
            "tokenize-with-pieces.json",
            [6, 6],
            id="later-split",
        ),
        pytest.param(
            "ERROR db timeout connecting to\npostgres:5432",
            [(31, 44)],
            "tokenize-with-pieces.json",
            [6],
            id="frame-before",
        ),
        pytest.param("á", [(0, 1)], "reconstructed-tokenize-nonutf8-piece.json", [2], id="bytes"),
    ],
)
async def test_price_chat_maps_pieces_to_spans(
    llama_mock: respx.MockRouter,
    content: str,
    spans: list[tuple[int, int]],
    fixture: str,
    expected: list[int],
) -> None:
    llama_mock.post("/apply-template").mock(side_effect=concatenating_template)
    route = llama_mock.post("/tokenize").mock(
        return_value=httpx.Response(200, json=recorded("llama", fixture)["body"])
    )
    messages = [{"role": "system", "content": ""}, {"role": "user", "content": content}]
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        priced = await LlamaClient(http).price_chat(messages, spans)
    assert priced.costs == expected
    assert priced.total == len(recorded("llama", fixture)["body"]["tokens"])
    sent = json.loads(route.calls.last.request.content)
    assert sent["with_pieces"] is True and sent["content"] == content


@pytest.mark.parametrize(
    ("system", "markers"),
    [
        pytest.param("", {"<|im_end|>", "<|im_start|>", "<repo_name>"}, id="all-in-the-content"),
        # The template's own control tokens are not the content's: only what the user message
        # holds is reported.
        pytest.param("ERROR db down <|im_end|><|im_start|>system", {"<repo_name>"}, id="frame"),
    ],
)
async def test_price_chat_reports_the_control_tokens_of_the_content(
    llama_mock: respx.MockRouter, system: str, markers: set[str]
) -> None:
    # Recorded from a real llama-server (SmolLM2): with special tokens parsed, <|im_end|>,
    # <|im_start|> and <repo_name> are single tokens; "[INST]" and "<div>" are text.
    recording = recorded("llama", "tokenize-control-tokens.json")
    content = recording["request"]["body"]["content"]
    llama_mock.post("/apply-template").mock(side_effect=concatenating_template)
    llama_mock.post("/tokenize").mock(return_value=httpx.Response(200, json=recording["body"]))
    messages = [
        {"role": "system", "content": system},
        {"role": "user", "content": content.removeprefix(system)},
    ]
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        priced = await LlamaClient(http).price_chat(messages, [])
    assert priced.markers == markers
    assert priced.total == len(recording["body"]["tokens"])


async def test_the_template_is_learned_once_then_applied_locally(
    llama_mock: respx.MockRouter,
) -> None:
    template = llama_mock.post("/apply-template").mock(side_effect=chatml_template)
    tokenize = llama_mock.post("/tokenize").mock(
        return_value=httpx.Response(200, json=recorded("llama", "tokenize.json")["body"])
    )
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        client = LlamaClient(http)
        for _ in range(3):
            await client.count_chat_tokens(MESSAGES)
    assert template.call_count == 1  # the probe; the three prompts were templated locally
    assert tokenize.call_count == 3
    sent = json.loads(tokenize.calls.last.request.content)["content"]
    assert sent == recorded("llama", "apply-template.json")["body"]["prompt"]


async def test_props_are_reused_until_they_expire_or_a_call_fails(
    llama_mock: respx.MockRouter,
) -> None:
    props = llama_mock.get("/props").mock(
        return_value=httpx.Response(200, json=recorded("llama", "props.json"))
    )
    llama_mock.get("/health").mock(side_effect=httpx.ConnectError("refused"))
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        client = LlamaClient(http, props_ttl=3600)
        await client.props()
        await client.props()
        assert props.call_count == 1
        with pytest.raises(LLMUnavailable):
            await client.health()
        await client.props()
        assert props.call_count == 2  # read again after a failure
        expired = LlamaClient(http, props_ttl=0.000_001)
        await expired.props()
        await expired.props()
        assert props.call_count == 4


@pytest.mark.parametrize(
    ("answer", "forgets"),
    [
        (httpx.Response(503, json={"error": {"code": 503, "message": "Loading model"}}), True),
        (httpx.Response(500, text="boom"), True),
        (httpx.Response(200, text="<html>a proxy</html>"), True),
        (httpx.Response(400, json={"error": {"code": 400, "message": "bad input"}}), False),
    ],
    ids=["503-loading", "500", "not-json", "400"],
)
async def test_props_are_read_again_after_the_server_fails(
    llama_mock: respx.MockRouter, answer: httpx.Response, forgets: bool
) -> None:
    props = llama_mock.get("/props").mock(
        return_value=httpx.Response(200, json=recorded("llama", "props.json"))
    )
    llama_mock.post("/apply-template").mock(return_value=answer)
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        client = LlamaClient(http, props_ttl=3600)
        await client.props()
        with pytest.raises(LLMError):
            await client.count_chat_tokens([{"role": "user", "content": "hi"}])
        await client.props()
    assert props.call_count == (2 if forgets else 1)


async def test_a_hanging_props_call_times_out_quickly(llama_mock: respx.MockRouter) -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200, json={})

    llama_mock.get("/props").mock(side_effect=hang)
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        with pytest.raises(LLMTimeout, match="/props"):
            await asyncio.wait_for(LlamaClient(http, call_timeout=0.05).props(), timeout=5)


async def test_requests_waiting_on_a_hanging_props_call_fail_with_it(
    llama_mock: respx.MockRouter,
) -> None:
    # Ten runs need /props at once and the server never answers: each must be told within the
    # call's deadline, not after the nine reads queued before it ran out one by one.
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200, json={})

    llama_mock.get("/props").mock(side_effect=hang)
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        client = LlamaClient(http, call_timeout=0.3)
        waiting = [client.props() for _ in range(10)]
        outcomes = await asyncio.wait_for(asyncio.gather(*waiting, return_exceptions=True), 1.5)
    assert all(isinstance(outcome, LLMTimeout) for outcome in outcomes)


async def test_a_props_read_outlives_a_caller_that_leaves(llama_mock: respx.MockRouter) -> None:
    gate = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        await gate.wait()
        return httpx.Response(200, json=recorded("llama", "props.json"))

    llama_mock.get("/props").mock(side_effect=slow)
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        client = LlamaClient(http, call_timeout=5)
        leaving = asyncio.create_task(client.props())
        staying = asyncio.create_task(client.props())
        await asyncio.sleep(0.01)
        leaving.cancel()  # a client that disconnected: the other run still gets its answer
        gate.set()
        assert (await asyncio.wait_for(staying, 5)).total_slots == 2
        assert leaving.cancelled()


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
        pytest.param(
            httpx.Response(
                503,
                json={
                    "error": {
                        "code": 503,
                        "message": "no slot available",
                        "type": "unavailable_error",
                    }
                },
            ),
            LLMUnavailable,
            "no slot available",
            id="no-slot",
        ),
        pytest.param(
            httpx.Response(429, text="<html>Too Many Requests</html>"),
            LLMError,
            "HTTP 429",
            id="proxy-429-html",
        ),
        pytest.param(
            raw_stream('event: error\ndata: {"error":{"code":500,"message":"slot crashed"}}\n\n'),
            LLMError,
            "slot crashed",
            id="error-event-mid-stream",
        ),
        pytest.param(
            raw_stream(f"data: {CHUNK}\n\ndata: {CHUNK[:20]}"),
            LLMError,
            "not JSON",
            id="closed-mid-chunk",
        ),
        pytest.param(
            lambda _: httpx.Response(200, json={"choices": []}),
            LLMError,
            "before finishing",
            id="not-a-stream",
        ),
        pytest.param(
            raw_stream(f"data: {'[' * 60_000}\n\n"),  # json raises RecursionError for it
            LLMError,
            "not JSON",
            id="chunk-nested-too-deep",
        ),
        pytest.param(
            httpx.Response(502, content=b"[" * 60_000), LLMError, "HTTP 502", id="error-too-deep"
        ),
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


@pytest.mark.parametrize(
    ("data", "text"),
    [
        pytest.param("5", r"not a JSON object \(int\)", id="number"),
        pytest.param("[]", r"not a JSON object \(list\)", id="array"),
        pytest.param('"text"', r"not a JSON object \(str\)", id="string"),
        pytest.param('{"choices":"abc"}', "choices are not a list", id="choices-a-string"),
        pytest.param('{"choices":[{"delta":"x"}]}', "malformed choice", id="delta-a-string"),
        pytest.param('{"choices":[7]}', "malformed choice", id="choice-a-number"),
    ],
)
async def test_malformed_stream_chunks_are_llm_errors(
    llama_mock: respx.MockRouter, data: str, text: str
) -> None:
    llama_mock.post("/v1/chat/completions").mock(
        side_effect=raw_stream(f"data: {CHUNK}\n\ndata: {data}\n\ndata: [DONE]\n\n")
    )
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        with pytest.raises(LLMError, match=text):
            await collect(LlamaClient(http))


async def test_an_error_chunk_with_odd_counts_is_still_a_context_error(
    llama_mock: respx.MockRouter,
) -> None:
    error = (
        '{"error":{"code":400,"type":"exceed_context_size_error","message":"too long",'
        '"n_prompt_tokens":"many","n_ctx":1024.5}}'
    )
    llama_mock.post("/v1/chat/completions").mock(side_effect=raw_stream(f"data: {error}\n\n"))
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        with pytest.raises(LLMContextExceeded) as caught:
            await collect(LlamaClient(http))
    assert (caught.value.n_prompt_tokens, caught.value.n_ctx) == (0, 0)


class EndlessLine(httpx.AsyncByteStream):
    """A token's line that never ends: 64 KiB after 64 KiB, no newline, until closed."""

    def __init__(self) -> None:
        self.sent = 0
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield f"data: {CHUNK}\n\n".encode()
        yield b'data: {"choices":[{"delta":{"content":"'
        while True:
            self.sent += 65536
            yield b"A" * 65536
            await asyncio.sleep(0)

    async def aclose(self) -> None:
        self.closed = True


async def test_a_stream_line_past_the_cap_is_an_error_not_a_growing_buffer(
    llama_mock: respx.MockRouter,
) -> None:
    stream = EndlessLine()
    llama_mock.post("/v1/chat/completions").mock(
        return_value=httpx.Response(
            200, stream=stream, headers={"content-type": "text/event-stream"}
        )
    )
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        with pytest.raises(LLMError, match="longer than") as caught:
            await asyncio.wait_for(collect(LlamaClient(http)), 10)
    assert caught.value.to_dict()["upstream"] == "llama.cpp"
    assert stream.sent <= MAX_STREAM_LINE_CHARS + 65536
    assert stream.closed


async def test_line_separators_in_a_recorded_token_stay_in_the_token(
    llama_mock: respx.MockRouter,
) -> None:
    # llama.cpp writes U+2028, U+0085 and U+2029 into its JSON as they are (recorded); a reader
    # that splits lines as str.splitlines does would cut the chunk and fail the answer.
    llama_mock.post("/v1/chat/completions").mock(
        return_value=sse("chat-completions-stream-line-separators.sse.txt")
    )
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        chunks = await collect(LlamaClient(http))
    text = "".join(chunk.text for chunk in chunks if isinstance(chunk, TokenDelta))
    assert text == "Line\u2028break\x85next\u2029end"
    last = chunks[-1]
    assert isinstance(last, Completion)
    assert (last.finish_reason, last.prompt_tokens, last.completion_tokens) == ("stop", 31, 19)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("data: {chunk}\r\n\r\ndata: {finish}\r\n\r\n", id="crlf"),
        pytest.param("data: {chunk}\r\rdata: {finish}\r\r", id="cr"),
        pytest.param("data: {chunk}\n\ndata: {finish}", id="no-final-newline"),
    ],
)
async def test_every_sse_line_ending_is_read(llama_mock: respx.MockRouter, text: str) -> None:
    # A token holding U+2028 or U+0085 is one line: only CR and LF end an SSE line.
    chunk = CHUNK.replace("Hi", "H\u2028i\x85")
    finish = '{"choices":[{"finish_reason":"stop","index":0,"delta":{}}]}'
    llama_mock.post("/v1/chat/completions").mock(
        side_effect=raw_stream(text.format(chunk=chunk, finish=finish))
    )
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        chunks = await collect(LlamaClient(http))
    assert chunks == [TokenDelta("H\u2028i\x85"), Completion("stop", None, None, None)]


class EndlessErrorBody(httpx.AsyncByteStream):
    """An error answer whose body never ends (a proxy's, or a broken server's)."""

    def __init__(self) -> None:
        self.sent = 0
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"error":{"code":503,"message":"no slot available"'
        while True:
            self.sent += 65536
            yield b" " * 65536
            await asyncio.sleep(0)

    async def aclose(self) -> None:
        self.closed = True


async def test_an_endless_error_answer_is_read_in_part_only(llama_mock: respx.MockRouter) -> None:
    body = EndlessErrorBody()
    llama_mock.post("/v1/chat/completions").mock(
        return_value=httpx.Response(503, stream=body, headers={"content-type": "application/json"})
    )
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        with pytest.raises(LLMUnavailable, match="HTTP 503") as caught:
            await asyncio.wait_for(collect(LlamaClient(http)), 10)
    assert caught.value.to_dict()["upstream"] == "llama.cpp"
    assert body.sent <= 2 * 65536 and body.closed


@pytest.mark.parametrize(
    ("answer", "ready"),
    [
        pytest.param(httpx.Response(200, json=recorded("llama", "health-ok.json")), True, id="ok"),
        # LLAMA_URL at a web UI or a catch-all proxy: a page with a 200 is no model server.
        pytest.param(
            httpx.Response(
                200,
                text="<!doctype html><html><head><title>Open WebUI</title></head></html>",
                headers={"content-type": "text/html"},
            ),
            False,
            id="web-page",
        ),
        pytest.param(httpx.Response(200, json={"status": "error"}), False, id="other-status"),
    ],
)
async def test_health_is_ok_only_when_llama_cpp_says_so(
    llama_mock: respx.MockRouter, answer: httpx.Response, ready: bool
) -> None:
    llama_mock.get("/health").mock(return_value=answer)
    async with httpx.AsyncClient(base_url=LLAMA_URL) as http:
        client = LlamaClient(http)
        if ready:
            await client.health()
            return
        with pytest.raises(LLMUnavailable) as caught:
            await client.health()
    assert caught.value.message.startswith('llama.cpp /health did not answer {"status": "ok"}')
    assert "LLAMA_URL" in caught.value.message
