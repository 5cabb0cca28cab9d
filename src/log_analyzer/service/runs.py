"""The service layer: the process-wide services, and runs built from validated requests.

`open_services` creates what every request shares (the configured stores, the llama.cpp client,
the generation limiter, the worker pool, the tracer) for the life of the process (the API's
lifespan) or of one command (the CLI). `analysis_run` and `recipe_run` turn a request body into
a `Run`; the routes and the CLI stream it the same way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from log_analyzer import __version__
from log_analyzer.analysis.analyze import AnalysisJob
from log_analyzer.analysis.limiter import GenerationLimiter
from log_analyzer.analysis.request import AnalysisRequest
from log_analyzer.analysis.run import Run
from log_analyzer.analysis.run_deps import RunDeps, RunOptions
from log_analyzer.clients.llm import LlamaClient
from log_analyzer.clients.protocols import LLMBackend
from log_analyzer.core.config import Settings
from log_analyzer.core.errors import InputError
from log_analyzer.core.telemetry import TRACER_NAME, instrument_client
from log_analyzer.core.workers import WorkerPool, available_cpus
from log_analyzer.logs.redact import redact
from log_analyzer.logs.terminal_text import inert_json
from log_analyzer.logs.unicode import valid_unicode
from log_analyzer.recipes.catalog import get_recipe
from log_analyzer.recipes.job import RecipeJob
from log_analyzer.recipes.params import parse_params
from log_analyzer.service.requests import AnalyzeRequest, RecipeRequest, utcnow
from log_analyzer.sources.base import LineFilter, LogSource, Selection, Window
from log_analyzer.sources.registry import SPECS

WORKER_MODULES = (
    "log_analyzer.analysis.onset_work",
    "log_analyzer.analysis.processing",
    "log_analyzer.recipes.aggregations",
    "log_analyzer.recipes.slow",
    "log_analyzer.recipes.spikes",
    "log_analyzer.recipes.traffic",
)
"""What a worker process imports when it starts, so its first task is not slow."""


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a request may use, created once per process."""

    settings: Settings
    sources: Mapping[str, LogSource]
    """The stores that are configured and open, by name."""
    llm: LLMBackend
    tracer: trace.Tracer
    limiter: GenerationLimiter
    workers: WorkerPool
    unavailable: Mapping[str, str] = field(default_factory=dict)
    """Known stores that are not configured, and why."""

    def scrub(self, text: str) -> str:
        """``text`` redacted as everything leaving the service is (``REDACT_PII`` applies)."""
        return redact(text, pii=self.settings.pii).text


@asynccontextmanager
async def open_services(
    settings: Settings,
    provider: TracerProvider,
    *,
    sources: Mapping[str, LogSource] | None = None,
    llm: LLMBackend | None = None,
    workers: WorkerPool | None = None,
) -> AsyncIterator[Services]:
    """Open the configured stores, llama.cpp and the workers; close them all on exit.

    Tests and tools inject ``sources``, ``llm`` or ``workers`` instead of the real ones.
    """

    def instrument(client: httpx.AsyncClient) -> None:
        instrument_client(client, provider)

    async with AsyncExitStack() as stack:
        unavailable: dict[str, str] = {}
        if sources is None:
            opened: dict[str, LogSource] = {}
            for name, spec in SPECS.items():
                reason = spec.unconfigured(settings)
                if reason is None:
                    opened[name] = await stack.enter_async_context(spec.open(settings, instrument))
                else:
                    unavailable[name] = reason
            sources = opened
        if llm is None:
            llama_http = await stack.enter_async_context(_llama_http(settings))
            instrument(llama_http)
            llm = LlamaClient(
                llama_http,
                call_timeout=settings.llama_props_timeout_seconds,
                props_ttl=settings.llama_props_ttl_seconds,
            )
        if workers is None:
            processes = settings.worker_processes
            workers = WorkerPool(
                available_cpus() if processes is None else processes,
                max_tasks_per_worker=settings.worker_max_tasks,
                preload=WORKER_MODULES,
                admission_timeout=settings.worker_queue_timeout_seconds,
            )
            await workers.start()
            stack.push_async_callback(workers.close)
        backend = llm

        async def slot_count() -> int:
            return (await backend.props()).total_slots

        yield Services(
            settings=settings,
            sources=sources,
            llm=llm,
            tracer=provider.get_tracer(TRACER_NAME, __version__),
            limiter=GenerationLimiter(
                settings.llm_max_concurrency, settings.llm_queue_timeout_seconds, slot_count
            ),
            workers=workers,
            unavailable=unavailable,
        )


