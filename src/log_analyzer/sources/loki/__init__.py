"""Grafana Loki: LogQL, Loki's HTTP API, its JSON shapes and its errors, and nowhere else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from log_analyzer.core.config import Settings
from log_analyzer.core.errors import InputError
from log_analyzer.logs.regex import re2_error
from log_analyzer.sources.base import FilterSpec, Instrument, LogSource, Selection
from log_analyzer.sources.http import shown_url
from log_analyzer.sources.loki.client import LokiClient, RetryPolicy
from log_analyzer.sources.loki.labels import LabelNames
from log_analyzer.sources.loki.logql import matchers, selector
from log_analyzer.sources.loki.source import NAME, LokiSource

__all__ = ["SPEC", "LokiSource", "LokiSpec", "retry_policy"]


class LokiSpec:
    """Loki's filters (Kubernetes stream labels) and how to open a client for it.

    The filters keep their names whatever labels the store has; `LabelNames` maps them.
    """

    name = NAME
    filters: tuple[FilterSpec, ...] = (
        FilterSpec("namespace", "Kubernetes namespace (exact).", regex=False),
        FilterSpec("pod", "RE2 regex over pod names, fully anchored by Loki.", regex=True),
        FilterSpec("container", "Container name (exact).", regex=False),
        FilterSpec("node", "Node name (exact).", regex=False),
    )

    def check(self, selection: Selection) -> None:
        """Loki needs a selector that cannot match every stream, and valid RE2 regexes."""
        known = {spec.name for spec in self.filters}
        for name, value in selection.filters:
            if name not in known:
                raise InputError(
                    f"filters.{name}", f"Loki does not filter by {name}; it takes {_names(known)}"
                )
            if name == "pod":
                reason = re2_error(value)
                if reason is not None:
                    raise InputError("filters.pod", f"invalid RE2 regular expression: {reason}")
        try:
            selector(matchers(selection))
        except ValueError:
            raise InputError(
                "filters",
                "set at least one of namespace, pod, container or node to a non-empty value "
                "(a pod regex that matches the empty string does not count): Loki refuses "
                "selectors that could match every stream",
            ) from None

    def unconfigured(self, settings: Settings) -> str | None:
        """Loki has a default URL, so it is always configured."""
        return None

    def where(self, settings: Settings) -> str:
        """Loki's URL (without a password it may carry)."""
        return shown_url(settings.loki_url)

    @asynccontextmanager
    async def open(self, settings: Settings, instrument: Instrument) -> AsyncIterator[LogSource]:
        """A `LokiSource` over its own HTTP client, closed with the context."""
        timeout = httpx.Timeout(
            settings.loki_timeout_seconds, connect=settings.loki_connect_timeout_seconds
        )
        concurrency = settings.loki_max_concurrency
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(
            base_url=str(settings.loki_url), timeout=timeout, limits=limits
        ) as http:
            instrument(http)
            client = LokiClient(
                http,
                settings.loki_tenant,
                retry_policy(settings),
                max_concurrency=concurrency,
                deadline_seconds=settings.source_query_deadline_seconds,
                max_response_bytes=settings.source_max_response_bytes,
            )
            yield LokiSource(client, LabelNames.of(settings))


def retry_policy(settings: Settings) -> RetryPolicy:
    """The Loki retry policy the settings ask for."""
    return RetryPolicy(
        attempts=settings.loki_retry_attempts, deadline_seconds=settings.loki_retry_deadline_seconds
    )


def _names(names: set[str]) -> str:
    return ", ".join(sorted(names))


SPEC = LokiSpec()
