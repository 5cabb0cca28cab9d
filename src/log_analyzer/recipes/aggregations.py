"""Straight aggregations: top errors, lines per level, per hour and per day, top users.

``logs_per_level``, ``logs_per_hour`` and ``logs_per_day`` are the store's count queries over
every line of the selected streams (no line filter): true totals. ``top_errors`` reads the
patterns of the fetched entries (a sample when the store stopped at the limit) next to the true
totals fetched alongside them. ``top_users`` reads a user field from each fetched raw line, in a
worker process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from log_analyzer.logs.clock import utc, utc_seconds
from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import source_of
from log_analyzer.logs.requests import extract_request
from log_analyzer.logs.tables import Cell, RecipeResult, Table, cited, named
from log_analyzer.logs.totals import bucket_step
from log_analyzer.logs.traffic import RequestRow, top_users
from log_analyzer.recipes.common import (
    count_label,
    duration_text,
    fetched_label,
    fields_of,
    int_param,
    percent,
    share,
)
from log_analyzer.recipes.params import Param
from log_analyzer.sources.base import RawEntries

if TYPE_CHECKING:
    from log_analyzer.recipes.context import RecipeContext

_HOUR = 3600
_DAY = 86_400
_NS = 1_000_000_000
_SEVERE = frozenset((Level.ERROR, Level.FATAL))
_TOP = Param("top", int, 10, "How many rows to list.", minimum=1, maximum=100)


class TopErrors:
    """The most frequent error and fatal patterns, with the window's true totals."""

    name = "top_errors"
    description = (
        "The most frequent error and fatal patterns of the fetched lines (counts, sources, first "
        "and last seen), and the true line totals by level and source."
    )
    params: tuple[Param, ...] = (_TOP,)

    async def run(self, ctx: RecipeContext) -> RecipeResult:
        """Fetch with the request's line filter and rank the error patterns."""
        top = int_param(ctx, self.params, "top")
        summary = (await ctx.analysis()).summary
        counts_are, source = fetched_label(summary.fetched, summary.limit, summary.sampled)
        errors = [p for p in summary.patterns if p.level in _SEVERE]
        errors.sort(key=lambda p: (-p.count, p.level.rank, p.id))
        rows = tuple(
            (
                p.id,
                p.level.value,
                p.template,
                p.count,
                ", ".join(
                    f"{named(s)} ({n:,})" for s, n in sorted(p.source_counts, key=lambda x: -x[1])
                ),
                utc(p.first_ns),
                utc(p.last_ns),
                "yes" if p.new else "no",
            )
            for p in errors[:top]
        )
        tables = [
            Table(
                "Top error patterns",
                ("id", "level", "pattern", "lines", "sources", "first seen", "last seen", "new"),
                rows,
                counts_are,
                source,
            )
        ]
        facts: list[str] = []
        notes: list[str] = []
        if errors:
            first = errors[0]
            facts.append(
                f"{len(errors):,} error/fatal patterns in {summary.fetched:,} fetched lines "
                f"({counts_are}); the most frequent, {first.id}, has {first.count:,} lines from "
                f"{len(first.sources):,} source(s)"
            )
        else:
            notes.append(f"no error or fatal pattern in the {summary.fetched:,} fetched lines")
        totals = summary.totals
        if totals is not None:
            by = count_label(ctx.source_name, by="level, pod and container")
            tables.append(
                Table(
                    "Lines by level",
                    ("level", "lines"),
                    tuple((level.value, n) for level, n in totals.by_level),
                    "total",
                    by,
                )
            )
            tables.append(
                Table("Lines by source", ("source", "lines"), totals.by_source[:top], "total", by)
            )
            severe = sum(n for level, n in totals.by_level if level in _SEVERE)
            facts.append(
                f"{totals.total:,} matching lines in the window (total), {severe:,} of them "
                "error or fatal"
            )
        else:
            notes.append(f"no true totals: {summary.totals_error or 'the count query failed'}")
        return RecipeResult(self.name, tuple(tables), summary.queries, tuple(facts), tuple(notes),
                            ctx.source_name)  # fmt: skip


class LogsPerLevel:
    """Every line of the window counted by level, from one count query."""

    name = "logs_per_level"
    description = "Total lines per level over the window (every line, no line filter)."
    params: tuple[Param, ...] = ()

    async def run(self, ctx: RecipeContext) -> RecipeResult:
        """One count of the window by level."""
        totals = await ctx.totals(every_line=True)
        rows = tuple((level.value, n, share(n, totals.total)) for level, n in totals.by_level if n)
        window = duration_text(ctx.request.window.seconds)
        table = Table(
            "Lines per level",
            ("level", "lines", "share"),
            rows,
            "total",
            count_label(ctx.source_name, by="level", extra=f" ({window})"),
        )
        facts = [f"{totals.total:,} lines in the window (total)"]
        facts += [f"{level}: {lines:,} lines ({percent(ratio)})" for level, lines, ratio in rows]
        notes = [] if totals.total else [f"{ctx.source_name} counted no line in the window"]
        if totals.malformed:
            notes.append(f"{totals.malformed} counts were not numbers and were left out")
        return RecipeResult(self.name, (table,), (totals.query,), tuple(facts), tuple(notes),
                            ctx.source_name)  # fmt: skip


