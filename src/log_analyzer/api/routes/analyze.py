"""`POST /v1/analyze/stream`: the streamed analysis."""

from __future__ import annotations

from fastapi import APIRouter, Header

from log_analyzer.analysis.fetch import AnalysisRequest
from log_analyzer.analysis.run import AnalysisOptions
from log_analyzer.analysis.stream import AnalysisRun
from log_analyzer.api.dependencies import LLMDep, LogSourceDep, ServicesDep
from log_analyzer.api.encoders import MEDIA_TYPES, NDJSON, SSE, TEXT
from log_analyzer.api.models import AnalyzeRequest, ErrorEnvelope, utcnow
from log_analyzer.api.streaming import EventStreamResponse, stream_run
from log_analyzer.core.config import Settings
from log_analyzer.core.errors import InputError
from log_analyzer.logs.logql import DEFAULT_LINE_FILTER

router = APIRouter(prefix="/v1", tags=["analysis"])

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorEnvelope, "description": "Loki rejected the query (its message is kept)."},
    422: {"model": ErrorEnvelope, "description": "Invalid request; the message names the field."},
    429: {
        "model": ErrorEnvelope,
        "description": "Every LLM generation slot stayed busy too long; see Retry-After.",
    },
    502: {"model": ErrorEnvelope, "description": "Loki unreachable or failing."},
    504: {"model": ErrorEnvelope, "description": "Loki timed out."},
}


@router.post(
    "/analyze/stream",
    responses={
        200: {
            "description": "The analysis, streamed in the format chosen by `Accept`.",
            "content": {TEXT: {}, SSE: {}, NDJSON: {}},
        },
        **_ERRORS,
    },
)
async def analyze_stream(
    body: AnalyzeRequest,
    services: ServicesDep,
    logs: LogSourceDep,
    llm: LLMDep,
    accept: str | None = Header(default=None),
) -> EventStreamResponse:
    """Fetch the logs, then stream a summary and the model's analysis as it is generated."""
    media_type = negotiate(accept)
    request = to_analysis_request(body, services.settings)
    # Wait for a generation slot first: an overloaded service answers 429 without querying Loki.
    permit = await services.limiter.acquire()
    run = AnalysisRun(
        request, logs, llm, analysis_options(services.settings), services.tracer, permit=permit
    )
    try:
        fetched = await run.fetch()  # Loki errors surface here, before any byte is sent
    except BaseException:
        run.finish()
        raise
    return stream_run(run, run.events(fetched), media_type)


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


def to_analysis_request(body: AnalyzeRequest, settings: Settings) -> AnalysisRequest:
    """Resolve the window against now and the configured maximum; never clamp it."""
    start, end = body.time_range.resolve(utcnow())
    if end - start > settings.max_time_range:
        raise InputError(
            "time_range",
            f"the window is {end - start}, longer than the maximum {settings.max_time_range} "
            "(MAX_TIME_RANGE); narrow it",
        )
    return AnalysisRequest(
        start_ns=_ns(start.timestamp()),
        end_ns=_ns(end.timestamp()),
        matchers=body.filters.matchers(),
        line_regex=body.log_filter or DEFAULT_LINE_FILTER,
        limit=body.limit,
        question=body.question,
        namespace=body.filters.namespace,
    )


def analysis_options(settings: Settings) -> AnalysisOptions:
    """The part of the settings an analysis uses."""
    return AnalysisOptions(
        model_name=settings.model_name,
        max_tokens=settings.max_tokens,
        temperature=settings.llm_temperature,
        context_tokens=settings.llm_context_tokens,
        max_line_chars=settings.max_line_chars,
    )


def _ns(seconds: float) -> int:
    return round(seconds * 1_000_000) * 1000
