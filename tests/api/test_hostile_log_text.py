"""What a log line or a pod's name can do to the user: through the real route, in each format.

Anyone who can make a pod log a line, or name a pod, writes text that reaches the user's
terminal (the summary's patterns and sources, and the model's answer repeating them) and the
model's prompt. The store is the recording of a real Loki 3 with its lines and one pod label
replaced by hostile text made up here; the model is a fake that repeats some of it.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.core.workers import WorkerPool
from tests.conftest import recorded, running_app
from tests.fakes import FakeLLM, RecordedLogSource

pytestmark = pytest.mark.anyio
REQUEST = {"filters": {"namespace": "billing"}, "time_range": {"since": "1h"}}
ESC = "\x1b"
LINES = (
    "ERROR c1 \x9b2J \x9d0;title\x9c one-byte CSI and OSC",
    "ERROR bs abc\x08\x08\x08xyz nul\x00 bel\x07 del\x7f",
    "ERROR bidi user \u202eexe.gnp\u202c admin \u2066x\u2069 \u200fy",
    "ERROR zw pass\u200bword\u200d t\u2060ag \ufeff hidden \U000e0049\U000e0047\U000e004e",
    f"ERROR osc {ESC}]52;c;cm0gLXJmIH4={ESC}\\ clip {ESC}]0;pwned\x07 title",
)
POD = "api-\u202eevil\u200b-\x9b2J"
ANSWER = (
    "P1 says: ",
    f"{ESC}]52;c;cm0gLXJmIH4=\x07",
    "\u202eevil\u202c",
    " pass\u200bword",
    "\x9b2J\r",
    " \U000e0049 done.",
)
# Characters that act on a terminal or that a reader does not see.
UNSEEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
    "\U000e0000-\U000e0fff]"
)


def hostile_store() -> RecordedLogSource:
    body: dict[str, Any] = copy.deepcopy(recorded("loki", "query_range-streams.json")["body"])
    stream = body["data"]["result"][0]
    ts = int(stream["values"][0][0])
    stream["values"] = [[str(ts - i), line] for i, line in enumerate(LINES)]
    stream["stream"]["pod"] = POD
    return RecordedLogSource(body)


async def analyse(accept: str) -> tuple[str, FakeLLM]:
    llm = FakeLLM(ANSWER)
    async with running_app(
        InMemorySpanExporter(), log_source=hostile_store(), llm=llm, workers=WorkerPool(0)
    ) as (_, client):
        response = await client.post("/v1/analyze/stream", json=REQUEST, headers={"accept": accept})
    assert response.status_code == 200
    return response.text, llm


async def test_the_text_format_shows_each_hostile_character_by_name_and_none_raw() -> None:
    text, _ = await analyse("text/plain")
    assert not UNSEEN.search(text), UNSEEN.findall(text)
    # The reader sees that something was there, and what: in the pod's name, in a pattern,
    # and in the model's answer that repeats them.
    assert "api-\\u202eevil\\u200b-\\x9b2J" in text
    assert re.search(r"\\x9b2J \\x9d.*;title\\x9c", text)  # the 0, a number, may be masked
    assert "pass\\u200bword\\u200d t\\u2060ag \\ufeff hidden \\U000e0049\\U000e0047" in text
    assert "abc\\x08\\x08\\x08xyz nul\\x00 bel\\x07 del\\x7f" in text
    answer = text.split("=== Analysis ===\n", 1)[1]
    assert answer.startswith(
        "\nP1 says: \\x1b]52;c;cm0gLXJmIH4=\\x07\\u202eevil\\u202c pass\\u200bword\\x9b2J\\x0d"
        " \\U000e0049 done."
    )


@pytest.mark.parametrize("accept", ["application/x-ndjson", "text/event-stream"])
async def test_the_json_formats_hold_nothing_raw_and_read_back_the_same(accept: str) -> None:
    text, _ = await analyse(accept)
    assert not UNSEEN.search(text.replace("\n", "")), UNSEEN.findall(text)
    lines = [line.removeprefix("data: ") for line in text.splitlines()]
    lines = [line for line in lines if line.startswith("{")]
    events = [json.loads(line) for line in lines]
    tokens = "".join(event.get("text", "") for event in events if "text" in event)
    assert tokens == "".join(ANSWER)  # faithful: a JSON reader gets the model's text as it was
    assert POD in json.dumps(events, ensure_ascii=False)


async def test_the_prompt_holds_the_hostile_text_inside_the_fence_and_inert() -> None:
    _, llm = await analyse("text/plain")
    user = llm.prompts[0][-1]["content"]
    begin = re.search(r"^BEGIN-DATA-(\w+)$", user, re.MULTILINE)
    assert begin is not None
    head, fenced = user[: begin.start()], user[begin.end() :]
    assert fenced.rstrip().endswith(f"END-DATA-{begin.group(1)}")
    assert fenced.count(f"END-DATA-{begin.group(1)}") == 1
    assert "pass" not in head and "evil" not in head  # nothing of the logs before the fence
    assert not UNSEEN.search(user.replace("\n", "")), UNSEEN.findall(user)
    assert "password" in fenced  # an invisible character is left out for the model
    assert "\U000e0049" not in user  # and so is a sentence spelled in tag characters
