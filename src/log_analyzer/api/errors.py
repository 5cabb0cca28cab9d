"""Errors raised before the first byte, as `{"error": {...}}` JSON responses.

Every error response of the service has this envelope: our error tree, request validation,
Starlette's own 404/405, and any exception nobody expected (a 500 that names its type, never its
text, and is logged with its traceback).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

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


def error_response(exc: ServiceError, scrub: Callable[[str], str] | None = None) -> JSONResponse:
    """The JSON response of one of our errors (with Retry-After when overloaded).

    ``scrub`` removes secrets from its texts: a store's message may quote the query.
    """
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, OverloadedError) else None
    error = exc.to_dict()
    if scrub is not None:
        error = {k: scrub(v) if isinstance(v, str) else v for k, v in error.items()}
    return ErrorJSONResponse({"error": error}, status_code=exc.status_code, headers=headers)


class DeclaredBodyLimit:
    """Refuse a request whose declared ``Content-Length`` is over the cap, before reading it.

    FastAPI's own limit (``max_body_size``) counts the bytes of a chunked body as they come and
    raises into our handlers, but answers a declared length over the cap itself, in plain
    text; this answers it in the envelope.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self._app = app
        self._max = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 413 for a declared length over the cap; pass everything else on."""
        if scope["type"] == "http":
            declared = dict(scope["headers"]).get(b"content-length", b"")
            if declared.isdigit() and int(declared) > self._max:
                error = {
                    "code": "body_too_large",
                    "field": "body",
                    "message": f"the request body of {int(declared):,} bytes is larger than "
                    f"MAX_REQUEST_BYTES ({self._max:,})",
                }
                response = ErrorJSONResponse({"error": error}, status_code=413)
                await response(scope, receive, send)
                return
        await self._app(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers for our error tree, validation, HTTP errors and the unexpected."""
    app.add_exception_handler(ServiceError, _service_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
    services = getattr(request.app.state, "services", None)
    return error_response(exc, services.scrub if services is not None else None)


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


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type and not _is_json(media_type) and any(_whole_body(err) for err in errors):
        # FastAPI reads such a body as no JSON at all and reports "not a valid dictionary".
        error = {
            "code": "unsupported_media_type",
            "field": "body",
            "message": "the request body must be JSON, sent with Content-Type: "
            f"application/json (this one came with {media_type})",
        }
        return ErrorJSONResponse({"error": error}, status_code=415)
    unreadable = next((err for err in errors if err.get("type") == "json_invalid"), None)
    if unreadable is not None:  # FastAPI reports JSON syntax errors with the byte offset as loc
        where = [str(part) for part in unreadable.get("loc", ()) if part != "body"]
        position = f" at byte {where[0]}" if where else ""
        reason = str(unreadable.get("ctx", {}).get("error") or unreadable.get("msg", ""))
        error = {
            "code": "invalid_json",
            "field": "body",
            "message": f"the request body cannot be read as JSON: {reason}{position}",
        }
        return ErrorJSONResponse({"error": error}, status_code=400)
    problems = [_problem(err) for err in errors]
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


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def _whole_body(err: Any) -> bool:
    """Whether the error is about the body as a whole (not one of its fields)."""
    return tuple(err.get("loc", ())) == ("body",)


def _problem(err: Any) -> dict[str, str]:
    location = [str(part) for part in err.get("loc", ()) if part != "body"]
    reason = str(err.get("msg", "invalid"))
    reason = reason.removeprefix("Value error, ")
    return {"field": ".".join(location) or "body", "reason": reason}
