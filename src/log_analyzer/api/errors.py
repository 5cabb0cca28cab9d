"""Turn errors raised before the first byte into `{"error": {...}}` JSON responses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from log_analyzer.core.errors import OverloadedError, ServiceError

logger = logging.getLogger(__name__)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers for our error tree and for request validation."""
    app.add_exception_handler(ServiceError, _service_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]


async def _service_error(_: Request, exc: ServiceError) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, OverloadedError) else None
    return JSONResponse({"error": exc.to_dict()}, status_code=exc.status_code, headers=headers)


async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [_problem(err) for err in exc.errors()]
    first = problems[0] if problems else {"field": "body", "reason": "invalid request"}
    message = "; ".join(f"{p['field']}: {p['reason']}" for p in problems) or "invalid request"
    body = {
        "error": {
            "code": "invalid_input",
            "message": message,
            "field": first["field"],
            "problems": problems,
        }
    }
    return JSONResponse(body, status_code=422)


def _problem(err: Any) -> dict[str, str]:
    location = [str(part) for part in err.get("loc", ()) if part != "body"]
    reason = str(err.get("msg", "invalid"))
    reason = reason.removeprefix("Value error, ")
    return {"field": ".".join(location) or "body", "reason": reason}
