"""Grafana Loki's HTTP API: the one place where Loki's HTTP failures become our errors.

Every call has a total deadline (a Loki that drips its answer one byte at a time never trips a
per-read timeout) and reads at most a fixed number of bytes of the answer. A query whose
form-encoded parameters would make a long URL is sent as a form-encoded POST, which Loki takes
on the same paths and which proxies with URL limits let through.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
import stamina

from log_analyzer.sources.loki.errors import (
    LokiBadResponse,
    LokiError,
    LokiQueryError,
    LokiTimeout,
    LokiUnavailable,
)

# Throttling and proxy/overload answers are worth another try; Loki's 400s and 500s are not.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
QUERY_RANGE = "/loki/api/v1/query_range"
QUERY = "/loki/api/v1/query"
READY = "/ready"
MAX_GET_QUERY_CHARS = 4096
"""Longest URL query string sent as GET; longer ones go as a form-encoded POST."""
_MAX_ERROR_TEXT = 1000
_MAX_ERROR_BYTES = 65_536


@dataclass(frozen=True, slots=True)
class Body:
    """What Loki answered, read up to the byte cap."""

    content: bytes
    complete: bool
    """False when the answer was longer than the cap: `content` is its first part only."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter for connect errors and retryable statuses."""

    attempts: int = 4
    deadline_seconds: float = 20.0
    """All attempts and waits together stop after this long."""
    initial_wait_seconds: float = 0.2
    max_wait_seconds: float = 5.0


class _RetryableStatus(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def _retry_hook(policy: RetryPolicy) -> Callable[[Exception], bool | float]:
    def retry_or_wait(exc: Exception) -> bool | float:
        if isinstance(exc, _RetryableStatus):
            # Honour Loki's (or a proxy's) Retry-After, within our own ceiling.
            retry_after = exc.response.headers.get("Retry-After", "")
            return (
                min(float(retry_after), policy.max_wait_seconds) if retry_after.isdigit() else True
            )
        # Only failures to connect: the query never reached Loki, so another try costs it nothing.
        return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)

    return retry_or_wait


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
        self._retry_on = _retry_hook(self._retry)
        self._in_flight = asyncio.Semaphore(max_concurrency)
        self._deadline = deadline_seconds
        self._max_bytes = max_response_bytes

    async def query_range(self, params: Mapping[str, str]) -> Body:
        """The body of a ``query_range`` call (a log or a metric range query)."""
        return await self._call(QUERY_RANGE, params)

    async def query(self, params: Mapping[str, str]) -> Body:
        """The body of an instant ``query`` call."""
        return await self._call(QUERY, params)

    async def ready(self) -> None:
        """Return when Loki's `/ready` answers 200; raise a `LokiError` saying why otherwise."""
        async with _deadline(self._deadline, READY):
            response = await self._send(READY, {}, retry=False)
            try:
                if response.status_code != 200:
                    text = await _error_text(response)
                    raise LokiUnavailable(
                        f"Loki is not ready: HTTP {response.status_code} {text}",
                        status=response.status_code,
                    )
            finally:
                await response.aclose()

    async def _call(self, path: str, params: Mapping[str, str]) -> Body:
        async with self._in_flight, _deadline(self._deadline, path):
            response = await self._send(path, params)
            try:
                if response.status_code != 200:
                    raise _status_error(response, path, await _error_text(response))
                return await self._read(response)
            finally:
                await response.aclose()

    async def _read(self, response: httpx.Response) -> Body:
        """The body, up to the byte cap; what lies beyond it is not read."""
        chunks: list[bytes] = []
        room = self._max_bytes
        try:
            async for chunk in response.aiter_bytes():
                if len(chunk) > room:
                    chunks.append(chunk[:room])
                    return Body(b"".join(chunks), complete=False)
                chunks.append(chunk)
                room -= len(chunk)
        except httpx.TimeoutException as exc:
            raise LokiTimeout(f"Loki stopped sending its answer ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise LokiBadResponse(f"Loki's answer broke off: {type(exc).__name__}: {exc}") from exc
        return Body(b"".join(chunks), complete=True)

    async def _send(
        self, path: str, params: Mapping[str, str], *, retry: bool = True
    ) -> httpx.Response:
        """The response to ``path``, its body not read yet (the caller closes it)."""
        policy = self._retry
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
        refused: list[httpx.Response] = []  # retryable answers, closed before the next try
        try:
            async for attempt in stamina.retry_context(
                on=self._retry_on,
                attempts=policy.attempts if retry else 1,
                timeout=policy.deadline_seconds,
                wait_initial=policy.initial_wait_seconds,
                wait_max=policy.max_wait_seconds,
            ):
                with attempt:
                    while refused:
                        await refused.pop().aclose()
                    response = await self._http.send(request, stream=True)
                    if retry and response.status_code in RETRY_STATUSES:
                        refused.append(response)
                        raise _RetryableStatus(response)
        except _RetryableStatus as exc:  # out of attempts: report the last answer as it is
            refused.clear()
            return exc.response
        except httpx.TimeoutException as exc:
            raise LokiTimeout(f"Loki did not answer in time ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise LokiUnavailable(f"cannot reach Loki: {type(exc).__name__}: {exc}") from exc
        finally:
            while refused:  # cancelled (deadline, client gone) while waiting to retry
                await refused.pop().aclose()
        return response


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


async def _error_text(response: httpx.Response) -> str:
    """The start of an error answer's text, read up to a small cap (what could be read)."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= _MAX_ERROR_BYTES:
                break
    except httpx.HTTPError as exc:
        chunks.append(f" [the rest could not be read: {type(exc).__name__}]".encode())
    return _excerpt(b"".join(chunks)[:_MAX_ERROR_BYTES].decode("utf-8", "replace"))


def _status_error(response: httpx.Response, path: str, text: str) -> LokiError:
    status = response.status_code
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
    if 400 <= status < 500:
        return LokiQueryError(f"Loki rejected the query: {text}", status=status)
    return LokiBadResponse(f"Loki failed with HTTP {status}: {text}", status=status)


def _excerpt(text: str) -> str:
    text = text.strip()
    if len(text) > _MAX_ERROR_TEXT:
        return f"{text[:_MAX_ERROR_TEXT]} …[{len(text) - _MAX_ERROR_TEXT} more chars]"
    return text
