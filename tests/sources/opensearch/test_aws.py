"""The signed store against AWS's answers and the standard credential chain, end to end.

The refusals AWS answers with (403) are built here after the bodies users report from Amazon
OpenSearch Service (``{"Message": "User: ... is not authorized to perform: es:ESHttpPost ..."}``,
``{"message": "The request signature we calculated does not match ..."}``) and OpenSearch
Serverless (``{"status": 403, "request-id": ..., "error": {...}}``); no AWS account ran here.
The chain's IRSA path runs against moto's server as STS, and the store against osmem-server,
which ignores the signatures that `signing.verify` checks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from log_analyzer.sources.base import EntryQuery, LineFilter, Order
from log_analyzer.sources.opensearch import SPEC
from log_analyzer.sources.opensearch.client import OpenSearchClient
from log_analyzer.sources.opensearch.errors import OpenSearchUnavailable
from log_analyzer.sources.opensearch.sigv4 import AwsCredentials, SigV4
from log_analyzer.sources.opensearch.source import OpenSearchSource
from tests.conftest import settings_for_tests
from tests.sources.cloudwatch.conftest import Emulator
from tests.sources.opensearch.conftest import Cluster, shop
from tests.sources.opensearch.seed import INDEX
from tests.sources.opensearch.signing import KEY, SECRET, TOKEN, client_of, freeze, static, verify

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)


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
