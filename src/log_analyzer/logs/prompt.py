"""The chat messages sent to the model, for analyses and recipes alike: one fence.

Log text is untrusted: anyone who can write a log line can write "ignore your instructions".
So everything but our fixed instructions and the user's own question sits between per-request
delimiters (``BEGIN-DATA-<tag>`` / ``END-DATA-<tag>``) that the author of a line cannot guess,
one line per item, with newlines and control characters neutralised so no log text can start a
line of its own, let alone close the fence. The system prompt tells the model that everything
inside is data.

A fence of text is not enough on its own: llama.cpp tokenizes a templated chat with its special
tokens parsed, so a log line holding ``<|im_end|><|im_start|>system`` would end the user message
and open a system message, for real. Text shaped like a chat template's control tokens
(``<|...|>``, and DeepSeek's with fullwidth bars) is always broken up (a space after the ``<``),
and so are the ``markers`` a caller found to be single tokens of the model (``<repo_name>``,
``[INST]``, ``<start_of_turn>``: the fitter learns them from the tokenizer, `analysis.fit`).
:func:`render` is the only way a prompt is built, so no caller can put log text anywhere else.

What goes in: code-computed facts first, then sections (a heading, then items such as one
pattern or one table row per line). The fitter chooses which items fit the context, in a
priority order; each section states how many of its items were left out.

The text of each item is made one line and inert by :mod:`~log_analyzer.logs.untrusted_text`;
an analysis' material is built in :mod:`~log_analyzer.logs.analysis_prompt`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from log_analyzer.logs.untrusted_text import defuse, one_line

Message = dict[str, str]
ItemKey = tuple[int, int]
"""``(section index, item index)``."""


@dataclass(frozen=True, slots=True)
class Section:
    """A run of items under a heading, inside the fence."""

    heading: tuple[str, ...]
    """Lines shown before the items (a title, column names), whatever fits."""
    items: tuple[str, ...]
    """One line each; the fitter decides which of them are shown."""
    noun: str = "row"
    """What an item is, for the note on those left out (``3 more rows not shown``)."""
    ids: tuple[str, ...] = ()
    """An id per item (``P3``), reported with the fit; empty when items have none."""
    weights: tuple[int, ...] = ()
    """Log lines each item stands for, counted in the note; empty when items stand for none."""
    preamble: bool = False
    """Read before the evidence (suspects, changes): given room first, not counted as evidence
    in the context fit."""


@dataclass(frozen=True, slots=True)
class PromptMaterial:
    """Everything a prompt may hold; `render` decides nothing but which items are shown."""

    instructions: str
    """The system prompt, with ``{tag}`` where the fence's tag goes."""
    question: str
    facts: tuple[str, ...]
    """Numbers and statements computed by code, shown before the sections."""
    sections: tuple[Section, ...]
    order: tuple[ItemKey, ...]
    """Every item once, most telling first: the order in which items are given room."""

    @property
    def item_count(self) -> int:
        """Items over all sections."""
        return sum(len(section.items) for section in self.sections)


@dataclass(frozen=True, slots=True)
class Rendered:
    """Messages, and where each shown item's line sits in the user message."""

    messages: list[Message]
    spans: dict[ItemKey, tuple[int, int]]
    """``(start, end)`` character offsets of each shown item in ``messages[-1]["content"]``."""


def render(
    material: PromptMaterial,
    shown: Collection[ItemKey],
    tag: str,
    markers: Collection[str] = (),
) -> Rendered:
    """The system and user messages, with the ``shown`` items of each section.

    ``markers`` are texts the model's tokenizer reads as special tokens: each is broken up
    wherever it occurs in the user message (see the module docstring).
    """

    def one(text: str) -> str:
        return defuse(one_line(text), markers) if markers else one_line(text)

    lines = [f"Question: {one(material.question)}", f"BEGIN-DATA-{tag}"]
    lines.extend(one(fact) for fact in material.facts)
    spans: dict[ItemKey, tuple[int, int]] = {}
    offset = sum(len(line) + 1 for line in lines)
    unshown: list[str] = []  # sections with nothing shown: one note for all, at the end
    for s, section in enumerate(material.sections):
        if not any((s, i) in shown for i in range(len(section.items))):
            if section.items:
                unshown.append(_left_out(section, range(len(section.items))))
            continue  # its heading would be frame for nothing
        block = [one(line) for line in section.heading]
        offset += sum(len(line) + 1 for line in block)
        omitted: list[int] = []
        for i, item in enumerate(section.items):
            if (s, i) not in shown:
                omitted.append(i)
                continue
            line = one(item)
            spans[s, i] = (offset, offset + len(line))
            offset += len(line) + 1
            block.append(line)
        if omitted:
            comma = "," if section.weights else ""
            block.append(f"({_left_out(section, omitted)}{comma} not shown to fit the context)")
            offset += len(block[-1]) + 1
        lines.extend(block)
    if unshown:
        lines.append(f"(not shown to fit the context: {'; '.join(unshown)})")
    lines.append(f"END-DATA-{tag}")
    return Rendered(
        [
            {"role": "system", "content": material.instructions.format(tag=tag)},
            {"role": "user", "content": "\n".join(lines)},
        ],
        spans,
    )


def _left_out(section: Section, items: Sequence[int]) -> str:
    """``3 suspects`` or ``324 more patterns, 3,000 lines``: what of a section was left out."""
    count = len(items)
    noun = section.noun if count == 1 else f"{section.noun}s"
    more = "more " if count < len(section.items) else ""
    text = f"{count:,} {more}{noun}"
    if section.weights:
        weight = sum(section.weights[i] for i in items)
        text += f", {weight:,} {'line' if weight == 1 else 'lines'}"
    return text
