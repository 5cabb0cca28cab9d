"""Clients of `POST /v1/analyze/stream`, timed, with every way an analysis can fail named.

An analysis succeeds when the status is 200 and the last NDJSON event is `done`. Anything else
is a failure whose `reason` is a short key to tally (the HTTP status and error code, the error
event's code, the exception's type, or how the stream ended) and whose `detail` is the message.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

ANALYZE = "/v1/analyze/stream"
NDJSON = "application/x-ndjson"


@dataclass(slots=True)
class Outcome:
    """One client's analysis as it saw it; times in seconds from sending the request."""

    ok: bool = False
    reason: str | None = None
    detail: str | None = None
    status: int | None = None
    ttfb: float | None = None
    """Until the response's status line and headers arrived."""
    first_chunk: float | None = None
    """Until the first bytes of the body (the first event) arrived."""
    total: float | None = None
    tokens: int = 0
    left_at: float | None = None
    """Unix time a client that leaves early closed its connection."""


def analysis_body(namespace: str, limit: int) -> dict[str, Any]:
    """The request every client sends."""
    return {"filters": {"namespace": namespace}, "time_range": {"since": "30m"}, "limit": limit}


async def full_analysis(
    client: httpx.AsyncClient, body: dict[str, Any], deadline: float
) -> Outcome:
    """Read the whole stream, or give up after `deadline` seconds."""
    outcome = Outcome()
    started = time.perf_counter()
    try:
        async with asyncio.timeout(deadline):
            await _read_stream(client, body, outcome, started)
    except TimeoutError:
        outcome.reason = f"client gave up after {deadline:g} s"
    except httpx.HTTPError as exc:
        where = "before the response" if outcome.status is None else "mid-stream"
        outcome.reason = f"{type(exc).__name__} {where}"
        outcome.detail = str(exc) or None
    except ValueError as exc:
        outcome.reason, outcome.detail = "a line of the stream is not JSON", str(exc)
    outcome.total = time.perf_counter() - started
    return outcome


async def _read_stream(
    client: httpx.AsyncClient, body: dict[str, Any], outcome: Outcome, started: float
) -> None:
    async with client.stream("POST", ANALYZE, json=body, headers={"Accept": NDJSON}) as response:
        outcome.status = response.status_code
        outcome.ttfb = time.perf_counter() - started
        if response.status_code != 200:
            text = (await response.aread()).decode(errors="replace")
            code, message = _error_of(_json_or_none(text))
            outcome.reason = f"HTTP {response.status_code} {code}".strip()
            outcome.detail = message or text[:300]
            return
        pending = b""
        last: dict[str, Any] | None = None
        async for chunk in response.aiter_raw():
            if outcome.first_chunk is None:
                outcome.first_chunk = time.perf_counter() - started
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                if not line.strip():
                    continue
                last = json.loads(line)
                if last.get("type") == "token":
                    outcome.tokens += 1
                elif last.get("type") == "error" and outcome.reason is None:
                    code, message = _error_of(last)
                    outcome.reason, outcome.detail = f"error event {code}", message
    if outcome.reason is None:
        if last is not None and last.get("type") == "done":
            outcome.ok = True
        else:
            kind = "nothing" if last is None else repr(last.get("type"))
            outcome.reason = f"stream ended after {kind}, without done"


async def leave_after_first_token(
    client: httpx.AsyncClient, body: dict[str, Any], deadline: float
) -> Outcome:
    """Read the stream up to the model's first token, then close the connection.

    By then the service holds a generation slot and llama.cpp is streaming: leaving must close
    that stream upstream.
    """
    outcome = Outcome()
    started = time.perf_counter()
    try:
        async with (
            asyncio.timeout(deadline),
            client.stream("POST", ANALYZE, json=body, headers={"Accept": NDJSON}) as response,
        ):
            outcome.status = response.status_code
            outcome.ttfb = time.perf_counter() - started
            async for line in response.aiter_lines():
                if '"type":"token"' in line:
                    outcome.first_chunk = time.perf_counter() - started
                    break
        # Leaving the block closed the response; unread, its connection is dropped, not pooled.
        outcome.left_at = time.time()
        outcome.ok = outcome.status == 200 and outcome.first_chunk is not None
        if not outcome.ok:
            outcome.reason = f"HTTP {outcome.status}" if outcome.status != 200 else "no token"
    except TimeoutError:
        outcome.reason = f"client gave up after {deadline:g} s"
    except httpx.HTTPError as exc:
        outcome.reason = type(exc).__name__
        outcome.detail = str(exc) or None
    outcome.left_at = outcome.left_at or time.time()
    outcome.total = time.perf_counter() - started
    return outcome


async def all_at_once(count: int, client_run: Callable[[], Awaitable[Outcome]]) -> list[Outcome]:
    """Run `count` clients released together from one gate."""
    gate = asyncio.Event()

    async def one() -> Outcome:
        await gate.wait()
        return await client_run()

    tasks = [asyncio.create_task(one()) for _ in range(count)]
    await asyncio.sleep(0)  # every task is now waiting at the gate
    gate.set()
    return list(await asyncio.gather(*tasks))


def _json_or_none(text: str) -> dict[str, Any] | None:
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _error_of(body: dict[str, Any] | None) -> tuple[str, str | None]:
    """The `{"error": {"code", "message"}}` envelope's code and message, when there is one."""
    error = (body or {}).get("error")
    if not isinstance(error, dict):
        return "", None
    return str(error.get("code") or ""), str(error.get("message") or "") or None