def _llama_http(settings: Settings) -> httpx.AsyncClient:
    headers = {}
    if settings.llama_api_key is not None:
        headers["Authorization"] = f"Bearer {settings.llama_api_key.get_secret_value()}"
    return httpx.AsyncClient(
        base_url=str(settings.llama_url),
        headers=headers,
        timeout=httpx.Timeout(
            settings.llama_read_timeout_seconds, connect=settings.llama_connect_timeout_seconds
        ),
    )


def scrubber(settings: Settings) -> Callable[[str], str]:
    """Redaction of a whole text, as the logs and spans of the service get it."""
    pii = settings.pii

    def scrub(text: str) -> str:
        # A lone surrogate (from a log line) would make the span exporter's protobuf refuse
        # the whole batch: U+FFFD instead.
        return str(valid_unicode(redact(text, pii=pii).text))

    return scrub


def log_line_scrubber(settings: Settings) -> Callable[[str], str]:
    """`scrubber` for the service's JSON log lines, which also escapes what a terminal acts on.

    A record may quote a store's message, which may quote anything; the lines are read with
    ``kubectl logs`` and, from the CLI, on the user's terminal. JSON escapes C0 controls itself;
    `inert_json` escapes the C1 ones, the bidi overrides and the invisible characters.
    """
    scrub = scrubber(settings)
    return lambda line: inert_json(scrub(line))


def run_options(settings: Settings) -> RunOptions:
    """The part of the settings a run uses."""
    return RunOptions(
        model_name=settings.model_name,
        max_tokens=settings.max_tokens,
        temperature=settings.llm_temperature,
        context_tokens=settings.llm_context_tokens,
        max_line_chars=settings.max_line_chars,
        llm_deadline_seconds=settings.llm_deadline_seconds,
        pii=settings.pii,
        coverage_passes=settings.coverage_passes,
    )


def to_analysis_request(
    body: AnalyzeRequest,
    services: Services,
    *,
    now: datetime | None = None,
    recipe: bool = False,
) -> AnalysisRequest:
    """The request in the pipeline's terms; raises `InputError` naming the field.

    The store must be open, its filters are checked by it, and the window must be within the
    configured maximum (never clamped).
    """
    settings = services.settings
    name = body.source or settings.log_source
    if name not in services.sources:
        reason = services.unavailable.get(name)
        known = ", ".join(services.sources) or "none"
        raise InputError(
            "source",
            f"{name!r} is not configured ({reason})"
            if reason
            else f"unknown source {name!r}; this service reads: {known}",
        )
    selection = Selection.of(body.filters)
    spec = SPECS.get(name)
    if spec is not None:
        spec.check(selection)
    start, end = body.time_range.resolve(now or utcnow())
    longest, setting = (
        (settings.max_recipe_range, "MAX_RECIPE_RANGE")
        if recipe
        else (settings.max_time_range, "MAX_TIME_RANGE")
    )
    if end - start > longest:
        raise InputError(
            "time_range",
            f"the window is {end - start}, longer than the maximum {longest} ({setting}); "
            "narrow it",
        )
    line_filter = LineFilter(pattern=body.log_filter) if body.log_filter else LineFilter.default()
    return AnalysisRequest(
        source=name,
        window=Window(_ns(start), _ns(end)),
        selection=selection,
        line_filter=line_filter,
        limit=body.limit,
        # The question reaches the model and the spans: a pasted token must not.
        question=redact(body.question, pii=settings.pii).text if body.question else None,
        llm=body.llm,
    )


def analysis_run(
    services: Services, body: AnalyzeRequest, *, no_llm_reason: str | None = None
) -> Run:
    """The run of one analysis; raises `InputError` (a 422) when the request cannot be served.

    With ``no_llm_reason`` the model is not asked (as with ``"llm": false``), and the stream
    says why.
    """
    request = to_analysis_request(body, services)
    return Run(AnalysisJob(request), _deps(services, request, no_llm_reason))


def recipe_run(
    services: Services, name: str, body: RecipeRequest, *, no_llm_reason: str | None = None
) -> Run:
    """The run of one recipe; raises `InputError` naming the field for a bad name or param."""
    recipe = get_recipe(name)
    params = parse_params(recipe.name, recipe.params, body.params)
    request = to_analysis_request(body, services, recipe=True)
    return Run(RecipeJob(recipe, params, request), _deps(services, request, no_llm_reason))


def _deps(services: Services, request: AnalysisRequest, no_llm_reason: str | None) -> RunDeps:
    asked = request.llm and no_llm_reason is None
    return RunDeps(
        source=services.sources[request.source],
        llm=services.llm if asked else None,
        limiter=services.limiter,
        workers=services.workers,
        tracer=services.tracer,
        options=run_options(services.settings),
        no_llm_reason=no_llm_reason or "numbers only: the model was not asked (llm is false)",
    )


def _ns(moment: datetime) -> int:
    return round(moment.timestamp() * 1_000_000) * 1000
