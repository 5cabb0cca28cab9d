"""Errors raised before the first byte, as `{"error": {...}}` JSON responses.

Every error response of the service has this envelope: our error tree, request validation,
Starlette's own 404/405, and any exception nobody expected (a 500 that names its type, never its
text, and is logged with its traceback).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from log_analyzer.core.errors import OverloadedError, ServiceError, internal_error

logger = logging.getLogger(__name__)


def error_response(exc: ServiceError) -> JSONResponse:
    """The JSON response of one of our errors (with Retry-After when overloaded)."""
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, OverloadedError) else None
    return JSONResponse({"error": exc.to_dict()}, status_code=exc.status_code, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers for our error tree, validation, HTTP errors and the unexpected."""
    app.add_exception_handler(ServiceError, _service_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


async def _service_error(_: Request, exc: ServiceError) -> JSONResponse:
    return error_response(exc)


async def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
    codes = {404: "not_found", 405: "method_not_allowed"}
    body = {"error": {"code": codes.get(exc.status_code, "http_error"), "message": exc.detail}}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    logger.error("Unexpected error", exc_info=exc)
    return error_response(internal_error(exc))


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
