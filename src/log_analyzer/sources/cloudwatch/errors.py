"""CloudWatch Logs' failures, named after it: ``cloudwatch_unavailable``, ``cloudwatch_timeout``."""

from __future__ import annotations

from log_analyzer.core.errors import (
    SourceBadResponse,
    SourceError,
    SourceQueryError,
    SourceTimeout,
    SourceUnavailable,
)


class CloudWatchError(SourceError):
    """Base of the CloudWatch Logs failures."""

    upstream = "cloudwatch"
    code = "cloudwatch_error"


class CloudWatchUnavailable(CloudWatchError, SourceUnavailable):
    """CloudWatch Logs could not be reached, refused our identity, or throttled us."""

    code = "cloudwatch_unavailable"


class CloudWatchUnsupported(CloudWatchUnavailable):
    """The endpoint does not offer an operation (an emulator without Logs Insights, say).

    Reported like any unavailability; the source catches it where it has another way.
    """


class CloudWatchInsightsFull(CloudWatchUnavailable):
    """Logs Insights kept refusing a new query (``LimitExceededException``, out of tries).

    Its concurrent queries are at the account's limit; FilterLogEvents is not part of it, so
    the source counts by paging instead.
    """


class CloudWatchTimeout(CloudWatchError, SourceTimeout):
    """CloudWatch Logs did not answer in time (our deadline, or a Logs Insights timeout)."""

    code = "cloudwatch_timeout"


class CloudWatchQueryError(CloudWatchError, SourceQueryError):
    """CloudWatch Logs refused the request (an unknown log group, a bad pattern or query)."""

    code = "cloudwatch_query_error"


class CloudWatchBadResponse(CloudWatchError, SourceBadResponse):
    """CloudWatch Logs failed on its side, or answered in a shape we cannot read."""

    code = "cloudwatch_bad_response"
