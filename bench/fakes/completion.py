"""One streamed chat completion of the fake llama.cpp: its chunks, its pace, its record.

The chunks are the recorded ones (`chat-completions-stream.sse.txt`) with a fresh id, the canned
answer's pieces as content, and the usage and timings of this completion.
"""

from __future__ import annotations

import asyncio
import copy
import json
import secrets
import string
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from bench.fakes.recorded import sse_chunks
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

_ID_CHARS = string.ascii_letters + string.digits


@dataclass(frozen=True, slots=True)
class RecordedChunks:
    """The four kinds of chunk of a recorded stream."""

    role: Mapping[str, Any]
    token: Mapping[str, Any]
    finish: Mapping[str, Any]
    usage: Mapping[str, Any]

    @classmethod
    def load(cls, path: Path) -> RecordedChunks:
        """The first chunk of each kind in the recorded stream at `path`."""
        chunks = sse_chunks(path)
        return cls(
            role=chunks[0],
            token=next(c for c in chunks if _content(c)),
            finish=next(c for c in chunks if _finished(c)),
            usage=next(c for c in chunks if "usage" in c),
        )


@dataclass(slots=True)
class StreamRecord:
    """One streaming chat request as the fake saw it."""

    opened_at: float
    """Unix time the request arrived."""
    prompt_tokens: int
    closed_at: float | None = None
    outcome: str | None = None
    """`finished`, `disconnected` (the client left first) or `cancelled` (server shutdown)."""
    slot_wait_seconds: float = 0.0
    tokens_sent: int = 0


class ChatEvents:
    """The chunks of one streamed completion, serialized in the recorded shape."""

    def __init__(
        self,
        chunks: RecordedChunks,
        *,
        model: str,
        pieces: Sequence[str],
        count: int,
        finish_reason: str,
        usage: bool,
        record: StreamRecord,
    ) -> None:
        self.count = count
        self._chunks, self._pieces, self._finish = chunks, pieces, finish_reason
        self._usage, self._record = usage, record
        self._common = {
            "created": int(time.time()),
            "id": "chatcmpl-" + "".join(secrets.choice(_ID_CHARS) for _ in range(32)),
            "model": model,
        }
        head, tail = _sse(self._chunk(chunks.token, content="@@piece@@")).split('"@@piece@@"')
        self._token_head, self._token_tail = head, tail

    def first(self) -> bytes:
        """The role chunk."""
        return _sse(self._chunk(self._chunks.role)).encode()

    def token(self, index: int) -> bytes:
        """The chunk carrying the `index`-th piece of the answer (repeated as needed)."""
        piece = self._pieces[index % len(self._pieces)]
        return f"{self._token_head}{json.dumps(piece)}{self._token_tail}".encode()

    def last(self, elapsed: float) -> bytes:
        """The finish chunk, the usage chunk when asked for, and `[DONE]`."""
        finish = self._chunk(self._chunks.finish)
        finish["choices"][0]["finish_reason"] = self._finish
        out = _sse(finish)
        if self._usage:
            usage = self._chunk(self._chunks.usage)
            prompt, done = self._record.prompt_tokens, self._record.tokens_sent
            usage["usage"] = {
                "completion_tokens": done,
                "prompt_tokens": prompt,
                "total_tokens": prompt + done,
                "prompt_tokens_details": {"cached_tokens": 0},
            }
            timings = usage["timings"]
            timings.update(cache_n=0, prompt_n=prompt, predicted_n=done)
            timings["predicted_ms"] = round(elapsed * 1000, 3)
            timings["predicted_per_second"] = done / elapsed if elapsed > 0 else 0.0
            out += _sse(usage)
        return (out + "data: [DONE]\n\n").encode()

    def _chunk(self, template: Mapping[str, Any], content: str | None = None) -> dict[str, Any]:
        chunk = copy.deepcopy(dict(template))
        chunk.update(self._common)
        if content is not None:
            chunk["choices"][0]["delta"] = {"content": content}
        return chunk


class ChatStream(Response):
    """The streamed completion: waits for a slot, sends the chunks, notices a departed client."""

    def __init__(
        self,
        events: ChatEvents,
        record: StreamRecord,
        *,
        slots: asyncio.Semaphore,
        tokens_per_second: float,
        closed: Callable[[StreamRecord, str], None],
    ) -> None:
        super().__init__(media_type="text/event-stream")
        self._events, self._record, self._slots = events, record, slots
        self._tokens_per_second = tokens_per_second
        self._closed = closed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Generate and watch for `http.disconnect` at once; whichever ends first stops both."""
        record = self._record
        try:
            async with anyio.create_task_group() as group:

                async def watch() -> None:
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    self._closed(record, "disconnected")
                    group.cancel_scope.cancel()

                group.start_soon(watch)
                await self._generate(send)
                self._closed(record, "finished")
                group.cancel_scope.cancel()
        except OSError:
            self._closed(record, "disconnected")
        finally:
            self._closed(record, "cancelled")

    async def _generate(self, send: Send) -> None:
        record, events = self._record, self._events
        waited = time.perf_counter()
        async with self._slots:
            record.slot_wait_seconds = time.perf_counter() - waited
            headers = [(b"content-type", b"text/event-stream")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": events.first(), "more_body": True})
            started = time.perf_counter()
            for index in range(events.count):
                due = started + (index + 1) / self._tokens_per_second
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                chunk = events.token(index)
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                record.tokens_sent += 1
            last = events.last(time.perf_counter() - started)
            await send({"type": "http.response.body", "body": last, "more_body": False})


def _content(chunk: Mapping[str, Any]) -> bool:
    return any((choice.get("delta") or {}).get("content") for choice in chunk["choices"])


def _finished(chunk: Mapping[str, Any]) -> bool:
    return any(choice.get("finish_reason") for choice in chunk["choices"])


def _sse(chunk: Mapping[str, Any]) -> str:
    return f"data: {json.dumps(chunk, separators=(',', ':'))}\n\n"
