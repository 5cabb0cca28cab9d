"""A fake llama.cpp `llama-server` for the load benchmark: recorded shapes, a fixed token rate.

Serves `GET /health`, `GET /props` (the recording, with `total_slots` and `n_ctx` set from the
options), `POST /apply-template` (the recorded ChatML template), `POST /tokenize` (a
deterministic tokenizer whose pieces join back to the exact text, ids and pieces as llama.cpp
returns them) and `POST /v1/chat/completions` with `stream: true`: the recorded SSE chunks, one
token every `1 / --tokens-per-second` s, then the chunk with `finish_reason`, the usage chunk and
`data: [DONE]`. Shapes come from `shared/contracts/llama-captured/`.

At most `--slots` generations run at once and the others wait, as llama.cpp queues them.
`GET /_bench/stats` says how many streaming requests are open now and lists each one with the
unix times it opened and closed and how it ended; a stream is closed the moment its last chunk
is sent or its client disconnects. `POST /_bench/reset` forgets the closed ones.

    python -m bench.fakes.llama --port 8080 [--tokens 200] [--tokens-per-second 50] [--slots 128]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import time
from dataclasses import asdict
from pathlib import Path

from bench.fakes.chatml import apply_template, tokenize
from bench.fakes.completion import ChatEvents, ChatStream, RecordedChunks, StreamRecord
from bench.fakes.recorded import CONTRACTS, recording, serve
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ANSWER = (
    "The payments database is the root cause: its connection pool is exhausted and ledger "
    "transactions deadlock, so payments answers 503, the checkout circuit breaker opens and the "
    "frontend returns 502 Bad Gateway. Check the ledger migration, then the HikariPool size. "
)
"""The canned answer, repeated as far as the token count asks."""


class FakeLlama:
    """Options, recorded chunks and the record of streams."""

    def __init__(
        self, contracts: Path, *, tokens: int, tokens_per_second: float, slots: int, n_ctx: int
    ) -> None:
        captured = contracts / "llama-captured"
        self.props = recording(captured / "props.json")
        self.props["total_slots"] = slots
        self.props["default_generation_settings"]["n_ctx"] = n_ctx
        self.health = recording(captured / "health-ok.json")
        self.context_error = recording(captured / "error-exceed-context-size.json")
        self.chunks = RecordedChunks.load(captured / "chat-completions-stream.sse.txt")
        self.model = str(self.props.get("model_alias", "model"))
        self.tokens = tokens
        self.tokens_per_second = tokens_per_second
        self.n_ctx = n_ctx
        self.slots = asyncio.Semaphore(slots)
        self.pieces = [piece for _, piece in tokenize(ANSWER)]
        self.streams: list[StreamRecord] = []
        self.open = 0
        self.max_open = 0
        self.calls: dict[str, int] = {}

    def opened(self, prompt_tokens: int) -> StreamRecord:
        """Count a new streaming request."""
        record = StreamRecord(time.time(), prompt_tokens)
        self.streams.append(record)
        self.open += 1
        self.max_open = max(self.max_open, self.open)
        return record

    def closed(self, record: StreamRecord, outcome: str) -> None:
        """Count a stream as closed, once, at the first reason given."""
        if record.closed_at is None:
            record.closed_at = time.time()
            record.outcome = outcome
            self.open -= 1

    def stream(self, prompt_tokens: int, max_tokens: int, usage: bool) -> ChatStream:
        """A new streamed completion of at most `max_tokens` tokens (-1: no limit)."""
        count = min(self.tokens, max_tokens) if max_tokens > 0 else self.tokens
        record = self.opened(prompt_tokens)
        events = ChatEvents(
            self.chunks,
            model=self.model,
            pieces=self.pieces,
            count=count,
            finish_reason="length" if count < self.tokens else "stop",
            usage=usage,
            record=record,
        )
        return ChatStream(
            events,
            record,
            slots=self.slots,
            tokens_per_second=self.tokens_per_second,
            closed=self.closed,
        )


def create_app(fake: FakeLlama) -> Starlette:
    """The HTTP face of `fake`."""

    def count(name: str) -> None:
        fake.calls[name] = fake.calls.get(name, 0) + 1

    async def health(_: Request) -> Response:
        return JSONResponse(fake.health)

    async def props(_: Request) -> Response:
        count("props")
        return JSONResponse(fake.props)

    async def template(request: Request) -> Response:
        count("apply_template")
        body = await request.json()
        return JSONResponse({"prompt": apply_template(body["messages"])})

    async def tokenize_endpoint(request: Request) -> Response:
        count("tokenize")
        body = await request.json()
        tokens = tokenize(str(body.get("content", "")), bool(body.get("parse_special", True)))
        if body.get("with_pieces"):
            return JSONResponse({"tokens": [{"id": i, "piece": p} for i, p in tokens]})
        return JSONResponse({"tokens": [i for i, _ in tokens]})

    async def chat(request: Request) -> Response:
        count("chat_completions")
        body = await request.json()
        if not body.get("stream"):
            return _error(400, "this fake only streams: send stream=true", "invalid_request_error")
        prompt = len(tokenize(apply_template(body.get("messages", []))))
        if prompt > fake.n_ctx:
            error = copy.deepcopy(fake.context_error["body"])
            error["error"].update(
                message=f"request ({prompt} tokens) exceeds the available context size "
                f"({fake.n_ctx} tokens), try increasing it",
                n_prompt_tokens=prompt,
                n_ctx=fake.n_ctx,
            )
            return JSONResponse(error, status_code=fake.context_error["status"])
        max_tokens = int(body.get("max_tokens") or body.get("n_predict") or -1)
        usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return fake.stream(prompt, max_tokens, usage)

    async def stats(_: Request) -> Response:
        return JSONResponse(
            {
                "open": fake.open,
                "max_open": fake.max_open,
                "calls": fake.calls,
                "streams": [asdict(record) for record in fake.streams],
            }
        )

    async def reset(_: Request) -> Response:
        fake.streams = [record for record in fake.streams if record.closed_at is None]
        fake.max_open = fake.open
        fake.calls = {}
        return JSONResponse({"open": fake.open})

    return Starlette(
        routes=[
            Route("/health", health),
            Route("/props", props),
            Route("/apply-template", template, methods=["POST"]),
            Route("/tokenize", tokenize_endpoint, methods=["POST"]),
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/_bench/stats", stats),
            Route("/_bench/reset", reset, methods=["POST"]),
        ]
    )


def _error(status: int, message: str, kind: str) -> Response:
    return JSONResponse({"error": {"code": status, "message": message, "type": kind}}, status)


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake llama.cpp llama-server.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tokens", type=int, default=200, help="tokens per answer")
    parser.add_argument("--tokens-per-second", type=float, default=50.0)
    parser.add_argument("--slots", type=int, default=128, help="total_slots in /props")
    parser.add_argument("--n-ctx", type=int, default=4096, help="context size of one slot")
    parser.add_argument("--contracts", type=Path, default=CONTRACTS)
    args = parser.parse_args()
    fake = FakeLlama(
        args.contracts,
        tokens=args.tokens,
        tokens_per_second=args.tokens_per_second,
        slots=args.slots,
        n_ctx=args.n_ctx,
    )
    serve(create_app(fake), args.port)


if __name__ == "__main__":
    main()
