"""Grafana Loki HTTP client: the one place where Loki's failures become our errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from log_analyzer.core.errors import (
    LokiBadResponse,
    LokiError,
    LokiQueryError,
    LokiTimeout,
    LokiUnavailable,
)

QUERY_RANGE = "/loki/api/v1/query_range"
QUERY = "/loki/api/v1/query"
READY = "/ready"
_MAX_ERROR_TEXT = 1000


@dataclass(frozen=True, slots=True)
class LogQuery:
    """A log query over a half-open window `[start_ns, end_ns)`."""

    logql: str
    start_ns: int
    end_ns: int
    limit: int
    direction: str = "backward"


class LokiClient:
    """Queries Loki through an injected `httpx.AsyncClient` whose base URL is Loki's."""

    def __init__(self, http: httpx.AsyncClient, tenant: str | None = None) -> None:
        self._http = http
        self._headers = {"X-Scope-OrgID": tenant} if tenant else {}

    async def query_logs(self, query: LogQuery) -> Mapping[str, Any]:
        """Run a log query and return Loki's JSON body (`resultType: streams`)."""
        params = {
            "query": query.logql,
            "start": str(query.start_ns),
            "end": str(query.end_ns),
            "limit": str(query.limit),
            "direction": query.direction,
        }
        return await self._get_json(QUERY_RANGE, params)

    async def query_metric_range(
        self, logql: str, start_ns: int, end_ns: int, step_seconds: int
    ) -> Mapping[str, Any]:
        """Run a metric range query (`resultType: matrix`)."""
        params = {
            "query": logql,
            "start": str(start_ns),
            "end": str(end_ns),
            "step": str(step_seconds),
        }
        return await self._get_json(QUERY_RANGE, params)

    async def query_metric_instant(self, logql: str, time_ns: int) -> Mapping[str, Any]:
        """Run an instant metric query (`resultType: vector`)."""
        return await self._get_json(QUERY, {"query": logql, "time": str(time_ns)})

    async def ready(self) -> None:
        """Return when Loki's `/ready` answers 200; raise a `LokiError` saying why otherwise."""
        response = await self._send(READY, {})
        if response.status_code != 200:
            raise LokiUnavailable(
                f"Loki is not ready: HTTP {response.status_code} {_excerpt(response.text)}",
                status=response.status_code,
            )

    async def _get_json(self, path: str, params: Mapping[str, str]) -> Mapping[str, Any]:
        response = await self._send(path, params)
        if response.status_code != 200:
            raise _status_error(response)
        try:
            body = response.json()
        except ValueError as exc:
            raise LokiBadResponse(f"Loki returned a body that is not JSON: {exc}") from exc
        if not isinstance(body, dict) or body.get("status") != "success":
            raise LokiBadResponse("Loki returned JSON without status 'success'")
        return body

    async def _send(self, path: str, params: Mapping[str, str]) -> httpx.Response:
        try:
            return await self._http.get(path, params=params, headers=self._headers)
        except httpx.TimeoutException as exc:
            raise LokiTimeout(f"Loki did not answer in time ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise LokiUnavailable(f"cannot reach Loki: {type(exc).__name__}: {exc}") from exc


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
