"""Timestamps: ISO 8601 times read, and UTC renderings.

One reader of ISO 8601 times for the runtimes' and shippers' wrappers and for the stores that
send times as text (OpenSearch's documents, CloudWatch Insights' bins); one rendering, the same
in every summary, prompt, table and evidence line.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

DATE_TIME = "%Y-%m-%dT%H:%M:%SZ"
TIME = "%H:%M:%SZ"
_NS = 1_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)"
    r"(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?"
    r"(Z|[+-]\d\d(?::?\d\d)?)?",
    re.ASCII,
)


def iso_ns(text: str) -> int | None:
    """Nanoseconds since the epoch of an ISO 8601 time; None when ``text`` is not one.

    RFC 3339 (what runtimes and Docker write, ``2026-03-14T09:30:05.000001234Z``) and the looser
    forms stores keep: a space for the ``T``, a comma before the fraction, no seconds or no time
    (the day's start), an offset of ``+01``, ``+0100`` or ``+01:00``, or none (UTC). Digits of
    a fraction past the nanosecond are dropped; a day, an hour or an offset out of range (the
    30th of February, ``24:00``) is not a time.
    """
    match = _ISO.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            tzinfo=UTC,
        )  # fmt: skip
    except ValueError:
        return None
    seconds = (moment - _EPOCH) // _SECOND
    if zone and zone != "Z":
        zone_hours, zone_minutes = int(zone[1:3]), int(zone[3:].lstrip(":") or 0)
        if zone_hours > 23 or zone_minutes > 59:
            return None
        seconds -= (1 if zone[0] == "+" else -1) * (zone_hours * 3600 + zone_minutes * 60)
    return seconds * _NS + int((fraction or "")[:9].ljust(9, "0"))


def utc_seconds(seconds: float, fmt: str = DATE_TIME) -> str:
    """A unix time in seconds, truncated to the second (never rounded into the next one)."""
    return datetime.fromtimestamp(int(seconds // 1), tz=UTC).strftime(fmt)


def utc(ns: int, fmt: str = DATE_TIME) -> str:
    """A timestamp in nanoseconds, truncated to the second."""
    return utc_seconds(ns // _NS, fmt)
