"""Tracing, set up once: resource, exporter, and the FastAPI and httpx instrumentation.

Production exports over OTLP/gRPC to Tempo; tests pass an in-memory exporter. Streamed bodies send
one ASGI message per chunk, and a span per chunk would bury the useful ones, so the ASGI
`http send` spans are not recorded at all.
"""

from __future__ import annotations

import logging

import httpx
from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter

from log_analyzer.core.config import Settings

SERVICE_NAME = "log-analyzer"
TRACER_NAME = "log_analyzer"
logger = logging.getLogger(__name__)


def build_tracer_provider(
    settings: Settings, exporter: SpanExporter | None = None
) -> TracerProvider:
    """A provider with the service resource; spans go to `exporter`, or to OTLP when enabled."""
    resource = Resource.create(
        {
            "service.name": SERVICE_NAME,
            "service.version": settings.version,
            "deployment.environment": settings.deployment_environment,
            "deployment.environment.name": settings.deployment_environment,
        }
    )
    provider = TracerProvider(resource=resource)
    if exporter is not None:
        # An injected exporter (tests, tools) sees each span as soon as it ends.
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif settings.otel_enabled:
        otlp = _otlp_exporter(settings)
        if otlp is not None:
            provider.add_span_processor(BatchSpanProcessor(otlp))
    return provider


def _otlp_exporter(settings: Settings) -> SpanExporter | None:
    try:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        endpoint = str(settings.otel_exporter_otlp_endpoint)
        return OTLPSpanExporter(endpoint=endpoint, insecure=endpoint.startswith("http://"))
    except Exception:  # a broken exporter must not stop the service from serving
        logger.exception("OTLP exporter unavailable; spans will not be exported")
        return None


def instrument_app(app: FastAPI, provider: TracerProvider) -> None:
    """Trace every request; streamed-chunk `http send` spans are excluded."""
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=provider,
        excluded_urls="health,ready",
        exclude_spans=["send"],
    )


def instrument_client(client: httpx.AsyncClient, provider: TracerProvider) -> None:
    """Trace one upstream client's requests (and propagate the trace context to it)."""
    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=provider)
