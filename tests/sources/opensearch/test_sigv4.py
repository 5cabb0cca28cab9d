"""AWS SigV4 for OpenSearch: each request signed as it is sent, credentials renewed off the loop.

Each signature is checked by `signing.verify`: botocore recomputes it over the request httpx sent.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import json
import threading

import httpx
import pytest
from botocore.credentials import Credentials, RefreshableCredentials

from log_analyzer.sources.opensearch.errors import AwsCredentialsUnavailable, OpenSearchUnavailable
from log_analyzer.sources.opensearch.sigv4 import AwsCredentials, sign
from tests.sources.opensearch.signing import (
    KEY,
    SECRET,
    TOKEN,
    WHERE,
    client_of,
    freeze,
    static,
    verify,
)

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)


@pytest.mark.parametrize("service", ["es", "aoss"])
async def test_a_search_is_signed_over_the_bytes_path_and_query_sent(service: str) -> None:
    sent: list[httpx.Request] = []
    client, http = client_of(static(), service=service, sent=sent)
    body = {"query": {"match_phrase": {"message": "délai dépassé: 50% & more"}}}
    params = {"q": "a b+c/é,*", "keep_alive": "2m", "filter_path": "hits.hits._source"}
    async with http:
        await client.call("POST", "/logs-*,k8s:fluent-bit/_search", body, params)
    (request,) = sent
    assert json.loads(request.content) == body  # the body sent is the body built
    assert request.url.raw_path.decode() == (
        "/logs-*,k8s:fluent-bit/_search"
        "?filter_path=hits.hits._source&keep_alive=2m&q=a%20b%2Bc%2F%C3%A9%2C%2A"
    )
    assert request.headers["x-amz-date"] == "20260314T092653Z"
    assert request.headers["x-amz-security-token"] == TOKEN
    for by_params in (False, True):
        parts = verify(request, service, by_params=by_params)
    assert parts["key"] == KEY
    assert parts["scope"] == f"20260314/eu-west-1/{service}/aws4_request"
    assert parts["signed"] == "host;x-amz-content-sha256;x-amz-date;x-amz-security-token"


async def test_the_check_fails_where_the_sent_request_differs_from_the_signed_one() -> None:
    sent: list[httpx.Request] = []
    client, http = client_of(static(), sent=sent)
    async with http:
        await client.call("POST", "/fluent-bit/_search", {"size": 1}, {"q": "a b"})
    (request,) = sent
    changed = [
        httpx.Request("POST", request.url, headers=request.headers, content=b'{"size": 2}'),
        httpx.Request(  # the query as httpx writes it by default: a space as "+"
            "POST",
            str(request.url).replace("%20", "+"),
            headers=request.headers,
            content=request.content,
        ),
    ]
    for other in changed:
        with pytest.raises(AssertionError):
            verify(other, "es")


async def test_a_get_without_body_or_token_is_signed_with_the_empty_hash() -> None:
    sent: list[httpx.Request] = []
    client, http = client_of(static(token=None), sent=sent)
    async with http:
        await client.call("GET", "/fluent-bit/_mapping/field/message")
    (request,) = sent
    assert request.headers["x-amz-content-sha256"] == hashlib.sha256(b"").hexdigest()
    assert "x-amz-security-token" not in request.headers
    assert verify(request, "es")["signed"] == "host;x-amz-content-sha256;x-amz-date"


def test_signing_again_with_other_credentials_leaves_no_stale_header() -> None:
    """A retried request is signed anew; a token of the first signing must not stay on it."""
    request = httpx.Request("POST", "https://os.example/_search?q=a b", content=b'{"size":1}')
    sign(request, Credentials(KEY, SECRET, TOKEN).get_frozen_credentials(), **WHERE)
    plain = Credentials(KEY, SECRET).get_frozen_credentials()
    sign(request, plain, **WHERE)
    assert "x-amz-security-token" not in request.headers
    assert verify(request, "es", credentials=plain)["signed"] == (
        "host;x-amz-content-sha256;x-amz-date"
    )


async def test_temporary_credentials_are_renewed_in_a_thread_before_they_expire() -> None:
    renewals: list[int] = []

    def renew() -> dict[str, str]:
        renewals.append(threading.get_ident())
        later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
        return {
            "access_key": KEY,
            "secret_key": SECRET,
            "token": TOKEN,
            "expiry_time": later.isoformat(),
        }

    soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)
    expiring = RefreshableCredentials.create_from_metadata(
        {
            "access_key": "ASIAOLDKEY",
            "secret_key": "old",
            "token": "old",
            "expiry_time": soon.isoformat(),
        },
        refresh_using=renew,
        method="assume-role-with-web-identity",
    )
    sent: list[httpx.Request] = []
    client, http = client_of(AwsCredentials(lambda: expiring), sent=sent)
    async with http:
        await client.call("GET", "/")
        await client.call("GET", "/")
    assert len(renewals) == 1 and renewals[0] != threading.get_ident()
    for request in sent:
        assert verify(request, "es")["key"] == KEY  # never the expiring key


async def test_no_credentials_name_the_chain_and_a_later_request_tries_again() -> None:
    found: list[Credentials | None] = [None]
    client, http = client_of(AwsCredentials(lambda: found[0]))
    async with http:
        with pytest.raises(OpenSearchUnavailable, match="OPENSEARCH_AUTH=sigv4 found no AWS"):
            await client.call("GET", "/")
        found[0] = Credentials(KEY, SECRET)
        assert await client.call("GET", "/") == {"ok": True}


async def test_a_slow_credential_chain_is_given_up_on_without_blocking(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import log_analyzer.sources.opensearch.sigv4 as sigv4

    monkeypatch.setattr(sigv4, "CREDENTIALS_SECONDS", 0.05)
    release = threading.Event()

    def slow() -> Credentials:
        release.wait(5)  # as an unreachable instance metadata service would
        return Credentials(KEY, SECRET)

    client, http = client_of(AwsCredentials(slow))
    try:
        async with http:
            with pytest.raises(OpenSearchUnavailable, match=r"not resolved within 0\.05 s"):
                await client.call("GET", "/")
    finally:
        release.set()


async def test_a_slow_credential_chain_is_asked_once_whatever_the_requests_waiting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import log_analyzer.sources.opensearch.sigv4 as sigv4

    monkeypatch.setattr(sigv4, "CREDENTIALS_SECONDS", 0.05)
    release = threading.Event()
    asked: list[int] = []

    def slow() -> Credentials:
        asked.append(threading.get_ident())
        release.wait(5)  # as an unreachable instance metadata service would
        return Credentials(KEY, SECRET)

    sent: list[httpx.Request] = []
    client, http = client_of(AwsCredentials(slow), sent=sent)
    try:
        async with http:
            for _ in range(3):  # requests that gave up, one after the other and at once
                failed = await asyncio.gather(
                    *(client.call("GET", "/") for _ in range(4)), return_exceptions=True
                )
                assert all(isinstance(exc, AwsCredentialsUnavailable) for exc in failed)
            error = failed[0]
            assert isinstance(error, AwsCredentialsUnavailable)
            assert error.code == "opensearch_unavailable"
            assert error.details["upstream"] == "aws_credentials"
            assert error.message.startswith("AWS credentials (STS or the instance metadata")
            assert len(asked) == 1, "one thread asks the chain; the others wait for it"
            release.set()
            await asyncio.to_thread(lambda: None)  # the thread's answer lands on the loop
            await asyncio.sleep(0.05)
            assert await client.call("GET", "/") == {"ok": True}
    finally:
        release.set()
    assert len(asked) == 1, "the answer that came after the others gave up is the one used"
    assert verify(sent[-1], "es")["key"] == KEY
