"""``error_spikes``: when did errors and warnings spike, and which patterns came with the spike.

The counts per bucket come from one count query of the store by level over the request's line
filter (true totals); spikes are runs of buckets far above the window's own median, by median
absolute deviation (:func:`log_analyzer.logs.totals.find_spikes`).

To say which patterns are new or grew in a spike, the raw lines are fetched (the request's line
filter) and mined into templates here, in a worker process, because the analysis' patterns keep
only a first and last time per distinct message, not the time of every line. Each template's lines
inside the spike are compared with its lines in the window of the same length just before it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from log_analyzer.logs.clock import utc, utc_seconds
from log_analyzer.logs.levels import Level
from log_analyzer.logs.tables import Cell, RecipeResult, Table
from log_analyzer.logs.totals import (
    FLOORED_BASELINE,
    Series,
    Spike,
    bucket_step,
    find_spikes,
    floored,
)
from log_analyzer.recipes.common import (
    Templates,
    count_label,
    fetched_label,
    float_param,
    int_param,
)
from log_analyzer.recipes.params import Param
from log_analyzer.sources.base import RawEntries

if TYPE_CHECKING:
    from log_analyzer.recipes.context import RecipeContext

_NS = 1_000_000_000
_KINDS: dict[str, frozenset[Level]] = {
    "error": frozenset((Level.ERROR, Level.FATAL)),
    "warn": frozenset((Level.WARN,)),
}
_PATTERNS_PER_SPIKE = 5
_SPIKES_COMPARED = 5


@dataclass(frozen=True, slots=True)
class PatternGrowth:
    """One template's lines inside a spike and in the same-length window before it."""

    template: str
    during: int
    before: int

    @property
    def new(self) -> bool:
        """The template had no line before the spike."""
        return self.before == 0

    @property
    def factor(self) -> float:
        """``during / before``, the before count floored at one line."""
        return self.during / max(self.before, 1)


def compare_windows(
    lines: list[tuple[int, str, Level]], spike: Spike, levels: frozenset[Level]
) -> tuple[PatternGrowth, ...]:
    """Templates with more lines in the spike than before it, most added lines first.

    Args:
        lines: ``(timestamp_ns, template, level)`` of every fetched line.
        spike: The spike; its window is ``[start, end)``, the one before it is as long.
        levels: The levels the spike counts.
    """
    start, end = spike.start * _NS, spike.end * _NS
    before_start = start - (end - start)
    during: Counter[str] = Counter()
    before: Counter[str] = Counter()
    for ts, template, level in lines:
        if level not in levels:
            continue
        if start <= ts < end:
            during[template] += 1
        elif before_start <= ts < start:
            before[template] += 1
    grown = [PatternGrowth(t, n, before[t]) for t, n in during.items() if n > before[t]]
    grown.sort(key=lambda g: (-(g.during - g.before), -g.factor, g.template))
    return tuple(grown)


class ErrorSpikes:
    """Error and warning spikes against the window's own baseline, and what came with them."""

    name = "error_spikes"
    description = (
        "Error and warning lines per time bucket (true totals), spikes against the window's "
        "median (MAD), and the patterns that are new or grew in each spike."
    )
    params: tuple[Param, ...] = (
        Param(
            "sensitivity",
            float,
            5.0,
            "Robust deviations (1.4826 x MAD) above the median a bucket must reach; lower "
            "finds more spikes.",
            minimum=2,
            maximum=20,
        ),
        Param("min_count", int, 10, "Fewest lines a spike bucket must hold.", 1, 100_000),
    )

    async def run(self, ctx: RecipeContext) -> RecipeResult:
        """Count per bucket, find the spikes, then compare patterns inside and before each."""
        sensitivity = float_param(ctx, self.params, "sensitivity")
        min_count = int_param(ctx, self.params, "min_count")
        window = ctx.request.window
        step = bucket_step(window.start_ns, window.end_ns)
        histogram = await ctx.histogram(step)
        series = {kind: histogram.series(levels) for kind, levels in _KINDS.items()}
        spikes = [
            (kind, spike)
            for kind, s in series.items()
            for spike in find_spikes(s, threshold=sensitivity, min_count=min_count)
        ]
        spikes.sort(key=lambda ks: (ks[1].start, ks[0]))
        source = count_label(ctx.source_name, step, by="level")
        tables = [
            _buckets_table(series, histogram.series(), source),
            _spikes_table(spikes, source),
        ]
        facts = [_fact(kind, spike, step) for kind, spike in spikes]
        notes: list[str] = []
        queries = [histogram.query]
        if not spikes:
            busiest = max((v for _, v in series["error"].points), default=0.0)
            facts.append(
                f"no error spike: the busiest {step} s bucket holds {busiest:,.0f} error/fatal "
                "lines (total)"
            )
            notes.append("no spike was found, so no pattern comparison ran")
        else:
            raw = await ctx.entries()
            queries.append(raw.query)
            compared = tuple(sorted(spikes, key=lambda ks: -ks[1].factor)[:_SPIKES_COMPARED])
            table, sample_notes = await ctx.compute(
                spike_patterns, SpikeWork(raw, compared, ctx.max_line_chars, ctx.pii)
            )
            tables.append(table)
            notes.extend(sample_notes)
            if len(spikes) > len(compared):
                notes.append(
                    f"patterns compared for the {len(compared)} largest of {len(spikes)} spikes"
                )
        return RecipeResult(self.name, tuple(tables), tuple(queries), tuple(facts), tuple(notes),
                            ctx.source_name)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SpikeWork:
    """What `spike_patterns` reads."""

    raw: RawEntries
    spikes: tuple[tuple[str, Spike], ...]
    max_line_chars: int
    pii: frozenset[str]


