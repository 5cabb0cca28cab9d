"""Fit the evidence into the model's context, counted with the model's own tokenizer.

The prompt budget is the slot context minus the answer budget. Lines are priced with one
`/tokenize` call, packed by priority, and the finished prompt is counted exactly once more; if a
boundary effect pushed it over, the lowest-priority lines go until it fits.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from log_analyzer.analysis.events import ContextFit
from log_analyzer.clients.protocols import LLMBackend
from log_analyzer.core.errors import LLMContextExceeded
from log_analyzer.logs.budget import Packing, evidence_line, pack, priority_order, shrink
from log_analyzer.logs.normalize import NormalizedEntry
from log_analyzer.logs.prompt import PromptParts, build_messages
from log_analyzer.logs.summary import LogSummary

_MAX_RECOUNTS = 4
# Generous bound on characters per token for log text (typically 3-4); only used to avoid pricing
# lines that could not fit however they tokenize.
_MAX_CHARS_PER_TOKEN = 12
_DAY_NS = 86_400 * 10**9
EVIDENCE_MAX_CHARS = 400
"""Longest message text one evidence line carries into the prompt (cut with a marker)."""


@dataclass(frozen=True, slots=True)
class FittedPrompt:
    """Messages ready for the model and how they were fitted."""

    messages: list[dict[str, str]]
    fit: ContextFit
    packing: Packing
    costs: tuple[int, ...]


class PromptFitter:
    """Builds the largest prompt that fits `n_ctx - max_tokens` for one analysis."""

    def __init__(
        self,
        llm: LLMBackend,
        entries: Sequence[NormalizedEntry],
        summary: LogSummary,
        question: str | None,
        *,
        n_ctx: int,
        max_tokens: int,
    ) -> None:
        self._llm = llm
        self._entries = entries
        self._summary = summary
        self._question = question
        self._n_ctx = n_ctx
        self._max_tokens = max_tokens
        self._tag = secrets.token_hex(8)
        with_date = summary.end_ns - summary.start_ns > _DAY_NS
        self._order = priority_order(entries)
        self._lines = [
            evidence_line(e, with_date=with_date, max_chars=EVIDENCE_MAX_CHARS) for e in entries
        ]

    @property
    def budget(self) -> int:
        """Tokens the whole prompt may use."""
        return self._n_ctx - self._max_tokens

    async def fit(self) -> FittedPrompt:
        """Price, pack and verify; raises `LLMContextExceeded` if even no evidence is too much."""
        # Price the frame with the largest omission note it can carry, so the real note fits.
        frame = await self._llm.count_chat_tokens(self._messages(Packing((), 0), worst_case=True))
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
        costs = [0] * len(self._entries)
        for index, cost in zip(candidates, priced, strict=True):
            costs[index] = cost
        packing = pack(costs, candidates, room)
        return await self._verified(packing, costs)

    async def refit(self, fitted: FittedPrompt, overshoot: int) -> FittedPrompt:
        """Drop evidence worth at least `overshoot` tokens (the server counted more than we did)."""
        packing = shrink(fitted.packing, fitted.costs, overshoot)
        return await self._verified(packing, list(fitted.costs))

    async def _verified(self, packing: Packing, costs: list[int]) -> FittedPrompt:
        for _ in range(_MAX_RECOUNTS):
            messages = self._messages(packing)
            total = await self._llm.count_chat_tokens(messages)
            if total <= self.budget:
                return FittedPrompt(
                    messages, self._context_fit(packing, total), packing, tuple(costs)
                )
            packing = shrink(packing, costs, total - self.budget)
        messages = self._messages(Packing((), 0))
        total = await self._llm.count_chat_tokens(messages)
        return FittedPrompt(
            messages, self._context_fit(Packing((), 0), total), Packing((), 0), tuple(costs)
        )

    def _affordable(self, room: int) -> list[int]:
        chars, out = 0, []
        for index in self._order:
            if chars > room * _MAX_CHARS_PER_TOKEN:
                break
            chars += len(self._lines[index]) + 1
            out.append(index)
        return out

    def _messages(self, packing: Packing, *, worst_case: bool = False) -> list[dict[str, str]]:
        chosen = set(packing.chosen)
        omitted = [i for i in range(len(self._entries)) if i not in chosen]
        parts = PromptParts(
            question=self._question,
            summary=self._summary,
            omitted_entries=len(self._entries) if worst_case else len(omitted),
            omitted_lines=self._summary.fetched
            if worst_case
            else sum(self._entries[i].count for i in omitted),
            tag=self._tag,
        )
        return build_messages(parts, [self._lines[i] for i in packing.chosen])

    def _context_fit(self, packing: Packing, prompt_tokens: int) -> ContextFit:
        chosen = set(packing.chosen)
        omitted = [e for i, e in enumerate(self._entries) if i not in chosen]
        return ContextFit(
            n_ctx=self._n_ctx,
            max_tokens=self._max_tokens,
            prompt_tokens=prompt_tokens,
            entries_included=len(chosen),
            entries_omitted=len(omitted),
            lines_omitted=sum(e.count for e in omitted),
        )
