"""What the stores that speak HTTP share: retries with backoff, and answers read up to a cap.

The stores' clients (Loki's, OpenSearch's) build their requests and turn failures into their own
errors; how a request is tried again and how much of an answer is read is the same for each and
lives here. Failures leave as httpx's exceptions, for the client to name after its store.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

import httpx
import stamina

_HTML_START = re.compile(rb"\s*(?:<!doctype\s+html|<html|<head|<body|<title)", re.IGNORECASE)
RETRY_STATUSES = frozenset({429, 502, 503, 504})
"""Throttling and proxy or overload answers: worth another try (a store's 400s and 500s are not)."""
MAX_ERROR_BYTES = 65_536
"""Most of an error answer read: enough for any message, bounded for a hostile one."""


@dataclass(frozen=True, slots=True)
class Body:
    """An answer, read up to the byte cap."""

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


def _retry_or_wait(policy: RetryPolicy) -> Callable[[Exception], bool | float]:
    def retry_or_wait(exc: Exception) -> bool | float:
        if isinstance(exc, _RetryableStatus):
            # Honour the store's (or a proxy's) Retry-After, within our own ceiling.
            wait = exc.response.headers.get("Retry-After", "")
            seconds = wait.isascii() and wait.isdigit()  # not "²", which isdigit() takes too
            return min(float(wait), policy.max_wait_seconds) if seconds else True
        # Only failures to connect: the request never reached the store, so another try costs
        # it nothing.
        return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)

    return retry_or_wait


async def send(
    http: httpx.AsyncClient, request: httpx.Request, policy: RetryPolicy, *, retry: bool = True
) -> httpx.Response:
    """The response to ``request``, its body not read yet (the caller closes it).

    Tried again on a retryable status or a failure to connect, as ``policy`` allows; when the
    tries run out on a retryable status, that last answer is returned as it is. Raises httpx's
    `TimeoutException` or `TransportError` when the store could not be reached or answered.
    """
    refused: list[httpx.Response] = []  # retryable answers, closed before the next try
    try:
        async for attempt in stamina.retry_context(
            on=_retry_or_wait(policy),
            attempts=policy.attempts if retry else 1,
            timeout=policy.deadline_seconds,
            wait_initial=policy.initial_wait_seconds,
            wait_max=policy.max_wait_seconds,
        ):
            with attempt:
                while refused:
                    await refused.pop().aclose()
                response = await http.send(request, stream=True)
                if retry and response.status_code in RETRY_STATUSES:
                    refused.append(response)
                    raise _RetryableStatus(response)
    except _RetryableStatus as exc:  # out of attempts: report the last answer as it is
        refused.clear()
        return exc.response
    finally:
        while refused:  # cancelled (deadline, client gone) while waiting to retry
            await refused.pop().aclose()
    return response


async def read_capped(response: httpx.Response, room: int) -> Body:
    """The body, up to ``room`` bytes; what lies beyond is not read.

    Raises httpx's `TimeoutException` (the store stopped sending) or `TransportError` (the
    answer broke off).
    """
    chunks: list[bytes] = []
    async for chunk in response.aiter_bytes():
        if len(chunk) > room:
            chunks.append(chunk[:room])
            return Body(b"".join(chunks), complete=False)
        chunks.append(chunk)
        room -= len(chunk)
    return Body(b"".join(chunks), complete=True)


async def error_bytes(response: httpx.Response) -> bytes:
    """The start of an error answer, up to `MAX_ERROR_BYTES` (what could be read of it)."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= MAX_ERROR_BYTES:
                break
    except httpx.HTTPError as exc:
        chunks.append(f" [the rest could not be read: {type(exc).__name__}]".encode())
    return b"".join(chunks)[:MAX_ERROR_BYTES]


def excerpt(text: str, max_chars: int = 1000) -> str:
    """``text`` stripped and cut to ``max_chars``, saying how much was left out."""
    text = text.strip()
    if len(text) > max_chars:
        return f"{text[:max_chars]} …[{len(text) - max_chars} more chars]"
    return text


def looks_like_html(content: bytes) -> bool:
    """Whether an answer is a web page: a proxy's, a login form's or a web UI's, not a store's."""
    return _HTML_START.match(content[:512]) is not None


class _PageText(HTMLParser):
    """The title and the visible text of a page (not its scripts and styles)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.text: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title"):
            self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if not self._in:
            self.text.append(data)
        elif self._in[-1] == "title":
            self.title.append(data)


def undecodable(response: httpx.Response, exc: httpx.DecodingError) -> str:
    """Why an answer's body could not be read: its ``Content-Encoding`` and httpx's words.

    A proxy's broken gzip, say; httpx raises it while the body streams in, and it is no
    `httpx.TransportError`, so each client catches it on its own.
    """
    encoding = response.headers.get("content-encoding", "none")
    return f"cannot be decoded (Content-Encoding: {encoding}): {exc}"


def page_text(content: bytes) -> str:
    """An answer's text; a web page's as ``an HTML page "<title>": <its visible words>``.

    A gateway (nginx's ``502 Bad Gateway``), an authenticating proxy or a web UI in front of a
    store answers with a page whose markup would bury the one line worth reading.
    """
    text = content.decode("utf-8", "replace")
    if not looks_like_html(content):
        return excerpt(text)
    parser = _PageText()
    try:
        parser.feed(text)
        parser.close()
    except AssertionError:  # html.parser's refusal of some declarations ("<![foo[")
        pass  # the words read before it stand
    title = " ".join(" ".join(parser.title).split())
    words = " ".join(" ".join(parser.text).split())
    if words.startswith(title):  # nginx repeats its title as the page's heading
        words = words[len(title) :].strip()
    named = f'an HTML page "{title}"' if title else "an HTML page"
    return excerpt(f"{named} (from a proxy or web UI in front of the store?): {words}".rstrip(": "))


def redirect_text(response: httpx.Response, setting: str) -> str | None:
    """What a redirect answer means for the store's URL setting; None when it is no redirect.

    The clients follow no redirect: a store's API does not send one, so it comes from what is
    in front of it (a login page of an authenticating proxy, http sent on to https).
    """
    if not 300 <= response.status_code < 400:
        return None
    where = response.headers.get("location", "")
    to = f" to {excerpt(where, 300)}" if where else ""
    return (
        f"HTTP {response.status_code} redirect{to}: {setting} leads to something in front of the "
        "store (an authenticating proxy's login page, or http moved to https), not to its API; "
        f"set {setting} to the API's own address"
    )


def shown_url(url: object) -> str:
    """A store's URL as it may be shown: without a ``user:password@`` it may carry.

    httpx sends a URL's user and password as basic authentication (a gateway in front of the
    store may want it); progress messages and errors name the URL, never the password.
    """
    parsed = httpx.URL(str(url))
    return str(parsed.copy_with(userinfo=b"")) if parsed.userinfo else str(parsed)
