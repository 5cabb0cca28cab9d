"""Logs Insights count queries: their text, and their results read into totals and histograms.

Everything here is pure. A count query filters exactly what the entries query keeps (the same
window to the millisecond, the same stream prefix, the same line filter), takes each event's
level the way `levels.line_level` does in the service, and counts by level and log stream (the
totals) or by time bin and level (the histogram).

An answer whose rows carry no count (an emulator that runs Insights queries as plain searches)
reads as None: the caller counts another way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from log_analyzer.logs.clock import iso_ns
from log_analyzer.logs.levels import Level
from log_analyzer.logs.totals import Histogram, Totals, histogram_of, level_of, totals_of
from log_analyzer.sources.base import LineFilter
from log_analyzer.sources.cloudwatch.filters import insights_filters, insights_regex, regex_literal
from log_analyzer.sources.cloudwatch.levels import LEVEL_FIELDS, LEVEL_WORDS

COUNT_FIELD = "lines"
LEVEL_FIELD = "store_level"
STREAM_FIELD = "@logStream"
ROW_LIMIT = 10_000
"""Most rows one Logs Insights query returns (the API's maximum)."""


def seconds_range(start_ms: int, end_ms: int) -> tuple[int, int]:
    """StartQuery's whole-second range covering ``[start_ms, end_ms)`` (its end is inclusive)."""
    return start_ms // 1000, -(-end_ms // 1000)


def base_commands(
    start_ms: int, end_ms: int, stream_prefix: str | None, line_filter: LineFilter
) -> list[str]:
    """The commands that pick the events to count and give each one its level."""
    field = _field_name
    levels = ", ".join(field(name) for name in (*LEVEL_FIELDS, "word_level"))
    words = "|".join(LEVEL_WORDS)
    commands = [
        # StartQuery takes whole seconds; the window is the entries query's, to the millisecond.
        f"filter toMillis(@timestamp) >= {start_ms} and toMillis(@timestamp) < {end_ms}",
    ]
    if stream_prefix:
        commands.append(
            f"filter @logStream like {insights_regex('^' + regex_literal(stream_prefix))}"
        )
    commands.extend(insights_filters(line_filter))
    commands.append(f"parse @message /(?i)\\b(?<word_level>{words})\\b/")
    commands.append(f"fields coalesce({levels}) as {LEVEL_FIELD}")
    return commands


def totals_query(
    start_ms: int, end_ms: int, stream_prefix: str | None, line_filter: LineFilter
) -> str:
    """Events of the window by level and log stream."""
    commands = base_commands(start_ms, end_ms, stream_prefix, line_filter)
    commands.append(f"stats count(*) as {COUNT_FIELD} by {LEVEL_FIELD}, {STREAM_FIELD}")
    return "\n| ".join(commands)


def buckets_query(
    start_ms: int, end_ms: int, stream_prefix: str | None, line_filter: LineFilter, step: int
) -> str:
    """Events of the window per ``step``-second bin and level."""
    commands = base_commands(start_ms, end_ms, stream_prefix, line_filter)
    commands.append(f"stats count(*) as {COUNT_FIELD} by {bin_of(step)}, {LEVEL_FIELD}")
    return "\n| ".join(commands)


def bin_of(step_seconds: int) -> str:
    """The ``bin(...)`` of a step, in the largest whole unit (``bin(5m)``, ``bin(90s)``)."""
    step = max(step_seconds, 1)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if step % size == 0:
            return f"bin({step // size}{unit})"
    return f"bin({step}s)"


def _field_name(name: str) -> str:
    # A discovered JSON field with a dot in its name is written between backticks.
    return f"`{name}`" if "." in name else name


Row = Mapping[str, str]


def stats_rows(response: Mapping[str, Any], fields: Iterable[str]) -> list[Row] | None:
    """The rows of a ``stats`` answer as field -> value; None when it is not one.

    A stats answer's rows hold the count and the grouping ``fields`` only (a group whose value
    is null may be left out); an endpoint that ran the query as a plain search (moto does)
    answers with event rows instead (``@ptr``, ``@timestamp``, ``@message``). No rows at all
    is a stats answer only when the statistics say nothing matched; otherwise it proves
    nothing either way, and reads as None.
    """
    allowed = {COUNT_FIELD, *fields}
    results = response.get("results") or []
    if not results:
        return [] if records_matched(response) == 0 else None
    rows: list[Row] = []
    for result in results:
        row = {
            str(cell.get("field")): str(cell.get("value"))
            for cell in result
            if isinstance(cell, Mapping) and cell.get("value") is not None
        }
        if COUNT_FIELD not in row or not row.keys() <= allowed:
            return None
        rows.append(row)
    return rows


def totals_fields() -> tuple[str, ...]:
    """The grouping fields of `totals_query`."""
    return (LEVEL_FIELD, STREAM_FIELD)


def buckets_fields(step_seconds: int) -> tuple[str, ...]:
    """The grouping fields of `buckets_query`."""
    return (bin_of(step_seconds), LEVEL_FIELD)


def parse_totals(rows: Sequence[Row], matched: float | None = None, *, query: str = "") -> Totals:
    """Totals from the rows of `totals_query`.

    At `ROW_LIMIT` rows the answer may have left groups out (the smallest, in no stated order);
    their events, known from the query's ``recordsMatched``, count in the total but under no
    level or stream.
    """
    counts: list[tuple[Level | None, str | None, int]] = []
    malformed = 0
    for row in rows:
        lines = _count(row[COUNT_FIELD])
        if lines is None:
            malformed += 1
            continue
        counts.append((level_of(row.get(LEVEL_FIELD, "")), row.get(STREAM_FIELD), lines))
    if len(rows) >= ROW_LIMIT and matched is not None:
        left_out = round(matched) - sum(n for _, _, n in counts)
        if left_out > 0:
            counts.append((None, None, left_out))
    return totals_of(counts, malformed=malformed, query=query)


def parse_histogram(
    rows: Iterable[Row], *, start_ns: int, end_ns: int, step_seconds: int, query: str = ""
) -> Histogram:
    """A histogram from the rows of `buckets_query`; a bin counts ``[start, start + step)``."""
    name = bin_of(step_seconds)
    sums: dict[int, dict[Level, float]] = {}
    malformed = 0
    for row in rows:
        lines = _count(row[COUNT_FIELD])
        start = _bin_start(row.get(name))
        if lines is None or start is None:
            malformed += 1
            continue
        counts = sums.setdefault(start + step_seconds, {})
        level = level_of(row.get(LEVEL_FIELD, ""))
        counts[level] = counts.get(level, 0.0) + lines
    return histogram_of(
        sums,
        start_ns=start_ns,
        end_ns=end_ns,
        step_seconds=step_seconds,
        malformed=malformed,
        query=query,
    )


def records_matched(response: Mapping[str, Any]) -> float | None:
    """The query's ``statistics.recordsMatched``, when it reports one."""
    statistics = response.get("statistics")
    value = statistics.get("recordsMatched") if isinstance(statistics, Mapping) else None
    return float(value) if isinstance(value, int | float) else None


def _count(value: str) -> int | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return round(number) if math.isfinite(number) and number >= 0 else None


def _bin_start(value: str | None) -> int | None:
    """Unix seconds of a bin's start, as Insights writes it (``2026-11-23 10:05:00.000``, UTC)."""
    ns = iso_ns(value) if value is not None else None
    return None if ns is None else ns // 1_000_000_000
