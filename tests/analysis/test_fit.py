"""Fitting evidence into the context: never over budget, most telling lines first."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from log_analyzer.analysis.fit import PromptFitter
from log_analyzer.clients.llm import Message
from log_analyzer.core.errors import LLMContextExceeded
from log_analyzer.logs.flatten import LogEntry
from log_analyzer.logs.normalize import normalize
from log_analyzer.logs.summary import summarize
from tests.fakes import FakeLLM, fake_token_count

pytestmark = pytest.mark.anyio
T0 = 1_795_458_000_000_000_000
ROOT_CAUSE = "FATAL: password authentication failed for user payments"


def noisy_entries(n: int, seed: int = 1) -> list[LogEntry]:
    rng = random.Random(seed)
    labels = [{"pod": f"checkout-{i}", "container": "checkout"} for i in range(4)]
    entries = [
        LogEntry(
            T0 + i * 1_000_000,
            f'{{"level": "error", "msg": "upstream payments returned 503 for order '
            f'{rng.getrandbits(64):016x} after {rng.randint(1, 3)} retries"}}',
            labels[i % 4],
        )
        for i in range(n)
    ]
    entries.append(LogEntry(T0, ROOT_CAUSE, {"pod": "payments-0", "container": "payments"}))
    return entries


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
    normalized = normalize(noisy_entries(5000))
    summary = summarize(
        normalized, start_ns=T0, end_ns=T0 + 3600 * 10**9, logql='{namespace="shop"}', limit=5000
    )
    llm = llm_class(n_ctx=n_ctx)
    fitter = PromptFitter(llm, normalized, summary, None, n_ctx=n_ctx, max_tokens=n_ctx // 4)

    fitted = await fitter.fit()

    assert fitted.fit.prompt_tokens == await llm.count_chat_tokens(fitted.messages)
    assert fitted.fit.prompt_tokens <= n_ctx - n_ctx // 4
    assert fitted.fit.prompt_tokens >= 0.85 * (n_ctx - n_ctx // 4)  # the budget is used
    assert ROOT_CAUSE in fitted.messages[1]["content"]
    included = fitted.fit.entries_included
    assert included + fitted.fit.entries_omitted == len(normalized) == 5001
    assert f"{fitted.fit.entries_omitted} lower-priority messages" in fitted.messages[1]["content"]
    assert fitted.fit.lines_omitted == 5001 - included


async def test_refit_drops_at_least_the_overshoot() -> None:
    normalized = normalize(noisy_entries(300))
    summary = summarize(normalized, start_ns=T0, end_ns=T0 + 10**12, logql='{a="b"}', limit=5000)
    fitter = PromptFitter(FakeLLM(), normalized, summary, "why?", n_ctx=1024, max_tokens=256)
    fitted = await fitter.fit()

    smaller = await fitter.refit(fitted, 100)

    assert smaller.fit.prompt_tokens <= fitted.fit.prompt_tokens - 100 + 10
    assert smaller.fit.entries_included < fitted.fit.entries_included
    assert ROOT_CAUSE in smaller.messages[1]["content"]


async def test_a_frame_larger_than_the_context_is_an_error() -> None:
    normalized = normalize(noisy_entries(3))
    summary = summarize(normalized, start_ns=T0, end_ns=T0 + 10**12, logql='{a="b"}', limit=10)
    fitter = PromptFitter(
        FakeLLM(frame_tokens=5000), normalized, summary, None, n_ctx=1024, max_tokens=256
    )
    with pytest.raises(LLMContextExceeded) as caught:
        await fitter.fit()
    assert caught.value.n_ctx == 1024


def test_fake_tokenizer_is_not_trivial() -> None:
    assert fake_token_count("a b c") == 3
    assert fake_token_count("x" * 40) == 10
