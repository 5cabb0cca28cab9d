"""Liveness, readiness and version."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from log_analyzer.api.dependencies import ServicesDep, SettingsDep
from log_analyzer.api.models import Health, VersionInfo
from log_analyzer.core.errors import ServiceError

router = APIRouter(tags=["operations"])

READY_CHECK_SECONDS = 5.0
"""Longest `/ready` waits for one upstream's check, under the readiness probe's timeoutSeconds
(8 in ``k8s/02-deployment.yaml``): a hung store is reported as such, not waited for until its
own timeouts (30 s and more), which the kubelet would count as the whole pod failing."""


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
    checks_run = [_state(source.ready()) for source in services.sources.values()]
    states = await asyncio.gather(*checks_run, _state(services.llm.health()))
    checks = dict(zip(names, states, strict=True))
    if default not in checks:  # LOG_SOURCE names a store the service could not open
        reason = services.unavailable.get(default, "the service knows no such store")
        checks[default] = f"not configured: {reason}"
    gating = {default, "llama.cpp"}
    not_ready = [name for name, state in checks.items() if state != "ok" and name in gating]
    if not_ready:
        return JSONResponse(
            {"status": "not_ready", "not_ready": not_ready, "checks": checks}, status_code=503
        )
    return JSONResponse({"status": "ready", "checks": checks})


async def _state(check: Awaitable[None]) -> str:
    """``ok``, or why the upstream is not ready (its error, or no answer in time)."""
    seconds = READY_CHECK_SECONDS
    try:
        async with asyncio.timeout(seconds) as limit:
            await check
    except ServiceError as exc:
        return exc.message
    except TimeoutError:
        if not limit.expired():
            raise
        return f"no answer within {seconds:g} s, the readiness check's limit"
    return "ok"


@router.get("/version")
async def version(settings: SettingsDep) -> VersionInfo:
    """Name, version, configured model and deployment environment."""
    return VersionInfo(
        name="log-analyzer",
        version=settings.version,
        model=settings.model_name,
        environment=settings.deployment_environment,
    )
