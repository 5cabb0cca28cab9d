"""AWS CloudWatch Logs: FilterLogEvents, Logs Insights, their answers and errors, and nowhere else.

Worker processes import this package to decode entries (`shapes.decode_events`), so it imports
the AWS SDK only where a client is opened.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from log_analyzer.core.config import Settings
from log_analyzer.core.errors import InputError
from log_analyzer.sources.aws import configured_region
from log_analyzer.sources.base import FilterSpec, Instrument, LogSource, Selection
from log_analyzer.sources.cloudwatch.shapes import NAME

__all__ = ["SPEC", "CloudWatchSpec", "region_of"]

LOG_GROUP_NAME = re.compile(r"[.\-_/#A-Za-z0-9]{1,512}\Z")
"""What CloudWatch Logs accepts as a log group name."""
MAX_PREFIX_CHARS = 512
MAX_POOL_CONNECTIONS = 10


class CloudWatchSpec:
    """CloudWatch's filters (a log group, a log stream prefix) and how to open a client for it."""

    name = NAME
    filters: tuple[FilterSpec, ...] = (
        FilterSpec("log_group", "CloudWatch Logs log group (exact name); required."),
        FilterSpec("log_stream_prefix", "Only the log streams whose names start with this."),
    )

    def check(self, selection: Selection) -> None:
        """A log group is required, and both values must be names CloudWatch accepts."""
        known = {spec.name for spec in self.filters}
        for name, _ in selection.filters:
            if name not in known:
                raise InputError(
                    f"filters.{name}",
                    f"CloudWatch Logs does not filter by {name}; it takes "
                    + ", ".join(sorted(known)),
                )
        group = selection.get("log_group")
        if group is None:
            raise InputError(
                "filters.log_group", "CloudWatch Logs needs the log group to read, by its name"
            )
        if not LOG_GROUP_NAME.match(group):
            raise InputError(
                "filters.log_group",
                "not a log group name: 1 to 512 letters, digits and . - _ / #",
            )
        prefix = selection.get("log_stream_prefix")
        if prefix is not None and (len(prefix) > MAX_PREFIX_CHARS or set(prefix) & {":", "*"}):
            raise InputError(
                "filters.log_stream_prefix",
                f"not a log stream name prefix: at most {MAX_PREFIX_CHARS} characters, "
                "none of them : or *",
            )

    def unconfigured(self, settings: Settings) -> str | None:
        """CloudWatch needs a region: ``AWS_REGION``, or the AWS configuration's own."""
        if region_of(settings) is None:
            return (
                "no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION, or a region in the AWS "
                "profile) to read CloudWatch Logs"
            )
        return None

    def where(self, settings: Settings) -> str:
        """The region, and the endpoint when one is set."""
        region = region_of(settings) or "no region"
        endpoint = settings.cloudwatch_endpoint_url
        if endpoint is not None:
            return f"CloudWatch Logs at {endpoint} ({region})"
        return f"CloudWatch Logs in {region}"

    @asynccontextmanager
    async def open(self, settings: Settings, instrument: Instrument) -> AsyncIterator[LogSource]:
        """A `CloudWatchSource` over its own aiobotocore client, closed with the context.

        ``instrument`` is for httpx clients; aiobotocore speaks through aiohttp, so the store's
        calls are traced by the pipeline's own query spans only.
        """
        # Imported here, not at the top: see the module's docstring.
        from aiobotocore.config import AioConfig
        from aiobotocore.session import get_session

        from log_analyzer.sources.cloudwatch.client import CloudWatchClient, RetryPolicy
        from log_analyzer.sources.cloudwatch.source import CloudWatchSource

        config = AioConfig(
            connect_timeout=settings.cloudwatch_connect_timeout_seconds,
            read_timeout=settings.cloudwatch_read_timeout_seconds,
            # One attempt: the client retries itself, within the query's deadline.
            retries={"total_max_attempts": 1},
            max_pool_connections=MAX_POOL_CONNECTIONS,
        )
        endpoint = settings.cloudwatch_endpoint_url
        async with get_session().create_client(
            "logs",
            region_name=region_of(settings),
            endpoint_url=str(endpoint) if endpoint is not None else None,
            config=config,
        ) as logs:
            client = CloudWatchClient(
                logs,
                RetryPolicy(attempts=settings.cloudwatch_retry_attempts),
                deadline_seconds=settings.source_query_deadline_seconds,
            )
            yield CloudWatchSource(client)


def region_of(settings: Settings) -> str | None:
    """``AWS_REGION``, else the region of the standard AWS configuration, else None."""
    return configured_region(settings.aws_region)


SPEC = CloudWatchSpec()
