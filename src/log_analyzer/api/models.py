"""Response bodies of the HTTP API (the request bodies are the service layer's)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class ErrorBody(BaseModel):
    """The `error` object of every JSON error response."""

    code: str
    message: str


class ErrorEnvelope(BaseModel):
    """`{"error": {...}}`, the body of every non-2xx JSON response."""

    error: ErrorBody


class Health(BaseModel):
    """Liveness answer."""

    status: Literal["ok"] = "ok"
    version: str


class VersionInfo(BaseModel):
    """What is running."""

    name: str
    version: str
    model: str
    environment: str
