"""Liveness, readiness and version."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from log_analyzer.api.dependencies import ServicesDep, SettingsDep
from log_analyzer.api.models import Health, VersionInfo
from log_analyzer.core.errors import ServiceError

router = APIRouter(tags=["operations"])


@router.get("/health")
async def health(settings: SettingsDep) -> Health:
    """The process is up; says nothing about the upstreams."""
    return Health(version=settings.version)


@router.get(
    "/ready",
    responses={503: {"description": "The default store or llama.cpp is not ready; named."}},
)
async def ready(services: ServicesDep) -> JSONResponse:
    """200 when the default store (`LOG_SOURCE`) and llama.cpp answer, else 503 naming which.

    Every other open store is checked and reported too, but does not make the service unready:
    taking the pod out of rotation would stop the analyses that do not need that store.
    """
    default = services.settings.log_source
    names = [*services.sources, "llama.cpp"]
    checks_run = [source.ready() for source in services.sources.values()]
    results = await asyncio.gather(*checks_run, services.llm.health(), return_exceptions=True)
    checks: dict[str, str] = {}
    for name, result in zip(names, results, strict=True):
        if isinstance(result, ServiceError):
            checks[name] = result.message
        elif isinstance(result, BaseException):
            raise result
        else:
            checks[name] = "ok"
    gating = {default, "llama.cpp"}
    not_ready = [name for name, state in checks.items() if state != "ok" and name in gating]
    if not_ready:
        return JSONResponse(
            {"status": "not_ready", "not_ready": not_ready, "checks": checks}, status_code=503
        )
    return JSONResponse({"status": "ready", "checks": checks})


@router.get("/version")
async def version(settings: SettingsDep) -> VersionInfo:
    """Name, version, configured model and deployment environment."""
    return VersionInfo(
        name="log-analyzer",
        version=settings.version,
        model=settings.model_name,
        environment=settings.deployment_environment,
    )
