"""AWS Signature Version 4, for Amazon OpenSearch Service (``es``) and Serverless (``aoss``).

`SigV4` is an `httpx.Auth`: it signs each request as httpx will send it, with botocore's own
signer (`SigV4Auth`), so the signature covers the exact bytes on the wire:

- the body's SHA-256 goes in ``x-amz-content-sha256`` (which Serverless requires) and is the
  hash signed;
- the query string is rewritten into SigV4's canonical form (sorted, every byte but
  ``A-Z a-z 0-9 - _ . ~`` percent-encoded, a space as ``%20``, never ``+``) before signing, so
  what is sent is what is signed; the path is signed as httpx sends it;
- only ``host`` and the ``x-amz-*`` headers are signed: headers added later on the way out
  (trace context from the HTTPX instrumentation, say) cannot break the signature.

Credentials come from botocore's standard chain (`botocore.session.Session.get_credentials`:
environment, profile, web identity as with IRSA, container and instance roles), resolved on
first use. Temporary credentials are renewed by botocore before they expire; resolving and
renewing can mean HTTP calls (STS, instance metadata), so both run in a thread, never on the
event loop. One such thread at most: requests that need credentials while it runs wait for it
(each for `CREDENTIALS_SECONDS` at most) rather than start another, so a slow credential
provider cannot pile threads up. A request after a failure tries again.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any
from urllib.parse import quote

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials, ReadOnlyCredentials, RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError
from botocore.session import Session

from log_analyzer.sources.opensearch.errors import AwsCredentialsUnavailable

CREDENTIALS_SECONDS = 10.0
"""Longest a request waits for the AWS credential chain to resolve or renew credentials."""
CHAIN = (
    "the standard AWS chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_ROLE_ARN with "
    "AWS_WEB_IDENTITY_TOKEN_FILE (IRSA), AWS_PROFILE, or the container or instance role"
)
_ADDED = ("Authorization", "X-Amz-Date", "X-Amz-Security-Token")
"""The headers botocore's signer adds (the token with temporary credentials only)."""
_SAFE = "-_.~"

Resolve = Callable[[], Credentials | None]


def default_chain() -> Credentials | None:
    """The credentials botocore's default chain finds, or None."""
    return Session().get_credentials()


class AwsCredentials:
    """Credentials of the chain, resolved once and renewed by botocore, read off the loop."""

    def __init__(self, resolve: Resolve = default_chain) -> None:
        self._resolve = resolve
        self._credentials: Credentials | None = None
        self._loading: asyncio.Future[ReadOnlyCredentials] | None = None
        """The one resolution or renewal running in a thread, which every request awaits."""

    async def frozen(self) -> ReadOnlyCredentials:
        """A consistent key, secret and token, fresh for at least botocore's refresh margin."""
        credentials = self._credentials
        if credentials is not None and not _needs_io(credentials):
            return credentials.get_frozen_credentials()
        loading = self._loading
        if loading is None:
            loading = self._loading = asyncio.ensure_future(asyncio.to_thread(self._load))
            loading.add_done_callback(self._landed)
        try:
            async with asyncio.timeout(CREDENTIALS_SECONDS):
                # Shielded: a request giving up leaves the thread's result to the next one.
                return await asyncio.shield(loading)
        except TimeoutError:
            raise AwsCredentialsUnavailable(
                f"AWS credentials (STS or the instance metadata service) did not answer: "
                f"not resolved within {CREDENTIALS_SECONDS:g} s for OpenSearch "
                f"(OPENSEARCH_AUTH=sigv4); they are read from {CHAIN}"
            ) from None
        except (BotoCoreError, ClientError) as exc:
            raise AwsCredentialsUnavailable(
                f"cannot get the AWS credentials for OpenSearch (OPENSEARCH_AUTH=sigv4) from "
                f"{CHAIN}: {type(exc).__name__}: {exc}"
            ) from exc

    def _load(self) -> ReadOnlyCredentials:
        credentials = self._credentials or self._resolve()
        if credentials is None:
            raise AwsCredentialsUnavailable(
                f"OPENSEARCH_AUTH=sigv4 found no AWS credentials; it reads {CHAIN}"
            )
        self._credentials = credentials
        return credentials.get_frozen_credentials()

    def _landed(self, loading: asyncio.Future[ReadOnlyCredentials]) -> None:
        if self._loading is loading:
            self._loading = None  # the next request that needs credentials starts a new one
        if not loading.cancelled():
            loading.exception()  # read, so a failure no request awaited is not logged as lost


def _needs_io(credentials: Credentials) -> bool:
    """Whether reading ``credentials`` may renew them (an HTTP call): then it runs in a thread."""
    return isinstance(credentials, RefreshableCredentials) and credentials.refresh_needed()


def canonical_query(url: httpx.URL) -> bytes:
    """The URL's query in SigV4's canonical form: pairs sorted, RFC 3986 percent-encoding."""
    pairs = sorted(
        (quote(k, safe=_SAFE), quote(v, safe=_SAFE)) for k, v in url.params.multi_items()
    )
    return "&".join(f"{k}={v}" for k, v in pairs).encode("ascii")


class SigV4(httpx.Auth):
    """Signs every request for ``service`` (``es`` or ``aoss``) in ``region``."""

    requires_request_body = True

    def __init__(self, credentials: AwsCredentials, *, region: str, service: str) -> None:
        self._credentials = credentials
        self._region = region
        self._service = service

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, Any, None]:
        """Not offered: resolving credentials may block, and this client is async only."""
        raise RuntimeError("SigV4 signs requests of an httpx.AsyncClient only")

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Sign ``request`` as it will be sent, then send it."""
        credentials = await self._credentials.frozen()
        sign(request, credentials, region=self._region, service=self._service)
        yield request


def sign(
    request: httpx.Request, credentials: ReadOnlyCredentials, *, region: str, service: str
) -> None:
    """Add SigV4's headers to ``request``, its query first made canonical (as sent)."""
    if request.url.query:
        request.url = request.url.copy_with(query=canonical_query(request.url))
    digest = hashlib.sha256(request.content).hexdigest()
    request.headers["x-amz-content-sha256"] = digest
    url = request.url
    signed = AWSRequest(
        method=request.method,
        url=f"{url.scheme}://{url.netloc.decode('ascii')}{url.raw_path.decode('ascii')}",
        headers={"host": request.headers["host"], "x-amz-content-sha256": digest},
        data=request.content,
    )
    SigV4Auth(credentials, service, region).add_auth(signed)
    for name in _ADDED:
        value = signed.headers.get(name)
        if value is not None:
            request.headers[name] = value
        else:  # a retry signed with other credentials: no stale token left behind
            request.headers.pop(name, None)
