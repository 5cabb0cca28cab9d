"""Fitting pattern evidence into the context: never over budget, most telling patterns first."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from log_analyzer.analysis.fit import MIN_EVIDENCE_TOKENS, Fitter
from log_analyzer.clients.llm import Message
from log_analyzer.core.errors import LLMContextExceeded
from log_analyzer.logs.budget import MIN_COMPLETION_TOKENS
from log_analyzer.logs.condense import condense
from log_analyzer.logs.entries import LogEntry
from log_analyzer.logs.evidence import diversity_order, evidence_line
from log_analyzer.logs.normalize import normalize
from log_analyzer.logs.prompt import PromptMaterial, analysis_material, render
from log_analyzer.logs.summary import LogSummary, summarize
from tests.fakes import FakeLLM, fake_token_count

pytestmark = pytest.mark.anyio
T0 = 1_795_458_000_000_000_000
HOUR = 3600 * 10**9
ROOT_CAUSE = "FATAL: password authentication failed for user payments"
WORDS = [
    "cache",
    "queue",
    "worker",
    "shard",
    "lease",
    "token",
    "bucket",
    "socket",
    "handshake",
    "replica",
    "quorum",
    "snapshot",
    "compaction",
    "index",
    "cursor",
    "batch",
    "stream",
    "channel",
    "session",
    "ledger",
    "invoice",
    "refund",
    "cart",
    "order",
    "gateway",
    "proxy",
    "resolver",
    "upstream",
    "downstream",
    "timeout",
    "refused",
    "reset",
    "expired",
    "stale",
    "missing",
]


def noisy_entries(n: int, templates: int = 400, seed: int = 1) -> list[LogEntry]:
    """`n` lines from `templates` distinct templates, a thousand copies of one, one root cause."""
    rng = random.Random(seed)
    shapes = [" ".join(rng.sample(WORDS, 7)) for _ in range(templates)]
    labels = [{"pod": f"checkout-{i}", "container": "checkout"} for i in range(4)]
    entries = [
        LogEntry(
            T0 + i * 1_000_000,
            f"ERROR {shapes[0] if i % 5 == 0 else rng.choice(shapes)} id={rng.getrandbits(32)}",
            labels[i % 4],
        )
        for i in range(n)
    ]
    entries.append(LogEntry(T0, ROOT_CAUSE, {"pod": "payments-0", "container": "payments"}))
    return entries


def summary_of(entries: list[LogEntry]) -> LogSummary:
    normalized = normalize(entries)
    patterns = condense(normalized, window_start_ns=T0, window_end_ns=T0 + HOUR)
    return summarize(
        normalized,
        start_ns=T0,
        end_ns=T0 + HOUR,
        query='{namespace="shop"}',
        limit=len(entries),
        patterns=patterns,
    )


def material(summary: LogSummary, question: str | None = None) -> PromptMaterial:
    patterns = summary.patterns
    evidence = [evidence_line(p) for p in patterns]
    return analysis_material(summary, question, evidence, diversity_order(patterns))


def fitter(
    llm: FakeLLM, summary: LogSummary, question: str | None, *, n_ctx: int, max_tokens: int
) -> Fitter:
    return Fitter(llm, material(summary, question), n_ctx=n_ctx, max_tokens=max_tokens)


class SkewedLLM(FakeLLM):
    """Per-line prices undercount what the whole prompt costs, as boundary merges can."""

    async def count_chat_tokens(self, messages: Sequence[Message]) -> int:
        base = await super().count_chat_tokens(messages)
        return base + messages[1]["content"].count("\n") // 3


@pytest.mark.parametrize("n_ctx", [512, 1024, 2048])
@pytest.mark.parametrize("llm_class", [FakeLLM, SkewedLLM], ids=["exact", "skewed"])
async def test_prompt_never_exceeds_the_budget_and_keeps_the_rare_line(
    n_ctx: int, llm_class: type[FakeLLM]
) -> None:
    summary = summary_of(noisy_entries(5000))
    patterns = summary.patterns
    assert len(patterns) > 100
    llm = llm_class(n_ctx=n_ctx)
    fit_all = fitter(llm, summary, None, n_ctx=n_ctx, max_tokens=n_ctx // 4)

    fitted = await fit_all.fit()

    budget = n_ctx - n_ctx // 4
    assert fitted.fit.prompt_tokens == await llm.count_chat_tokens(fitted.messages)
    assert fitted.fit.prompt_tokens <= budget
    assert fitted.fit.prompt_tokens >= 0.85 * budget  # the budget is used
    prompt = fitted.messages[1]["content"]
    assert ROOT_CAUSE in prompt and patterns[0].level.value == "fatal"
    assert fitted.fit.ids[0] == "P1"
    fit = fitted.fit
    assert fit.unit == "pattern"
    assert fit.included + fit.omitted == len(patterns)
    omitted = [p for p in patterns if p.id not in fit.ids]
    assert fit.lines_omitted == sum(p.count for p in omitted)
    assert f"({fit.omitted:,} more patterns, {fit.lines_omitted:,} lines, not shown" in prompt
    for pattern_id in fit.ids:
        assert f"\n{pattern_id} " in prompt
    # What was left out would not have fitted in the room the shown items left.
    shown = set(fitted.shown)
    room = budget - fitted.fit.prompt_tokens
    assert all(fitted.costs[k] > room for k in fitted.costs if k not in shown)


async def test_pricing_costs_one_tokenizer_call_and_at_most_two_recounts() -> None:
    summary = summary_of(noisy_entries(2000))
    llm = FakeLLM(n_ctx=2048)
    await fitter(llm, summary, None, n_ctx=2048, max_tokens=256).fit()
    assert llm.price_calls == 1  # every candidate line priced in one call
    assert llm.tokenizer_calls <= 3  # the final prompt counted; once more if it was topped up


async def test_everything_fits_in_a_large_context() -> None:
    summary = summary_of(noisy_entries(300, templates=20))
    fitted = await fitter(FakeLLM(), summary, "why?", n_ctx=8192, max_tokens=512).fit()
    assert fitted.fit.omitted == 0
    assert "not shown" not in fitted.messages[1]["content"]
    assert "Question: why?" in fitted.messages[1]["content"]


async def test_refit_drops_at_least_the_overshoot() -> None:
    summary = summary_of(noisy_entries(3000))
    fit = fitter(FakeLLM(), summary, "why?", n_ctx=2048, max_tokens=256)
    fitted = await fit.fit()

    smaller = await fit.refit(fitted, 100)

    assert smaller.fit.prompt_tokens <= fitted.fit.prompt_tokens - 100 + 10
    assert smaller.fit.included < fitted.fit.included
    assert ROOT_CAUSE in smaller.messages[1]["content"]


async def test_a_frame_larger_than_the_context_is_an_error() -> None:
    summary = summary_of(noisy_entries(3))
    fit = fitter(FakeLLM(frame_tokens=5000), summary, None, n_ctx=1024, max_tokens=256)
    with pytest.raises(LLMContextExceeded) as caught:
        await fit.fit()
    assert caught.value.n_ctx == 1024


def test_fake_tokenizer_is_not_trivial() -> None:
    assert fake_token_count("a b c") == 3
    assert fake_token_count("x" * 40) == 10


async def test_a_small_context_shortens_the_answer_to_keep_evidence() -> None:
    summary = summary_of(noisy_entries(500))
    llm = FakeLLM()
    fit = fitter(llm, summary, None, n_ctx=400, max_tokens=200)
    fitted = await fit.fit()
    bare = await llm.count_chat_tokens(render(material(summary), [], "00000000").messages)
    # The answer gives way so that about MIN_EVIDENCE_TOKENS of evidence fit beside the frame
    # (the frame is known to within the digits of its note on patterns left out).
    slack = 8
    assert (
        MIN_COMPLETION_TOKENS <= fitted.fit.max_tokens <= 400 - bare - MIN_EVIDENCE_TOKENS + slack
    )
    assert fitted.fit.included >= 1 and fitted.fit.prompt_tokens > bare
    assert fitted.fit.prompt_tokens + fitted.fit.max_tokens <= 400
    assert fit.note == (
        f"answer limited to {fitted.fit.max_tokens} tokens (from 200) to leave room for "
        "evidence in the 400-token context"
    )
