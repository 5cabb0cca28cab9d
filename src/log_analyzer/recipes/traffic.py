"""``traffic_summary``: request volume by source and status class over time, and who grows.

Requests are read, in a worker process, from every fetched line of the selected streams (no line
filter): a line is a request when it names a route or an HTTP status (see
:func:`log_analyzer.logs.requests.extract_request`).
One count query gives the store's true line volume per source next to them, whatever the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from log_analyzer.logs.clock import utc_seconds
from log_analyzer.logs.normalize import source_of
from log_analyzer.logs.requests import STATUS_CLASSES, extract_request
from log_analyzer.logs.tables import RecipeResult, Table, cited
from log_analyzer.logs.totals import Totals, bucket_step
from log_analyzer.logs.traffic import (
    RequestRow,
    error_ratio,
    fastest_growing,
    status_classes_over_time,
    traffic_by_source,
)
from log_analyzer.recipes.common import (
    count_label,
    duration_text,
    fetched_label,
    fields_of,
    int_param,
    percent,
    share,
    str_param,
)
from log_analyzer.recipes.params import Param
from log_analyzer.sources.base import RawEntries, Window

if TYPE_CHECKING:
    from log_analyzer.recipes.context import RecipeContext

BUCKETS = {"1m": 60, "5m": 300, "15m": 900, "1h": 3600}


class TrafficSummary:
    """Requests by source and status class over time, error ratios, busiest and growing sources."""

    name = "traffic_summary"
    description = (
        "Request volume by source and status class over time, 5xx/4xx ratios, the busiest and "
        "fastest-growing sources, and the true line volume per source."
    )
    params: tuple[Param, ...] = (
        Param(
            "bucket",
            str,
            "auto",
            "Bucket width of the status classes over time (auto: about 30 buckets).",
            choices=("auto", *BUCKETS),
        ),
        Param("top", int, 10, "How many sources to list.", minimum=1, maximum=100),
    )

    async def run(self, ctx: RecipeContext) -> RecipeResult:
        """Count the volume, fetch every line of the selected streams; a worker reads requests."""
        window = ctx.request.window
        bucket = str_param(ctx, self.params, "bucket")
        work = TrafficWork(
            raw=await ctx.entries(every_line=True),
            volume=await ctx.totals(every_line=True),
            window=window,
            bucket_seconds=BUCKETS.get(bucket) or bucket_step(window.start_ns, window.end_ns),
            top=int_param(ctx, self.params, "top"),
            recipe=self.name,
            source=ctx.source_name,
            pii=ctx.pii,
        )
        return await ctx.compute(traffic_tables, work)


@dataclass(frozen=True, slots=True)
class TrafficWork:
    """What `traffic_tables` reads."""

    raw: RawEntries
    volume: Totals
    window: Window
    bucket_seconds: int
    top: int
    recipe: str
    source: str
    pii: frozenset[str]


def traffic_tables(work: TrafficWork) -> RecipeResult:
    """Request volume, status classes, ratios and growth of the fetched lines (in a worker)."""
    top, seconds, volume = work.top, work.bucket_seconds, work.volume
    decoded = work.raw.decoded()
    rows: list[RequestRow] = []
    for row in decoded.rows:
        text, fields = fields_of(row, work.pii)
        info = extract_request(text, fields)
        if info is not None and (info.status is not None or info.route is not None):
            rows.append((row[1], source_of(row[0]), info, 1))
    fetched = len(decoded.rows)
    counts_are, source = fetched_label(fetched, work.raw.limit, decoded.more)
    by_source = traffic_by_source(rows)
    over_time = status_classes_over_time(rows, seconds)
    ratio = error_ratio(rows)
    window = work.window
    growth = fastest_growing(rows, start_ns=window.start_ns, end_ns=window.end_ns, n=top)
    tables = (
        Table(
            "Requests by source",
            ("source", "requests", *STATUS_CLASSES, "5xx ratio"),
            tuple(
                (
                    r.name,
                    r.requests,
                    *(dict(r.by_class).get(k, 0) for k in STATUS_CLASSES),
                    share(dict(r.by_class).get("5xx", 0), _known(r.by_class)),
                )
                for r in by_source.rows[:top]
            ),
            counts_are,
            source,
        ),
        Table(
            "Status classes over time",
            ("bucket start", *STATUS_CLASSES),
            tuple((utc_seconds(b.start), *(n for _, n in b.counts)) for b in over_time.buckets),
            counts_are,
            f"{source}, {seconds} s buckets",
        ),
        Table(
            "Error ratio",
            ("requests", "with a status", "5xx", "4xx", "5xx ratio", "4xx ratio"),
            (
                (
                    ratio.requests,
                    ratio.with_status,
                    ratio.server_errors,
                    ratio.client_errors,
                    _round(ratio.server_error_ratio),
                    _round(ratio.client_error_ratio),
                ),
            ),
            counts_are,
            source,
        ),
        Table(
            "Fastest-growing sources",
            ("source", "first half", "second half", "factor"),
            # No factor for a source new in the second half: it would divide by a floored 0.
            tuple(
                (g.name, g.first_half, g.second_half, round(g.factor, 2) if g.first_half else None)
                for g in growth.rows
            ),
            counts_are,
            f"{source}; halves split at {utc_seconds(growth.midpoint_ns // 1_000_000_000)}"
            if growth.entries
            else source,
        ),
        Table(
            "Line volume by source",
            ("source", "lines"),
            volume.by_source[:top],
            "total",
            count_label(
                work.source, by="source", extra=f" ({duration_text(window.seconds)}, every line)"
            ),
        ),
    )
    facts = [f"{volume.total:,} lines in the window (total); {len(rows):,} fetched lines "
             f"name a request ({counts_are})"]  # fmt: skip
    notes: list[str] = []
    if by_source.rows:
        busiest = by_source.rows[0]
        facts.append(f"busiest source: {cited(busiest.name)} with {busiest.requests:,} requests")
        facts.append(
            f"5xx ratio {percent(ratio.server_error_ratio)}, 4xx ratio "
            f"{percent(ratio.client_error_ratio)} of {ratio.with_status:,} requests with a "
            "status"
        )
    else:
        notes.append(f"no line named a request (route or status) among {fetched:,} fetched")
    if growth.rows:
        g = growth.rows[0]
        facts.append(
            f"fastest-growing source: {cited(g.name)}, {g.first_half:,} -> {g.second_half:,} "
            f"requests ({f'{g.factor:.1f}x' if g.first_half else 'none in the first half'}) "
            "from the first half of the window to the second"
        )
    elif rows:
        notes.append("no source grew from the first half of the window to the second")
    return RecipeResult(work.recipe, tables, (volume.query, work.raw.query), tuple(facts),
                        tuple(notes), work.source)  # fmt: skip


def _known(by_class: tuple[tuple[str, int], ...]) -> int:
    return sum(n for k, n in by_class if k != "unknown")


def _round(ratio: float | None) -> float | None:
    return None if ratio is None else round(ratio, 4)
