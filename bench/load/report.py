"""The benchmark's results as Markdown tables, ready for the README."""

from __future__ import annotations

import os
import platform
import re
import statistics
from collections import Counter
from collections.abc import Sequence

from bench.load.clients import Outcome
from bench.load.probes import percentile
from bench.load.scenarios import LeaveResult, LoadResult, Options, Results, SingleRun

_MIB = 1024 * 1024
_DIGITS = re.compile(r"\d+")
CLOSE_TARGET_SECONDS = 2.0
RSS_TARGET_MIB = 20.0


def render(results: Results, commit: str) -> str:
    """All the scenarios that ran, one section each."""
    sections = [_header(results.options, commit)]
    if results.load is not None:
        sections.append(_load(results.load, results.options))
    if results.leave is not None:
        sections.append(_leave(results.leave, results.options))
    if results.single:
        sections.append(_single(results.single, results.options))
    sections.append(f"Service and fake logs: `{results.logs}`")
    return "\n\n".join(sections) + "\n"


def _header(options: Options, commit: str) -> str:
    return (
        f"## Load benchmark (`bench/bench_load.py`, commit {commit})\n\n"
        f"{options.lines:,} log lines per analysis (limit {min(options.lines, 5000):,}), "
        f"answers of {options.tokens} tokens at {options.tokens_per_second:g} tokens/s, "
        f"fake llama.cpp with {options.slots} slots of {options.n_ctx} tokens, fake Loki "
        f"latency {options.loki_latency:g} s; {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {platform.system()} {platform.machine()}."
    )


def _load(result: LoadResult, options: Options) -> str:
    outcomes = result.outcomes
    failed = [o for o in outcomes if not o.ok]
    ok = [o for o in outcomes if o.ok]
    streamed = [o for o in outcomes if o.status == 200]
    health = result.health_latencies
    errors = ", ".join(f"{n} {kind}" for kind, n in result.health_errors.items()) or "none"
    rows = [
        ("failed analyses", f"{len(failed)} of {len(outcomes)}"),
        ("`/health` latency p50 / p95 / max", _triple(health, len(health), "polls")),
        ("`/health` poll errors", errors),
        ("memory before the load (service RSS / service and workers PSS)", _rss(result.rss_before)),
        ("peak memory (service RSS / service and workers PSS)", _rss(result.rss_peak)),
        ("time to first byte p50 / p95 (200 responses)", _pair([o.ttfb for o in streamed])),
        ("time to first event p50 / p95", _pair([o.first_chunk for o in streamed])),
        ("total time p50 / p95 (successful analyses)", _pair([o.total for o in ok])),
        ("wall time", _s(result.wall_seconds)),
        ("fake Loki, backward log query p50 / max", _p50_max(result.loki_log_seconds)),
        ("most streams open at once on the fake llama.cpp", str(result.upstream_max_open)),
    ]
    text = f"### A. {options.clients} concurrent analyses\n\n" + _table(rows)
    if failed:
        text += "\n\nFailures by reason:\n\n" + _reasons(failed)
    return text


