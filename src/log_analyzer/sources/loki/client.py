"""Grafana Loki's HTTP API: the one place where Loki's HTTP failures become our errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass

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
_MAX_ERROR_TEXT = 1000


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
    ) -> None:
        self._http = http
        self._headers = {"X-Scope-OrgID": tenant} if tenant else {}
        self._retry = retry or RetryPolicy()
        self._retry_on = _retry_hook(self._retry)
        self._in_flight = asyncio.Semaphore(max_concurrency)

    async def query_range(self, params: Mapping[str, str]) -> bytes:
        """The raw body of a ``query_range`` call (a log or a metric range query)."""
        return await self._get(QUERY_RANGE, params)

    async def query(self, params: Mapping[str, str]) -> bytes:
        """The raw body of an instant ``query`` call."""
        return await self._get(QUERY, params)

    async def ready(self) -> None:
        """Return when Loki's `/ready` answers 200; raise a `LokiError` saying why otherwise."""
        response = await self._send(READY, {}, retry=False)
        if response.status_code != 200:
            raise LokiUnavailable(
                f"Loki is not ready: HTTP {response.status_code} {_excerpt(response.text)}",
                status=response.status_code,
            )

    async def _get(self, path: str, params: Mapping[str, str]) -> bytes:
        async with self._in_flight:
            response = await self._send(path, params)
        if response.status_code != 200:
            raise _status_error(response)
        return response.content

    async def _send(
        self, path: str, params: Mapping[str, str], *, retry: bool = True
    ) -> httpx.Response:
        policy = self._retry
        try:
            async for attempt in stamina.retry_context(
                on=self._retry_on,
                attempts=policy.attempts if retry else 1,
                timeout=policy.deadline_seconds,
                wait_initial=policy.initial_wait_seconds,
                wait_max=policy.max_wait_seconds,
            ):
                with attempt:
                    response = await self._http.get(path, params=params, headers=self._headers)
                    if retry and response.status_code in RETRY_STATUSES:
                        raise _RetryableStatus(response)
        except _RetryableStatus as exc:  # out of attempts: report the last answer as it is
            return exc.response
        except httpx.TimeoutException as exc:
            raise LokiTimeout(f"Loki did not answer in time ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise LokiUnavailable(f"cannot reach Loki: {type(exc).__name__}: {exc}") from exc
        return response


def _status_error(response: httpx.Response) -> LokiError:
    text = _excerpt(response.text)
    status = response.status_code
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
