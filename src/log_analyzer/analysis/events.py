"""The typed events an analysis stream yields; encoders turn each into bytes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from log_analyzer.logs.summary import LogSummary

if TYPE_CHECKING:
    from log_analyzer.recipes.base import RecipeResult


@dataclass(frozen=True, slots=True)
class ContextFit:
    """How the evidence was fitted into the model's context window."""

    n_ctx: int
    max_tokens: int
    prompt_tokens: int
    patterns_included: int
    patterns_omitted: int
    lines_omitted: int
    pattern_ids: tuple[str, ...] = ()
    """Ids of the patterns the model was shown, in priority order."""

    @property
    def utilisation(self) -> float:
        """Share of the prompt budget (context minus answer) the prompt uses."""
        return self.prompt_tokens / max(1, self.n_ctx - self.max_tokens)


@dataclass(frozen=True, slots=True)
class SummaryEvent:
    """The numbers, computed by code, sent before the model says anything."""

    summary: LogSummary
    fit: ContextFit | None
    notes: tuple[str, ...] = ()


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


@dataclass(frozen=True, slots=True)
class RecipeFit:
    """How a recipe's tables were fitted into the model's context."""

    n_ctx: int
    max_tokens: int
    prompt_tokens: int
    rows_included: int
    rows_omitted: int


@dataclass(frozen=True, slots=True)
class ResultEvent:
    """A recipe's computed tables, sent before the model explains them."""

    result: RecipeResult
    fit: RecipeFit | None
    notes: tuple[str, ...] = ()


Event = SummaryEvent | ResultEvent | TokenEvent | DoneEvent | ErrorEvent