def spike_patterns(work: SpikeWork) -> tuple[Table, tuple[str, ...]]:
    """The patterns new or grown in each spike, and notes on the sample (runs in a worker)."""
    decoded = work.raw.decoded()
    templates = Templates(work.max_line_chars, work.pii)
    keyed = [(row[1], *templates.add(row)) for row in decoded.rows]
    lines = [(ts, templates.template(key), level) for ts, key, level in keyed]
    rows: list[tuple[Cell, ...]] = []
    for kind, spike in work.spikes:
        for g in compare_windows(lines, spike, _KINDS[kind])[:_PATTERNS_PER_SPIKE]:
            new = "yes" if g.new else "no"
            rows.append(
                (
                    utc_seconds(spike.start),
                    kind,
                    g.template,
                    g.during,
                    g.before,
                    None if g.new else round(g.factor, 2),
                    new,
                )
            )
    counts_are, source = fetched_label(len(decoded.rows), work.raw.limit, decoded.more)
    columns = ("spike start", "level", "pattern", "in spike", "before", "growth", "new")
    table = Table("Patterns new or grown in the spike", columns, tuple(rows), counts_are, source)
    return table, _sample_notes([ts for ts, _, _ in lines], decoded.more, work.spikes)


def _buckets_table(series: dict[str, Series], every: Series, source: str) -> Table:
    step = every.step_seconds
    error, warn = dict(series["error"].points), dict(series["warn"].points)
    rows = tuple(
        (utc_seconds(ts - step), round(error.get(ts, 0.0)), round(warn.get(ts, 0.0)), round(total))
        for ts, total in every.points
    )
    return Table(
        "Lines per bucket",
        ("bucket start", "error+fatal", "warn", "all levels"),
        rows,
        "total",
        source,
    )


def _spikes_table(spikes: list[tuple[str, Spike]], source: str) -> Table:
    rows = tuple(
        (
            kind,
            utc_seconds(s.start),
            utc_seconds(s.end),
            utc_seconds(s.peak_ts),
            round(s.peak),
            s.baseline,
            round(s.factor, 2),
        )
        for kind, s in spikes
    )
    columns = ("level", "start", "end", "peak at", "peak lines", "baseline", "factor")
    return Table("Spikes", columns, rows, "total", source)


def _sample_notes(
    stamps: list[int], sampled: bool, spikes: tuple[tuple[str, Spike], ...]
) -> tuple[str, ...]:
    if not stamps:
        return ("no line was fetched, so no pattern comparison could run",)
    notes = []
    earliest = min(stamps)
    for _, spike in spikes:
        before_start = (2 * spike.start - spike.end) * _NS
        if sampled and earliest > before_start:
            notes.append(
                f"the fetched sample begins at {utc(earliest)}, after the window before the "
                f"spike at {utc_seconds(spike.start)} began: its 'before' counts are low and "
                "'new' may be wrong"
            )
    return tuple(notes)


def _fact(kind: str, spike: Spike, step: int) -> str:
    return (
        f"{kind} spike from {utc_seconds(spike.start)} to {utc_seconds(spike.end)}: "
        f"peak {spike.peak:,.0f} lines per {step} s bucket at {utc_seconds(spike.peak_ts)}, "
        f"{spike.factor:.1f}x the median of {spike.baseline:,.1f} (total"
        + (f"; {FLOORED_BASELINE})" if floored(spike) else ")")
    )
