"""llama.cpp's streamed answer, read: server-sent events in, tokens and the end out.

Only CR and LF end a line (llama.cpp writes U+2028, U+0085 and U+2029 into its JSON as they
are, and httpx's ``aiter_lines`` would split on them as ``str.splitlines`` does), and no line
may grow past `MAX_STREAM_LINE_CHARS`. A chunk that is not what llama.cpp documents, an error
event, or a stream that ends before a finish reason, is an `LLMError`. Errors in llama.cpp's
envelope map onto the error tree here too (`error_from_body`), for the stream and every call.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from log_analyzer.core.errors import LLMContextExceeded, LLMError, LLMUnavailable

MAX_STREAM_LINE_CHARS = 1 << 20
"""Longest line of the answer's event stream read (llama.cpp's are under a few KiB): a server
that never ends a line must not grow a buffer until the deadline."""
_LINE_END = re.compile(r"\r\n|\r|\n")


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


async def parse_sse(response: httpx.Response) -> AsyncGenerator[ChatChunk, None]:
    """The tokens of a streamed chat completion, then its `Completion`."""
    finish: str | None = None
    usage: Mapping[str, Any] = {}
    model: str | None = None
    async for line in _lines(response):
        if not line.startswith("data:"):
            continue  # blank separators, `:` keep-alive comments, unknown fields
        data = line[5:].strip()
        if data == "[DONE]":
            break
        chunk = _chunk(data)
        if "error" in chunk:
            raise error_from_body(chunk, 500)
        if isinstance(chunk.get("model"), str):
            model = chunk["model"]
        if isinstance(chunk.get("usage"), dict):
            usage = chunk["usage"]
        elif isinstance(chunk.get("timings"), dict) and not usage:
            usage = _usage_from_timings(chunk["timings"])
        for content, reason in _choices(chunk):
            if content:
                yield TokenDelta(content)
            if reason:
                finish = reason
    else:
        if finish is None:
            raise LLMError("llama.cpp closed the stream before finishing the answer")
    yield Completion(finish, _count(usage, "prompt_tokens"), _count(usage, "completion_tokens"),
                     model)  # fmt: skip


async def _lines(response: httpx.Response) -> AsyncGenerator[str, None]:
    """The lines of an event stream (a CR LF split across reads may add an empty one)."""
    pending: list[str] = []
    size = 0
    async for text in response.aiter_text():
        *ended, rest = _LINE_END.split(text)
        if ended:
            ended[0] = "".join((*pending, ended[0]))
            pending, size = [], 0
            for line in ended:
                yield line
        if rest:
            pending.append(rest)
            size += len(rest)
            if size > MAX_STREAM_LINE_CHARS:
                raise LLMError(
                    f"llama.cpp sent a stream line longer than {MAX_STREAM_LINE_CHARS:,} characters"
                )
    if pending:
        yield "".join(pending)


def _chunk(data: str) -> Mapping[str, Any]:
    try:
        chunk = json.loads(data)
    except (ValueError, RecursionError) as exc:  # nested past the recursion limit: the latter
        raise LLMError("llama.cpp sent a stream chunk that is not JSON") from exc
    if not isinstance(chunk, dict):
        raise LLMError(
            f"llama.cpp sent a stream chunk that is not a JSON object ({type(chunk).__name__})"
        )
    return chunk


def _choices(chunk: Mapping[str, Any]) -> list[tuple[str | None, str | None]]:
    """``(content, finish_reason)`` of each choice of a chunk; a malformed one is an error."""
    choices = chunk.get("choices")
    if choices is None:
        return []
    if not isinstance(choices, list):
        raise LLMError("llama.cpp sent a stream chunk whose choices are not a list")
    found = []
    for choice in choices:
        delta = choice.get("delta") if isinstance(choice, dict) else None
        if not isinstance(choice, dict) or not isinstance(delta, dict | None):
            raise LLMError("llama.cpp sent a stream chunk with a malformed choice")
        content = (delta or {}).get("content")
        reason = choice.get("finish_reason")
        found.append(
            (
                content if isinstance(content, str) else None,
                reason if isinstance(reason, str) else None,
            )
        )
    return found


def _count(usage: Mapping[str, Any], key: str) -> int | None:
    value = usage.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _usage_from_timings(timings: Mapping[str, Any]) -> dict[str, int]:
    # Without `include_usage` llama.cpp still reports timings; they carry the same counts.
    usage: dict[str, int] = {}
    prompt_n, cache_n = _count(timings, "prompt_n"), _count(timings, "cache_n")
    if prompt_n is not None:
        usage["prompt_tokens"] = (cache_n or 0) + prompt_n
    predicted_n = _count(timings, "predicted_n")
    if predicted_n is not None:
        usage["completion_tokens"] = predicted_n
    return usage


def error_from_body(body: Mapping[str, Any], status: int) -> LLMError:
    """The error of llama.cpp's envelope (``{"error": {"type", "message"}}``) and status."""
    found = body.get("error")
    error: Mapping[str, Any] = found if isinstance(found, dict) else {}
    kind = error.get("type")
    message = str(error.get("message") or f"HTTP {status}")
    if kind == "exceed_context_size_error":
        return LLMContextExceeded(
            f"llama.cpp: {message}",
            n_prompt_tokens=_count(error, "n_prompt_tokens") or 0,
            n_ctx=_count(error, "n_ctx") or 0,
        )
    if kind == "unavailable_error" or status == 503:
        return LLMUnavailable(f"llama.cpp is not available: {message}", status=status)
    return LLMError(f"llama.cpp failed: {message}", status=status, type=kind)
