"""llama.cpp's error answers: read their start, map them onto the error tree.

The envelope itself is mapped by :func:`~log_analyzer.clients.sse.error_from_body`, the same for
the stream's error events and every call's error status.
"""

from __future__ import annotations

import json

import httpx

from log_analyzer.clients.sse import error_from_body
from log_analyzer.core.errors import LLMError

MAX_ERROR_BYTES = 65_536
"""Of an error answer to the stream, the bytes read for its message."""


async def start_of(response: httpx.Response) -> bytes:
    """The first bytes of an error answer: llama.cpp's envelope is small; the rest is not read."""
    parts, size = [], 0
    async for part in response.aiter_bytes():
        parts.append(part)
        size += len(part)
        if size >= MAX_ERROR_BYTES:
            break
    return b"".join(parts)[:MAX_ERROR_BYTES]


def status_error(status: int, content: bytes) -> LLMError:
    """The error an answer with ``status`` and the start of its body, ``content``, stands for."""
    try:
        body = json.loads(content)
    except (ValueError, RecursionError):  # nested past the recursion limit: the latter
        body = {}
    return error_from_body(body if isinstance(body, dict) else {}, status)
