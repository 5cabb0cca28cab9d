"""What the terminal commands share: request validation, upstream clients, a progress spinner."""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TextIO, TypeVar

import httpx
from pydantic import ValidationError

from log_analyzer.analysis.fetch import AnalysisRequest
from log_analyzer.api.models import AnalyzeRequest
from log_analyzer.api.routes.analyze import to_analysis_request
from log_analyzer.core.config import Settings
from log_analyzer.core.errors import ServiceError

EXIT_INPUT = 2
EXIT_UPSTREAM = 3


M = TypeVar("M", bound=AnalyzeRequest)


def validated(
    model: type[M], raw: dict[str, Any], settings: Settings
) -> tuple[M, AnalysisRequest] | None:
    """The request checked by the same rules as the API; problems printed, None returned."""
    try:
        body = model.model_validate(raw)
        return body, to_analysis_request(body, settings)
    except ValidationError as exc:
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            print(f"invalid {field}: {err['msg'].removeprefix('Value error, ')}", file=sys.stderr)
    except ServiceError as exc:
        print(f"invalid input: {exc.message}", file=sys.stderr)
    return None


@asynccontextmanager
async def upstream_clients(
    settings: Settings,
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """`(loki, llama)` HTTP clients with the configured timeouts."""
    loki_timeout = httpx.Timeout(
        settings.loki_timeout_seconds, connect=settings.loki_connect_timeout_seconds
    )
    llama_timeout = httpx.Timeout(
        settings.llama_read_timeout_seconds, connect=settings.llama_connect_timeout_seconds
    )
    async with (
        httpx.AsyncClient(base_url=str(settings.loki_url), timeout=loki_timeout) as loki,
        httpx.AsyncClient(base_url=str(settings.llama_url), timeout=llama_timeout) as llama,
    ):
        yield loki, llama


@asynccontextmanager
async def spinner(message: str, stream: TextIO | None = None) -> AsyncIterator[None]:
    """Show `message` with a spinner on a terminal (one plain line otherwise) while work runs."""
    out = stream or sys.stderr
    if not out.isatty():
        print(f"{message}...", file=out, flush=True)
        yield
        return

    async def spin() -> None:
        for frame in itertools.cycle("|/-\\"):
            out.write(f"\r{message} {frame}")
            out.flush()
            await asyncio.sleep(0.1)

    task = asyncio.create_task(spin())
    try:
        yield
    finally:
        task.cancel()
        out.write("\r" + " " * (len(message) + 2) + "\r")
        out.flush()
