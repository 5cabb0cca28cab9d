"""The summary and context events as a readable report: every number labelled total or sample.

True totals come from the store's count queries over the whole window; the fetched entries,
their levels, sources and patterns are a sample whenever the store stopped at the limit. The
same events as JSON are :mod:`log_analyzer.api.report_json`'s.
"""

from __future__ import annotations

from log_analyzer.analysis.events import ContextEvent, ContextFit, SummaryEvent
from log_analyzer.logs.clock import TIME, utc, utc_seconds
from log_analyzer.logs.summary import LogSummary, coverage_of, cut_notes
from log_analyzer.logs.totals import FLOORED_BASELINE, floored

PATTERNS_IN_TEXT = 15
SPIKES_IN_TEXT = 5
_TEXT_CHARS = 160


def summary_text(event: SummaryEvent) -> str:
    """The `summary` event as a readable report."""
    s = event.summary
    kind = "sample" if s.sampled else "total"
    scope = _scope(s)
    out = [
        "=== Log summary ===",
        f"Window:  {utc(s.start_ns)} .. {utc(s.end_ns)}",
        f"Query:   {s.query} ({s.source})",
    ]
    if s.totals is not None:
        out.append(
            f"True totals ({s.source} count query, whole window): {s.totals.total:,} lines: "
            + (", ".join(f"{lv.value} {n:,}" for lv, n in s.totals.by_level) or "none")
        )
        out.append("  by pod/container (total): " + _top_sources(s.totals.by_source))
    else:
        out.append(f"True totals: unavailable ({s.totals_error or 'not queried'})")
    for spike in s.spikes[:SPIKES_IN_TEXT]:
        step = s.series.step_seconds if s.series else "?"
        out.append(
            f"Spike (total): {utc_seconds(spike.start, TIME)}..{utc_seconds(spike.end, TIME)}, "
            f"peak {spike.peak:,.0f} lines per {step} s bucket at "
            f"{utc_seconds(spike.peak_ts, TIME)}, {spike.factor:.1f}x the baseline of "
            f"{spike.baseline:,.0f}" + (f" ({FLOORED_BASELINE})" if floored(spike) else "")
        )
    if len(s.spikes) > SPIKES_IN_TEXT:
        out.append(f"  (+{len(s.spikes) - SPIKES_IN_TEXT} more spikes, listed in the JSON formats)")
    out += [
        f"Fetched: {s.fetched:,} lines ({scope}); {s.distinct:,} distinct messages; "
        f"{len(s.patterns):,} patterns",
        f"By level ({kind}): " + (", ".join(f"{lv.value} {n:,}" for lv, n in s.by_level) or "none"),
        f"By pod/container ({kind}): " + _top_sources(s.by_source),
    ]
    out.append(f"Coverage: {coverage_of(s).statement}")
    out += _suspects_text(s)
    out += _patterns_text(s, kind) if s.patterns else _top_messages_text(s, kind)
    extras = []
    if s.truncated_lines:
        extras.append(f"{s.truncated_lines:,} over-long lines truncated")
    if s.redactions:
        extras.append(f"{s.redactions:,} secrets redacted")
    if s.malformed:
        extras.append(f"{s.malformed:,} malformed entries skipped")
    extras.extend(cut_notes(s))
    if s.joined_lines:
        extras.append(f"{s.joined_lines:,} continuation lines joined to the entries they continue")
    if extras:
        out.append("Handling: " + "; ".join(extras))
    out.extend(f"Note: {note}" for note in event.notes)
    return report_lines(out) + "\n"


def context_text(event: ContextEvent) -> str:
    """The `context` event as a paragraph, then the heading of what the model writes."""
    out = [_context_text(event.fit), *(f"Note: {note}" for note in event.notes)]
    return report_lines(out) + f"\n=== {event.heading} ===\n\n"


def report_lines(out: list[str]) -> str:
    """The report's lines joined, each kept to one line whatever its values hold.

    A pod's name or a store's error with a newline in it would otherwise print as lines of the
    report's own, one of which could open like the service's markers (``--- done``).
    """
    return "\n".join(line.replace("\r\n", "\n").replace("\n", " ⏎ ") for line in out)


