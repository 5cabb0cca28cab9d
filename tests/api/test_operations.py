"""/health, /ready, /version and the OpenAPI docs."""

from __future__ import annotations

import asyncio
import inspect

import httpx
import pytest
import respx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer import __version__
from log_analyzer.api.routes import health
from tests.conftest import recorded_response, running_app, settings_for_tests

pytestmark = pytest.mark.anyio


async def test_health_and_version(spans: InMemorySpanExporter) -> None:
    settings = settings_for_tests(deployment_environment="prod", model_name="smollm2")
    async with running_app(spans, settings=settings) as (_, client):
        health = (await client.get("/health")).json()
        version = (await client.get("/version")).json()
        docs = await client.get("/docs")
        openapi = (await client.get("/openapi.json")).json()

    assert health == {"status": "ok", "version": __version__}
    assert version == {
        "name": "log-analyzer",
        "version": __version__,
        "model": "smollm2",
        "environment": "prod",
    }
    assert docs.status_code == 200
    assert "/v1/analyze/stream" in openapi["paths"]


@pytest.mark.parametrize(
    ("loki", "llama", "status", "not_ready"),
    [
        pytest.param(
            recorded_response("loki", "reconstructed-ready.json"),
            recorded_response("llama", "health-ok.json"),
            200,
            [],
            id="both-ready",
        ),
        pytest.param(
            recorded_response("loki", "reconstructed-ready-not-ready.json"),
            recorded_response("llama", "health-ok.json"),
            503,
            ["loki"],
            id="loki-warming",
        ),
        pytest.param(
            recorded_response("loki", "reconstructed-ready.json"),
            recorded_response("llama", "reconstructed-health-loading.json"),
            503,
            ["llama.cpp"],
            id="model-loading",
        ),
        pytest.param(
            httpx.ConnectError("refused"),
            httpx.ConnectError("refused"),
            503,
            ["loki", "llama.cpp"],
            id="both-down",
        ),
    ],
)
async def test_ready_names_what_is_not_ready(
    spans: InMemorySpanExporter,
    loki_mock: respx.MockRouter,
    llama_mock: respx.MockRouter,
    loki: httpx.Response | Exception,
    llama: httpx.Response | Exception,
    status: int,
    not_ready: list[str],
) -> None:
    for router, path, answer in ((loki_mock, "/ready", loki), (llama_mock, "/health", llama)):
        route = router.get(path)
        if isinstance(answer, Exception):
            route.mock(side_effect=answer)
        else:
            route.mock(return_value=answer)

    async with running_app(spans) as (_, client):
        response = await client.get("/ready")

    assert response.status_code == status
    body = response.json()
    assert body.get("not_ready", []) == not_ready
    for name in not_ready:
        assert body["checks"][name] != "ok"


def test_app_is_importable_lazily_for_uvicorn_and_fastapi_cli(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fastapi import FastAPI

    import log_analyzer.main as main_module

    monkeypatch.setenv("OTEL_ENABLED", "false")
    main_module._default_app.cache_clear()
    assert "app" in dir(main_module)
    assert isinstance(main_module.app, FastAPI)
    assert main_module.app is main_module.app  # created once
    with pytest.raises(AttributeError):
        _ = main_module.not_there
    main_module._default_app.cache_clear()


async def test_a_store_other_than_the_default_does_not_make_the_service_unready(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    # LOG_SOURCE=demo: Loki (open, as it always has a URL) is down, but no request needs it
    # unless it names it; the demo and the model answer.
    loki_mock.get("/ready").mock(side_effect=httpx.ConnectError("refused"))
    llama_mock.get("/health").mock(return_value=httpx.Response(200, json={"status": "ok"}))
    settings = settings_for_tests(log_source="demo")
    async with running_app(spans, settings=settings) as (_, client):
        response = await client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["demo"] == "ok"
    assert body["checks"]["loki"] != "ok"  # reported, not gating


async def test_a_store_that_hangs_cannot_hold_the_readiness_check_past_its_limit(
    spans: InMemorySpanExporter,
    loki_mock: respx.MockRouter,
    llama_mock: respx.MockRouter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A store that accepts the connection and never answers (a hung cluster behind a proxy)
    # held /ready until its own timeouts, 30 s and more: past the probe's timeoutSeconds, so
    # the kubelet took the pod out of rotation although the default store and model answer.
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    monkeypatch.setattr(health, "READY_CHECK_SECONDS", 0.2)
    loki_mock.get("/ready").mock(side_effect=hang)
    llama_mock.get("/health").mock(return_value=httpx.Response(200, json={"status": "ok"}))
    settings = settings_for_tests(log_source="demo")
    async with running_app(spans, settings=settings) as (_, client):
        async with asyncio.timeout(5):
            response = await client.get("/ready")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["demo"] == "ok"
    assert checks["loki"] == "no answer within 0.2 s, the readiness check's limit"


async def test_a_default_store_that_is_not_configured_makes_the_service_unready(
    spans: InMemorySpanExporter, loki_mock: respx.MockRouter, llama_mock: respx.MockRouter
) -> None:
    # LOG_SOURCE=opensearch without OPENSEARCH_URL: /ready said "ready" while every request
    # that names no store was refused.
    loki_mock.get("/ready").mock(return_value=recorded_response("loki", "reconstructed-ready.json"))
    llama_mock.get("/health").mock(return_value=httpx.Response(200, json={"status": "ok"}))
    settings = settings_for_tests(log_source="opensearch", opensearch_url=None)
    async with running_app(spans, settings=settings) as (_, client):
        response = await client.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["not_ready"] == ["opensearch"]
    assert body["checks"]["opensearch"] == "not configured: OPENSEARCH_URL is not set"


def test_no_route_or_dependency_runs_in_the_thread_pool() -> None:
    """FastAPI sends a plain ``def`` endpoint or dependency to its thread pool: under load each
    such hop waits for the GIL behind the event loop (two of them made `/health` p95 three
    times slower in bench_load's scenario A). Every one of ours is a coroutine function."""
    from fastapi.dependencies.models import Dependant
    from fastapi.routing import APIRoute

    from log_analyzer.api.routes import analyze, health, recipes

    def calls(dependant: Dependant) -> list[object]:
        found: list[object] = [dependant.call] if dependant.call is not None else []
        for sub in dependant.dependencies:
            found += calls(sub)
        return found

    # The routers create_app includes, all of them.
    routers = (health.router, analyze.router, recipes.router)
    routes = [route for router in routers for route in router.routes if isinstance(route, APIRoute)]
    assert {route.path for route in routes} >= {"/health", "/ready", "/v1/analyze/stream"}
    sync = [
        (route.path, getattr(call, "__name__", repr(call)))
        for route in routes
        for call in calls(route.dependant)
        if not inspect.iscoroutinefunction(call)
    ]
    assert sync == []
