"""Hostile and malformed requests: each gets a 4xx in the error envelope naming what is wrong.

Nothing here may reach a store or the model: the mocks assert they were not called.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
import respx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.conftest import running_app

pytestmark = pytest.mark.anyio

OK_FILTERS = {"namespace": "shop"}
ENDPOINTS = ("/v1/analyze/stream", "/v1/recipes/top_errors/stream")


async def send(spans: InMemorySpanExporter, path: str, **kwargs: Any) -> httpx.Response:
    async with running_app(spans) as (_, client):
        return await client.post(path, **kwargs)


def assert_envelope(
    response: httpx.Response, status: int, field: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert set(error) >= {"code", "message"}
    if field is not None:
        assert error["field"] == field, error
    return error


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    ("time_range", "field"),
    [
        ({"since": "999999d"}, "time_range.since"),
        ({"since": "9" * 40 + "s"}, "time_range.since"),
        ({"start": "2999-01-01T00:00:00Z"}, "time_range.start"),
        (
            {"start": "9999-12-31T00:00:00Z", "end": "9999-12-31T23:59:59.999999Z"},
            "time_range.start",
        ),
        ({"start": "0001-01-01T00:00:00Z", "end": "0001-01-01T01:00:00Z"}, "time_range.start"),
        # Valid dates whose offset carries them past the calendar's ends once in UTC.
        ({"start": "0001-01-01T00:30:00+01:00"}, "time_range.start"),
        ({"start": "9999-12-31T23:00:00-05:00"}, "time_range.start"),
        ({"start": "2026-03-14T09:00:00Z", "end": "9999-12-31T23:00:00-05:00"}, "time_range.end"),
    ],
    ids=[
        "since-overflow",
        "since-huge",
        "start-future",
        "year-9999",
        "year-1",
        "start-before-year-1-in-utc",
        "start-after-year-9999-in-utc",
        "end-after-year-9999-in-utc",
    ],
)
async def test_windows_out_of_range_name_the_field(
    spans: InMemorySpanExporter,
    loki_mock: respx.MockRouter,
    path: str,
    time_range: dict[str, str],
    field: str,
) -> None:
    body = {"filters": OK_FILTERS, "time_range": time_range}
    response = await send(spans, path, json=body)
    error = assert_envelope(response, 422, field)
    assert error["code"] == "invalid_input"
    assert not loki_mock.calls


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("name", ["namespace", "container", "node", "pod"])
async def test_a_lone_surrogate_in_a_filter_names_the_filter(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, path: str, name: str
) -> None:
    filters = {"namespace": "shop", name: "shop\ud800"}
    raw = json.dumps({"filters": filters})  # ensure_ascii writes the escape "\ud800"
    response = await send(spans, path, content=raw, headers={"content-type": "application/json"})
    assert_envelope(response, 422, f"filters.{name}")
    assert not loki_mock.calls


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"filters": {"namespace": "x" * 1_000_000}}, "filters.namespace"),
        ({"filters": OK_FILTERS, "log_filter": "a" * 100_000}, "log_filter"),
        ({"filters": OK_FILTERS, "question": "why " * 1000}, "question"),
        ({"filters": OK_FILTERS, "log_filter": "timeout\ud800"}, "log_filter"),
        ({"filters": OK_FILTERS, "question": "why\ud800"}, "question"),
    ],
    ids=[
        "namespace-1MB",
        "log-filter-100k",
        "question-long",
        "log-filter-surrogate",
        "question-surrogate",
    ],
)
async def test_oversized_or_unencodable_fields_are_refused(
    spans: InMemorySpanExporter,
    loki_mock: respx.MockRouter,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    response = await send(
        spans, path, content=json.dumps(body), headers={"content-type": "application/json"}
    )
    assert_envelope(response, 422, field)
    assert not loki_mock.calls


# Ten minutes ago, as a Unix time: a window the service would serve, if it took a number.
RECENT = int(time.time()) - 600


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"filters": OK_FILTERS, "llm": 0.0}, "llm"),
        ({"filters": OK_FILTERS, "llm": 1}, "llm"),
        ({"filters": OK_FILTERS, "llm": "yes"}, "llm"),
        ({"filters": OK_FILTERS, "time_range": {"start": RECENT}}, "time_range.start"),
        ({"filters": OK_FILTERS, "time_range": {"start": str(RECENT)}}, "time_range.start"),
        (
            {"filters": OK_FILTERS, "time_range": {"start": "2026-03-14T09:00:00Z", "end": 1.5}},
            "time_range.end",
        ),
    ],
    ids=["llm-float", "llm-int", "llm-word", "start-number", "start-digits", "end-number"],
)
async def test_values_of_another_type_than_the_schema_says_are_refused(
    spans: InMemorySpanExporter,
    loki_mock: respx.MockRouter,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    # The schema says boolean and RFC3339 string: what it refuses, the service refuses too
    # (Schemathesis sends such bodies and expects a 4xx).
    response = await send(spans, path, json=body)
    assert_envelope(response, 422, field)
    assert not loki_mock.calls


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b'{"filters": {"namespace": "\xff\xfe"}}', "not-utf8"),
        (b"[" * 1000 + b"]" * 1000, "deep"),
        (b'{"filters": {"namespace": "shop"}, "limit": ' + b"9" * 5000 + b"}", "huge-int"),
        (b"{", "truncated"),
        (b'{"filters": {"namespace": "shop"},}', "trailing-comma"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
async def test_unparseable_bodies_get_the_envelope(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, content: bytes, why: str
) -> None:
    response = await send(
        spans, "/v1/analyze/stream", content=content, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500, response.text
    error = assert_envelope(response, response.status_code)
    assert "detail" not in response.json()
    assert error["code"] == "invalid_json"
    assert error["field"] == "body"
    assert not loki_mock.calls


async def test_a_declared_body_over_the_cap_is_refused_in_the_envelope(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter
) -> None:
    response = await send(
        spans,
        "/v1/analyze/stream",
        content=b" " * (1_048_576 + 1),  # sent with its Content-Length
        headers={"content-type": "application/json"},
    )
    error = assert_envelope(response, 413, "body")
    assert error["code"] == "body_too_large"
    assert "MAX_REQUEST_BYTES" in error["message"]
    assert not loki_mock.calls


async def test_a_body_over_the_cap_is_refused_before_it_is_read(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter
) -> None:
    received: list[int] = []

    async def body() -> Any:
        for _ in range(100):  # 100 MiB offered, 1 MiB at a time
            received.append(1)
            yield b" " * 1_048_576

    response = await send(
        spans,
        "/v1/analyze/stream",
        content=body(),
        headers={"content-type": "application/json"},
    )
    error = assert_envelope(response, 413)
    assert error["code"] == "body_too_large"
    assert len(received) < 10
    assert not loki_mock.calls


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nope", 404), ("GET", "/v1/analyze/stream", 405), ("DELETE", "/health", 405)],
)
async def test_unknown_routes_and_methods_get_the_envelope(
    spans: InMemorySpanExporter, method: str, path: str, status: int
) -> None:
    async with running_app(spans) as (_, client):
        response = await client.request(method, path)
    assert_envelope(response, status)


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    ("content_type", "named"),
    [
        # curl -d without -H sends this: the body was refused as "not a valid dictionary".
        pytest.param(
            "application/x-www-form-urlencoded", "application/x-www-form-urlencoded", id="form"
        ),
        pytest.param("text/plain; charset=utf-8", "text/plain", id="text"),
    ],
)
async def test_a_json_body_sent_as_another_media_type_is_refused_as_such(
    spans: InMemorySpanExporter,
    loki_mock: respx.MockRouter,
    path: str,
    content_type: str,
    named: str,
) -> None:
    body = json.dumps({"filters": {"namespace": "shop"}, "llm": False}).encode()
    response = await send(spans, path, content=body, headers={"content-type": content_type})
    error = assert_envelope(response, 415, "body")
    assert error["code"] == "unsupported_media_type"
    assert error["message"] == (
        f"the request body must be JSON, sent with Content-Type: application/json (this one "
        f"came with {named})"
    )
    assert not loki_mock.calls
