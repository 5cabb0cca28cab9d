"""AWS SigV4 for OpenSearch: each request signed as sent, credentials renewed, AWS's refusals named.

A signature is checked the way AWS checks it: botocore's signer recomputes it over the request
httpx actually sent (captured by an `httpx.MockTransport`), from its method, path, query, the
headers it says it signed and its body, and must arrive at the same value. The refusals AWS
answers with (403) are built here after the bodies users report from Amazon OpenSearch Service
(``{"Message": "User: ... is not authorized to perform: es:ESHttpPost ..."}``) and OpenSearch
Serverless (``{"status": 403, "request-id": ..., "error": {...}}``): no AWS account ran here.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import threading
from pathlib import Path
from typing import Any

import botocore.auth
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials, ReadOnlyCredentials, RefreshableCredentials

from log_analyzer.sources.base import EntryQuery, LineFilter, Order
from log_analyzer.sources.opensearch import SPEC
from log_analyzer.sources.opensearch.client import OpenSearchClient
from log_analyzer.sources.opensearch.errors import OpenSearchUnavailable
from log_analyzer.sources.opensearch.sigv4 import AwsCredentials, SigV4, sign
from log_analyzer.sources.opensearch.source import OpenSearchSource
from tests.conftest import settings_for_tests
from tests.sources.cloudwatch.conftest import Emulator
from tests.sources.opensearch.conftest import Cluster, shop
from tests.sources.opensearch.seed import INDEX

pytestmark = pytest.mark.anyio

NOW = datetime.datetime(2026, 3, 14, 9, 26, 53, tzinfo=datetime.UTC)
KEY, SECRET, TOKEN = "ASIAEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLE", "FwoGZXIvEXAMPLE"
WHERE = {"region": "eu-west-1", "service": "es"}
_AUTH = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<scope>[^,]+), "
    r"SignedHeaders=(?P<signed>[^,]+), Signature=(?P<signature>[0-9a-f]{64})\Z"
)


@pytest.fixture(autouse=True)
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's signer reads this clock."""
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


@pytest.mark.parametrize(
    ("service", "answer", "says"),
    [
        pytest.param(
            "es",
            {
                "Message": "User: arn:aws:sts::111122223333:assumed-role/log-analyzer/abc is not "
                "authorized to perform: es:ESHttpPost because no identity-based policy allows "
                "the es:ESHttpPost action"
            },
            "not authorized to perform: es:ESHttpPost",
            id="es-iam-denied",
        ),
        pytest.param(
            "es",
            {
                "message": "The request signature we calculated does not match the signature "
                "you provided. Check your AWS Secret Access Key and signing method."
            },
            "signature we calculated does not match",
            id="es-signature",
        ),
        pytest.param(
            "aoss",
            {
                "status": 403,
                "request-id": "b6a4bd0c-1211-9a14-85fa-5776ef5efe18",
                "error": {"reason": "403 Forbidden", "type": "Forbidden"},
            },
            "Forbidden: 403 Forbidden",
            id="aoss-forbidden",
        ),
    ],
)
async def test_aws_refusals_name_opensearch_and_the_signature_or_permission(
    service: str, answer: dict[str, Any], says: str
) -> None:
    client, http = client_of(static(), answer, status=403, service=service)
    async with http:
        with pytest.raises(OpenSearchUnavailable) as raised:
            await client.call("POST", "/fluent-bit/_search", {"query": {"match_all": {}}})
    message = raised.value.message
    assert message.startswith("OpenSearch on AWS (OPENSEARCH_AUTH=sigv4")
    assert "signature was rejected" in message and "lacks a permission" in message
    assert ("aoss:APIAccessAll" if service == "aoss" else "es:ESHttpGet") in message
    assert says in message


async def test_a_refused_get_root_is_aws_refusing_not_a_missing_cluster_privilege() -> None:
    client, http = client_of(static(), {"Message": "User: anonymous is not authorized"}, status=403)
    async with http:
        with pytest.raises(OpenSearchUnavailable, match="refused the signed request"):
            await client.server()


