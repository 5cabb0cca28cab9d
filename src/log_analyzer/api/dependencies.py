"""FastAPI dependencies: the upstream clients and settings wired in `lifespan`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from opentelemetry.trace import Tracer

from log_analyzer.analysis.limiter import GenerationLimiter
from log_analyzer.clients.protocols import LLMBackend, LogSource
from log_analyzer.core.config import Settings


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a request handler may use, created once per process."""

    settings: Settings
    logs: LogSource
    llm: LLMBackend
    tracer: Tracer
    limiter: GenerationLimiter


def get_services(request: Request) -> Services:
    """The services `lifespan` stored on the application."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_log_source(services: ServicesDep) -> LogSource:
    """The log source (Loki in production)."""
    return services.logs


def get_llm(services: ServicesDep) -> LLMBackend:
    """The LLM backend (llama.cpp in production)."""
    return services.llm


def get_settings_dep(services: ServicesDep) -> Settings:
    """The settings the application was created with."""
    return services.settings


LogSourceDep = Annotated[LogSource, Depends(get_log_source)]
LLMDep = Annotated[LLMBackend, Depends(get_llm)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
