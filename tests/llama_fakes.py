"""Stand-ins for llama-server's template and tokenizer endpoints, in the recorded shapes.

The recordings (`fixtures/llama/apply-template.json`, `tokenize*.json`) hold one request each;
the service sends other prompts, so these build answers of the same shape for any request:
the ChatML template SmolLM2 uses (checked against the recording in `tests/clients`), and a
tokenizer that really counts what it is sent (words, punctuation runs and whitespace runs), so
fitting is exercised end to end and a prompt that grows costs more.
"""

from __future__ import annotations

import json
import re

import httpx
import respx

from tests.conftest import recorded, sse_bytes

_PIECE = re.compile(r"\s+|\w+|[^\w\s]+")


def chatml_template(request: httpx.Request) -> httpx.Response:
    """SmolLM2's ChatML template for any messages (the shape of `apply-template.json`)."""
    messages = json.loads(request.content)["messages"]
    parts = [f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages]
    return httpx.Response(200, json={"prompt": "".join(parts) + "<|im_start|>assistant\n"})


def pieces(text: str) -> list[str]:
    """The fake tokenizer's pieces; they join back to ``text``."""
    return _PIECE.findall(text)


def counting_tokenizer(request: httpx.Request) -> httpx.Response:
    """`/tokenize` for any content, shaped like `tokenize.json` / `tokenize-with-pieces.json`."""
    payload = json.loads(request.content)
    found = pieces(payload["content"])
    if payload.get("with_pieces"):
        tokens: list[object] = [{"id": 1000 + i, "piece": p} for i, p in enumerate(found)]
    else:
        tokens = [1000 + i for i in range(len(found))]
    return httpx.Response(200, json={"tokens": tokens})


def mock_llama(router: respx.MockRouter, *, stream: httpx.Response | None = None) -> None:
    """llama-server: recorded health and props, the stand-ins above, and a recorded stream."""
    router.get("/health").mock(return_value=httpx.Response(200, json={"status": "ok"}))
    router.get("/props").mock(
        return_value=httpx.Response(200, json=recorded("llama", "props.json"))
    )
    router.post("/apply-template").mock(side_effect=chatml_template)
    router.post("/tokenize").mock(side_effect=counting_tokenizer)
    router.post("/v1/chat/completions").mock(
        return_value=stream
        or httpx.Response(
            200,
            content=sse_bytes("chat-completions-stream.sse.txt"),
            headers={"content-type": "text/event-stream"},
        )
    )
