"""llama.cpp `llama-server` client: props, exact token counts and streamed chat completions."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from log_analyzer.core.errors import (
    LLMContextExceeded,
    LLMError,
    LLMTimeout,
    LLMUnavailable,
)

Message = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ServerProps:
    """What the service needs from `/props`."""

    n_ctx: int
    """Context size of one slot (llama.cpp reports it per slot)."""
    total_slots: int
    model: str


@dataclass(frozen=True, slots=True)
class TokenDelta:
    """A piece of generated text."""

    text: str


@dataclass(frozen=True, slots=True)
class Completion:
    """End of a generation, with llama.cpp's own accounting when it sent one."""

    finish_reason: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    model: str | None


ChatChunk = TokenDelta | Completion


class LlamaClient:
    """Talks to llama-server through an injected `httpx.AsyncClient` based at the server."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def health(self) -> None:
        """Return when `/health` says ok; raise `LLMUnavailable` otherwise (503 while loading)."""
        response = await self._request("GET", "/health")
        if response.status_code != 200:
            raise _status_error(response)

    async def props(self) -> ServerProps:
        """Read the per-slot context size and slot count from `/props`."""
        body = await self._json("GET", "/props")
        try:
            n_ctx = int(body["default_generation_settings"]["n_ctx"])
        except (KeyError, TypeError, ValueError) as exc:
            raise LLMError("llama.cpp /props has no default_generation_settings.n_ctx") from exc
        slots = body.get("total_slots")
        model = body.get("model_alias") or body.get("model_path") or "unknown"
        return ServerProps(n_ctx, int(slots) if isinstance(slots, int) else 1, str(model))

    async def count_chat_tokens(self, messages: Sequence[Message]) -> int:
        """Exact prompt size of `messages`: chat template applied, then the model's tokenizer."""
        templated = await self._json("POST", "/apply-template", {"messages": list(messages)})
        prompt = templated.get("prompt")
        if not isinstance(prompt, str):
            raise LLMError("llama.cpp /apply-template returned no prompt")
        body = await self._json(
            "POST", "/tokenize", {"content": prompt, "add_special": True, "parse_special": True}
        )
        return len(_tokens(body))

    async def line_token_costs(self, lines: Sequence[str]) -> list[int]:
        """Tokens each line adds when the lines are joined by newlines, from one `/tokenize` call.

        Each token is charged to the line where its first byte lies, so the costs add up to the
        exact size of the joined text; a subset may differ by a token at a boundary, which the
        caller absorbs by re-counting the final prompt.
        """
        if not lines:
            return []
        text = "\n".join(lines)
        body = await self._json("POST", "/tokenize", {"content": text, "with_pieces": True})
        ends, offset = [], 0
        for line in lines:
            offset += len(line.encode()) + 1  # the newline belongs to the line before it
            ends.append(offset)
        costs = [0] * len(lines)
        position, index = 0, 0
        for token in _tokens(body):
            while index < len(ends) - 1 and position >= ends[index]:
                index += 1
            costs[index] += 1
            position += _piece_bytes(token)
        return costs

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
                    await response.aread()
                    raise _status_error(response)
                async for chunk in _parse_sse(response):
                    yield chunk
        except httpx.TimeoutException as exc:
            raise LLMTimeout(f"llama.cpp went silent ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise LLMUnavailable(f"lost llama.cpp: {type(exc).__name__}: {exc}") from exc

    async def _json(
        self, method: str, path: str, payload: Mapping[str, Any] | None = None
    ) -> Mapping[str, Any]:
        response = await self._request(method, path, payload)
        if response.status_code != 200:
            raise _status_error(response)
        try:
            body = response.json()
        except ValueError as exc:
            raise LLMError(f"llama.cpp {path} returned a body that is not JSON") from exc
        if not isinstance(body, dict):
            raise LLMError(f"llama.cpp {path} returned JSON that is not an object")
        return body

    async def _request(
        self, method: str, path: str, payload: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        try:
            return await self._http.request(method, path, json=payload)
        except httpx.TimeoutException as exc:
            raise LLMTimeout(f"llama.cpp {path} did not answer in time") from exc
        except httpx.TransportError as exc:
            raise LLMUnavailable(f"cannot reach llama.cpp: {type(exc).__name__}: {exc}") from exc


async def _parse_sse(response: httpx.Response) -> AsyncGenerator[ChatChunk, None]:
    finish: str | None = None
    usage: Mapping[str, Any] = {}
    model: str | None = None
    async for line in response.aiter_lines():
        if not line.startswith("data:"):
            continue  # blank separators, `:` keep-alive comments, unknown fields
        data = line[5:].strip()
        if data == "[DONE]":
            break
        try:
            chunk = json.loads(data)
        except ValueError as exc:
            raise LLMError("llama.cpp sent a stream chunk that is not JSON") from exc
        if "error" in chunk:
            raise _error_from_body(chunk, 500)
        model = chunk.get("model", model)
        if isinstance(chunk.get("usage"), dict):
            usage = chunk["usage"]
        elif isinstance(chunk.get("timings"), dict) and not usage:
            usage = _usage_from_timings(chunk["timings"])
        for choice in chunk.get("choices") or ():
            content = (choice.get("delta") or {}).get("content")
            if content:
                yield TokenDelta(content)
            if choice.get("finish_reason"):
                finish = choice["finish_reason"]
    else:
        if finish is None:
            raise LLMError("llama.cpp closed the stream before finishing the answer")
    yield Completion(finish, usage.get("prompt_tokens"), usage.get("completion_tokens"), model)


def _usage_from_timings(timings: Mapping[str, Any]) -> dict[str, int]:
    # Without `include_usage` llama.cpp still reports timings; they carry the same counts.
    usage: dict[str, int] = {}
    if isinstance(timings.get("prompt_n"), int):
        usage["prompt_tokens"] = int(timings.get("cache_n") or 0) + timings["prompt_n"]
    if isinstance(timings.get("predicted_n"), int):
        usage["completion_tokens"] = timings["predicted_n"]
    return usage


def _tokens(body: Mapping[str, Any]) -> list[Any]:
    tokens = body.get("tokens")
    if not isinstance(tokens, list):
        raise LLMError("llama.cpp /tokenize returned no token list")
    return tokens


def _piece_bytes(token: Any) -> int:
    piece = token.get("piece", "") if isinstance(token, dict) else ""
    return len(piece) if isinstance(piece, list) else len(str(piece).encode())


def _status_error(response: httpx.Response) -> LLMError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    return _error_from_body(body if isinstance(body, dict) else {}, response.status_code)


def _error_from_body(body: Mapping[str, Any], status: int) -> LLMError:
    found = body.get("error")
    error: Mapping[str, Any] = found if isinstance(found, dict) else {}
    kind = error.get("type")
    message = str(error.get("message") or f"HTTP {status}")
    if kind == "exceed_context_size_error":
        return LLMContextExceeded(
            f"llama.cpp: {message}",
            n_prompt_tokens=int(error.get("n_prompt_tokens", 0)),
            n_ctx=int(error.get("n_ctx", 0)),
        )
    if kind == "unavailable_error" or status == 503:
        return LLMUnavailable(f"llama.cpp is not available: {message}", status=status)
    return LLMError(f"llama.cpp failed: {message}", status=status, type=kind)
