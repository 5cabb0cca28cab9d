"""The typed events a run streams; encoders turn each into bytes.

A run streams, in order: its computed numbers (a `summary` for an analysis, a `result` for a
recipe), then how the evidence was fitted into the model's context (`context`), the model's
answer as it is generated (`token`s), and finally `done` or `error`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from log_analyzer.logs.summary import LogSummary
from log_analyzer.logs.tables import RecipeResult


@dataclass(frozen=True, slots=True)
class ContextFit:
    """How the evidence was fitted into the model's context window."""

    n_ctx: int
    """The context the prompt and the answer share (the slot's, less a safety margin)."""
    max_tokens: int
    """Reserved for the answer."""
    prompt_tokens: int
    unit: str
    """What an item of evidence is: ``pattern`` or ``row``."""
    included: int
    omitted: int
    lines_omitted: int = 0
    """Log lines the omitted items stand for (patterns count their lines; rows none)."""
    ids: tuple[str, ...] = ()
    """Ids of the items the model was shown, in priority order (pattern ids)."""
    leads: tuple[str, ...] = ()
    """What the model was shown of the preamble (an analysis' suspects: their pattern ids, or
    ``change`` for a suspect without one), in priority order."""

    @property
    def utilisation(self) -> float:
        """Share of the prompt budget (context minus answer) the prompt uses."""
        return self.prompt_tokens / max(1, self.n_ctx - self.max_tokens)


@dataclass(frozen=True, slots=True)
class SummaryEvent:
    """An analysis' numbers, computed by code, sent before the model says anything."""

    summary: LogSummary
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ResultEvent:
    """A recipe's computed tables, sent before the model explains them."""

    result: RecipeResult
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ContextEvent:
    """What the model is shown: the fit, and what had to give way."""

    fit: ContextFit
    notes: tuple[str, ...] = ()
    heading: str = "Analysis"
    """The title of what follows in text mode (``Analysis``, ``Interpretation``)."""


@dataclass(frozen=True, slots=True)
class TokenEvent:
    """A piece of the model's answer, as llama.cpp produced it."""

    text: str


@dataclass(frozen=True, slots=True)
class DoneEvent:
    """The stream ended normally."""

    model: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    finish_reason: str | None
    duration_seconds: float
    trace_id: str


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """A failure after the stream began; the stream ends right after it."""

    error: dict[str, Any]
    trace_id: str


HeadEvent = SummaryEvent | ResultEvent
Event = SummaryEvent | ResultEvent | ContextEvent | TokenEvent | DoneEvent | ErrorEvent
