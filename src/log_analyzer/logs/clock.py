"""UTC renderings of timestamps, the same in every summary, prompt, table and evidence line."""

from __future__ import annotations

from datetime import UTC, datetime

DATE_TIME = "%Y-%m-%dT%H:%M:%SZ"
TIME = "%H:%M:%SZ"
_NS = 1_000_000_000


def utc_seconds(seconds: float, fmt: str = DATE_TIME) -> str:
    """A unix time in seconds, truncated to the second (never rounded into the next one)."""
    return datetime.fromtimestamp(int(seconds // 1), tz=UTC).strftime(fmt)


def utc(ns: int, fmt: str = DATE_TIME) -> str:
    """A timestamp in nanoseconds, truncated to the second."""
    return utc_seconds(ns // _NS, fmt)
