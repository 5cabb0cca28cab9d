"""Evaluate the analysis on the golden incidents: run each one, and judge the whole set.

The services are opened once, as a command opens them (no span export, CPU work in a thread);
each incident then gets its own in-memory store. llama.cpp is asked only when it answers at
``LLAMA_URL``; otherwise the prompt is still built and fitted, with tokens estimated.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from log_analyzer.clients.protocols import LLMBackend
from log_analyzer.core.config import Settings
from log_analyzer.core.errors import ServiceError
from log_analyzer.core.telemetry import build_tracer_provider
from log_analyzer.core.workers import WorkerPool
from log_analyzer.eval.golden import GOLDEN, WINDOW_START
from log_analyzer.eval.incident import Incident, generate
from log_analyzer.eval.measure import Measured, measure
from log_analyzer.eval.stand_ins import DEFAULT_SLOT_TOKENS, EstimatingModel, RecordingModel
from log_analyzer.eval.store_levels import relevelled
from log_analyzer.service.runs import Services, open_services

PROBE_SECONDS = 3.0
"""How long llama.cpp may take to say it is up before the evaluation goes on without it."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """What the bundled set must reach; besides, every coverage statement must be true."""

    recall: float = 1.0
    """Share of incidents whose causes all reach the prompt."""
    first: float = 0.8
    """Share of incidents whose causes hold the first ranks (quiet: nothing claimed)."""
    templates: float = 0.9
    """Share of all truth templates shown among the prompt's patterns."""


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Every incident's measures, and what the model was."""

    rows: tuple[Measured, ...]
    live: bool
    """Tokens were counted by llama.cpp and it answered; otherwise estimated, no answer."""
    model_note: str

    @property
    def recall(self) -> float:
        """Share of the incidents with a cause whose causes all reached the prompt."""
        judged = [row.cause_in_prompt for row in self.rows if row.cause_in_prompt is not None]
        return sum(judged) / len(judged) if judged else 1.0

    @property
    def first(self) -> float:
        """Share of all incidents ranked right (see `Measured.ranked_first`)."""
        return sum(row.ranked_first for row in self.rows) / len(self.rows) if self.rows else 1.0

    @property
    def templates(self) -> float:
        """Truth templates shown, over all incidents (a total, not a mean of shares)."""
        truth = sum(row.templates for row in self.rows)
        return sum(row.templates_shown for row in self.rows) / truth if truth else 1.0

    def failures(self, thresholds: Thresholds) -> tuple[str, ...]:
        """What falls short of ``thresholds``, in words; empty when all is met."""
        out = []
        if self.recall < thresholds.recall:
            out.append(f"cause recall {self.recall:.0%} < {thresholds.recall:.0%}")
        if self.first < thresholds.first:
            out.append(f"cause ranked first {self.first:.0%} < {thresholds.first:.0%}")
        if self.templates < thresholds.templates:
            out.append(f"template coverage {self.templates:.0%} < {thresholds.templates:.0%}")
        out.extend(
            f"{row.name}: the coverage statement is not true ({row.statement or 'none'})"
            for row in self.rows
            if not row.statement_true
        )
        out.extend(f"{row.name}: the run failed ({row.error})" for row in self.rows if row.error)
        return tuple(out)


async def evaluate(
    settings: Settings,
    incidents: Sequence[Incident] = GOLDEN,
    *,
    ask_model: bool = True,
    limit: int = 1000,
    start: datetime = WINDOW_START,
    llm: LLMBackend | None = None,
    store_levels: Callable[[str], str] | None = None,
) -> Evaluation:
    """Run ``incidents`` through the analysis, one after the other, and measure each.

    The model is llama.cpp at ``LLAMA_URL`` (or ``llm``, for tests), asked only if it answers.
    The store reports each line at the level it was written at, or, with ``store_levels``, at
    the level that function reads from the line (`eval.store_levels`).
    """
    eval_settings = settings.model_copy(
        update={"otel_enabled": False, "llm_max_concurrency": 1, "log_source": "demo"}
    )
    provider = build_tracer_provider(eval_settings)
    estimate = EstimatingModel(settings.llm_context_tokens or DEFAULT_SLOT_TOKENS)
    start_ns = int(start.timestamp()) * 1_000_000_000
    try:
        async with open_services(
            eval_settings,
            provider,
            sources={},
            llm=llm if ask_model else estimate,
            workers=WorkerPool(0),
        ) as services:
            live, note = await _probe(services, settings) if ask_model else (False, "")
            if not live:
                note = (note + "; " if note else "") + (
                    f"prompt fitted to a {estimate.n_ctx}-token slot, tokens estimated "
                    "(4 characters a token), no answer"
                )
            model = RecordingModel(services.llm if live else estimate)
            rows = []
            for incident in incidents:
                generated = generate(incident, start_ns)
                if store_levels is not None:
                    generated = relevelled(generated, store_levels)
                rows.append(await measure(generated, services, model, live=live, limit=limit))
    finally:
        provider.shutdown()
    return Evaluation(tuple(rows), live, note)


async def _probe(services: Services, settings: Settings) -> tuple[bool, str]:
    """Whether llama.cpp answers at ``LLAMA_URL``, and a note saying what was used."""
    try:
        async with asyncio.timeout(PROBE_SECONDS):
            await services.llm.health()
            props = await services.llm.props()
    except ServiceError as exc:
        return False, f"no model at {settings.llama_url} ({exc.message})"
    except TimeoutError:
        return False, f"no model at {settings.llama_url} (no answer in {PROBE_SECONDS:g} s)"
    return True, f"llama.cpp at {settings.llama_url} ({props.model}, {props.n_ctx}-token slot)"
