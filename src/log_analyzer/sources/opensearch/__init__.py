"""OpenSearch and Elasticsearch: their REST API, query DSL, answers and errors, and nowhere else."""

from __future__ import annotations

import re
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from log_analyzer.core.config import Settings
from log_analyzer.core.errors import InputError
from log_analyzer.logs.regex import re2_error
from log_analyzer.sources.aws import configured_region
from log_analyzer.sources.base import FilterSpec, Instrument, LogSource, Selection
from log_analyzer.sources.http import shown_url
from log_analyzer.sources.opensearch.client import OpenSearchClient
from log_analyzer.sources.opensearch.mapping import FieldNames
from log_analyzer.sources.opensearch.source import NAME, OpenSearchSource

__all__ = ["SPEC", "OpenSearchSource", "OpenSearchSpec", "aws_region", "field_names"]

MAX_CONCURRENCY = 16
"""Requests this process has in flight to the cluster at once; more wait their turn."""
START_CHECK_SECONDS = 5.0
"""How long opening the store waits for the version check before leaving it for later."""
_INDEX = re.compile(r'[^\s"\\/?<>|#,]+(,[^\s"\\/?<>|#,]+)*\Z')


class OpenSearchSpec:
    """The filters of an OpenSearch store of Kubernetes logs, and how to open a client for it."""

    name = NAME
    filters: tuple[FilterSpec, ...] = (
        FilterSpec("index", "Index, alias, data stream or pattern (default OPENSEARCH_INDEX)."),
        FilterSpec("namespace", "Kubernetes namespace (exact)."),
        FilterSpec(
            "pod",
            "RE2 regex over the whole pod name (a Lucene regexp query where it translates).",
            regex=True,
        ),
        FilterSpec("container", "Container name (exact)."),
        FilterSpec("node", "Node name (exact)."),
    )

    def check(self, selection: Selection) -> None:
        """Known filters, a valid RE2 pod regex and an index expression that is a name."""
        known = {spec.name for spec in self.filters}
        for name, value in selection.filters:
            if name not in known:
                raise InputError(
                    f"filters.{name}",
                    f"OpenSearch does not filter by {name}; it takes {', '.join(sorted(known))}",
                )
            if name == "pod" and (reason := re2_error(value)) is not None:
                raise InputError("filters.pod", f"invalid RE2 regular expression: {reason}")
            if name == "index" and not index_expression_ok(value):
                raise InputError(
                    "filters.index",
                    "an index, alias, data stream or pattern (several separated by commas), "
                    'without spaces, \\ / ? " < > | # and not starting with _',
                )

    def unconfigured(self, settings: Settings) -> str | None:
        """Without `OPENSEARCH_URL` there is no cluster to read; `sigv4` needs a region."""
        if settings.opensearch_url is None:
            return "OPENSEARCH_URL is not set"
        if settings.opensearch_auth == "sigv4" and aws_region(settings) is None:
            return (
                "OPENSEARCH_AUTH=sigv4 needs the AWS region of the domain or collection: set "
                "OPENSEARCH_AWS_REGION (or AWS_REGION, AWS_DEFAULT_REGION, a profile's region)"
            )
        return None

    def where(self, settings: Settings) -> str:
        """The cluster's URL and the default index."""
        return f"{shown_url(settings.opensearch_url)} (index {settings.opensearch_index})"

    @asynccontextmanager
    async def open(self, settings: Settings, instrument: Instrument) -> AsyncIterator[LogSource]:
        """An `OpenSearchSource` over its own HTTP client, closed with the context."""
        if settings.opensearch_url is None:
            raise ValueError("OPENSEARCH_URL is not set")
        timeout = httpx.Timeout(
            settings.opensearch_timeout_seconds,
            connect=settings.opensearch_connect_timeout_seconds,
        )
        limits = httpx.Limits(
            max_connections=MAX_CONCURRENCY, max_keepalive_connections=MAX_CONCURRENCY
        )
        async with httpx.AsyncClient(
            base_url=str(settings.opensearch_url),
            timeout=timeout,
            limits=limits,
            verify=_tls(settings),
            auth=_auth(settings),
            headers=_api_key_header(settings),
        ) as http:
            instrument(http)
            client = OpenSearchClient(
                http,
                max_concurrency=MAX_CONCURRENCY,
                deadline_seconds=settings.source_query_deadline_seconds,
                max_response_bytes=settings.source_max_response_bytes,
                aws_service=_signed_for(settings),
            )
            source = OpenSearchSource(
                client,
                index=settings.opensearch_index,
                names=field_names(settings),
                max_scan=settings.opensearch_max_scan_documents,
            )
            await source.probe(START_CHECK_SECONDS)
            yield source


def field_names(settings: Settings) -> FieldNames:
    """The document fields the settings name."""
    return FieldNames(
        time=settings.opensearch_time_field,
        message=settings.opensearch_message_field,
        level=settings.opensearch_level_field,
        namespace=settings.opensearch_namespace_field,
        pod=settings.opensearch_pod_field,
        container=settings.opensearch_container_field,
        node=settings.opensearch_node_field,
    )


def index_expression_ok(value: str) -> bool:
    """Whether ``value`` is one or more index names or patterns, none an API path (``_``)."""
    return _INDEX.match(value) is not None and not any(
        part.startswith("_") for part in value.split(",")
    )


def _tls(settings: Settings) -> ssl.SSLContext | bool:
    if not settings.opensearch_verify_tls:
        return False
    if settings.opensearch_ca_bundle is not None:
        return ssl.create_default_context(cafile=settings.opensearch_ca_bundle)
    return True


def aws_region(settings: Settings) -> str | None:
    """``OPENSEARCH_AWS_REGION``, else ``AWS_REGION``, else the AWS configuration's region."""
    return configured_region(settings.opensearch_aws_region, settings.aws_region)


def _signed_for(settings: Settings) -> str | None:
    return settings.opensearch_aws_service if settings.opensearch_auth == "sigv4" else None


def _auth(settings: Settings) -> httpx.Auth | None:
    service = _signed_for(settings)
    if service is None:
        return _basic_auth(settings)
    from log_analyzer.sources.opensearch.sigv4 import AwsCredentials, SigV4

    region = aws_region(settings)
    if region is None:
        raise ValueError("OPENSEARCH_AUTH=sigv4 needs OPENSEARCH_AWS_REGION (or AWS_REGION)")
    return SigV4(AwsCredentials(), region=region, service=service)


def _basic_auth(settings: Settings) -> httpx.BasicAuth | None:
    if settings.opensearch_username is None or settings.opensearch_password is None:
        return None
    return httpx.BasicAuth(
        settings.opensearch_username, settings.opensearch_password.get_secret_value()
    )


def _api_key_header(settings: Settings) -> dict[str, str]:
    if settings.opensearch_api_key is None:
        return {}
    return {"Authorization": f"ApiKey {settings.opensearch_api_key.get_secret_value()}"}


SPEC = OpenSearchSpec()
