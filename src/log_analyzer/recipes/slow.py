"""``slow_requests``: how long things took, and which operations are slowest.

Durations are read, in a worker process, from every fetched line of the selected streams (no
line filter: slow requests are usually logged at INFO): JSON and logfmt fields such as
``duration_ms`` or ``latency``, then text such as ``took 1234ms`` or ``in 1.2s``
(:func:`log_analyzer.logs.durations.extract_duration`). A line is grouped by its operation
(``GET /orders/{id}``) when it names a method or route, else by its message template.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from log_analyzer.logs.durations import extract_duration, is_timeout, percentiles
from log_analyzer.logs.requests import extract_request, operation
from log_analyzer.logs.tables import RecipeResult, Table, cited
from log_analyzer.recipes.common import (
    Templates,
    fetched_label,
    fields_of,
    float_param,
    int_param,
    ranked,
)
from log_analyzer.recipes.params import Param
from log_analyzer.sources.base import RawEntries

if TYPE_CHECKING:
    from log_analyzer.recipes.context import RecipeContext

Sample = tuple[str, float | None, bool]
"""``(operation, seconds or None, timed out)`` of one line."""


@dataclass(frozen=True, slots=True)
class OperationStats:
    """Durations of one operation; percentiles are None when no line carried a duration."""

    name: str
    lines: int
    """Lines with a duration."""
    p50: float | None
    p95: float | None
    max: float | None
    slow: int
    """Lines over the slow threshold."""
    timeouts: int


def operation_stats(samples: Iterable[Sample], slow_seconds: float) -> tuple[OperationStats, ...]:
    """Per-operation percentiles, slowest first (by p95, then max; timeouts-only last)."""
    durations: dict[str, list[float]] = {}
    timeouts: Counter[str] = Counter()
    for name, seconds, timed_out in samples:
        values = durations.setdefault(name, [])
        if seconds is not None:
            values.append(seconds)
        timeouts[name] += timed_out
    stats = []
    for name, values in durations.items():
        p = percentiles(values, (0.5, 0.95))
        stats.append(
            OperationStats(
                name,
                len(values),
                p.get(0.5),
                p.get(0.95),
                max(values) if values else None,
                sum(v > slow_seconds for v in values),
                timeouts[name],
            )
        )
    stats.sort(key=lambda s: (s.p95 is None, -(s.p95 or 0), -(s.max or 0), -s.timeouts, s.name))
    return tuple(stats)


class SlowRequests:
    """Duration percentiles overall and per operation, with timeouts."""

    name = "slow_requests"
    description = (
        "p50/p95/p99 of the durations the lines report (JSON/logfmt fields or text such as "
        "'took 1234ms'), the slowest operations, lines over a threshold, and timeouts."
    )
    params: tuple[Param, ...] = (
        Param("top", int, 10, "How many operations to list.", minimum=1, maximum=100),
        Param("slow_seconds", float, 1.0, "A line over this many seconds is slow.", 0.001, 3600),
    )

    async def run(self, ctx: RecipeContext) -> RecipeResult:
        """Fetch every line of the selected streams; a worker reads durations and timeouts."""
        raw = await ctx.entries(every_line=True)
        work = SlowWork(
            raw=raw,
            top=int_param(ctx, self.params, "top"),
            slow_seconds=float_param(ctx, self.params, "slow_seconds"),
            max_line_chars=ctx.max_line_chars,
            recipe=self.name,
            source=ctx.source_name,
            pii=ctx.pii,
        )
        return await ctx.compute(slow_tables, work)


@dataclass(frozen=True, slots=True)
class SlowWork:
    """What `slow_tables` reads."""

    raw: RawEntries
    top: int
    slow_seconds: float
    max_line_chars: int
    recipe: str
    source: str
    pii: frozenset[str]


def slow_tables(work: SlowWork) -> RecipeResult:
    """Durations and timeouts of the fetched lines, per operation (runs in a worker)."""
    top, slow_seconds = work.top, work.slow_seconds
    decoded = work.raw.decoded()
    templates = Templates(work.max_line_chars, work.pii)
    found: list[tuple[str | int, float | None, bool]] = []
    read_from: Counter[str] = Counter()
    for row in decoded.rows:
        text, fields = fields_of(row, work.pii)
        duration = extract_duration(text, fields)
        timed_out = is_timeout(text, fields)
        if duration is None and not timed_out:
            continue
        if duration is not None:
            read_from[duration.source] += 1
        info = extract_request(text, fields)
        name: str | int
        if info is not None and (info.method or info.route):
            name = operation(info)
        else:
            name = templates.add(row)[0]
        found.append((name, None if duration is None else duration.seconds, timed_out))
    samples: list[Sample] = [
        (n if isinstance(n, str) else f"pattern: {templates.template(n)}", s, t)
        for n, s, t in found
    ]
    fetched = len(decoded.rows)
    counts_are, source = fetched_label(fetched, work.raw.limit, decoded.more)
    values = [s for _, s, _ in samples if s is not None]
    timeouts = sum(t for _, _, t in samples)
    over = sum(v > slow_seconds for v in values)
    p = percentiles(values)
    overall = (len(values), *(_s(p.get(q)) for q in (0.5, 0.95, 0.99)))
    tables = [
        Table(
            "Durations",
            (
                "lines with a duration",
                "p50 s",
                "p95 s",
                "p99 s",
                "max s",
                f"over {slow_seconds:g} s",
                "timeouts",
            ),
            ((*overall, _s(max(values, default=None)), over, timeouts),),
            counts_are,
            source,
        ),
        Table(
            "Slowest operations",
            (
                "operation",
                "lines",
                "p50 s",
                "p95 s",
                "max s",
                f"over {slow_seconds:g} s",
                "timeouts",
            ),
            tuple(
                (s.name, s.lines, _s(s.p50), _s(s.p95), _s(s.max), s.slow, s.timeouts)
                for s in operation_stats(samples, slow_seconds)[:top]
            ),
            counts_are,
            source,
        ),
        Table(
            "Where the durations were read",
            ("field or phrase", "lines"),
            tuple(ranked(read_from.items())),
            counts_are,
            source,
        ),
    ]
    facts: list[str] = []
    notes: list[str] = []
    if values:
        facts.append(
            f"p50 {p[0.5]:.3g} s, p95 {p[0.95]:.3g} s, p99 {p[0.99]:.3g} s over "
            f"{len(values):,} lines with a duration ({counts_are})"
        )
        facts.append(f"{over:,} lines took longer than {slow_seconds:g} s")
        slowest = operation_stats(samples, slow_seconds)[0]
        facts.append(f"slowest operation by p95: {cited(slowest.name)} ({_s(slowest.p95)} s)")
    else:
        notes.append(f"no line carried a duration among {fetched:,} fetched lines")
    if timeouts:
        facts.append(f"{timeouts:,} lines report a timeout")
    return RecipeResult(work.recipe, tuple(tables), (work.raw.query,), tuple(facts),
                        tuple(notes), work.source)  # fmt: skip


def _s(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 4)
