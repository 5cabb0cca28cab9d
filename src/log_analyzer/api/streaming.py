"""A streaming response that notices a departed client at once and closes its body iterator.

Starlette only learns of a disconnect under ASGI 2.4 when the next `send` fails, which can be long
after the client left if the model is slow to produce the next token. Here a watcher task waits
for `http.disconnect` and cancels the stream; the body iterator is then closed deterministically,
which closes the llama.cpp request and frees its slot.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import suppress

import anyio
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from log_analyzer.analysis.events import Event
from log_analyzer.analysis.run import Run
from log_analyzer.api.encoders import ENCODERS


class EventStreamResponse(StreamingResponse):
    """Streams `body`, cancelling it the moment the client disconnects."""

    def __init__(
        self,
        body: AsyncGenerator[str, None],
        *,
        media_type: str,
        on_close: Callable[[], None] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(body, media_type=media_type, headers=headers)
        self._body = body
        self._on_close = on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the stream and the disconnect watcher; whichever ends first stops the other."""
        try:
            async with anyio.create_task_group() as group:

                async def watch() -> None:
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    group.cancel_scope.cancel()

                group.start_soon(watch)
                # A transport that broke while sending means the same as a disconnect.
                with suppress(OSError):
                    await self.stream_response(send)
                group.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):
                await self._body.aclose()
                if self._on_close is not None:
                    self._on_close()


def stream_run(
    run: Run, events: AsyncGenerator[Event, None], media_type: str
) -> EventStreamResponse:
    """The response of a run whose work before the first byte is done: its events, encoded."""
    return EventStreamResponse(
        _encoded(events, ENCODERS[media_type]),
        media_type=media_type,
        on_close=run.finish,
        headers={
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
            "X-Trace-Id": run.trace_id,
        },
    )


async def _encoded(
    events: AsyncGenerator[Event, None], encoder: Callable[[Event], str]
) -> AsyncGenerator[str, None]:
    try:
        async for event in events:
            yield encoder(event)
    finally:
        await events.aclose()
