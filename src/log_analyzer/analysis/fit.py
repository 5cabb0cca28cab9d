"""Fit the evidence into the model's context, counted with the model's own tokenizer.

The evidence is one line per pattern. The prompt budget is the slot context minus the answer
budget. Pattern lines are priced with one `/tokenize` call, packed (each source's most telling
pattern first, then by priority), and the finished prompt is counted exactly once more; if a
token boundary pushed it over, the lowest-priority lines go until it fits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from log_analyzer.analysis.events import ContextFit
from log_analyzer.clients.protocols import LLMBackend
from log_analyzer.core.errors import LLMContextExceeded
from log_analyzer.logs.budget import MIN_COMPLETION_TOKENS
from log_analyzer.logs.evidence import (
    PatternPacking,
    diversity_order,
    evidence_line,
    omitted_line,
    pack_patterns,
    shrink_patterns,
)
from log_analyzer.logs.prompt import PromptParts, build_messages
from log_analyzer.logs.summary import LogSummary

_MAX_RECOUNTS = 4
# Generous bound on characters per token for log text (typically 3-4); only used to avoid pricing
# lines that could not fit however they tokenize.
_MAX_CHARS_PER_TOKEN = 12
_DAY_NS = 86_400 * 10**9
MIN_EVIDENCE_TOKENS = 64
"""Room kept for evidence in a small context, taken from the answer budget if need be."""


@dataclass(frozen=True, slots=True)
class FittedPrompt:
    """Messages ready for the model and how they were fitted."""

    messages: list[dict[str, str]]
    fit: ContextFit
    packing: PatternPacking
    costs: tuple[int, ...]


class PromptFitter:
    """Builds the largest prompt that fits `n_ctx - max_tokens` for one analysis."""

    def __init__(
        self,
        llm: LLMBackend,
        summary: LogSummary,
        question: str | None,
        *,
        n_ctx: int,
        max_tokens: int,
    ) -> None:
        self._llm = llm
        self._summary = summary
        self._patterns = summary.patterns
        self._question = question
        self._n_ctx = n_ctx
        self._max_tokens = max_tokens
        # 32 random bits: unguessable for a log line written before the request, and short,
        # because the tag is repeated four times in a prompt that may have only 512 tokens.
        self._tag = secrets.token_hex(4)
        with_date = summary.end_ns - summary.start_ns > _DAY_NS
        self._lines = [evidence_line(p, with_date=with_date) for p in self._patterns]
        self._nothing = PatternPacking((), (), 0, len(self._patterns), summary.fetched)
        self.note: str | None = None
        """Set when the answer budget had to shrink to make room for evidence."""

    @property
    def budget(self) -> int:
        """Tokens the whole prompt may use."""
        return self._n_ctx - self._max_tokens

    async def fit(self) -> FittedPrompt:
        """Price, pack and verify; raises `LLMContextExceeded` if even no evidence is too much."""
        # The frame is priced with the longest omission note it can carry (nothing chosen).
        frame = await self._llm.count_chat_tokens(self._messages(self._nothing))
        room = self.budget - frame
        if room < MIN_EVIDENCE_TOKENS and self._max_tokens > MIN_COMPLETION_TOKENS:
            # A small context: a shorter answer about some evidence beats a long one about none.
            shorter = max(MIN_COMPLETION_TOKENS, self._n_ctx - frame - MIN_EVIDENCE_TOKENS)
            if shorter < self._max_tokens:
                self.note = (
                    f"answer limited to {shorter} tokens (from {self._max_tokens}) to leave room "
                    f"for evidence in the {self._n_ctx}-token context"
                )
                self._max_tokens = shorter
                room = self.budget - frame
        if room < 0:
            raise LLMContextExceeded(
                f"the prompt without any evidence needs {frame} tokens, more than the "
                f"{self.budget} the {self._n_ctx}-token context leaves after the answer",
                n_prompt_tokens=frame,
                n_ctx=self._n_ctx,
            )
        candidates = self._affordable(room)
        priced = await self._llm.line_token_costs([self._lines[i] for i in candidates])
        costs = [room + 1] * len(self._patterns)  # unpriced lines can never be chosen
        for index, cost in zip(candidates, priced, strict=True):
            costs[index] = cost
        return await self._verified(pack_patterns(self._patterns, costs, room), costs)

    async def refit(self, fitted: FittedPrompt, overshoot: int) -> FittedPrompt:
        """Drop evidence worth at least `overshoot` tokens (the server counted more than we did)."""
        costs = list(fitted.costs)
        return await self._verified(
            shrink_patterns(fitted.packing, self._patterns, costs, overshoot), costs
        )

    async def _verified(self, packing: PatternPacking, costs: list[int]) -> FittedPrompt:
        for _ in range(_MAX_RECOUNTS):
            messages = self._messages(packing)
            total = await self._llm.count_chat_tokens(messages)
            if total <= self.budget:
                return FittedPrompt(messages, self._fit(packing, total), packing, tuple(costs))
            packing = shrink_patterns(packing, self._patterns, costs, total - self.budget)
        messages = self._messages(self._nothing)
        total = await self._llm.count_chat_tokens(messages)
        return FittedPrompt(messages, self._fit(self._nothing, total), self._nothing, tuple(costs))

    def _affordable(self, room: int) -> list[int]:
        chars, out = 0, []
        for index in diversity_order(self._patterns):
            if chars > room * _MAX_CHARS_PER_TOKEN:
                break
            chars += len(self._lines[index]) + 1
            out.append(index)
        return sorted(out)

    def _messages(self, packing: PatternPacking) -> list[dict[str, str]]:
        parts = PromptParts(
            question=self._question,
            summary=self._summary,
            omitted=omitted_line(packing),
            tag=self._tag,
        )
        return build_messages(parts, [self._lines[i] for i in packing.chosen])

    def _fit(self, packing: PatternPacking, prompt_tokens: int) -> ContextFit:
        return ContextFit(
            n_ctx=self._n_ctx,
            max_tokens=self._max_tokens,
            prompt_tokens=prompt_tokens,
            patterns_included=len(packing.chosen),
            patterns_omitted=packing.omitted_patterns,
            lines_omitted=packing.omitted_lines,
            pattern_ids=packing.ids,
        )
