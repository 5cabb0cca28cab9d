"""`log-analyzer eval`: the table, what the model was, and an exit status that says pass or fail."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from log_analyzer.cli import main
from log_analyzer.cli.terminal import EXIT_INPUT
from log_analyzer.core.config import get_settings


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("LLAMA_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("LLAMA_CONNECT_TIMEOUT_SECONDS", "0.5")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


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
    assert main(["eval", "--incident", "busy-window-disk-full", "--no-llm"]) == 1
    out = capsys.readouterr().out
    assert "FAIL: cause recall 0% < 100%" in out
    assert "FAIL: cause ranked first 0% < 80%" in out


def test_a_bad_limit_is_refused_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--limit", "0"]) == EXIT_INPUT
    assert "invalid limit" in capsys.readouterr().err
