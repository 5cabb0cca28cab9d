"""What a run is given: its settings (`RunOptions`) and what it works with (`RunDeps`).

Both are built once per request by the service layer and handed to
:class:`~log_analyzer.analysis.run.Run`; a job sees them through its
:class:`~log_analyzer.analysis.job.JobContext`.
"""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry import trace

from log_analyzer.analysis.limiter import GenerationLimiter
from log_analyzer.clients.protocols import LLMBackend
from log_analyzer.core.workers import WorkerPool
from log_analyzer.logs.redact import DEFAULT_PII
from log_analyzer.sources.base import LogSource


@dataclass(frozen=True, slots=True)
class RunOptions:
    """The settings a run needs, and nothing else."""

    model_name: str
    max_tokens: int
    temperature: float
    context_tokens: int | None
    max_line_chars: int
    llm_deadline_seconds: float = 300.0
    """Longest one generation may take in all (prompt processing and every token)."""
    pii: frozenset[str] = DEFAULT_PII
    """Personal data redacted besides secrets (``REDACT_PII``)."""
    coverage_passes: int = 2
    """Queries of a busy window without its known patterns (``COVERAGE_PASSES``)."""


@dataclass(frozen=True, slots=True)
class RunDeps:
    """What a run works with: one store, the model, and the shared pools and limits."""

    source: LogSource
    llm: LLMBackend | None
    """None when the model is not to be asked."""
    limiter: GenerationLimiter | None
    workers: WorkerPool
    tracer: trace.Tracer
    options: RunOptions
    no_llm_reason: str = "numbers only: the model was not asked (llm is false)"
