"""The OpenSearch (or Elasticsearch) REST API over httpx: where its HTTP failures become ours.

One store call (entries, totals, a histogram) is several requests here: the mapping, a point in
time, pages of hits. The total deadline (`deadline`) covers the store call as a whole, since a
caller waits for all of it; each answer is read up to a byte cap. Connect errors and throttling
or gateway answers (429, 502, 503, 504) are tried again with backoff; searches only read, so a
repeated one changes nothing.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from log_analyzer.sources.http import (
    Body,
    RetryPolicy,
    error_bytes,
    excerpt,
    looks_like_html,
    page_text,
    read_capped,
    redirect_text,
    send,
    undecodable,
)
from log_analyzer.sources.opensearch.errors import (
    OpenSearchBadResponse,
    OpenSearchError,
    OpenSearchQueryError,
    OpenSearchTimeout,
    OpenSearchUnavailable,
    aws_refused,
    expensive_off,
)
from log_analyzer.sources.opensearch.server import Server, parse_root

CREDENTIALS = "OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD, or OPENSEARCH_API_KEY"
SECURITY = "security_exception"
"""The security plugin's refusal of a user it knows (as against AWS's refusal of a request)."""

__all__ = ["CREDENTIALS", "Body", "OpenSearchClient", "RetryPolicy", "parse_json", "status_error"]


class OpenSearchClient:
    """Talks to one cluster through an injected `httpx.AsyncClient` whose base URL is its own."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        retry: RetryPolicy | None = None,
        *,
        max_concurrency: int = 16,
        deadline_seconds: float = 60.0,
        max_response_bytes: int = 16 * 1_048_576,
        aws_service: str | None = None,
    ) -> None:
        self._http = http
        self.aws_service = aws_service
        """The AWS service requests are signed for (``es``, ``aoss``); None when unsigned."""
        self._retry = retry or RetryPolicy()
        self._in_flight = asyncio.Semaphore(max_concurrency)
        self._deadline = deadline_seconds
        self.max_response_bytes = max_response_bytes

    @asynccontextmanager
    async def deadline(
        self, what: str, seconds: float | None = None, bound: str = "SOURCE_QUERY_DEADLINE_SECONDS"
    ) -> AsyncIterator[None]:
        """All requests of one store call (``what``, for the message) within the deadline.

        ``seconds`` replaces the query deadline; ``bound`` then names what sets it.
        """
        limit = self._deadline if seconds is None else seconds
        try:
            async with asyncio.timeout(limit):
                yield
        except TimeoutError:
            raise OpenSearchTimeout(
                f"OpenSearch did not finish the {what} within {limit:g} s ({bound})"
            ) from None

    async def server(self, *, retry: bool = True) -> Server:
        """The distribution and version of the cluster (``GET /``).

        A user without the cluster privilege ``GET /`` needs (``cluster:monitor/main``) is
        refused it with 403; the server is then of a version not known (`Server.unreadable`),
        its distribution told by the refusal's ``X-Elastic-Product`` header.
        """
        request = self._http.build_request("GET", "/")
        async with self._in_flight:
            response = await self._send(request, retry)
            try:
                if response.status_code == 404 and self.aws_service == "aoss":
                    return Server.unreadable(
                        None, "OpenSearch Serverless does not serve GET / (no version to read)"
                    )
                if response.status_code == 403:
                    content = await error_bytes(response)
                    refused = status_error(403, content, self.aws_service)
                    if self.aws_service is not None and refusal(content).type != SECURITY:
                        raise refused  # AWS refused the signature or the IAM identity
                    product = response.headers.get("x-elastic-product")
                    return Server.unreadable(
                        product,
                        f"GET / was refused; grant the cluster privilege cluster:monitor/main "
                        f"(Elasticsearch's monitor) to read it: {refused.message}",
                    )
                await _check(response, "GET", "/", self.aws_service)
                answer = await self._read(response, self.max_response_bytes)
            finally:
                await response.aclose()
        return parse_root(_whole_json(answer, "GET", "/"))

    async def call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        *,
        retry: bool = True,
    ) -> Any:
        """A request whose answer is small JSON (a mapping, a PIT, the version), parsed."""
        answer = await self.send(method, path, body, params, retry=retry)
        return _whole_json(answer, method, path)

    async def send(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        *,
        room: int | None = None,
        retry: bool = True,
    ) -> Body:
        """The answer to a request, read up to ``room`` bytes (the byte cap by default)."""
        content = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if content is not None else {}
        request = self._http.build_request(
            method, path, content=content, params=params, headers=headers
        )
        async with self._in_flight:
            response = await self._send(request, retry)
            try:
                await _check(response, method, path, self.aws_service)
                return await self._read(response, self.max_response_bytes if room is None else room)
            finally:
                await response.aclose()

    async def _read(self, response: httpx.Response, room: int) -> Body:
        try:
            return await read_capped(response, room)
        except httpx.TimeoutException as exc:
            raise OpenSearchTimeout(
                f"OpenSearch stopped sending its answer ({type(exc).__name__})"
            ) from exc
        except httpx.TransportError as exc:
            raise OpenSearchBadResponse(
                f"OpenSearch's answer broke off: {type(exc).__name__}: {exc}"
            ) from exc
        except httpx.DecodingError as exc:  # a proxy's broken gzip, say: not a TransportError
            raise OpenSearchBadResponse(
                f"OpenSearch's answer {undecodable(response, exc)}"
            ) from exc

    async def _send(self, request: httpx.Request, retry: bool) -> httpx.Response:
        """The response, its body not read yet (the caller closes it)."""
        try:
            return await send(self._http, request, self._retry, retry=retry)
        except httpx.TimeoutException as exc:
            raise OpenSearchTimeout(
                f"OpenSearch did not answer in time ({type(exc).__name__})"
            ) from exc
        except httpx.TransportError as exc:
            raise OpenSearchUnavailable(
                f"cannot reach OpenSearch (OPENSEARCH_URL): {type(exc).__name__}: {exc}"
            ) from exc


