"""The cause, named by code, reaches the client and the model: the bundled demo incident.

The demo store filters and counts its lines by window like a real store, so the queries before
the onset see only the minutes they ask for.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.analysis import analyze
from log_analyzer.core.workers import WorkerCrashed
from tests.conftest import running_app, settings_for_tests
from tests.fakes import FakeLLM

pytestmark = pytest.mark.anyio
CAUSE = "password authentication failed for user"


async def analyse(spans: InMemorySpanExporter, model: FakeLLM, **body: Any) -> list[dict[str, Any]]:
    request = {"filters": {"namespace": "shop"}, "time_range": {"since": "30m"}, **body}
    async with running_app(spans, settings=settings_for_tests(log_source="demo"), llm=model) as (
        _,
        client,
    ):
        response: httpx.Response = await client.post(
            "/v1/analyze/stream", json=request, headers={"accept": "application/x-ndjson"}
        )
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


async def test_the_cause_is_the_first_suspect_and_reaches_the_model_first(
    spans: InMemorySpanExporter,
) -> None:
    llm = FakeLLM()
    events = await analyse(spans, llm)
    summary = events[0]["summary"]
    first = summary["suspects"][0]
    assert first["rank"] == 1 and CAUSE in first["text"]
    assert first["level"] == "fatal"
    assert any(reason.startswith("seen ") and "the onset" in reason for reason in first["reasons"])
    assert summary["onsets"], summary["changes_note"]
    assert any(CAUSE in change["template"] for change in summary["changes"])
    # 1,000 newest and 200 oldest lines, then a pass without the known patterns reads the rest.
    assert summary["coverage"]["statement"].startswith("all 2,984 matching lines are in these ")
    prompt = llm.prompts[0][-1]["content"]
    suspects_at = prompt.index("Suspects ranked by code")
    assert prompt.index(CAUSE, suspects_at) < prompt.index("Patterns (ID LEVEL")
    names = {span.name for span in spans.get_finished_spans()}
    assert {"query_demo_before_onset", "changes_before_onset", "rank_suspects"} <= names


async def test_numbers_only_still_name_the_suspects(spans: InMemorySpanExporter) -> None:
    llm = FakeLLM()
    events = await analyse(spans, llm, llm=False)
    assert CAUSE in events[0]["summary"]["suspects"][0]["text"]
    assert not llm.prompts


async def test_the_text_report_lists_suspects_and_coverage(spans: InMemorySpanExporter) -> None:
    request = {"filters": {"namespace": "shop"}, "time_range": {"since": "30m"}, "llm": False}
    async with running_app(spans, settings=settings_for_tests(log_source="demo")) as (_, client):
        text = (await client.post("/v1/analyze/stream", json=request)).text
    assert "Coverage: all 2,984 matching lines are in these " in text
    at = text.index("Suspects (ranked by code, most likely first):")
    assert CAUSE in text[at : text.index("\n  2. ", at)]
    # A change's example, redacted and on one line, shows the values its template masks.
    change = text.index("Change before the onset at ")
    example = text[change:].split("\n")[1]
    assert example.startswith("  e.g. ") and "[REDACTED:" in text[change:]
    assert all(
        line.startswith(("Change before the onset", "  e.g. ", "Changes before the onset"))
        for line in text[change : text.index("Patterns (")].strip().split("\n")
    )


def changes_fail(work: object) -> object:
    """Stands in for the onset work in a worker whose process died under it."""
    raise WorkerCrashed("a worker process died during the computation")


async def test_changes_that_cannot_be_computed_cost_only_the_changes(
    spans: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analyze, "changes_near_onsets", changes_fail)
    events = await analyse(spans, FakeLLM(), llm=False)
    summary = events[0]["summary"]
    assert summary["changes"] == []
    assert summary["changes_note"] == (
        "what changed before the onset could not be computed: "
        "a worker process died during the computation"
    )
    assert summary["onsets"]  # found from the counts; only what changed before them is missing
    assert any(CAUSE in suspect["text"] for suspect in summary["suspects"])
    assert events[-1]["type"] == "done"