def _scope(s: LogSummary) -> str:
    if not s.sampled:
        return "all matching lines in the window"
    store = s.source or "the store"
    text = f"SAMPLE: {store} stopped at the limit of {s.limit:,}; the window holds more"
    if s.onset_lines:
        newest = s.fetched - s.onset_lines - s.coverage_lines
        text += (
            f"; the newest {newest:,} {'line' if newest == 1 else 'lines'} plus the "
            f"oldest {s.onset_lines:,}, where an incident usually starts"
        )
    elif s.onset_error:
        text += f"; the oldest lines could not be fetched ({s.onset_error})"
    if s.coverage_passes:
        text += (
            f"; then {s.coverage_lines:,} more from {s.coverage_passes} "
            f"{'query' if s.coverage_passes == 1 else 'queries'} without the known patterns"
        )
    return text


def _suspects_text(s: LogSummary) -> list[str]:
    out = []
    if s.suspects:
        out.append("Suspects (ranked by code, most likely first):")
        for suspect in s.suspects:
            name = suspect.pattern or "change"
            out.append(
                f"  {suspect.rank}. {name} {suspect.level.value.upper()} "
                f"{_shorten(suspect.text)}: {'; '.join(suspect.reasons)}"
            )
    for change in s.changes:
        out.append(
            f"Change before the onset at {utc(change.onset_ns, TIME)}: {change.kind} "
            f"{change.level.value.upper()} {change.offset_text} "
            f"{_shorten(change.template)}"
        )
        if change.telling_example is not None:
            out.append(f"  e.g. {_shorten(_one_line(change.telling_example))}")
    if s.changes_note:
        out.append(f"Changes before the onset: {s.changes_note}")
    return out


def _shorten(text: str) -> str:
    return text if len(text) <= _TEXT_CHARS else text[: _TEXT_CHARS - 1] + "…"


def _patterns_text(s: LogSummary, kind: str) -> list[str]:
    out = [f"Patterns ({kind} counts; the analysis cites these ids):"]
    for p in s.patterns[:PATTERNS_IN_TEXT]:
        seen = utc(p.first_ns, TIME)
        if p.last_ns != p.first_ns:
            seen += f"..{utc(p.last_ns, TIME)}"
        where = p.sources[0] + (f" +{len(p.sources) - 1}" if len(p.sources) > 1 else "")
        out.append(
            f"  {p.id:<4} {p.level.value.upper():<6} {p.count:>6,}  {seen}  "
            f"{'new' if p.new else 'ongoing'}  {where}"
        )
        out.append(f"       {_one_line(p.template)}")
    hidden = s.patterns[PATTERNS_IN_TEXT:]
    if hidden:
        lines = sum(p.count for p in hidden)
        out.append(f"  (+{len(hidden):,} more patterns, {lines:,} lines, not listed here)")
    return out


def _top_messages_text(s: LogSummary, kind: str) -> list[str]:
    if not s.top_messages:
        return []
    out = [f"Most frequent messages ({kind} counts):"]
    for m in s.top_messages:
        out.append(f"  {m.count:>6,}  {m.level.value.upper():<7} {_one_line(m.message)}")
    return out


def _context_text(f: ContextFit) -> str:
    noun = f"{f.unit}s"
    left = f.unit if f.omitted == 1 else noun
    shown = ""
    if f.ids:
        listed = ", ".join(f.ids[:12]) + (" ..." if len(f.ids) > 12 else "")
        shown = f" ({listed})"
    text = (
        f"Context: {f.included:,} of {f.included + f.omitted:,} {noun} sent to the model"
        f"{shown}; {f.prompt_tokens:,} prompt tokens of {f.n_ctx - f.max_tokens:,} available, "
        f"{f.max_tokens:,} reserved for the answer"
    )
    if f.leads:
        text += f"; suspects sent: {', '.join(f.leads)}"
    if f.omitted:
        text += f"; left out: {f.omitted:,} {left}"
        if f.lines_omitted:
            text += f" ({f.lines_omitted:,} lines)"
    return text


def _top_sources(sources: tuple[tuple[str, int], ...]) -> str:
    shown = ", ".join(f"{src} {n:,}" for src, n in sources[:8]) or "none"
    return shown + (f", +{len(sources) - 8} more" if len(sources) > 8 else "")


def _one_line(text: str) -> str:
    text = text.replace("\n", " ⏎ ")
    return text if len(text) <= _TEXT_CHARS else text[:_TEXT_CHARS] + "…"
