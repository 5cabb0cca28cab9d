"""FastAPI dependencies: the services `lifespan` opened.

They are ``async def`` although they never wait: FastAPI runs a plain ``def`` dependency in its
thread pool, so each request (``/health`` included) would hop to a thread and back twice, and
under load each hop waits for the GIL behind the event loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from log_analyzer.core.config import Settings
from log_analyzer.service.runs import Services


async def get_services(request: Request) -> Services:
    """The services `lifespan` stored on the application."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_settings_dep(services: ServicesDep) -> Settings:
    """The settings the application was created with."""
    return services.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
