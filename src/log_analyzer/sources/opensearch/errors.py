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


class OpenSearchTimeout(OpenSearchError, SourceTimeout):
    """The cluster did not answer in time (our deadline, or a gateway's)."""

    code = "opensearch_timeout"


class OpenSearchQueryError(OpenSearchError, SourceQueryError):
    """The cluster refused the query (4xx); the message carries its own reason."""

    code = "opensearch_query_error"


class OpenSearchBadResponse(OpenSearchError, SourceBadResponse):
    """The cluster answered with a server error, failed shards, or a body we cannot read."""

    code = "opensearch_bad_response"
