"""The recordings the fakes answer with, from `shared/contracts/`, loaded once.

A fake never invents a shape: a Loki body is the recorded one with its `result` (and returned
count) replaced, and a llama.cpp stream chunk is a recorded chunk with new content.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import uvicorn
from starlette.types import ASGIApp

CONTRACTS = Path(__file__).resolve().parents[3] / "shared" / "contracts"
_HOLE = re.compile(r'"@@(\w+)@@"')


def recording(path: Path) -> dict[str, Any]:
    """A recorded JSON file: an envelope `{request, status, content_type, body}`, or a body."""
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def sse_chunks(path: Path) -> list[dict[str, Any]]:
    """The JSON chunks of a recorded SSE stream, without the closing `[DONE]`."""
    events = path.read_text().split("\n\n")
    return [
        json.loads(event.removeprefix("data: ")) for event in events if event.startswith("data: {")
    ]


class BodyTemplate:
    """A recorded Loki body serialized once, with holes for the result and the returned count."""

    def __init__(self, recorded: Mapping[str, Any], result_type: str) -> None:
        body = recorded["body"]
        data = body["data"]
        if data["resultType"] != result_type:
            raise ValueError(f"recording holds {data['resultType']}, not {result_type}")
        stats = copy.deepcopy(data["stats"])
        stats["summary"]["totalEntriesReturned"] = "@@count@@"
        shaped = {**body, "data": {**data, "result": "@@result@@", "stats": stats}}
        self.content_type: str = recorded["content_type"]
        self._parts = _HOLE.split(json.dumps(shaped, separators=(",", ":")))

    def render(self, **holes: str) -> bytes:
        """The body with each hole replaced by the JSON text given for it."""
        parts = self._parts
        out = [part if index % 2 == 0 else holes[part] for index, part in enumerate(parts)]
        return "".join(out).encode()


def serve(app: ASGIApp, port: int) -> None:
    """Serve a fake on loopback until it is stopped, quietly, closing quickly."""
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=1,
    )
