"""Schemathesis over every operation of the app, in process: no 5xx, nothing off its schema.

The app reads the bundled demo incident (LOG_SOURCE=demo) and, for requests that name Loki, the
recorded Loki answers (respx); the model is the test fake. Hypothesis draws a bounded number of
cases per operation so the run takes well under a few minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import respx
import schemathesis
from hypothesis import HealthCheck, settings
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from schemathesis.checks import CheckFunction
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from log_analyzer.core.workers import WorkerPool
from log_analyzer.main import create_app
from tests.conftest import LOKI_URL, recorded_response, settings_for_tests
from tests.fakes import FakeLLM

APP = create_app(
    settings_for_tests(log_source="demo", llm_deadline_seconds=10, llm_queue_timeout_seconds=5),
    span_exporter=InMemorySpanExporter(),
    llm=FakeLLM(),
    workers=WorkerPool(0),
)
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
# Bodies that break the schema too: those are where a 500 would hide.
SCHEMA.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@pytest.fixture
def recorded_loki() -> Iterator[None]:
    with respx.mock(base_url=LOKI_URL, assert_all_called=False) as router:
        router.get("/loki/api/v1/query_range", params={"direction": "backward"}).mock(
            return_value=recorded_response("loki", "query_range-streams.json")
        )
        router.get("/loki/api/v1/query_range", params={"direction": "forward"}).mock(
            return_value=recorded_response("loki", "query_range-streams.json")
        )
        router.get("/loki/api/v1/query_range").mock(
            return_value=recorded_response("loki", "query_range-matrix-by-level.json")
        )
        router.get("/loki/api/v1/query").mock(
            return_value=recorded_response("loki", "query-vector-by-level-pod-container.json")
        )
        router.post("/loki/api/v1/query_range").mock(
            return_value=recorded_response("loki", "query_range-long-query-post.json")
        )
        router.get("/ready").mock(
            return_value=recorded_response("loki", "reconstructed-ready.json")
        )
        router.route().pass_through()  # the in-process app itself
        yield


# Rules JSON Schema cannot state (one non-empty filter, an RE2 regex, a window that starts in
# the past, since or start but not both) refuse some schema-valid bodies, with a documented 422.
NOT_EXPRESSIBLE: list[CheckFunction] = [positive_data_acceptance]


@SCHEMA.parametrize()
@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_fails_or_strays_from_its_schema(
    case: schemathesis.Case[Any], recorded_loki: None
) -> None:
    case.call_and_validate(excluded_checks=NOT_EXPRESSIBLE)
