"""Traffic aggregates over requests read from log lines: volume, status classes, growth, users.

The aggregations take ``(timestamp_ns, source, RequestInfo, count)`` rows (:data:`RequestRow`),
``count`` being how many identical lines the row stands for, and each result says how many rows
(``entries``) and requests (the sum of their counts) it was computed from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from log_analyzer.logs.requests import STATUS_CLASSES, RequestInfo, operation, status_class

_NS = 1_000_000_000

Group = Literal["source", "operation"]
RequestRow = tuple[int, str, RequestInfo, int]
"""``(timestamp_ns, source, request, count)``."""


@dataclass(frozen=True, slots=True)
class TrafficRow:
    """Requests of one source (or operation)."""

    name: str
    requests: int
    by_class: tuple[tuple[str, int], ...]
    """Requests per status class, in ``STATUS_CLASSES`` order, classes seen only."""


@dataclass(frozen=True, slots=True)
class Traffic:
    """Request volume per source or operation, busiest first."""

    rows: tuple[TrafficRow, ...]
    requests: int
    entries: int


def traffic_by_source(rows: Iterable[RequestRow], *, group: Group = "source") -> Traffic:
    """Requests per source (``pod/container``) or per operation, busiest first."""
    counts: dict[str, Counter[str]] = {}
    entries = 0
    for _, source, info, count in rows:
        entries += 1
        counts.setdefault(_name(source, info, group), Counter())[status_class(info.status)] += count
    table = [
        TrafficRow(name, sum(c.values()), tuple((k, c[k]) for k in STATUS_CLASSES if c[k]))
        for name, c in counts.items()
    ]
    table.sort(key=lambda row: (-row.requests, row.name))
    return Traffic(tuple(table), sum(row.requests for row in table), entries)


@dataclass(frozen=True, slots=True)
class StatusBucket:
    """Requests per status class in one bucket."""

    start: int
    """Unix seconds, a multiple of the bucket width."""
    counts: tuple[tuple[str, int], ...]
    """Every class of ``STATUS_CLASSES``, in order, zeros included."""


@dataclass(frozen=True, slots=True)
class StatusSeries:
    """Status classes over time; buckets with no requests are present, with zeros."""

    bucket_seconds: int
    buckets: tuple[StatusBucket, ...]
    requests: int
    entries: int


def status_classes_over_time(rows: Iterable[RequestRow], bucket_seconds: int) -> StatusSeries:
    """Requests per status class per bucket, from the first request's bucket to the last's.

    Raises:
        ValueError: ``bucket_seconds`` is not positive.
    """
    if bucket_seconds <= 0:
        raise ValueError("bucket_seconds must be positive")
    buckets: dict[int, Counter[str]] = {}
    entries = requests = 0
    for ts_ns, _, info, count in rows:
        entries += 1
        requests += count
        start = ts_ns // _NS // bucket_seconds * bucket_seconds
        buckets.setdefault(start, Counter())[status_class(info.status)] += count
    series = tuple(
        StatusBucket(start, tuple((k, buckets.get(start, Counter())[k]) for k in STATUS_CLASSES))
        for start in (range(min(buckets), max(buckets) + 1, bucket_seconds) if buckets else ())
    )
    return StatusSeries(bucket_seconds, series, requests, entries)


@dataclass(frozen=True, slots=True)
class ErrorRatio:
    """Share of requests that failed, among those whose status is known."""

    requests: int
    with_status: int
    server_errors: int
    """5xx."""
    client_errors: int
    """4xx."""
    server_error_ratio: float | None
    """``server_errors / with_status``; None when no status is known."""
    client_error_ratio: float | None
    entries: int


def error_ratio(rows: Iterable[RequestRow]) -> ErrorRatio:
    """The 5xx and 4xx shares of the requests with a known status."""
    classes: Counter[str] = Counter()
    entries = 0
    for _, _, info, count in rows:
        entries += 1
        classes[status_class(info.status)] += count
    known = sum(n for k, n in classes.items() if k != "unknown")
    server, client = classes["5xx"], classes["4xx"]
    ratios: tuple[float | None, float | None] = (
        (server / known, client / known) if known else (None, None)
    )
    return ErrorRatio(sum(classes.values()), known, server, client, *ratios, entries)


@dataclass(frozen=True, slots=True)
class GrowthRow:
    """Requests of one source in each half of the window."""

    name: str
    first_half: int
    second_half: int
    factor: float
    """``second_half / first_half``, the first half floored at one request."""


@dataclass(frozen=True, slots=True)
class Growth:
    """Sources whose traffic grew from the first half of the window to the second."""

    rows: tuple[GrowthRow, ...]
    """Fastest growing first."""
    midpoint_ns: int
    requests: int
    entries: int


def fastest_growing(
    rows: Iterable[RequestRow],
    *,
    start_ns: int | None = None,
    end_ns: int | None = None,
    min_count: int = 10,
    n: int = 5,
    group: Group = "source",
) -> Growth:
    """Compare each source's requests in the second half of the window with the first half.

    Args:
        rows: The requests.
        start_ns: Window start; rows before it are left out. Default: the earliest row.
        end_ns: Window end (exclusive); rows at or after it are left out. Default: just after
            the latest row.
        min_count: Sources with fewer requests over both halves are ignored (noise).
        n: How many sources to return at most.
        group: Compare sources (``pod/container``) or operations (``GET /route``).

    Returns:
        The sources that grew (more requests in the second half), fastest first.
    """
    data = [
        row
        for row in rows
        if (start_ns is None or row[0] >= start_ns) and (end_ns is None or row[0] < end_ns)
    ]
    if not data:
        return Growth((), 0, 0, 0)
    low = min(row[0] for row in data) if start_ns is None else start_ns
    high = max(row[0] for row in data) + 1 if end_ns is None else end_ns
    mid = low + (high - low) // 2
    halves: dict[str, list[int]] = {}
    for ts_ns, source, info, count in data:
        halves.setdefault(_name(source, info, group), [0, 0])[int(ts_ns >= mid)] += count
    grown = [
        GrowthRow(name, a, b, b / max(a, 1))
        for name, (a, b) in halves.items()
        if a + b >= min_count and b > a
    ]
    grown.sort(key=lambda r: (-r.factor, -(r.second_half - r.first_half), r.name))
    return Growth(tuple(grown[:n]), mid, sum(row[3] for row in data), len(data))


@dataclass(frozen=True, slots=True)
class UserCount:
    """Requests of one user."""

    user: str
    requests: int
    server_errors: int
    client_errors: int


@dataclass(frozen=True, slots=True)
class TopUsers:
    """The users with the most requests."""

    users: tuple[UserCount, ...]
    distinct_users: int
    without_user: int
    """Requests that named no user."""
    requests: int
    entries: int


def top_users(rows: Iterable[RequestRow], n: int = 10) -> TopUsers:
    """The ``n`` users with the most requests, with their 5xx and 4xx counts."""
    users: dict[str, list[int]] = {}
    entries = requests = without = 0
    for _, _, info, count in rows:
        entries += 1
        requests += count
        if info.user is None:
            without += count
            continue
        tally = users.setdefault(info.user, [0, 0, 0])
        tally[0] += count
        cls = status_class(info.status)
        tally[1] += count if cls == "5xx" else 0
        tally[2] += count if cls == "4xx" else 0
    ranked = sorted(users.items(), key=lambda item: (-item[1][0], item[0]))
    top = tuple(UserCount(user, *tally) for user, tally in ranked[:n])
    return TopUsers(top, len(users), without, requests, entries)


def _name(source: str, info: RequestInfo, group: Group) -> str:
    return source if group == "source" else operation(info)