async def _check(response: httpx.Response, method: str, path: str, aws_service: str | None) -> None:
    """Raise our error for an answer that is not a success (its body read for the reason)."""
    if (redirect := redirect_text(response, "OPENSEARCH_URL")) is not None:
        raise OpenSearchUnavailable(
            f"OpenSearch's URL answered {method} {path} with an {redirect}",
            status=response.status_code,
        )
    if response.status_code >= 300:
        raise status_error(response.status_code, await error_bytes(response), aws_service)


def _whole_json(answer: Body, method: str, path: str) -> Any:
    if not answer.complete:
        raise OpenSearchBadResponse(
            f"OpenSearch's answer to {method} {path} is larger than "
            f"SOURCE_MAX_RESPONSE_BYTES ({len(answer.content):,} bytes); it was not read"
        )
    return parse_json(answer.content, f"{method} {path}")


def parse_json(content: bytes, what: str) -> Any:
    """An answer's JSON; one that is not JSON is a bad response."""
    try:
        return json.loads(content)
    except (ValueError, RecursionError) as exc:  # nested past the recursion limit: the latter
        if looks_like_html(content):
            raise OpenSearchBadResponse(
                f"OpenSearch's URL answered {what} with {page_text(content)}, which is not JSON: "
                "OPENSEARCH_URL points at a web UI or a proxy's page (OpenSearch "
                "Dashboards or Kibana, say), not at the cluster's REST API"
            ) from exc
        raise OpenSearchBadResponse(f"OpenSearch's answer to {what} is not JSON: {exc}") from exc


@dataclass(frozen=True, slots=True)
class Refusal:
    """What an error answer says: its type, its reason, and the index it names."""

    type: str
    reason: str
    index: str | None = None

    @property
    def text(self) -> str:
        """``type: reason``, cut to a readable length."""
        return excerpt(f"{self.type}: {self.reason}" if self.type else self.reason)


def refusal(content: bytes) -> Refusal:
    """The error in an answer: ``{"error": {"type", "reason", "root_cause"}}``, or its text."""
    try:
        body = json.loads(content)
    except (ValueError, RecursionError):
        return Refusal("", page_text(content))
    error = body.get("error") if isinstance(body, dict) else None
    said = body.get("Message") or body.get("message") if isinstance(body, dict) else None
    if error is None and isinstance(said, str):  # AWS's own refusals: {"Message": "..."}
        return Refusal("", said)
    if isinstance(error, str):
        return Refusal("", error)
    if not isinstance(error, dict):
        return Refusal("", content.decode("utf-8", "replace"))
    causes = error.get("root_cause")
    cause = causes[0] if isinstance(causes, list) and causes and isinstance(causes[0], dict) else {}
    kind = str(error.get("type") or cause.get("type") or "")
    reason = str(cause.get("reason") or error.get("reason") or "")
    index = error.get("index") or error.get("resource.id") or cause.get("index")
    return Refusal(kind, reason, index if isinstance(index, str) else None)


def status_error(status: int, content: bytes, aws_service: str | None = None) -> OpenSearchError:
    """Our error for an error answer of the cluster (``aws_service``: requests are signed)."""
    said = refusal(content)
    text = said.text
    if status >= 400 and (off := expensive_off(text, status=status)) is not None:
        return off
    if aws_service is not None and status in (401, 403):
        return aws_refused(aws_service, status, text)
    if status == 404 and said.type == "index_not_found_exception":
        # Not the cluster's failure: the request (or OPENSEARCH_INDEX) names an index it lacks.
        name = f" {said.index!r}" if said.index else ""
        return OpenSearchQueryError(
            f"filters.index: OpenSearch has no index, alias or data stream{name} (set "
            f"filters.index, or OPENSEARCH_INDEX for the default): {text}",
            status=status,
            field="filters.index",
        )
    if status == 401:
        return OpenSearchUnavailable(
            f"OpenSearch refused our credentials (check {CREDENTIALS}): {text}", status=status
        )
    if status == 403:
        return OpenSearchUnavailable(
            f"OpenSearch denied the request to the user of {CREDENTIALS}; it lacks a privilege "
            f"on the cluster or the index: {text}",
            status=status,
        )
    if status == 404:
        return OpenSearchUnavailable(
            "OpenSearch answered 404 Not Found: OPENSEARCH_URL does not point at its REST API "
            f"(check its host, port and any path prefix): {text}",
            status=status,
        )
    if status in (408, 504):
        return OpenSearchTimeout(f"OpenSearch timed out: {text}", status=status)
    if status == 429:
        return OpenSearchUnavailable(f"OpenSearch is throttling searches: {text}", status=status)
    if 400 <= status < 500:
        return OpenSearchQueryError(f"OpenSearch rejected the query: {text}", status=status)
    return OpenSearchBadResponse(f"OpenSearch failed with HTTP {status}: {text}", status=status)
