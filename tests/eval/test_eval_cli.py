"""`log-analyzer eval`: the table, what the model was, and an exit status that says pass or fail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from log_analyzer.cli import main
from log_analyzer.cli.terminal import EXIT_INPUT
from log_analyzer.clients.protocols import Message
from log_analyzer.eval.evaluate import Thresholds, evaluate
from log_analyzer.eval.golden import golden
from log_analyzer.eval.table import render
from tests.conftest import settings_for_tests
from tests.fakes import FakeLLM, fake_token_count

pytestmark = pytest.mark.usefixtures("cli_without_llm")


def test_an_incident_that_meets_the_thresholds_exits_zero(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["eval", "--incident", "storm-db-password"]) == 0
    out = capsys.readouterr().out
    header, _rule, storm, *rest = out.splitlines()
    assert header.split("  ")[0] == "incident" and "prompt tokens (est.)" in header
    assert "answer cites cause" not in header  # no model answered
    assert storm.split()[:5] == ["storm-db-password", "yes", "3/3", "yes", storm.split()[4]]
    assert storm.split()[-1] == "1"  # the fatal line is the first suspect
    assert any(line.startswith("model: no model at http://127.0.0.1:9/") for line in rest)
    assert rest[-1] == "PASS"


def test_an_incident_below_the_thresholds_exits_non_zero_and_says_why(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # One line per analysis: the two incidents' causes are found, but not every template.
    assert main(["eval", "--incident", "two-incidents", "--no-llm", "--limit", "1"]) == 1
    out = capsys.readouterr().out
    assert "FAIL: cause recall" not in out
    assert "FAIL: template coverage 67% < 90%" in out


def test_store_levels_loki_counts_the_lines_as_loki_would(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["eval", "--incident", "leader-election-lost", "--no-llm"]) == 0
    written = capsys.readouterr().out
    assert (
        main(["eval", "--incident", "leader-election-lost", "--no-llm", "--store-levels", "loki"])
        == 0
    )
    loki = capsys.readouterr().out
    # The same incident, found alike; both tables end in PASS.
    assert written.splitlines()[2].split()[:4] == loki.splitlines()[2].split()[:4]
    assert loki.splitlines()[-1] == "PASS"


def test_an_unknown_store_levels_is_refused_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["eval", "--store-levels", "elastic"])
    assert "--store-levels" in capsys.readouterr().err


def test_a_bad_limit_is_refused_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--limit", "0"]) == EXIT_INPUT
    assert "invalid limit" in capsys.readouterr().err


@pytest.mark.anyio
async def test_with_a_model_that_answers_its_tokens_are_used_and_its_citation_checked() -> None:
    # A scripted model stands in for llama.cpp: its tokenizer is the test fake's, not an estimate.
    model = FakeLLM(["The first suspect, ", "P1, ", "is the cause."], n_ctx=2048)
    evaluation = await evaluate(
        settings_for_tests(worker_processes=0), [golden("storm-db-password")], llm=model
    )
    (row,) = evaluation.rows
    assert evaluation.live and evaluation.model_note.startswith("llama.cpp at ")
    assert row.cited is True and row.ranks == (1,)
    assert row.prompt_tokens == fake_count(model.prompts[-1])
    table = render(evaluation, Thresholds())
    assert "answer cites cause" in table and "(est.)" not in table


@pytest.mark.anyio
async def test_an_answer_that_names_another_pattern_does_not_cite_the_cause() -> None:
    model = FakeLLM(["P2 ", "is the cause."], n_ctx=2048)
    evaluation = await evaluate(
        settings_for_tests(worker_processes=0), [golden("storm-db-password")], llm=model
    )
    assert evaluation.rows[0].cited is False


def fake_count(messages: Sequence[Message]) -> int:
    return sum(fake_token_count(m["content"]) + 4 for m in messages)


@pytest.mark.anyio
async def test_an_analysis_refused_before_any_number_is_a_failed_row_not_a_crash() -> None:
    settings = settings_for_tests(worker_processes=0, max_time_range=timedelta(minutes=10))
    evaluation = await evaluate(settings, [golden("quiet-window")], ask_model=False)
    (row,) = evaluation.rows
    assert row.error is not None and "time_range" in row.error
    assert not row.ranked_first and not row.statement_true
    failures = evaluation.failures(Thresholds())
    assert any(
        f.startswith("quiet-window: the run failed ([invalid_input] time_range") for f in failures
    )
