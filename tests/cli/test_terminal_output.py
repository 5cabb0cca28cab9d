"""What the CLI prints of a log line, a pod's name and the model's answer cannot drive the
terminal, nor hide from the reader: each control or invisible character is shown by name."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.analysis.events import SummaryEvent
from log_analyzer.analysis.job import Head, JobContext
from log_analyzer.analysis.run import Run
from log_analyzer.cli.terminal import EXIT_UPSTREAM, stream_run
from log_analyzer.core.logging import configure_logging
from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import NormalizedEntry
from log_analyzer.logs.summary import summarize
from log_analyzer.service.runs import log_line_scrubber
from log_analyzer.sources.loki.errors import LokiUnavailable
from tests.analysis.test_run import MATERIAL, FixedJob, deps
from tests.conftest import settings_for_tests
from tests.fakes import FakeLLM

pytestmark = pytest.mark.anyio
START_NS = int(datetime(2026, 11, 23, 14, 0, tzinfo=UTC).timestamp()) * 10**9
END_NS = START_NS + 30 * 60 * 10**9
# As a line reaches the summary after normalization: an escape that is not a whole sequence
# (ESC then a letter, or an unterminated OSC) is left in the message, C1 controls always are.
MESSAGE = "db down \x1bc\x1b]52;c;ZXZpbA== \x9b2J all\rfine \u202eevil\u202c pass\u200bword"
POD = "api-\x1b]0;pwned\x07-\u2066x\u2069/api"
ANSWER = ("Because ", "\x1b[2J\x1b]8;;https://evil.example/\x1b\\", "click", "\u200b\x08.")
UNSEEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class HostileJob(FixedJob):
    async def prepare(self, context: JobContext) -> Head:
        entry = NormalizedEntry(
            MESSAGE, Level.ERROR, 3, START_NS, END_NS, (POD,), source_counts=((POD, 3),)
        )
        summary = summarize([entry], start_ns=START_NS, end_ns=END_NS, query="q", limit=10)
        return Head(SummaryEvent(summary), MATERIAL)


async def test_the_cli_shows_hostile_text_by_name_and_nothing_of_it_raw() -> None:
    out = io.StringIO()
    run = Run(HostileJob(), deps(FakeLLM(ANSWER), InMemorySpanExporter()))
    assert await stream_run(run, out) == 0
    printed = out.getvalue()
    assert not UNSEEN.search(printed), UNSEEN.findall(printed)
    assert "api-\\x1b]0;pwned\\x07-\\u2066x\\u2069/api" in printed
    assert "\\x1bc\\x1b]52;c;ZXZpbA== \\x9b2J all\\x0dfine \\u202eevil\\u202c pass\\u200bword" in (
        printed
    )
    assert "Because \\x1b[2J\\x1b]8;;https://evil.example/\\x1b\\click\\u200b\\x08." in printed


async def test_the_cli_s_log_records_escape_what_a_terminal_acts_on() -> None:
    # The CLI logs warnings as JSON on the user's terminal (stderr), as the service does on
    # stdout for `kubectl logs`; a record of a failed run quotes the store's message.
    message = "Loki says \x9b2J\x9d52;c;ZXZpbA==\x9c \u202eevil\u202c pass\u200bword \x1b[2J"
    stream = io.StringIO()
    configure_logging("WARNING", stream=stream, scrub=log_line_scrubber(settings_for_tests()))
    try:
        run = Run(FixedJob(LokiUnavailable(message)), deps(None, InMemorySpanExporter()))
        assert await stream_run(run, io.StringIO()) == EXIT_UPSTREAM
    finally:
        configure_logging("INFO")
    line = stream.getvalue().splitlines()[-1]
    assert line.isprintable(), line
    assert json.loads(line)["error"]["message"] == message  # read back as it was