class _LinesPerPeriod:
    """Lines per clock period (UTC) and level, from one count query in finer buckets."""

    name: str
    description: str
    params: tuple[Param, ...] = ()
    _period: int
    _noun: str
    _per: str
    _label: str
    _target_buckets: int

    async def run(self, ctx: RecipeContext) -> RecipeResult:
        """Count fine buckets that divide the period, and sum them per clock period.

        A step of the whole period would make each point count the period before it, so the
        first point would count lines from before the window; finer buckets (each divides the
        period), summed per clock period, keep every count inside the window (to one bucket).
        """
        window = ctx.request.window
        period = self._period
        step = min(bucket_step(window.start_ns, window.end_ns, target=self._target_buckets), period)
        histogram = await ctx.histogram(step, every_line=True)
        periods: dict[int, dict[Level, int]] = {}
        for ts, by_level in histogram.points:
            counts = periods.setdefault((ts - step) // period * period, {})
            for level, value in by_level.items():
                counts[level] = counts.get(level, 0) + round(value)
        levels = [lv for lv in Level if any(c.get(lv) for c in periods.values())]
        rows: list[tuple[Cell, ...]] = []
        for begins in sorted(periods):
            counts = periods[begins]
            outside = begins * _NS >= window.end_ns or (begins + period) * _NS <= window.start_ns
            if outside and not sum(counts.values()):
                continue  # the store's extra step after the window's end, empty
            label = utc_seconds(begins) if period < _DAY else utc_seconds(begins)[:10]
            rows.append((label, *(counts.get(lv, 0) for lv in levels), sum(counts.values())))
        table = Table(
            f"Lines per {self._noun}",
            (self._label, *(lv.value for lv in levels), "total"),
            tuple(rows),
            "total",
            count_label(ctx.source_name, step, by="level", extra=f", summed per {self._per}"),
        )
        facts: list[str] = []
        notes: list[str] = []
        totals = [(row[0], row[-1]) for row in rows if isinstance(row[-1], int)]
        if totals and any(n for _, n in totals):
            busiest = max(totals, key=lambda item: item[1])
            facts.append(
                f"{sum(n for _, n in totals):,} lines over {len(rows)} {self._noun}(s) (total)"
            )
            facts.append(f"the busiest {self._noun} starts at {busiest[0]}: {busiest[1]:,} lines")
        else:
            notes.append(f"{ctx.source_name} counted no line in the window")
        if window.start_ns % (period * _NS) or window.end_ns % (period * _NS):
            notes.append(
                f"the first or last {self._noun} is partial: the window does not start or end on it"
            )
        return RecipeResult(self.name, (table,), (histogram.query,), tuple(facts), tuple(notes),
                            ctx.source_name)  # fmt: skip


class LogsPerHour(_LinesPerPeriod):
    """Lines per clock hour and level."""

    name = "logs_per_hour"
    description = "Total lines per clock hour (UTC) and level (every line, no line filter)."
    _period = _HOUR
    _noun = "hour"
    _per = "clock hour"
    _label = "hour (UTC)"
    _target_buckets = 300


class LogsPerDay(_LinesPerPeriod):
    """Lines per calendar day and level, over windows up to `MAX_RECIPE_RANGE`."""

    name = "logs_per_day"
    description = "Total lines per calendar day (UTC) and level (every line, no line filter)."
    _period = _DAY
    _noun = "day"
    _per = "calendar day"
    _label = "day (UTC)"
    _target_buckets = 300


@dataclass(frozen=True, slots=True)
class UsersWork:
    """What `count_users` reads."""

    raw: RawEntries
    top: int
    recipe: str
    source: str
    pii: frozenset[str]


def count_users(work: UsersWork) -> RecipeResult:
    """The users with the most requests among the fetched lines (runs in a worker)."""
    decoded = work.raw.decoded()
    rows: list[RequestRow] = []
    for row in decoded.rows:
        text, fields = fields_of(row, work.pii)
        info = extract_request(text, fields)
        if info is not None:
            rows.append((row[1], source_of(row[0]), info, 1))
    users = top_users(rows, n=work.top)
    fetched = len(decoded.rows)
    counts_are, source = fetched_label(fetched, work.raw.limit, decoded.more)
    table = Table(
        "Top users",
        ("user", "requests", "5xx", "4xx"),
        tuple((u.user, u.requests, u.server_errors, u.client_errors) for u in users.users),
        counts_are,
        source,
    )
    facts: list[str] = []
    notes: list[str] = []
    if users.distinct_users:
        first = users.users[0]
        facts.append(
            f"{users.distinct_users:,} distinct users over {users.requests:,} request lines "
            f"({counts_are}); {cited(first.user)} made the most: {first.requests:,}"
        )
        if users.without_user:
            facts.append(f"request lines without a user: {users.without_user:,}")
    else:
        notes.append(f"no user field in the {fetched:,} fetched lines")
    return RecipeResult(work.recipe, (table,), (work.raw.query,), tuple(facts), tuple(notes),
                        work.source)  # fmt: skip


class TopUsers:
    """The users with the most requests, when the lines name one."""

    name = "top_users"
    description = "The users with the most requests and their 5xx/4xx counts (a user field)."
    params: tuple[Param, ...] = (_TOP,)

    async def run(self, ctx: RecipeContext) -> RecipeResult:
        """Fetch every line of the selected streams and read a user from each."""
        raw = await ctx.entries(every_line=True)
        work = UsersWork(
            raw, int_param(ctx, self.params, "top"), self.name, ctx.source_name, ctx.pii
        )
        return await ctx.compute(count_users, work)
