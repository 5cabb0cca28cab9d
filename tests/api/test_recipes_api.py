"""GET /v1/recipes and POST /v1/recipes/{name}/stream, with the CLI view of the same runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.cli import EXIT_INPUT, main
from log_analyzer.core.config import get_settings
from log_analyzer.core.errors import LLMUnavailable
from tests.conftest import LOKI_URL, recorded, recorded_response, running_app
from tests.fakes import FakeLLM, RecordedLogSource

pytestmark = pytest.mark.anyio
NAMES = [
    "error_spikes",
    "slow_requests",
    "traffic_summary",
    "top_errors",
    "logs_per_level",
    "logs_per_hour",
    "logs_per_day",
    "top_users",
]
BODY = {"filters": {"namespace": "billing"}, "time_range": {"since": "30m"}}


def source() -> RecordedLogSource:
    return RecordedLogSource(recorded("loki", "query_range-streams.json")["body"])


async def post(
    spans: InMemorySpanExporter,
    name: str,
    body: dict[str, Any],
    llm: FakeLLM | None = None,
    accept: str = "application/x-ndjson",
) -> httpx.Response:
    async with running_app(spans, log_source=source(), llm=llm or FakeLLM()) as (_, client):
        return await client.post(
            f"/v1/recipes/{name}/stream", json=body, headers={"accept": accept}
        )


async def test_recipes_are_listed_with_their_parameters(spans: InMemorySpanExporter) -> None:
    async with running_app(spans, log_source=source(), llm=FakeLLM()) as (_, client):
        listed = (await client.get("/v1/recipes")).json()
    assert [r["name"] for r in listed] == NAMES
    for recipe in listed:
        assert recipe["description"]
        for param in recipe["params"]:
            assert {"name", "type", "default", "description"} <= set(param)


async def test_numbers_first_then_the_explanation(spans: InMemorySpanExporter) -> None:
    llm = FakeLLM()
    response = await post(spans, "top_errors", BODY, llm)

    assert response.status_code == 200
    events = [json.loads(line) for line in response.text.splitlines()]
    kinds = [e["type"] for e in events]
    assert kinds[:2] == ["result", "context"] and kinds[-1] == "done" and "token" in kinds
    result = events[0]
    assert result["recipe"] == "top_errors"
    assert result["source"] == "loki"
    assert result["tables"] and all(
        t["counts_are"] in ("total", "sample") for t in result["tables"]
    )
    assert any("count_over_time" in q or q.startswith("{") for q in result["queries"])
    assert events[1]["unit"] == "row" and events[1]["included"] >= 1
    assert "BEGIN-DATA-" in llm.prompts[0][1]["content"]
    names = {s.name for s in spans.get_finished_spans()}
    assert {"run_recipe", "call_llm", "query_loki"} <= names


async def test_llm_false_returns_the_numbers_alone(spans: InMemorySpanExporter) -> None:
    llm = FakeLLM()
    response = await post(spans, "top_errors", {**BODY, "llm": False}, llm)

    kinds = [json.loads(line)["type"] for line in response.text.splitlines()]
    assert kinds == ["result", "done"]
    assert llm.prompts == []


async def test_llm_down_gives_the_numbers_then_an_error_naming_it(
    spans: InMemorySpanExporter,
) -> None:
    llm = FakeLLM(fail=LLMUnavailable("cannot reach llama.cpp: ConnectError"))
    response = await post(spans, "top_errors", BODY, llm, accept="text/plain")

    assert response.status_code == 200
    text = response.text
    assert text.startswith("=== Recipe: top_errors ===")
    assert "Queries (loki):" in text
    assert text.index("Queries (loki):") < text.index(
        "!!! ERROR [llm_unavailable] (llama.cpp): cannot reach llama.cpp"
    )


@pytest.mark.parametrize(
    ("name", "body", "field"),
    [
        pytest.param("nope", BODY, "name", id="unknown-recipe"),
        pytest.param(
            "top_errors", {**BODY, "params": {"colour": 1}}, "params.colour", id="unknown-param"
        ),
        pytest.param("top_errors", {**BODY, "params": {"top": 0}}, "params.top", id="too-small"),
        pytest.param("top_errors", {**BODY, "params": {"top": "x"}}, "params.top", id="not-int"),
        pytest.param("top_errors", {**BODY, "question": "q" * 301}, "question", id="question"),
        pytest.param("top_errors", {"filters": {}}, "filters", id="no-filter"),
    ],
)
async def test_bad_recipe_requests_are_422_naming_the_field(
    spans: InMemorySpanExporter, name: str, body: dict[str, Any], field: str
) -> None:
    response = await post(spans, name, body)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("LOKI_URL", LOKI_URL)
    monkeypatch.setenv("LLAMA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LLAMA_CONNECT_TIMEOUT_SECONDS", "0.5")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("cli_env")
def test_cli_recipe_prints_the_numbers_and_shows_progress(
    loki_mock: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    loki_mock.get("/loki/api/v1/query_range").mock(
        return_value=recorded_response("loki", "query_range-streams.json")
    )
    assert main(["recipe", "top_errors", "--namespace", "billing", "--no-llm"]) == 0
    captured = capsys.readouterr()
    assert "=== Recipe: top_errors ===" in captured.out
    assert "querying loki at http://loki.test:3100/" in captured.err


@pytest.mark.usefixtures("cli_env")
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["recipe", "nope", "--namespace", "a"], "unknown recipe", id="unknown"),
        pytest.param(
            ["recipe", "top_errors", "--namespace", "a", "--param", "top"],
            "expected KEY=VALUE",
            id="param-shape",
        ),
        pytest.param(
            ["recipe", "top_errors", "--namespace", "a", "--param", "top=0"],
            "params.top",
            id="param-range",
        ),
    ],
)
def test_cli_recipe_input_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == EXIT_INPUT
    assert message in capsys.readouterr().err


def _emptied(name: str) -> dict[str, Any]:
    """A recorded Loki body with its result emptied: the store found nothing."""
    body: dict[str, Any] = json.loads(json.dumps(recorded("loki", name)["body"]))
    body["data"]["result"] = []
    return body


@pytest.mark.parametrize("name", NAMES)
async def test_a_recipe_over_an_empty_window_is_not_sent_to_the_model(
    spans: InMemorySpanExporter, name: str
) -> None:
    # Every table is empty or zero: a model shown only zeros invents an interpretation (SmolLM2
    # explained "the top_errors numbers" of a mistyped namespace) and holds a slot meanwhile.
    empty = RecordedLogSource(
        _emptied("query_range-streams.json"),
        vector=_emptied("query-vector-by-level-pod-container.json"),
        matrix=_emptied("query_range-matrix-by-level.json"),
    )
    llm = FakeLLM()
    async with running_app(spans, log_source=empty, llm=llm) as (_, client):
        response = await client.post(
            f"/v1/recipes/{name}/stream", json=BODY, headers={"accept": "application/x-ndjson"}
        )

    events = [json.loads(line) for line in response.text.splitlines()]
    assert [e["type"] for e in events] == ["result", "done"]
    assert any("nothing for the model to explain" in note for note in events[0]["notes"])
    assert events[1]["model"] is None
    assert not llm.prompts