def _leave(result: LeaveResult, options: Options) -> str:
    streams = result.streams
    closed = [s["closed_at"] for s in streams if s["closed_at"] is not None]
    ends = Counter(str(s["outcome"] or "still open") for s in streams)
    late = sum(
        1
        for s in streams
        if s["closed_at"] is None or s["closed_at"] - result.last_left_at > CLOSE_TARGET_SECONDS
    )
    if closed:
        after = max(0.0, max(closed) - result.last_left_at)
        last_close = f"{_s(after)} (0 = all closed before the last client left)"
    else:
        last_close = "n/a (no stream was opened)"
    got_chunk = sum(1 for o in result.outcomes if o.ok)
    own_delta = (result.rss_after[0] - result.rss_before[0]) / _MIB
    total_delta = (result.rss_after[1] - result.rss_before[1]) / _MIB
    rows = [
        ("clients that got a first token", f"{got_chunk} of {len(result.outcomes)}"),
        (
            "streaming requests the fake llama.cpp saw",
            f"{len(streams)} ({', '.join(f'{n} {end}' for end, n in ends.items()) or 'none'})",
        ),
        ("last of them closed, after the last client left", last_close),
        (f"closed later than {CLOSE_TARGET_SECONDS:g} s after the last client left", str(late)),
        ("streaming requests still open at the end", str(result.open_at_end)),
        ("memory before (service RSS / service and workers PSS)", _rss(result.rss_before)),
        (
            "memory a few seconds after (service RSS / service and workers PSS)",
            _rss(result.rss_after),
        ),
        (
            f"RSS change (target: within {RSS_TARGET_MIB:g} MiB)",
            f"{own_delta:+.1f} MiB / {total_delta:+.1f} MiB",
        ),
    ]
    text = f"### B. {options.clients} clients that leave after the first token\n\n" + _table(rows)
    failed = [o for o in result.outcomes if not o.ok]
    if failed:
        text += "\n\nClients without a first token:\n\n" + _reasons(failed)
    return text


def _single(runs: Sequence[SingleRun], options: Options) -> str:
    ok = [run for run in runs if run.outcome.ok and run.outcome.ttfb is not None]
    ttfb = [run.outcome.ttfb for run in ok if run.outcome.ttfb is not None]
    first = [run.outcome.first_chunk for run in ok if run.outcome.first_chunk is not None]
    loki = [run.loki_seconds for run in ok if run.loki_seconds is not None]
    own = [
        run.outcome.ttfb - run.loki_seconds
        for run in ok
        if run.outcome.ttfb is not None and run.loki_seconds is not None
    ]
    rows = [
        ("successful runs", f"{len(ok)} of {len(runs)}"),
        ("time to first byte", _median(ttfb)),
        ("fake Loki's own time for the backward log query", _median(loki)),
        ("difference (the service's own time before the first byte)", _median(own)),
        ("time to first event (the summary)", _median(first)),
    ]
    title = f"### C. One analysis on an idle service (median of {len(runs)})"
    text = f"{title}\n\n" + _table(rows)
    failed = [run.outcome for run in runs if not run.outcome.ok]
    if failed:
        text += "\n\nFailed runs:\n\n" + _reasons(failed)
    return text


def _table(rows: Sequence[tuple[str, str]]) -> str:
    lines = ["| Measure | Value |", "|---|---:|"]
    lines.extend(f"| {name} | {value} |" for name, value in rows)
    return "\n".join(lines)


def _reasons(failed: Sequence[Outcome]) -> str:
    """Failures counted by reason and message, with digits shown as N so that ids group."""
    counts: Counter[tuple[str, str]] = Counter()
    for outcome in failed:
        message = _DIGITS.sub("N", outcome.detail or "").replace("|", "\\|").replace("\n", " ")
        counts[(outcome.reason or "unknown", message[:200])] += 1
    lines = ["| Reason | Clients | Message |", "|---|---:|---|"]
    lines.extend(f"| {reason} | {n} | {message} |" for (reason, message), n in counts.most_common())
    return "\n".join(lines)


def _s(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _pair(values: Sequence[float | None]) -> str:
    present = [v for v in values if v is not None]
    return f"{_s(percentile(present, 0.5))} / {_s(percentile(present, 0.95))}"


def _triple(values: Sequence[float], count: int, unit: str) -> str:
    p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
    top = max(values) if values else None
    return f"{_s(p50)} / {_s(p95)} / {_s(top)} ({count} {unit})"


def _p50_max(values: Sequence[float]) -> str:
    top = max(values) if values else None
    return f"{_s(percentile(values, 0.5))} / {_s(top)} ({len(values)} queries)"


def _median(values: Sequence[float]) -> str:
    return _s(statistics.median(values)) if values else "n/a"


def _rss(pair: tuple[int, int]) -> str:
    return f"{pair[0] / _MIB:.0f} MiB / {pair[1] / _MIB:.0f} MiB"
