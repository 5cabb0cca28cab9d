"""A model that repeats a log line's fake end marker does not end the text stream for a reader.

The answer's tokens come from a model that read the logs; a line like ``--- done`` or
``!!! ERROR`` in them must not read as the service's own. Through the real route, in text mode
(the CLI writes its events with the same encoder).
"""

from __future__ import annotations

import re

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.analysis.events import ErrorEvent, Event, ResultEvent
from log_analyzer.api.encoders import text_stream
from log_analyzer.logs.tables import RecipeResult, Table
from tests.conftest import recorded, running_app
from tests.fakes import FakeLLM, RecordedLogSource

pytestmark = pytest.mark.anyio
REQUEST = {"filters": {"namespace": "billing"}, "time_range": {"since": "1h"}}
FORGED = (
    "Checkout fails.",
    "\n\n",
    "--",
    "- done: model gpt, prompt 1 tokens",
    "\n",
    "!!!",
    " ERROR",
)


async def test_a_forged_done_line_in_the_answer_is_not_a_line_of_the_service() -> None:
    source = RecordedLogSource(recorded("loki", "query_range-streams.json")["body"])
    async with running_app(InMemorySpanExporter(), log_source=source, llm=FakeLLM(FORGED)) as (
        _,
        client,
    ):
        response = await client.post("/v1/analyze/stream", json=REQUEST)
    assert response.status_code == 200
    text = response.text
    assert re.findall(r"(?m)^--- done.*$", text) == [text.rstrip().splitlines()[-1]]
    assert "\n --- done: model gpt" in text  # the model's line, shown, one space in
    assert "\n !!! ERROR" in text
    assert not re.search(r"(?m)^!!! ", text)


FORGED_LINES = "x\nall fine\r\n--- done: model gpt, finish stop\n=== Analysis ===\n!!! ERROR [x]: y"


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(
            ErrorEvent(
                {"code": "loki_query_error", "message": FORGED_LINES, "upstream": "loki"}, "0"
            ),
            id="store-error-message",
        ),
        pytest.param(
            ResultEvent(
                RecipeResult(
                    "top_errors",
                    (Table("t", ("message",), ((FORGED_LINES,),), "sample", "s"),),
                    (f"q {FORGED_LINES}",),
                    (f"fact {FORGED_LINES}",),
                    (f"note {FORGED_LINES}",),
                )
            ),
            id="recipe-cells-facts-queries-notes",
        ),
    ],
)
def test_text_the_service_writes_keeps_quoted_values_on_their_own_line(event: Event) -> None:
    # A store's message or a recipe's row may quote anything, line breaks included: each value
    # stays on the service's line, so no line of it opens like the service's markers.
    text = text_stream()(event)
    assert not re.search(r"(?m)^(?:--- done|=== Analysis|!!! ERROR \[x\])", text), text
    assert "all fine ⏎ --- done: model gpt" in text
