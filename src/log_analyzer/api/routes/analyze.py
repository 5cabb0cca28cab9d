"""`POST /v1/analyze/stream`: the streamed analysis."""

from __future__ import annotations

from fastapi import APIRouter, Header

from log_analyzer.api.dependencies import ServicesDep
from log_analyzer.api.encoders import MEDIA_TYPES, NDJSON, SSE, TEXT
from log_analyzer.api.models import ErrorEnvelope
from log_analyzer.api.streaming import RunResponse
from log_analyzer.service.requests import AnalyzeRequest
from log_analyzer.service.runs import analysis_run

router = APIRouter(prefix="/v1", tags=["analysis"])

ERRORS: dict[int | str, dict[str, object]] = {
    400: {
        "model": ErrorEnvelope,
        "description": "The body is not JSON (`invalid_json`), or the store rejected the query "
        "(its message).",
    },
    413: {"model": ErrorEnvelope, "description": "The body is larger than MAX_REQUEST_BYTES."},
    422: {"model": ErrorEnvelope, "description": "Invalid request; the message names the field."},
    500: {"model": ErrorEnvelope, "description": "A fault of the service itself (a bug)."},
    502: {"model": ErrorEnvelope, "description": "The store is unreachable or failing."},
    504: {"model": ErrorEnvelope, "description": "The store timed out."},
}
"""The answers before the first byte. After it, a failure is an `error` event in the stream
(a model that fails, or no generation slot within LLM_QUEUE_TIMEOUT_SECONDS: `overloaded`)."""
STREAM_FORMATS: dict[str, dict[str, object]] = {TEXT: {}, SSE: {}, NDJSON: {}}


@router.post(
    "/analyze/stream",
    responses={
        200: {
            "description": "The analysis, streamed in the format chosen by `Accept`.",
            "content": STREAM_FORMATS,
        },
        **ERRORS,
    },
)
async def analyze_stream(
    body: AnalyzeRequest,
    services: ServicesDep,
    accept: str | None = Header(default=None),
) -> RunResponse:
    """Query the store, then stream a summary and the model's analysis as it is generated."""
    return RunResponse(
        analysis_run(services, body),
        negotiate(accept),
        services.settings.client_send_timeout_seconds,
        services.scrub,
    )


def negotiate(accept: str | None) -> str:
    """Pick the stream format from `Accept`; plain text when nothing better is asked for."""
    best, best_q = TEXT, -1.0
    for part in (accept or "").split(","):
        media, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        media = media.strip().lower()
        if media in MEDIA_TYPES and q > best_q and q > 0:
            best, best_q = media, q
    return best
