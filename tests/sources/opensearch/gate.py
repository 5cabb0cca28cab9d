"""An authenticating gate in front of osmem-server, which has no authentication of its own.

BUILT BY HAND, not recorded: osmem-server accepts every request, so to see that the service
sends the configured credentials, and what it makes of a refusal, this gate runs on its own
local port, passes requests carrying the expected ``Authorization`` header on to the server,
and answers others itself with 401 or 403. Its error bodies follow the shape OpenSearch and
Elasticsearch document for security exceptions (``{"error": {"root_cause": [...], "type",
"reason"}, "status"}``), written here, not captured from a secured cluster.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.sources.opensearch.conftest import free_port


def security_exception(status: int, reason: str) -> JSONResponse:
    """A refusal as a secured cluster words one (hand-built, see the module docstring)."""
    cause = {"type": "security_exception", "reason": reason}
    return JSONResponse(
        {"error": {"root_cause": [cause], **cause}, "status": status},
        status_code=status,
        headers={"WWW-Authenticate": 'Basic realm="security" charset="UTF-8"'}
        if status == 401
        else {},
    )


@asynccontextmanager
async def gate(upstream: str, *, allowed: str, forbidden: str | None = None) -> AsyncIterator[str]:
    """A gate admitting ``allowed`` (an ``Authorization`` value); its URL.

    ``forbidden`` is a header value the gate knows but refuses every search to (403).
    """
    async with httpx.AsyncClient(base_url=upstream) as forward:

        async def handle(request: Request) -> Response:
            given = request.headers.get("authorization")
            if given == forbidden:
                return security_exception(
                    403,
                    f"action [indices:data/read/search] is unauthorized for user [reader] "
                    f"on path [{request.url.path}]",
                )
            if given != allowed:
                return security_exception(
                    401,
                    f"missing authentication credentials for REST request [{request.url.path}]",
                )
            answer = await forward.request(
                request.method,
                request.url.path,
                params=request.query_params,
                content=await request.body(),
                headers={"content-type": request.headers.get("content-type", "application/json")},
            )
            return Response(answer.content, answer.status_code, media_type="application/json")

        methods = ["GET", "POST", "PUT", "DELETE", "HEAD"]
        app = Starlette(routes=[Route("/{path:path}", handle, methods=methods)])
        port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="error", lifespan="off", ws="none"
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        try:
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            await task
