"""What the terminal commands share: validation, the services, streaming a run, a spinner.

A command goes through the same service layer as the HTTP routes (`log_analyzer.service`): the
same request models, the same checks, the same `Run`; only the output is text on a terminal.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing, asynccontextmanager
from typing import Any, TextIO, TypeVar

from pydantic import BaseModel, ValidationError

from log_analyzer.analysis.events import ErrorEvent
from log_analyzer.analysis.run import Run
from log_analyzer.api.encoders import text_stream
from log_analyzer.core.config import Settings
from log_analyzer.core.errors import InputError, ServiceError
from log_analyzer.core.telemetry import build_tracer_provider
from log_analyzer.core.workers import WorkerPool
from log_analyzer.logs.terminal_text import inert_text
from log_analyzer.service.runs import Services, open_services

EXIT_INPUT = 2
EXIT_UPSTREAM = 3

M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], raw: dict[str, Any]) -> M | None:
    """The request body checked by the API's own model; problems printed, None returned."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            print(f"invalid {field}: {err['msg'].removeprefix('Value error, ')}", file=sys.stderr)
    return None


@asynccontextmanager
async def services_for(settings: Settings) -> AsyncIterator[Services]:
    """The services of one command: no span export, CPU work in a thread (one request)."""
    provider = build_tracer_provider(settings.model_copy(update={"otel_enabled": False}))
    try:
        async with open_services(settings, provider, workers=WorkerPool(0)) as services:
            yield services
    finally:
        provider.shutdown()


async def run_command(
    settings: Settings,
    make_run: Callable[[Services], Run],
    out: TextIO,
    *,
    progress: str | None = None,
    prepare: Callable[[Services], Any] | None = None,
) -> int:
    """Build a run with the services, then stream it as text; the exit code says how it ended.

    ``prepare`` (optional, awaited) may look at the services before the run is built.
    """
    async with services_for(settings) as services:
        if prepare is not None:
            await prepare(services)
        try:
            run = make_run(services)
        except InputError as exc:
            # "invalid filters.pod: ...", which may quote the value given
            print(f"invalid {inert_text(exc.message)}", file=sys.stderr)
            return EXIT_INPUT
        return await stream_run(run, out, progress)


async def stream_run(run: Run, out: TextIO, progress: str | None = None) -> int:
    """Run to its end, writing each event as text; 0, or `EXIT_UPSTREAM` when it failed."""
    async with run:
        try:
            if progress is None:
                head = await run.prepare()
            else:
                async with spinner(progress):
                    head = await run.prepare()
        except ServiceError as exc:
            # A store's message quotes its own answer, which may quote anything.
            print(f"error [{exc.code}]: {inert_text(exc.message)}", file=sys.stderr)
            return EXIT_UPSTREAM
        failed = False
        # aclosing: a terminal or pipe that fails mid-answer closes the llama.cpp request now.
        encode = text_stream()
        async with aclosing(run.events(head)) as events:
            async for event in events:
                out.write(encode(event))
                out.flush()
                failed = failed or isinstance(event, ErrorEvent)
    return EXIT_UPSTREAM if failed else 0


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
