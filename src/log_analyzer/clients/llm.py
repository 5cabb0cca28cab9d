"""llama.cpp `llama-server` client: props, exact token counts and streamed chat completions.

The streamed answer is read by `clients.sse`, error answers by `clients.error_answers`, the
tokenizer's pieces by `clients.tokenize`; the values it returns are the seam's
(`clients.protocols`).

`/props` is read once and reused for `llama_props_ttl_seconds` (and read again after any failure),
and the chat template's shape is learned once, so pricing a prompt costs one `/tokenize` call.
Every call but the stream has a short deadline of its own: a hung `/props` must not hold a
request for the stream's long read timeout.
"""

from __future__ import annotations

import asyncio
import time
from bisect import bisect_left
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import httpx

from log_analyzer.clients.error_answers import start_of, status_error
from log_analyzer.clients.protocols import Message, PricedPrompt, ServerProps
from log_analyzer.clients.sse import ChatChunk, parse_sse
from log_analyzer.clients.tokenize import markers_in, piece_sizes
from log_analyzer.core.errors import LLMError, LLMTimeout, LLMUnavailable

_PROBE_SYSTEM = "\x1esystem-probe\x1e"
_PROBE_USER = "\x1euser-probe\x1e"


@dataclass(frozen=True, slots=True)
class ChatShape:
    """How the chat template wraps a system and a user message: text around both contents."""

    prefix: str
    middle: str
    suffix: str

    def apply(self, system: str, user: str) -> str:
        """The templated prompt of a system and a user message."""
        return f"{self.prefix}{system}{self.middle}{user}{self.suffix}"


