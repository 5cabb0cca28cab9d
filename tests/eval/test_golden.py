"""The analysis on the golden incidents: cause recall, ranking, template and coverage truth.

One evaluation of the whole bundled set is shared by the tests of this module; the model is not
asked (the prompt is fitted to the default slot with estimated tokens). An incident the pipeline
does not yet get right is marked `xfail(strict=True)` with the step that loses its cause, so a
fix shows up as an unexpected pass.
"""

from __future__ import annotations

import asyncio

import pytest

from log_analyzer.eval.evaluate import Evaluation, Thresholds, evaluate
from log_analyzer.eval.golden import GOLDEN
from log_analyzer.eval.measure import Measured
from tests.conftest import settings_for_tests

FAILS_RECALL: dict[str, str] = {}
FAILS_RANK: dict[str, str] = {}
THRESHOLDS = Thresholds()


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    settings = settings_for_tests(worker_processes=0)
    return asyncio.run(evaluate(settings, GOLDEN, ask_model=False))


def row(evaluation: Evaluation, name: str) -> Measured:
    return next(r for r in evaluation.rows if r.name == name)


def marked(failing: dict[str, str]) -> list[object]:
    return [
        pytest.param(
            incident.name,
            id=incident.name,
            marks=[pytest.mark.xfail(strict=True, reason=failing[incident.name])]
            if incident.name in failing
            else [],
        )
        for incident in GOLDEN
        if incident.causes
    ]


@pytest.mark.parametrize("name", marked(FAILS_RECALL))
def test_the_cause_reaches_the_prompt(evaluation: Evaluation, name: str) -> None:
    measured = row(evaluation, name)
    assert measured.error is None
    assert measured.cause_in_prompt is True


@pytest.mark.parametrize("name", marked(FAILS_RANK))
def test_the_cause_is_ranked_first(evaluation: Evaluation, name: str) -> None:
    assert row(evaluation, name).ranked_first


def test_the_quiet_window_claims_no_cause(evaluation: Evaluation) -> None:
    quiet = row(evaluation, "quiet-window")
    assert quiet.quiet_ok is True and quiet.ranked_first


@pytest.mark.parametrize("name", [i.name for i in GOLDEN])
def test_the_coverage_statement_is_true(evaluation: Evaluation, name: str) -> None:
    assert row(evaluation, name).statement_true, row(evaluation, name).statement


def test_cause_recall_is_complete(evaluation: Evaluation) -> None:
    assert evaluation.recall >= THRESHOLDS.recall


def test_the_cause_is_ranked_first_in_at_least_eighty_percent(evaluation: Evaluation) -> None:
    assert evaluation.first >= THRESHOLDS.first


def test_at_least_ninety_percent_of_the_truth_templates_are_shown(evaluation: Evaluation) -> None:
    assert evaluation.templates >= THRESHOLDS.templates


def test_every_prompt_fits_the_default_slot_and_the_extra_queries_are_counted(
    evaluation: Evaluation,
) -> None:
    assert not evaluation.live
    for measured in evaluation.rows:
        assert measured.prompt_tokens is not None
        assert 0 < measured.prompt_tokens <= 2048 - 8 - 512
        # Before each onset (two at most): one fine count and two entry queries; then at most
        # COVERAGE_PASSES (2) entry queries without the known patterns.
        assert 0 <= measured.extra_queries <= 2 * 3 + 2
