"""CloudWatch events as the pipeline's rows: their labels, and the decoder run in a worker.

An event is read from FilterLogEvents' answer into a plain ``(log stream, timestamp ms,
message)`` tuple on the event loop (`event_of`); the answer to an entries query is a list of
them, which pickles cheaply, and `decode_events` turns it into rows in a worker process.

Labels: ``log_group`` and ``log_stream`` name where an event was written, and ``service_name``
repeats the log stream, so the source the pipeline shows (`logs.normalize.source_of`) is the
log stream. The group is not part of it: a request reads one group, which its query text names,
and repeating it on every source would only cost room in tables and prompts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from log_analyzer.logs.entries import DecodedEntries, Row
from log_analyzer.logs.unicode import valid_unicode

NAME = "cloudwatch"
LOG_GROUP = "log_group"
LOG_STREAM = "log_stream"

Event = tuple[str, int, str]
"""``(log stream, timestamp in ms, message)``."""
Payload = tuple[str, list[Event], bool, int]
"""``(log group, events in the order kept, whether more matched, malformed events skipped)``."""
_MS = 1_000_000
_MAX_MS = 253_402_300_799_999
"""The last millisecond of year 9999: an event stamped later cannot be shown; it is malformed."""


def stream_labels(group: str, stream: str) -> dict[str, str]:
    """The labels of every event of one log stream."""
    return {LOG_GROUP: group, LOG_STREAM: stream, "service_name": stream}


def event_of(item: Mapping[str, Any]) -> Event | None:
    """One FilterLogEvents event as a tuple, its text valid Unicode; None when malformed."""
    stream, ts, message = item.get("logStreamName"), item.get("timestamp"), item.get("message")
    if not isinstance(stream, str) or not isinstance(message, str):
        return None
    if not isinstance(ts, int) or isinstance(ts, bool) or not 0 <= ts <= _MAX_MS:
        return None
    # Text that is not valid Unicode could not be searched, shown or sent on; ASCII always is.
    if not message.isascii():
        message = valid_unicode(message)
    if not stream.isascii():
        stream = valid_unicode(stream)
    return (stream, ts, message)


def decode_events(payload: Payload, limit: int) -> DecodedEntries:
    """The rows of an entries answer, one labels object per log stream, at most ``limit``."""
    group, events, more, malformed = payload
    labels: dict[str, Mapping[str, str]] = {}
    rows: list[Row] = []
    append = rows.append
    for stream, ts, message in events[:limit]:
        known = labels.get(stream)
        if known is None:
            known = labels[stream] = stream_labels(group, stream)
        append((known, ts * _MS, message))
    over = max(len(events) - limit, 0)
    return DecodedEntries(rows, malformed, more or over > 0, over_limit=over)
