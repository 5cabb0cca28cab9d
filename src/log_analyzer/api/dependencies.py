"""FastAPI dependencies: the services `lifespan` opened."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from log_analyzer.core.config import Settings
from log_analyzer.service.runs import Services


def get_services(request: Request) -> Services:
    """The services `lifespan` stored on the application."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings_dep(services: ServicesDep) -> Settings:
    """The settings the application was created with."""
    return services.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
