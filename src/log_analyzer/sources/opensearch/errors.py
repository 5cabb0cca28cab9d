"""OpenSearch's (and Elasticsearch's) failures, named after it: ``opensearch_unavailable``, ..."""

from __future__ import annotations

from log_analyzer.core.errors import (
    SourceBadResponse,
    SourceError,
    SourceQueryError,
    SourceTimeout,
    SourceUnavailable,
)


class OpenSearchError(SourceError):
    """Base of the OpenSearch failures (Elasticsearch's too: one REST API, one family)."""

    upstream = "opensearch"
    code = "opensearch_error"


class OpenSearchUnavailable(OpenSearchError, SourceUnavailable):
    """The cluster could not be reached, refused our credentials, or throttled us."""

    code = "opensearch_unavailable"


class AwsCredentialsUnavailable(OpenSearchUnavailable):
    """SigV4 could not get AWS credentials: none in the chain, or STS or IMDS failed or was slow.

    Still ``opensearch_unavailable`` (OpenSearch cannot be asked), but its ``upstream`` is the
    AWS credential chain, the one that failed.
    """

    upstream = "aws_credentials"


class OpenSearchTimeout(OpenSearchError, SourceTimeout):
    """The cluster did not answer in time (our deadline, or a gateway's)."""

    code = "opensearch_timeout"


class OpenSearchQueryError(OpenSearchError, SourceQueryError):
    """The cluster refused the query (4xx); the message carries its own reason."""

    code = "opensearch_query_error"


class OpenSearchExpensiveOff(OpenSearchQueryError):
    """The cluster refuses ``regexp`` and ``wildcard`` queries (`EXPENSIVE` is false).

    OpenSearch and Elasticsearch say so only in words: the refusal's type is the generic
    ``exception`` (inside a ``query_shard_exception``), its reason "[regexp] queries cannot be
    executed when 'search.allow_expensive_queries' is set to false." The source then runs the
    query again with those clauses left to the service (a refusal that still comes is an
    ``opensearch_query_error`` like any other).
    """


EXPENSIVE = "search.allow_expensive_queries"
"""The cluster setting that, false, refuses regexp, wildcard, prefix and fuzzy queries and
range queries on text and keyword fields."""


def expensive_off(reason: str, **details: object) -> OpenSearchExpensiveOff | None:
    """The refusal of an expensive query when ``reason`` (the cluster's words) is one; else None."""
    if f"'{EXPENSIVE}' is set to false" not in reason:
        return None
    return OpenSearchExpensiveOff(
        f"OpenSearch refuses regexp and wildcard queries ({EXPENSIVE} is false): {reason}",
        **details,
    )


class OpenSearchBadResponse(OpenSearchError, SourceBadResponse):
    """The cluster answered with a server error, failed shards, or a body we cannot read."""

    code = "opensearch_bad_response"


AWS_PERMISSIONS = {
    "es": "es:ESHttpGet, es:ESHttpPost and es:ESHttpDelete on the domain's indices (and a "
    "role mapping if fine-grained access control is on)",
    "aoss": "aoss:APIAccessAll on the collection, and a data access policy granting "
    "aoss:DescribeIndex and aoss:ReadDocument on its indices",
}
"""What the AWS identity needs, per signing service (the README has the policies)."""


def aws_refused(service: str, status: int, said: str) -> OpenSearchUnavailable:
    """AWS's refusal (401 or 403) of a request signed for ``service``; ``said``: its reason."""
    needs = AWS_PERMISSIONS.get(service, f"the {service} data-plane permissions")
    return OpenSearchUnavailable(
        f"OpenSearch on AWS (OPENSEARCH_AUTH=sigv4, service {service!r}) refused the signed "
        "request: either the signature was rejected (wrong OPENSEARCH_AWS_SERVICE or region, "
        "expired credentials, this machine's clock off by minutes) or the AWS identity lacks "
        f"a permission; it needs {needs}: {said}",
        status=status,
    )
