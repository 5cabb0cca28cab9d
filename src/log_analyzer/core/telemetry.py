"""Tracing, set up once: resource, exporter, and the FastAPI and httpx instrumentation.

Production exports over OTLP/gRPC to Tempo; tests pass an in-memory exporter. Streamed bodies send
one ASGI message per chunk, and a span per chunk would bury the useful ones, so the ASGI
`http send` spans are not recorded at all. Every text a span carries (attributes, event
attributes such as an exception's message, the status) is scrubbed of secrets before export.
"""

from __future__ import annotations

import logging

import httpx
from fastapi import FastAPI
from opentelemetry.context import Context
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import Status
from opentelemetry.util.types import Attributes, AttributeValue

from log_analyzer.core.config import Settings
from log_analyzer.core.logging import Scrub

SERVICE_NAME = "log-analyzer"
TRACER_NAME = "log_analyzer"
logger = logging.getLogger(__name__)


def build_tracer_provider(
    settings: Settings, exporter: SpanExporter | None = None, scrub: Scrub | None = None
) -> TracerProvider:
    """A provider with the service resource; spans go to `exporter`, or to OTLP when enabled.

    ``scrub`` removes secrets from every text of a span before it is exported.
    """
    resource = Resource.create(
        {
            "service.name": SERVICE_NAME,
            "service.version": settings.version,
            "deployment.environment": settings.deployment_environment,
            "deployment.environment.name": settings.deployment_environment,
        }
    )
    provider = TracerProvider(resource=resource)
    processor: SpanProcessor | None = None
    if exporter is not None:
        # An injected exporter (tests, tools) sees each span as soon as it ends.
        processor = SimpleSpanProcessor(exporter)
    elif settings.otel_enabled:
        otlp = _otlp_exporter(settings)
        if otlp is not None:
            processor = BatchSpanProcessor(otlp)
    if processor is not None:
        provider.add_span_processor(processor if scrub is None else _Scrubbed(processor, scrub))
    return provider


class _Scrubbed(SpanProcessor):
    """Hands ``inner`` a copy of each ended span with its texts scrubbed."""

    def __init__(self, inner: SpanProcessor, scrub: Scrub) -> None:
        self._inner = inner
        self._scrub = scrub

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        self._inner.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        scrub = self._scrub
        status = span.status
        if status.description:
            status = Status(status.status_code, scrub(status.description))
        self._inner.on_end(
            ReadableSpan(
                name=span.name,
                context=span.context,
                parent=span.parent,
                resource=span.resource,
                attributes=self._attributes(span.attributes),
                events=[
                    Event(event.name, self._attributes(event.attributes), event.timestamp)
                    for event in span.events
                ],
                links=span.links,
                kind=span.kind,
                status=status,
                start_time=span.start_time,
                end_time=span.end_time,
                instrumentation_scope=span.instrumentation_scope,
            )
        )

    def _attributes(self, attributes: Attributes) -> dict[str, AttributeValue]:
        scrub = self._scrub
        out: dict[str, AttributeValue] = {}
        for key, value in (attributes or {}).items():
            if isinstance(value, str):
                out[key] = scrub(value)
            elif isinstance(value, tuple | list) and value and isinstance(value[0], str):
                out[key] = tuple(scrub(str(item)) for item in value)
            else:
                out[key] = value
        return out

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


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
