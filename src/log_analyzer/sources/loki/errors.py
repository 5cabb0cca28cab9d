"""Loki's failures, named after it: ``loki_unavailable``, ``loki_timeout``, ..."""

from __future__ import annotations

from log_analyzer.core.errors import (
    SourceBadResponse,
    SourceError,
    SourceQueryError,
    SourceTimeout,
    SourceUnavailable,
)


class LokiError(SourceError):
    """Base of the Loki failures."""

    upstream = "loki"
    code = "loki_error"


class LokiUnavailable(LokiError, SourceUnavailable):
    """Loki could not be reached, refused our credentials, or throttled us."""

    code = "loki_unavailable"


class LokiTimeout(LokiError, SourceTimeout):
    """Loki did not answer in time (our deadline or its own `query_timeout`)."""

    code = "loki_timeout"


class LokiQueryError(LokiError, SourceQueryError):
    """Loki refused the query (4xx); the message carries Loki's own text."""

    code = "loki_query_error"


class LokiSeriesLimit(LokiQueryError):
    """A metric query's answer would hold more series than Loki's ``max_query_series``.

    Reported like any refused query; the source catches it where a coarser grouping will do.
    """


class LokiBadResponse(LokiError, SourceBadResponse):
    """Loki answered with a server error or a body we cannot read."""

    code = "loki_bad_response"


class LokiAnswerTooLarge(LokiBadResponse):
    """Loki's components could not pass the answer between them: it passed their gRPC limit.

    The source asks again for fewer entries where a smaller answer will do.
    """
