"""The ASGI application: `create_app()` wires settings, telemetry, upstream clients and routes.

`log_analyzer.main:app` is created on first access, not at import, so importing this module never
reads the environment.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache

import httpx
from fastapi import FastAPI
from opentelemetry.sdk.trace.export import SpanExporter

from log_analyzer import __version__
from log_analyzer.analysis.limiter import GenerationLimiter
from log_analyzer.api.dependencies import Services
from log_analyzer.api.errors import install_error_handlers
from log_analyzer.api.routes import analyze, health, recipes
from log_analyzer.clients.llm import LlamaClient
from log_analyzer.clients.loki import LokiClient, RetryPolicy
from log_analyzer.clients.protocols import LLMBackend, LogSource
from log_analyzer.core.config import Settings, get_settings
from log_analyzer.core.logging import configure_logging
from log_analyzer.core.telemetry import (
    TRACER_NAME,
    build_tracer_provider,
    instrument_app,
    instrument_client,
)


def create_app(
    settings: Settings | None = None,
    *,
    span_exporter: SpanExporter | None = None,
    log_source: LogSource | None = None,
    llm: LLMBackend | None = None,
) -> FastAPI:
    """Build the application; tests inject settings, an exporter and fakes for the upstreams."""
    settings = settings or get_settings()
    provider = build_tracer_provider(settings, span_exporter)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        loki_http = httpx.AsyncClient(
            base_url=str(settings.loki_url),
            timeout=httpx.Timeout(
                settings.loki_timeout_seconds, connect=settings.loki_connect_timeout_seconds
            ),
        )
        headers = {}
        if settings.llama_api_key is not None:
            headers["Authorization"] = f"Bearer {settings.llama_api_key.get_secret_value()}"
        llama_http = httpx.AsyncClient(
            base_url=str(settings.llama_url),
            headers=headers,
            timeout=httpx.Timeout(
                settings.llama_read_timeout_seconds,
                connect=settings.llama_connect_timeout_seconds,
            ),
        )
        for client in (loki_http, llama_http):
            instrument_client(client, provider)
        backend = llm or LlamaClient(llama_http)

        async def slot_count() -> int:
            return (await backend.props()).total_slots

        app.state.services = Services(
            settings=settings,
            logs=log_source or LokiClient(loki_http, settings.loki_tenant, loki_retry(settings)),
            llm=backend,
            tracer=provider.get_tracer(TRACER_NAME, __version__),
            limiter=GenerationLimiter(
                settings.llm_max_concurrency, settings.llm_queue_timeout_seconds, slot_count
            ),
        )
        try:
            yield
        finally:
            await loki_http.aclose()
            await llama_http.aclose()
            provider.shutdown()

    app = FastAPI(
        title="log-analyzer",
        version=__version__,
        summary="Streamed incident triage from Loki logs with a local llama.cpp model.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(analyze.router)
    app.include_router(recipes.router)
    instrument_app(app, provider)
    return app


def loki_retry(settings: Settings) -> RetryPolicy:
    """The Loki retry policy the settings ask for."""
    return RetryPolicy(
        attempts=settings.loki_retry_attempts,
        deadline_seconds=settings.loki_retry_deadline_seconds,
    )


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
