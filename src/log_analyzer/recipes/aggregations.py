"""Straight aggregations: top errors, lines per level, lines per hour, top users.

``logs_per_level`` and ``logs_per_hour`` are Loki metric queries over every line of the selected
streams (no line filter): true totals. ``top_errors`` reads the patterns of the fetched entries
(a sample when Loki stopped at the limit) next to the true totals fetched alongside them.
``top_users`` reads a user field from each fetched raw line.
"""

from __future__ import annotations

from log_analyzer.logs.clock import utc, utc_seconds
from log_analyzer.logs.logql import count_query
from log_analyzer.logs.normalize import Level, source_of
from log_analyzer.logs.requests import extract_request
from log_analyzer.logs.totals import (
    LEVEL_LABEL,
    bucket_step,
    buckets_query,
    logql_range,
    parse_matrix,
    parse_vector,
    totals_query,
)
from log_analyzer.logs.traffic import RequestRow, top_users
from log_analyzer.recipes.base import Cell, Param, RecipeContext, RecipeResult, Table
from log_analyzer.recipes.common import (
    fetched_label,
    fields_of,
    int_param,
    metric_label,
    percent,
    share,
    window_range,
)

_HOUR = 3600
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
        fetched = await ctx.fetch()
        summary = fetched.summary
        request = ctx.request
        counts_are, source = fetched_label(summary.fetched, summary.limit, summary.sampled)
        errors = [p for p in summary.patterns if p.level in _SEVERE]
        errors.sort(key=lambda p: (-p.count, p.level.rank, p.id))
        rows = tuple(
            (
                p.id,
                p.level.value,
                p.template,
                p.count,
                ", ".join(f"{s} ({n:,})" for s, n in sorted(p.source_counts, key=lambda x: -x[1])),
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
            by = metric_label(by=", ".join((LEVEL_LABEL, "pod", "container")))
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
            notes.append(f"no true totals: {summary.totals_error or 'the metric query failed'}")
        step = bucket_step(request.start_ns, request.end_ns)
        logql = (
            summary.logql,
            totals_query(request.matchers, request.line_regex, request.start_ns, request.end_ns),
            buckets_query(request.matchers, request.line_regex, step),
        )
        return RecipeResult(self.name, tuple(tables), logql, tuple(facts), tuple(notes))


class LogsPerLevel:
    """Every line of the window counted by level, from one metric query."""

    name = "logs_per_level"
    description = "Total lines per level over the window (every line, no line filter)."
    params: tuple[Param, ...] = ()

    async def run(self, ctx: RecipeContext) -> RecipeResult:
        """One instant query summed by ``detected_level``."""
        request = ctx.request
        logql = count_query(request.matchers, None, window_range(request), by=(LEVEL_LABEL,))
        totals = parse_vector(await ctx.source.query_metric_instant(logql, request.end_ns))
        rows = tuple((level.value, n, share(n, totals.total)) for level, n in totals.by_level if n)
        table = Table(
            "Lines per level",
            ("level", "lines", "share"),
            rows,
            "total",
            metric_label(by=LEVEL_LABEL, extra=f" ({window_range(request)})"),
        )
        facts = [f"{totals.total:,} lines in the window (total)"]
        facts += [f"{level}: {lines:,} lines ({percent(ratio)})" for level, lines, ratio in rows]
        notes = [] if totals.total else ["Loki counted no line in the window"]
        if totals.malformed:
            notes.append(f"{totals.malformed} samples were not numbers and were left out")
        return RecipeResult(self.name, (table,), (logql,), tuple(facts), tuple(notes))


class LogsPerHour:
    """Lines per clock hour and level, from one metric range query."""

    name = "logs_per_hour"
    description = "Total lines per clock hour (UTC) and level (every line, no line filter)."
    params: tuple[Param, ...] = ()

    async def run(self, ctx: RecipeContext) -> RecipeResult:
        """Query fine buckets that divide an hour, and sum them per clock hour.

        A 1h step would make each point count the hour before it, so the first point would count
        lines from before the window; buckets of at most a few minutes, summed per clock hour,
        keep every count inside the window (to one bucket) and on clock hours.
        """
        request = ctx.request
        step = min(bucket_step(request.start_ns, request.end_ns, target=300), _HOUR)
        logql = count_query(request.matchers, None, logql_range(step), by=(LEVEL_LABEL,))
        body = await ctx.source.query_metric_range(logql, request.start_ns, request.end_ns, step)
        hours: dict[int, dict[Level, int]] = {}
        for level in Level:
            series = parse_matrix(
                body,
                start_ns=request.start_ns,
                end_ns=request.end_ns,
                step_seconds=step,
                levels=(level,),
            )
            for ts, value in series.points:
                hour = (ts - step) // _HOUR * _HOUR
                counts = hours.setdefault(hour, {})
                counts[level] = counts.get(level, 0) + round(value)
        levels = [lv for lv in Level if any(c.get(lv) for c in hours.values())]
        rows: list[tuple[Cell, ...]] = []
        for hour in sorted(hours):
            counts = hours[hour]
            outside = hour * _NS >= request.end_ns or (hour + _HOUR) * _NS <= request.start_ns
            if outside and not sum(counts.values()):
                continue  # Loki's extra step after the window's end, empty
            rows.append(
                (utc_seconds(hour), *(counts.get(lv, 0) for lv in levels), sum(counts.values()))
            )
        table = Table(
            "Lines per hour",
            ("hour (UTC)", *(lv.value for lv in levels), "total"),
            tuple(rows),
            "total",
            metric_label(step, by=LEVEL_LABEL, extra=", summed per clock hour"),
        )
        facts: list[str] = []
        notes: list[str] = []
        totals = [(row[0], row[-1]) for row in rows if isinstance(row[-1], int)]
        if totals and any(n for _, n in totals):
            busiest = max(totals, key=lambda item: item[1])
            facts.append(f"{sum(n for _, n in totals):,} lines over {len(rows)} hour(s) (total)")
            facts.append(f"the busiest hour starts at {busiest[0]}: {busiest[1]:,} lines")
        else:
            notes.append("Loki counted no line in the window")
        if request.start_ns % (_HOUR * _NS) or request.end_ns % (_HOUR * _NS):
            notes.append(
                "the first or last hour is partial: the window does not start or end on it"
            )
        return RecipeResult(self.name, (table,), (logql,), tuple(facts), tuple(notes))


class TopUsers:
    """The users with the most requests, when the lines name one."""

    name = "top_users"
    description = "The users with the most requests and their 5xx/4xx counts (a user field)."
    params: tuple[Param, ...] = (_TOP,)

    async def run(self, ctx: RecipeContext) -> RecipeResult:
        """Fetch every line of the selected streams and read a user from each."""
        top = int_param(ctx, self.params, "top")
        raw = await ctx.fetch_raw(None)
        rows: list[RequestRow] = []
        for entry in raw.entries:
            text, fields = fields_of(entry)
            info = extract_request(text, fields)
            if info is not None:
                rows.append((entry.timestamp_ns, source_of(entry.labels), info, 1))
        users = top_users(rows, n=top)
        counts_are, source = fetched_label(len(raw.entries), raw.limit, raw.sampled)
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
                f"({counts_are}); {first.user} made the most: {first.requests:,}"
            )
            if users.without_user:
                facts.append(f"request lines without a user: {users.without_user:,}")
        else:
            notes.append(f"no user field in the {len(raw.entries):,} fetched lines")
        return RecipeResult(self.name, (table,), (raw.logql,), tuple(facts), tuple(notes))
