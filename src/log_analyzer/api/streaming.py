"""The response of a run: it runs the whole run, so one place owns its lifecycle.

The route only validates the request and builds the `Run`; this response enters it, does the
work before the first byte (a failure there becomes a proper HTTP status with the JSON error
envelope), then streams the encoded events. A watcher task waits for `http.disconnect` the
whole time: a client that leaves, before or after the first byte, cancels the run at once, which
closes the llama.cpp request (freeing its slot) and cancels the store queries still in flight.
(Starlette alone notices a departed client only when the next `send` fails, which can be long
after it left if the model is slow to produce the next token.)

A client that stays connected but stops reading is treated the same way once one `send` has
waited `send_timeout` seconds for it: otherwise it could hold a generation slot for as long as
it likes.

Every event but the model's tokens is scrubbed of secrets as it is encoded (``scrub``): the
numbers were computed from redacted text, but a store's query text or error message can quote
what the user typed. The tokens come from a model that only ever saw redacted text.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing, suppress

import anyio
import anyio.lowlevel
from starlette.responses import Response, StreamingResponse
from starlette.types import Message, Receive, Scope, Send

from log_analyzer.analysis.events import ErrorEvent, Event, TokenEvent
from log_analyzer.analysis.run import Run
from log_analyzer.api.encoders import stream_encoder
from log_analyzer.api.errors import error_response
from log_analyzer.core.errors import ServiceError, internal_error

logger = logging.getLogger(__name__)


class RunResponse(Response):
    """Runs `run` and streams its events in `media_type`; errors before the first byte are JSON."""

    def __init__(
        self,
        run: Run,
        media_type: str,
        send_timeout: float = 30.0,
        scrub: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__(media_type=media_type)
        self._run = run
        self._send_timeout = send_timeout
        self._scrub = scrub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the run and watch for a disconnect; whichever ends first stops the other."""
        serving, watching = anyio.CancelScope(), anyio.CancelScope()
        stalled = False

        async def watch() -> None:
            with watching:
                while (await receive())["type"] != "http.disconnect":
                    pass
                serving.cancel()

        async def send_or_give_up(message: Message) -> None:
            nonlocal stalled
            with anyio.move_on_after(self._send_timeout) as waiting:
                await send(message)
            if waiting.cancelled_caught:  # the client stopped reading: as if it had left
                stalled = True
                serving.cancel()
                await anyio.lowlevel.checkpoint()

        async with anyio.create_task_group() as group:
            group.start_soon(watch)
            # Each side cancels only the other's scope: a disconnect that arrives as the run
            # ends must not cancel the task serving the request a second time.
            with serving, suppress(OSError):  # a broken transport means the client left
                await self._serve(scope, receive, send_or_give_up)
            watching.cancel()
        if stalled:
            logger.warning(
                "Client took no data for %g s; its run was cancelled",
                self._send_timeout,
                extra={"run_trace_id": self._run.trace_id},
            )

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        async with self._run as run:
            try:
                head = await run.prepare()
            except ServiceError as exc:
                await error_response(exc, self._scrub)(scope, receive, send)
                return
            events = run.events(head)
            encoder = stream_encoder(self.media_type or "")
            async with aclosing(_encoded(events, encoder, run.trace_id, self._scrub)) as body:
                stream = StreamingResponse(
                    body,
                    media_type=self.media_type,
                    headers={
                        "Cache-Control": "no-cache",
                        "X-Accel-Buffering": "no",
                        "X-Trace-Id": run.trace_id,
                    },
                )
                await stream.stream_response(send)


async def _encoded(
    events: AsyncGenerator[Event, None],
    encoder: Callable[[Event], str],
    trace_id: str,
    scrub: Callable[[str], str] | None,
) -> AsyncGenerator[str, None]:
    async with aclosing(events):
        async for event in events:
            try:
                text = encoder(event)
                if scrub is not None and not isinstance(event, TokenEvent):
                    text = scrub(text)
            except Exception as exc:  # a bug in a renderer must still end the stream cleanly
                logger.exception("Could not encode a %s event", type(event).__name__)
                yield encoder(ErrorEvent(internal_error(exc).to_dict(), trace_id))
                return
            yield text
