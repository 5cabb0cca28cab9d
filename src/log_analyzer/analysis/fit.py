"""Fit evidence into the model's context, counted with the model's own tokenizer: one fitter.

Evidence is a `PromptMaterial`: a frame (instructions, question, facts, headings) and items
(one pattern or one table row per line) in priority order. The prompt budget is the context
minus the answer. The items that could possibly fit are priced in one tokenizer call, taken in
priority order while they fit (one too large is skipped, never cut), and the finished prompt is
counted exactly once more; if a token boundary pushed it over, the lowest-priority items go
until it fits.

Pricing also tells which texts of the evidence are single control tokens of the model
(``<repo_name>``, ``[INST]``): they are broken up in every prompt rendered after (see
`logs.prompt`), and the evidence is priced again, so no log line can speak as the template.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from log_analyzer.analysis.events import ContextFit
from log_analyzer.clients.protocols import LLMBackend
from log_analyzer.core.errors import LLMContextExceeded, LLMError
from log_analyzer.logs.budget import MIN_COMPLETION_TOKENS, Packing, pack, shrink
from log_analyzer.logs.prompt import ItemKey, Message, PromptMaterial, Rendered, render
from log_analyzer.logs.untrusted_text import one_line

SAFETY_TOKENS = 8
"""Tokens kept free of the slot context, against off-by-a-few counts at template boundaries."""
MIN_EVIDENCE_TOKENS = 64
"""Room kept for evidence in a small context, taken from the answer budget if need be."""
NOTE_TOKENS = 16
"""Room kept per section for its note on the items left out, when the priced prompt had none."""
_MAX_RECOUNTS = 4
_MAX_REPRICES = 3
"""Pricings after the first, each with the control tokens found so far broken up."""
# Bound on characters per token for log text (typically 3-4, English prose up to 5): items past
# it are not priced, as they could not fit unless they tokenized unusually well.
_MAX_CHARS_PER_TOKEN = 8


@dataclass(frozen=True, slots=True)
class Fitted:
    """Messages ready for the model, how they were fitted, and what each shown item cost."""

    messages: list[Message]
    fit: ContextFit
    shown: tuple[ItemKey, ...]
    """The shown items, in priority order."""
    costs: dict[ItemKey, int]


class Fitter:
    """Builds the largest prompt of one run's evidence that fits ``n_ctx - max_tokens``."""

    def __init__(
        self, llm: LLMBackend, material: PromptMaterial, *, n_ctx: int, max_tokens: int
    ) -> None:
        """Fit into ``n_ctx`` tokens (safety margin taken), ``max_tokens`` for the answer."""
        self._llm = llm
        self._material = material
        self._n_ctx = n_ctx
        self._max_tokens = max_tokens
        # 32 random bits: unguessable for a log line written before the request, and short,
        # because the tag is repeated in a prompt that may have only 512 tokens.
        self._tag = secrets.token_hex(4)
        self._markers: frozenset[str] = frozenset()
        self.note: str | None = None
        """Set when the answer budget had to shrink to make room for evidence."""

    @property
    def budget(self) -> int:
        """Tokens the whole prompt may use."""
        return self._n_ctx - self._max_tokens

    async def fit(self) -> Fitted:
        """Price, pack and verify; raises `LLMContextExceeded` if even no evidence is too much."""
        candidates = self._affordable()
        for _ in range(1 + _MAX_REPRICES):
            rendered = self._render(candidates)
            keys = sorted(rendered.spans, key=lambda key: rendered.spans[key][0])
            spans = [rendered.spans[k] for k in keys]
            priced = await self._llm.price_chat(rendered.messages, spans)
            found = priced.markers - self._markers  # the model would read them as control tokens
            if not found:
                break  # none, or only some broken up already yet found again: raised below
            self._markers |= found
        if priced.markers:
            raise LLMError(
                "the evidence holds text the model reads as its control tokens, and breaking it up "
                "did not clear them: " + ", ".join(sorted(priced.markers))
            )
        costs = dict(zip(keys, priced.costs, strict=True))
        # What is not an item is frame: instructions, question, facts, headings, and the notes
        # on items left out (there are some in the priced prompt unless every item was priced).
        frame = priced.total - sum(priced.costs)
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
            await self._bare()  # raises when even no evidence is too much
            room = 0
        shown = self._pack(costs, room)
        every_item_priced = len(candidates) == self._material.item_count
        if every_item_priced and len(shown) < self._material.item_count:
            # The priced prompt had no note on items left out; the final one will: room for it.
            shown = self._pack(costs, room - NOTE_TOKENS * len(self._material.sections))
        fitted = await self._verified(shown, costs)
        return await self._topped_up(fitted)

    async def _topped_up(self, fitted: Fitted) -> Fitted:
        """Fill what the exact count left free with the next items that fit, counted again."""
        slack = self.budget - fitted.fit.prompt_tokens
        shown = list(fitted.shown)
        taken = set(shown)
        for key in self._material.order:
            cost = fitted.costs.get(key)
            if key not in taken and cost is not None and cost <= slack:
                shown.append(key)
                slack -= cost
        if len(shown) == len(fitted.shown):
            return fitted
        ordered = [key for key in self._material.order if key in set(shown)]
        messages = self._render(ordered).messages
        total = await self._llm.count_chat_tokens(messages)
        if total > self.budget:
            return fitted  # a boundary cost more than priced: keep what was verified
        return Fitted(messages, self._fit(ordered, total), tuple(ordered), fitted.costs)

    def _pack(self, costs: dict[ItemKey, int], room: int) -> list[ItemKey]:
        order = self._material.order
        # An item that was not priced could not fit anyway: it costs more than the room.
        prices = [costs.get(key, room + 1) for key in order]
        return [order[i] for i in pack(prices, range(len(order)), max(room, 0)).chosen]

    async def refit(self, fitted: Fitted, overshoot: int) -> Fitted:
        """Drop evidence worth at least ``overshoot`` tokens (the server counted more than we)."""
        return await self._verified(_shrink(list(fitted.shown), fitted.costs, overshoot),
                                    fitted.costs)  # fmt: skip

    async def _verified(self, shown: list[ItemKey], costs: dict[ItemKey, int]) -> Fitted:
        for _ in range(_MAX_RECOUNTS):
            messages = self._render(shown).messages
            total = await self._llm.count_chat_tokens(messages)
            if total <= self.budget:
                return Fitted(messages, self._fit(shown, total), tuple(shown), costs)
            shown = _shrink(shown, costs, total - self.budget)
        messages, total = await self._bare()
        return Fitted(messages, self._fit([], total), (), costs)

    async def _bare(self) -> tuple[list[Message], int]:
        """The prompt with no evidence (its notes say what was left out) and its count.

        Raises `LLMContextExceeded` when even that is over the budget.
        """
        messages = self._render(()).messages
        total = await self._llm.count_chat_tokens(messages)
        if total > self.budget:
            raise LLMContextExceeded(
                f"the prompt without any evidence needs {total} tokens, more than the "
                f"{self.budget} the {self._n_ctx}-token context leaves after the answer",
                n_prompt_tokens=total,
                n_ctx=self._n_ctx,
            )
        return messages, total

    def _affordable(self) -> list[ItemKey]:
        """The items, in priority order, that could fit whatever the frame costs."""
        limit = self.budget * _MAX_CHARS_PER_TOKEN
        chars, out = 0, []
        for section, item in self._material.order:
            if chars > limit:
                break
            chars += len(one_line(self._material.sections[section].items[item])) + 1
            out.append((section, item))
        return out

    def _render(self, shown: list[ItemKey] | tuple[()]) -> Rendered:
        return render(self._material, frozenset(shown), self._tag, self._markers)

    def _fit(self, shown: list[ItemKey], prompt_tokens: int) -> ContextFit:
        """The fit, told in the units of the evidence sections (patterns, rows).

        Preamble sections (an analysis' suspects and changes) get room first, and are not what
        the user asks about when asking how much evidence reached the model.
        """
        sections = self._material.sections
        evidence = [s for s, section in enumerate(sections) if not section.preamble]
        taken = {key for key in shown if key[0] in evidence}
        return ContextFit(
            n_ctx=self._n_ctx,
            max_tokens=self._max_tokens,
            prompt_tokens=prompt_tokens,
            unit=sections[evidence[0]].noun if evidence else "item",
            included=len(taken),
            omitted=sum(len(sections[s].items) for s in evidence) - len(taken),
            lines_omitted=sum(
                weight
                for s in evidence
                for i, weight in enumerate(sections[s].weights)
                if (s, i) not in taken
            ),
            ids=tuple(sections[s].ids[i] for s, i in shown if (s, i) in taken and sections[s].ids),
            leads=tuple(
                sections[s].ids[i]
                for s, i in shown
                if s not in evidence and sections[s].ids  # of the preamble, only suspects have ids
            ),
        )


def _shrink(shown: list[ItemKey], costs: dict[ItemKey, int], excess: int) -> list[ItemKey]:
    """Drop the lowest-priority shown items until at least ``excess`` tokens are freed."""
    prices = [costs.get(key, 1) for key in shown]
    smaller = shrink(Packing(tuple(range(len(shown))), sum(prices)), prices, excess)
    return shown[: len(smaller.chosen)]
