"""The ASGI application: `create_app()` wires settings, telemetry, the services and routes.

`log_analyzer.main:app` is created on first access, not at import, so importing this module never
reads the environment.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from functools import lru_cache

from fastapi import FastAPI
from opentelemetry.sdk.trace.export import SpanExporter
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.types import ASGIApp

from log_analyzer import __version__
from log_analyzer.api.errors import DeclaredBodyLimit, install_error_handlers
from log_analyzer.api.routes import analyze, health, recipes
from log_analyzer.clients.protocols import LLMBackend
from log_analyzer.core.config import Settings, get_settings
from log_analyzer.core.logging import configure_logging
from log_analyzer.core.runtime import freeze_startup_objects
from log_analyzer.core.telemetry import build_tracer_provider, instrument_app
from log_analyzer.core.workers import WorkerPool
from log_analyzer.service.runs import log_line_scrubber, open_services, scrubber
from log_analyzer.sources.base import LogSource


class _App(FastAPI):
    """FastAPI, with a declared body over ``max_body_size`` refused in our error envelope.

    FastAPI answers that case itself, in plain text, from a middleware outside every one an
    application adds; so the check goes just inside the outermost one, which the OpenTelemetry
    instrumentation expects to find on top.
    """

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        if self.max_body_size is not None and isinstance(stack, ServerErrorMiddleware):
            stack.app = DeclaredBodyLimit(stack.app, self.max_body_size)
        return stack


def create_app(
    settings: Settings | None = None,
    *,
    span_exporter: SpanExporter | None = None,
    log_source: LogSource | None = None,
    sources: Mapping[str, LogSource] | None = None,
    llm: LLMBackend | None = None,
    workers: WorkerPool | None = None,
) -> FastAPI:
    """Build the application; tests inject settings, an exporter, fakes and a worker pool.

    ``log_source`` is a shorthand for ``sources={log_source.name: log_source}``.
    """
    settings = settings or get_settings()
    scrub = scrubber(settings)
    provider = build_tracer_provider(settings, span_exporter, scrub)
    if log_source is not None:
        sources = {log_source.name: log_source}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level, scrub=log_line_scrubber(settings))
        try:
            async with open_services(
                settings, provider, sources=sources, llm=llm, workers=workers
            ) as services:
                app.state.services = services
                freeze_startup_objects()
                yield
        finally:
            provider.shutdown()

    app = _App(
        title="log-analyzer",
        version=__version__,
        summary="Streamed incident triage from Loki logs with a local llama.cpp model.",
        lifespan=lifespan,
        max_body_size=settings.max_request_bytes,
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(analyze.router)
    app.include_router(recipes.router)
    instrument_app(app, provider)
    return app


@lru_cache
def _default_app() -> FastAPI:
    return create_app()


def __getattr__(name: str) -> FastAPI:
    """Create `app` lazily, for `uvicorn log_analyzer.main:app` and `fastapi dev`."""
    if name == "app":
        return _default_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """List `app` too, so tools that discover the application by name (fastapi-cli) find it."""
    return [*globals(), "app"]