async def test_serverless_serves_no_get_root_so_its_version_is_unknown() -> None:
    client, http = client_of(static(), {"error": "no handler"}, status=404, service="aoss")
    async with http:
        server = await client.server()
    assert server.unknown is not None and "does not serve GET /" in server.unknown
    assert str(server) == "OpenSearch (version unknown)"


@pytest.mark.parametrize("service", ["aoss", "es"])
async def test_serverless_is_ready_without_get_root_or_cluster_health(service: str) -> None:
    """Built: Serverless answering 404 to both; a domain answering so is misaddressed."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path in ("/", "/_cluster/health"):
            return httpx.Response(404, json={"error": "no handler found"})
        return httpx.Response(200, json={})  # the field mapping: nothing mapped

    http = httpx.AsyncClient(
        base_url="https://abc123.eu-west-1.aoss.amazonaws.com",
        transport=httpx.MockTransport(handle),
        auth=SigV4(static(), region="eu-west-1", service=service),
    )
    source = OpenSearchSource(OpenSearchClient(http, aws_service=service), index="logs")
    async with http:
        if service == "aoss":
            await source.ready()
        else:
            with pytest.raises(OpenSearchUnavailable, match="does not point at its REST API"):
                await source.ready()


@pytest.fixture
def aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Credentials from the environment, as the standard chain reads them; no real AWS config."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ROLE_ARN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


async def test_irsa_web_identity_credentials_come_from_sts_through_the_chain(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The chain as EKS's pod identity webhook sets it up, with moto's server as STS."""
    token = tmp_path / "token"
    token.write_text("eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/log-analyzer")
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(token))
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", emulator.url)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    credentials = AwsCredentials()
    sent: list[httpx.Request] = []
    client, http = client_of(credentials, sent=sent)
    async with http:
        await client.call("GET", "/")
    frozen = await credentials.frozen()
    assert (frozen.access_key or "").startswith("ASIA") and frozen.token
    (request,) = sent
    assert request.headers["x-amz-security-token"] == frozen.token
    assert verify(request, "es", credentials=frozen)["key"] == frozen.access_key


@pytest.mark.usefixtures("aws_environment")
async def test_the_store_signs_with_the_environments_credentials_end_to_end(
    cluster: Cluster,
) -> None:
    """osmem-server ignores the signature; every request it answered carried a valid one."""
    settings = settings_for_tests(
        opensearch_url=cluster.url,
        opensearch_index=INDEX,
        opensearch_auth="sigv4",
        opensearch_aws_region="eu-west-1",
    )
    sent: list[httpx.Request] = []

    def instrument(http: httpx.AsyncClient) -> None:
        async def keep(request: httpx.Request) -> None:
            sent.append(request)  # request hooks see the request after the auth flow

        http.event_hooks["request"].append(keep)

    async with SPEC.open(settings, instrument) as source:
        query = EntryQuery(cluster.window(), shop(), LineFilter.every(), 10, Order.NEWEST)
        raw = await source.entries(query)
    assert len(raw.decoded().rows) == 10
    # GET /, the mapping, opening a point in time (its keep_alive in the query), the search
    # inside it (a POST body) and its closing (a DELETE with a body).
    assert {request.url.path for request in sent} >= {"/", "/_search", "/_search/point_in_time"}
    assert any(request.url.query for request in sent)
    assert {request.method for request in sent} == {"GET", "POST", "DELETE"}
    for request in sent:
        verify(request, "es")


@pytest.mark.usefixtures("aws_environment")
def test_sigv4_without_a_region_is_not_offered_and_names_the_setting() -> None:
    settings = settings_for_tests(opensearch_url="https://os:9200", opensearch_auth="sigv4")
    assert "OPENSEARCH_AWS_REGION" in (SPEC.unconfigured(settings) or "")
    settings = settings_for_tests(
        opensearch_url="https://os:9200", opensearch_auth="sigv4", aws_region="eu-west-1"
    )
    assert SPEC.unconfigured(settings) is None
