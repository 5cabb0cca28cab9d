"""Signing helpers of the SigV4 tests: fixed credentials, a client over a mock, and the check.

`verify` checks a signature the way AWS does: botocore's signer recomputes it over the request
httpx actually sent (captured by an `httpx.MockTransport` or a request hook), from its method,
path, query, the headers it says it signed and its body, and must arrive at the same value.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any

import botocore.auth
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials, ReadOnlyCredentials

from log_analyzer.sources.opensearch.client import OpenSearchClient
from log_analyzer.sources.opensearch.sigv4 import AwsCredentials, SigV4

NOW = datetime.datetime(2026, 3, 14, 9, 26, 53, tzinfo=datetime.UTC)
KEY, SECRET, TOKEN = "ASIAEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLE", "FwoGZXIvEXAMPLE"
WHERE = {"region": "eu-west-1", "service": "es"}
_AUTH = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<scope>[^,]+), "
    r"SignedHeaders=(?P<signed>[^,]+), Signature=(?P<signature>[0-9a-f]{64})\Z"
)


def freeze(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stop botocore's signer's clock at `NOW`."""
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: NOW)


def static(token: str | None = TOKEN) -> AwsCredentials:
    return AwsCredentials(lambda: Credentials(KEY, SECRET, token))


def client_of(
    credentials: AwsCredentials,
    answer: Any = None,
    *,
    status: int = 200,
    service: str = "es",
    sent: list[httpx.Request] | None = None,
) -> tuple[OpenSearchClient, httpx.AsyncClient]:
    def handle(request: httpx.Request) -> httpx.Response:
        if sent is not None:
            sent.append(request)
        return httpx.Response(status, json={"ok": True} if answer is None else answer)

    http = httpx.AsyncClient(
        base_url="https://search-logs-abc123.eu-west-1.es.amazonaws.com",
        transport=httpx.MockTransport(handle),
        auth=SigV4(credentials, region="eu-west-1", service=service),
    )
    return OpenSearchClient(http, aws_service=service), http


def verify(
    sent: httpx.Request,
    service: str,
    *,
    by_params: bool = False,
    credentials: ReadOnlyCredentials | None = None,
) -> dict[str, str]:
    """Recompute the signature with botocore over the request as sent; the header's parts."""
    match = _AUTH.match(sent.headers["authorization"])
    assert match is not None, sent.headers["authorization"]
    parts = match.groupdict()
    names = parts["signed"].split(";")
    # The signature covers the hash header; AWS checks the body against it on its own.
    assert sent.headers["x-amz-content-sha256"] == hashlib.sha256(sent.content).hexdigest()
    url = sent.url
    if by_params:  # the query as AWS reads it: decoded, then encoded by SigV4's own rules
        target = f"{url.scheme}://{url.host}{url.path}"
        params: Any = url.params.multi_items()
    else:
        target, params = str(url), {}
    request = AWSRequest(
        method=sent.method,
        url=target,
        params=params,
        headers={name: sent.headers[name] for name in names},
        data=sent.content,
    )
    request.context["timestamp"] = sent.headers["x-amz-date"]
    signer = SigV4Auth(credentials or Credentials(KEY, SECRET, TOKEN), service, "eu-west-1")
    canonical = signer.canonical_request(request)
    assert (
        signer.signature(signer.string_to_sign(request, canonical), request) == (parts["signature"])
    )
    return parts
