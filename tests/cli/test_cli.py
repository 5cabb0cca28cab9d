"""The command line: demo without an LLM, analyze input errors, negotiation helpers."""

from __future__ import annotations

import asyncio
import io

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.analysis.run import Run
from log_analyzer.api.routes.analyze import negotiate
from log_analyzer.cli import EXIT_INPUT, main
from log_analyzer.cli.terminal import EXIT_UPSTREAM, stream_run
from log_analyzer.sources.loki.errors import LokiUnavailable
from tests.analysis.test_run import FixedJob, deps
from tests.fakes import FakeLLM

pytestmark = pytest.mark.usefixtures("cli_without_llm")


def test_demo_without_llm_prints_the_summary_and_says_why(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "=== Log summary ===" in out
    assert "demo incident: namespace='shop'" in out
    # The default limit (1,000) samples the 2,984-line incident: true totals come from the
    # count queries, and the window's oldest lines bring the FATAL root cause into the sample.
    assert "True totals (demo count query, whole window): 2,984 lines: fatal 1," in out
    assert "the newest 1,000 lines plus the oldest 200" in out
    assert "By level (sample): fatal 1," in out
    assert "P1   FATAL" in out
    assert "no LLM was reached at http://127.0.0.1:9/" in out
    assert "Wint3r-2025!" not in out  # the DSN password in the bundled incident is redacted
    assert "secrets redacted" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["analyze"], "invalid filters", id="no-filter"),
        pytest.param(
            ["analyze", "--namespace", "a", "--limit", "9000"], "invalid limit", id="limit"
        ),
        pytest.param(
            ["analyze", "--namespace", "a", "--since", "99d"], "MAX_TIME_RANGE", id="window"
        ),
        pytest.param(["analyze", "--pod", "(x"], "invalid filters.pod", id="regex"),
        # A window option the command would otherwise drop: the window must be the one asked for.
        pytest.param(
            ["analyze", "--namespace", "a", "--end", "2026-12-05T05:30:00Z"],
            "invalid time_range: end needs a start",
            id="end-without-start",
        ),
        pytest.param(
            ["analyze", "--namespace", "a", "--since", "2h", "--start", "2026-12-05T05:00:00Z"],
            "invalid time_range: give either since, or start",
            id="since-and-start",
        ),
        pytest.param(
            [
                "recipe",
                "logs_per_level",
                "--namespace",
                "a",
                "--since",
                "2h",
                "--end",
                "2026-12-05T05:30:00Z",
            ],
            "invalid time_range: give either since, or start",
            id="recipe-since-and-end",
        ),
    ],
)
def test_analyze_rejects_bad_input_naming_it(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == EXIT_INPUT
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("command", [["serve", "--port", "9"], ["analyze", "--namespace", "a"]])
def test_an_invalid_configuration_is_one_line_naming_the_variable(
    command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # serve started uvicorn first and died in create_app with a traceback and exit code 1.
    monkeypatch.setenv("MAX_TIME_RANGE", "abc")
    assert main(command) == EXIT_INPUT
    err = capsys.readouterr().err
    assert err.startswith("invalid configuration: MAX_TIME_RANGE: ")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("flag", "code", "says"),
    [
        pytest.param("--no-llm", 0, "the model was not asked (llm is false)", id="no-llm"),
        pytest.param("--llm", EXIT_UPSTREAM, "llm_unavailable", id="llm"),
    ],
)
def test_analyze_asks_the_model_unless_told_not_to(
    flag: str,
    code: int,
    says: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LOG_SOURCE", "demo")
    assert main(["analyze", "--namespace", "shop", "--since", "30m", flag]) == code
    captured = capsys.readouterr()
    assert "=== Log summary ===" in captured.out
    assert says in captured.out + captured.err


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        pytest.param(None, "text/plain", id="none"),
        pytest.param("*/*", "text/plain", id="any"),
        pytest.param("text/event-stream", "text/event-stream", id="sse"),
        pytest.param("application/x-ndjson", "application/x-ndjson", id="ndjson"),
        pytest.param(
            "text/event-stream;q=0.5, application/x-ndjson", "application/x-ndjson", id="q-values"
        ),
        pytest.param("application/json", "text/plain", id="unsupported"),
    ],
)
def test_accept_negotiation(accept: str | None, media_type: str) -> None:
    assert negotiate(accept) == media_type


@pytest.mark.anyio
async def test_an_upstream_message_cannot_drive_the_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A store's error quotes its answer; a hostile or broken one could hold escapes.
    error = LokiUnavailable("Loki says \x1b]52;c;ZXZpbA==\x07\x1b[2J\x9b1A\rall fine")
    run = Run(FixedJob(error), deps(None, InMemorySpanExporter()))
    assert await stream_run(run, io.StringIO()) == EXIT_UPSTREAM
    # The last line: earlier tests of `main` may have left a log handler writing here too.
    err = capsys.readouterr().err.split("\n")[-2]
    assert err.startswith("error [loki_unavailable]: Loki says ")
    assert not any(char in err for char in "\x1b\x9b\r\x07"), err


class ClosedPipe(io.StringIO):
    """Standard output piped to a reader that left (``log-analyzer analyze ... | head``)."""

    def write(self, text: str) -> int:
        if "The " in text:
            raise BrokenPipeError
        return super().write(text)


@pytest.mark.anyio
async def test_a_closed_pipe_mid_answer_closes_the_model_s_stream_at_once() -> None:
    llm = FakeLLM(gate=asyncio.Event())  # the answer would wait for ever after its first token
    run = Run(FixedJob(), deps(llm, InMemorySpanExporter()))
    with pytest.raises(BrokenPipeError):
        await stream_run(run, ClosedPipe())
    assert llm.closed.is_set()