class LlamaClient:
    """Talks to llama-server through an injected `httpx.AsyncClient` based at the server."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        call_timeout: float = 5.0,
        props_ttl: float = 60.0,
    ) -> None:
        self._http = http
        self._timeout = httpx.Timeout(call_timeout)
        self._ttl = props_ttl
        self._props: tuple[ServerProps, float] | None = None
        self._props_read: asyncio.Future[ServerProps] | None = None
        self._shape: ChatShape | None = None
        self._shape_known = False

    async def health(self) -> None:
        """Return when `/health` says ok; raise `LLMUnavailable` otherwise (503 while loading)."""
        response = await self._request("GET", "/health")
        if response.status_code != 200:
            raise status_error(response.status_code, response.content)
        try:
            ok = response.json().get("status") == "ok"
        except (ValueError, AttributeError):  # not JSON, or JSON but not an object
            ok = False
        if not ok:  # a 200 from something else: a web UI or a catch-all proxy at LLAMA_URL
            start = " ".join(response.text[:120].split())
            raise LLMUnavailable(
                f'llama.cpp /health did not answer {{"status": "ok"}} but {start!r}: LLAMA_URL '
                "should be llama-server's own address"
            )

    async def props(self) -> ServerProps:
        """The per-slot context size and slot count, from `/props` at most once per TTL.

        Every request that finds them stale waits for the same read and gets its outcome: a
        server that does not answer fails them all at the call's deadline, not one after the
        other. A request that leaves does not cancel the read the others wait for.
        """
        cached = self._props
        if cached is not None and time.monotonic() - cached[1] < self._ttl:
            return cached[0]
        if self._props_read is None:
            self._props_read = asyncio.ensure_future(self._refresh_props())
            self._props_read.add_done_callback(self._props_read_done)
        return await asyncio.shield(self._props_read)

    async def _refresh_props(self) -> ServerProps:
        props = await self._read_props()
        self._props = (props, time.monotonic())
        return props

    def _props_read_done(self, read: asyncio.Future[ServerProps]) -> None:
        self._props_read = None
        if not read.cancelled():
            read.exception()  # told to whoever waited; none may have, once all left

    def forget(self) -> None:
        """Drop what was learned of the server (it failed; it may have restarted differently)."""
        self._props = None
        self._shape, self._shape_known = None, False

    async def _read_props(self) -> ServerProps:
        body = await self._json("GET", "/props")
        try:
            n_ctx = int(body["default_generation_settings"]["n_ctx"])
        except (KeyError, TypeError, ValueError, OverflowError) as exc:  # 1e400 reads as inf
            raise LLMError("llama.cpp /props has no default_generation_settings.n_ctx") from exc
        if n_ctx <= 0:
            raise LLMError(f"llama.cpp /props reports a context of {n_ctx} tokens (n_ctx)")
        slots = body.get("total_slots")
        model = body.get("model_alias") or body.get("model_path") or "unknown"
        return ServerProps(n_ctx, slots if isinstance(slots, int) and slots > 0 else 1, str(model))

    async def count_chat_tokens(self, messages: Sequence[Message]) -> int:
        """Exact prompt size of `messages`: chat template applied, then the model's tokenizer."""
        prompt, _ = await self._templated(messages)
        return len(await self._tokens(prompt, pieces=False))

    async def price_chat(
        self, messages: Sequence[Message], spans: Sequence[tuple[int, int]]
    ) -> PricedPrompt:
        """The prompt's exact size and the tokens of each span of the last message's content.

        ``spans`` are ``(start, end)`` character offsets in the last message's content, in
        order and not overlapping. Each token is charged to the span where its first byte lies
        (a span owns the newline after it), so costs add up; a subset of them may differ by a
        token at a boundary, which the caller absorbs by counting the final prompt.
        """
        prompt, user_at = await self._templated(messages)
        tokens = await self._tokens(prompt, pieces=True)
        # Byte offset where each token starts; a span owns the tokens starting in it.
        starts = list(accumulate(piece_sizes(tokens), initial=0))[:-1]
        content = messages[-1]["content"]
        content_at = len(prompt[:user_at].encode())
        markers = markers_in(tokens, starts, content_at, content_at + len(content.encode()))
        costs = []
        position, cursor = content_at, 0
        for start, end in spans:
            position += len(content[cursor:start].encode())
            first = position
            position += len(content[start:end].encode()) + 1  # with its newline
            costs.append(bisect_left(starts, position) - bisect_left(starts, first))
            cursor = end + 1
        return PricedPrompt(len(tokens), costs, markers)

    async def _templated(self, messages: Sequence[Message]) -> tuple[str, int]:
        """The templated prompt, and where the last message's content starts in it."""
        shape = await self._chat_shape()
        if shape is not None and len(messages) == 2 and messages[0]["role"] == "system":
            system, user = messages[0]["content"], messages[1]["content"]
            return shape.apply(system, user), len(shape.prefix) + len(system) + len(shape.middle)
        prompt = await self._apply_template(messages)
        last = messages[-1]["content"]
        at = prompt.rfind(last)
        if at < 0:
            raise LLMError("llama.cpp's chat template changed the message; cannot price it")
        return prompt, at

    async def _chat_shape(self) -> ChatShape | None:
        """Learn once how the template wraps a system and a user message (None: it rewrites)."""
        if not self._shape_known:
            probe = [
                {"role": "system", "content": _PROBE_SYSTEM},
                {"role": "user", "content": _PROBE_USER},
            ]
            prompt = await self._apply_template(probe)
            before, found, rest = prompt.partition(_PROBE_SYSTEM)
            middle, found_user, suffix = rest.partition(_PROBE_USER)
            if found and found_user and _PROBE_SYSTEM not in rest and _PROBE_USER not in suffix:
                self._shape = ChatShape(before, middle, suffix)
            self._shape_known = True
        return self._shape

    async def _apply_template(self, messages: Sequence[Message]) -> str:
        templated = await self._json("POST", "/apply-template", {"messages": list(messages)})
        prompt = templated.get("prompt")
        if not isinstance(prompt, str):
            raise LLMError("llama.cpp /apply-template returned no prompt")
        return prompt

    async def _tokens(self, text: str, *, pieces: bool) -> list[Any]:
        payload: dict[str, Any] = {"content": text, "add_special": True, "parse_special": True}
        if pieces:
            payload["with_pieces"] = True
        body = await self._json("POST", "/tokenize", payload)
        tokens = body.get("tokens")
        if not isinstance(tokens, list):
            raise LLMError("llama.cpp /tokenize returned no token list")
        return tokens

    async def stream_chat(
        self, messages: Sequence[Message], *, max_tokens: int, temperature: float, model: str
    ) -> AsyncGenerator[ChatChunk, None]:
        """Stream a chat completion; closing the iterator closes the socket and frees the slot."""
        payload = {
            "model": model,
            "messages": list(messages),
            "stream": True,
            "stream_options": {"include_usage": True},
            "cache_prompt": True,
            "temperature": temperature,
            "max_tokens": max_tokens,
        }
        try:
            async with self._http.stream("POST", "/v1/chat/completions", json=payload) as response:
                if response.status_code != 200:
                    start = await start_of(response)
                    if response.status_code >= 500:
                        self.forget()
                    raise status_error(response.status_code, start)
                async for chunk in parse_sse(response):
                    yield chunk
        except httpx.TimeoutException as exc:
            self.forget()
            raise LLMTimeout(f"llama.cpp went silent ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            self.forget()
            raise LLMUnavailable(f"lost llama.cpp: {type(exc).__name__}: {exc}") from exc

    async def _json(
        self, method: str, path: str, payload: Mapping[str, Any] | None = None
    ) -> Mapping[str, Any]:
        response = await self._request(method, path, payload)
        if response.status_code != 200:
            if response.status_code >= 500:  # loading, or failing: it may come back different
                self.forget()
            raise status_error(response.status_code, response.content)
        try:
            body = response.json()
        except (ValueError, RecursionError) as exc:
            self.forget()
            raise LLMError(f"llama.cpp {path} returned a body that is not JSON") from exc
        if not isinstance(body, dict):
            raise LLMError(f"llama.cpp {path} returned JSON that is not an object")
        return body

    async def _request(
        self, method: str, path: str, payload: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        try:
            # One deadline for the whole call: connect, send, and every read of the body.
            async with asyncio.timeout(self._timeout.read):
                return await self._http.request(method, path, json=payload, timeout=self._timeout)
        except (TimeoutError, httpx.TimeoutException) as exc:
            self.forget()
            raise LLMTimeout(f"llama.cpp {path} did not answer in time") from exc
        except httpx.TransportError as exc:
            self.forget()
            raise LLMUnavailable(f"cannot reach llama.cpp: {type(exc).__name__}: {exc}") from exc
