"""Errors raised before the first byte, as `{"error": {...}}` JSON responses.

Every error response of the service has this envelope: our error tree, request validation,
Starlette's own 404/405, and any exception nobody expected (a 500 that names its type, never its
text, and is logged with its traceback).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from log_analyzer.core.errors import OverloadedError, ServiceError, internal_error

logger = logging.getLogger(__name__)


class ErrorJSONResponse(JSONResponse):
    """JSON escaped to ASCII.

    An error may quote input that UTF-8 cannot encode (a lone surrogate); its response must
    still be sent.
    """

    def render(self, content: Any) -> bytes:
        """The content as ASCII JSON."""
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def error_response(exc: ServiceError) -> JSONResponse:
    """The JSON response of one of our errors (with Retry-After when overloaded)."""
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, OverloadedError) else None
    return ErrorJSONResponse({"error": exc.to_dict()}, status_code=exc.status_code, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers for our error tree, validation, HTTP errors and the unexpected."""
    app.add_exception_handler(ServiceError, _service_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


async def _service_error(_: Request, exc: ServiceError) -> JSONResponse:
    return error_response(exc)


_HTTP_CODES = {
    400: "invalid_json",  # FastAPI raises it only when the body cannot be parsed
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
}


async def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    error: dict[str, Any] = {"code": code, "message": exc.detail}
    if code == "invalid_json":
        error.update(field="body", message=_unreadable_body(exc.__cause__))
    elif code == "body_too_large":
        error.update(field="body", message="the request body is larger than MAX_REQUEST_BYTES")
    return ErrorJSONResponse({"error": error}, status_code=exc.status_code, headers=exc.headers)


def _unreadable_body(cause: BaseException | None) -> str:
    """Why the body could not be parsed, in the user's terms."""
    if isinstance(cause, UnicodeDecodeError):
        reason = f"it is not UTF-8 (byte {cause.start})"
    elif isinstance(cause, RecursionError):
        reason = "it nests arrays or objects too deeply"
    elif isinstance(cause, ValueError):
        reason = str(cause).split(";")[0]  # e.g. a number with more than 4,300 digits
    else:
        reason = "it is not valid JSON"
    return f"the request body cannot be read as JSON: {reason}"


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
    return ErrorJSONResponse(body, status_code=422)


def _problem(err: Any) -> dict[str, str]:
    location = [str(part) for part in err.get("loc", ()) if part != "body"]
    reason = str(err.get("msg", "invalid"))
    reason = reason.removeprefix("Value error, ")
    return {"field": ".".join(location) or "body", "reason": reason}
