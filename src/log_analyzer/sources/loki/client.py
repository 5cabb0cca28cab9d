"""Grafana Loki's HTTP API: the one place where Loki's HTTP failures become our errors.

Every call has a total deadline (a Loki that drips its answer one byte at a time never trips a
per-read timeout) and reads at most a fixed number of bytes of the answer. A query whose
form-encoded parameters would make a long URL is sent as a form-encoded POST, which Loki takes
on the same paths and which proxies with URL limits let through.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from urllib.parse import urlencode

import httpx

from log_analyzer.sources.http import (
    Body,
    RetryPolicy,
    error_bytes,
    looks_like_html,
    page_text,
    read_capped,
    redirect_text,
    send,
    undecodable,
)
from log_analyzer.sources.loki.errors import (
    LokiAnswerTooLarge,
    LokiBadResponse,
    LokiError,
    LokiQueryError,
    LokiSeriesLimit,
    LokiTimeout,
    LokiUnavailable,
)

QUERY_RANGE = "/loki/api/v1/query_range"
QUERY = "/loki/api/v1/query"
READY = "/ready"
BUILDINFO = "/loki/api/v1/status/buildinfo"
"""Served by every Loki component next to /ready, and through a gateway that passes the API."""
MAX_GET_QUERY_CHARS = 4096
"""Longest URL query string sent as GET; longer ones go as a form-encoded POST."""

__all__ = ["MAX_GET_QUERY_CHARS", "Body", "LokiClient", "RetryPolicy"]


class LokiClient:
    """Queries Loki through an injected `httpx.AsyncClient` whose base URL is Loki's."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        tenant: str | None = None,
        retry: RetryPolicy | None = None,
        *,
        max_concurrency: int = 16,
        deadline_seconds: float = 60.0,
        max_response_bytes: int = 16 * 1_048_576,
    ) -> None:
        self._http = http
        self._headers = {"X-Scope-OrgID": tenant} if tenant else {}
        self._retry = retry or RetryPolicy()
        self._in_flight = asyncio.Semaphore(max_concurrency)
        self._deadline = deadline_seconds
        self._max_bytes = max_response_bytes

    def deadline(self, path: str) -> AbstractAsyncContextManager[None]:
        """One total deadline around several calls that answer one question together."""
        return _deadline(self._deadline, path)

    async def query_range(self, params: Mapping[str, str]) -> Body:
        """The body of a ``query_range`` call (a log or a metric range query)."""
        return await self._call(QUERY_RANGE, params)

    async def query(self, params: Mapping[str, str]) -> Body:
        """The body of an instant ``query`` call."""
        return await self._call(QUERY, params)

    async def ready(self) -> None:
        """Return when Loki's `/ready` answers 200; raise a `LokiError` saying why otherwise.

        A gateway in front of Loki (the Helm chart's nginx) passes only the API's paths, so
        `/ready` is a 404 there while queries are served: then the API's own build-info path
        answering is what readiness can see.
        """
        async with _deadline(self._deadline, READY):
            response = await self._send(READY, {}, retry=False)
            if response.status_code == 404:
                await response.aclose()
                await self._api_answers()
                return
            try:
                if (redirect := redirect_text(response, "LOKI_URL")) is not None:
                    raise LokiUnavailable(
                        f"Loki is not ready: {READY} answered with an {redirect}",
                        status=response.status_code,
                    )
                if response.status_code != 200:
                    text = await _error_text(response)
                    raise LokiUnavailable(
                        f"Loki is not ready: HTTP {response.status_code} {text}",
                        status=response.status_code,
                    )
                await _not_a_page(response, READY)
            finally:
                await response.aclose()

    async def _api_answers(self) -> None:
        response = await self._send(BUILDINFO, {}, retry=False)
        try:
            if response.status_code != 200:
                text = await _error_text(response)
                raise LokiUnavailable(
                    f"Loki is not ready: LOKI_URL serves no {READY} (a gateway in front of "
                    f"Loki?), and its API's {BUILDINFO} answered HTTP {response.status_code} "
                    f"{text}",
                    status=response.status_code,
                )
            await _not_a_page(response, BUILDINFO)
        finally:
            await response.aclose()

    async def _call(self, path: str, params: Mapping[str, str]) -> Body:
        # The deadline covers the wait for a turn: a query queued behind slow ones is late too.
        async with _deadline(self._deadline, path), self._in_flight:
            response = await self._send(path, params)
            try:
                if response.status_code != 200:
                    raise _status_error(response, path, await _error_text(response))
                return await self._read(response)
            finally:
                await response.aclose()

    async def _read(self, response: httpx.Response) -> Body:
        """The body, up to the byte cap; what lies beyond it is not read."""
        try:
            return await read_capped(response, self._max_bytes)
        except httpx.TimeoutException as exc:
            raise LokiTimeout(f"Loki stopped sending its answer ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise LokiBadResponse(f"Loki's answer broke off: {type(exc).__name__}: {exc}") from exc
        except httpx.DecodingError as exc:  # a proxy's broken gzip, say: not a TransportError
            raise LokiBadResponse(f"Loki's answer {undecodable(response, exc)}") from exc

    async def _send(
        self, path: str, params: Mapping[str, str], *, retry: bool = True
    ) -> httpx.Response:
        """The response to ``path``, its body not read yet (the caller closes it)."""
        encoded = urlencode(params)
        if len(encoded) > MAX_GET_QUERY_CHARS:
            request = self._http.build_request(
                "POST",
                path,
                content=encoded.encode(),
                headers={**self._headers, "Content-Type": "application/x-www-form-urlencoded"},
            )
        else:
            request = self._http.build_request("GET", path, params=params, headers=self._headers)
        started = _clock()
        try:
            return await send(self._http, request, self._retry, retry=retry)
        except httpx.TimeoutException as exc:
            raise LokiTimeout(f"Loki did not answer in time ({type(exc).__name__})") from exc
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise _cut_off(_clock() - started, exc) from exc
        except httpx.TransportError as exc:
            raise LokiUnavailable(f"cannot reach Loki: {type(exc).__name__}: {exc}") from exc


_clock = time.monotonic
WRITE_TIMEOUT_SECONDS = 30.0
"""Loki's ``http_server_write_timeout`` by default (dskit's ``-server.http-write-timeout``)."""


def _cut_off(seconds: float, exc: Exception) -> LokiError:
    """Loki took the request, then closed the connection without an answer."""
    said = f"{type(exc).__name__}: {exc}"
    if seconds >= WRITE_TIMEOUT_SECONDS * 0.8:
        # Past its write timeout Loki's HTTP server drops the connection of a query still
        # running, with no status: the client sees the connection closed, not a 504.
        return LokiTimeout(
            f"Loki closed the connection without an answer after {seconds:.0f} s ({said}): a "
            f"query running past Loki's http_server_write_timeout ({WRITE_TIMEOUT_SECONDS:g} s "
            "by default) is cut off so; narrow the window or the selection, or raise that "
            "timeout (with query_timeout) in Loki's server configuration"
        )
    return LokiUnavailable(
        f"Loki (or a proxy in front of it) closed the connection without an answer after "
        f"{seconds:.1f} s: {said}"
    )


@asynccontextmanager
async def _deadline(seconds: float, path: str) -> AsyncIterator[None]:
    """The whole of one call, retries and reading included, within ``seconds``."""
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError:
        raise LokiTimeout(
            f"Loki did not finish answering {path} within {seconds:g} s "
            "(SOURCE_QUERY_DEADLINE_SECONDS)"
        ) from None


async def _not_a_page(response: httpx.Response, path: str) -> None:
    """Raise when a 200 answer is a web page: a web UI or a catch-all proxy, not Loki."""
    content = await error_bytes(response)
    if looks_like_html(content):
        raise LokiUnavailable(
            f"Loki is not ready: {path} answered with {page_text(content)}: LOKI_URL points at "
            "a web UI or a proxy's page, not at Loki's HTTP API"
        )


async def _error_text(response: httpx.Response) -> str:
    """The start of an error answer's text (what could be read of it; a web page's words)."""
    return page_text(await error_bytes(response))


# Loki's refusals of a limit its operator set, by the request field that went past it.
_REFUSED_FIELDS = (
    ("max entries limit per query exceeded", "limit"),  # max_entries_limit_per_query
    ("query time range exceeds the limit", "time_range"),  # max_query_length
)


def _status_error(response: httpx.Response, path: str, text: str) -> LokiError:
    status = response.status_code
    if (redirect := redirect_text(response, "LOKI_URL")) is not None:
        return LokiUnavailable(f"Loki's URL answered {path} with an {redirect}", status=status)
    if status == 404:
        # Loki answers every query path it serves; a 404 means we are not talking to Loki's API.
        return LokiUnavailable(
            f"Loki answered 404 Not Found for {path}: LOKI_URL does not point at Loki's HTTP API "
            f"(check its host, port and any path prefix): {text}",
            status=status,
        )
    if status == 504:
        return LokiTimeout(f"Loki timed out: {text}", status=status)
    if status in (401, 403):
        # Not the user's query: our own tenant/credentials are wrong (e.g. LOKI_TENANT unset).
        return LokiUnavailable(
            f"Loki refused our credentials (check LOKI_TENANT): {text}", status=status
        )
    if status == 429:
        return LokiUnavailable(f"Loki is throttling queries: {text}", status=status)
    if status == 400 and "series (" in text and "reached for a single query" in text:
        # max_query_series: "maximum number of series (500) reached ..." (Loki 3), "maximum of
        # series (500) reached ..." (Loki 2.9).
        return LokiSeriesLimit(
            f"Loki refused the query: its answer would hold more series than this Loki's "
            f"max_query_series allows: {text}",
            status=status,
        )
    if status >= 500 and "message larger than max" in text:
        # grpc-go's ResourceExhausted ("received message larger than max (5242880 vs.
        # 4194304)", or "trying to send ..."): a querier's answer passed the gRPC message size
        # Loki's components allow one another.
        return LokiAnswerTooLarge(
            f"Loki failed with HTTP {status}: its answer is larger than the gRPC messages its "
            "components pass to one another may be (grpc_server_max_recv_msg_size and "
            f"grpc_server_max_send_msg_size, 4 MiB by default): {text}",
            status=status,
        )
    if 400 <= status < 500:
        field = next((field for said, field in _REFUSED_FIELDS if said in text), None)
        which = f" (the request's {field} is beyond what this Loki allows)" if field else ""
        return LokiQueryError(f"Loki rejected the query{which}: {text}", status=status)
    return LokiBadResponse(f"Loki failed with HTTP {status}: {text}", status=status)
