"""The lines before an onset: the onset placed against what was usual before it, bucket ends held.

The in-memory store counts and filters like a real one, so these read the same windows a store
would be asked for.
"""

from __future__ import annotations

import json
import random

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.analysis.onset_work import OnsetsWork, changes_near_onsets, onset_exclusions
from log_analyzer.analysis.onsets import (
    OnsetEvidence,
    before_onsets,
    read_beyond_the_known,
    usual_before,
)
from log_analyzer.analysis.request import AnalysisRequest
from log_analyzer.core.errors import UpstreamError
from log_analyzer.logs.totals import bucket_step
from log_analyzer.sources.base import (
    CountQuery,
    EntryQuery,
    LineFilter,
    RawEntries,
    Selection,
    Window,
    decode_rows,
)
from log_analyzer.sources.demo import MemorySource

pytestmark = pytest.mark.anyio
S = 1_000_000_000
START = 1_750_000_000 * S - (1_750_000_000 * S) % (60 * S)  # on a minute
END = START + 1800 * S
LABELS = {"namespace": "shop", "pod": "api-7d9c5b8f6-x2k4p", "container": "api"}


def line(level: str, msg: str) -> str:
    return json.dumps({"level": level, "msg": msg})


def request() -> AnalysisRequest:
    return AnalysisRequest(
        source="demo",
        window=Window(START, END),
        selection=Selection.of({"namespace": "shop"}),
        line_filter=LineFilter.default(),
        limit=1000,
    )


async def recent_lines(store: MemorySource) -> list[str]:
    req = request()
    counts = CountQuery(req.window, req.selection, req.line_filter)
    histogram = store.histogram(counts, bucket_step(START, END))
    found, note = await before_onsets(store, req, histogram, TracerProvider().get_tracer("t"))
    assert note is None and len(found) == 1
    return [row[2] for row in found[0].recent.decoded().rows]


async def test_a_cause_after_the_bucket_start_is_read_although_the_storm_is_usual() -> None:
    # The storm fills most of the window, so the window's median is the storm's own rate; the
    # cause is 30 s into the bucket where errors began.
    onset = START + 300 * S
    lines = [(onset + 30 * S, LABELS, "info", line("info", "config reloaded: timeout 50ms"))]
    lines += [
        (onset + 31 * S + i * S // 4, LABELS, "error", line("error", f"timeout {i}"))
        for i in range(6000)
    ]
    assert "config reloaded: timeout 50ms" in "".join(await recent_lines(MemorySource(lines)))


async def test_a_line_on_the_last_nanosecond_of_the_first_bucket_is_read() -> None:
    # A point counts the bucket that ends at it: a cause on that instant is in the bucket.
    cause_at = START + 360 * S
    lines = [(cause_at, LABELS, "fatal", line("fatal", "password authentication failed"))]
    lines += [
        (cause_at + S // 3 + i * S, LABELS, "error", line("error", f"upstream 503 {i}"))
        for i in range(1000)
    ]
    assert "password authentication failed" in "".join(await recent_lines(MemorySource(lines)))


def test_what_is_usual_before_an_onset_is_the_median_of_the_buckets_just_before_it() -> None:
    points = [(60, 1.0), (120, 3.0), (180, 2.0), (240, 90.0), (300, 95.0), (360, 99.0)]
    assert usual_before(points, 180) == 2.0
    assert usual_before(points, 0) == 0.0
    # A first incident's errors since 540 s, before a second one's onset at 1080 s: those are
    # what is usual there, not the quiet minutes before them.
    quiet_then_first = [(t, 0.0) for t in range(60, 600, 60)] + [
        (t, 57.0) for t in range(600, 1140, 60)
    ]
    assert usual_before(quiet_then_first, 1080) == 57.0


async def test_a_second_incident_s_onset_is_placed_against_the_first_one_s_errors() -> None:
    # A first incident from 540 s (about 9 errors every 10 s, at random), a second from 1080 s
    # (30 more every 10 s); the second's cause is logged at 1080 s, its first errors a second
    # later. Against a median taken over the quiet minutes too, the first one's noise passed for
    # the second's onset up to a minute early (in 3 of these 6 draws), and the cause was after
    # the window read before it.
    onset = START + 1080 * S
    cause = (onset, LABELS, "info", line("info", "scaled imgproxy to 1 replica"))
    second = [
        (onset + S + i * S // 3, LABELS, "error", line("error", f"resize timed out {i}"))
        for i in range(2100)
    ]
    for seed in range(6):
        rng = random.Random(seed)
        first = [
            (START + int(rng.uniform(540, 1800) * S), LABELS, "error", line("error", f"tax {i}"))
            for i in range(1100)
        ]
        store = MemorySource([*first, cause, *second])
        req = request()
        counts = CountQuery(req.window, req.selection, req.line_filter)
        histogram = store.histogram(counts, bucket_step(START, END))
        found, _ = await before_onsets(store, req, histogram, TracerProvider().get_tracer("t"))
        assert [e.onset_ns for e in found] == [START + 540 * S, onset]
        recent = "".join(row[2] for row in found[-1].recent.decoded().rows)
        assert "scaled imgproxy to 1 replica" in recent


def busy_minutes_before(onset: int) -> list[tuple[int, dict[str, str], str, str]]:
    """A reload 60 s before the onset among 40 access lines a second, then a storm of errors."""
    cause = (onset - 60 * S, LABELS, "info", line("info", "config reloaded: max_connections 2"))
    chatter = [
        (
            onset - 180 * S + i * S // 40,
            LABELS,
            "unknown",
            f'10.0.0.{i % 250} - - "GET /api/items/{i} HTTP/1.1" 200 512 "okhttp/4.12.0"',
        )
        for i in range(40 * 240)
    ]
    storm = [
        (onset + i * S // 4, LABELS, "error", line("error", f"pool exhausted for request {i}"))
        for i in range(4000)
    ]
    return [cause, *chatter, *storm]


async def read_before(store: MemorySource, source: MemorySource | None = None) -> OnsetEvidence:
    req = request()
    counts = CountQuery(req.window, req.selection, req.line_filter)
    tracer = TracerProvider().get_tracer("t")
    found, _ = await before_onsets(store, req, store.histogram(counts, bucket_step(START, END)),
                                   tracer)  # fmt: skip
    exclusions = onset_exclusions(OnsetsWork(found, 2000))
    assert exclusions and all(exclusions)
    [evidence] = await read_beyond_the_known(source or store, req, found, exclusions, tracer)
    return evidence


async def test_a_busy_minute_before_the_onset_is_read_again_without_what_was_read() -> None:
    store = MemorySource(busy_minutes_before(START + 600 * S))
    evidence = await read_before(store)
    assert "config reloaded" not in "".join(row[2] for row in evidence.recent.decoded().rows)
    assert evidence.beyond is not None
    assert "config reloaded" in "".join(row[2] for row in evidence.beyond.decoded().rows)
    done = changes_near_onsets(OnsetsWork((evidence,), 2000))
    [reload] = [c for c in done.changes if c.template.startswith("config reloaded")]
    assert (reload.kind, reload.recent) == ("new", 1)


async def test_a_window_read_whole_is_not_read_again() -> None:
    cause, *chatter = busy_minutes_before(START + 600 * S)[: 1 + 40 * 240]
    storm = busy_minutes_before(START + 600 * S)[1 + 40 * 240 :][:300]
    store = MemorySource([cause, *chatter[-200:], *storm])  # 200 access lines, then the storm
    req = request()
    counts = CountQuery(req.window, req.selection, req.line_filter)
    tracer = TracerProvider().get_tracer("t")
    found, _ = await before_onsets(store, req, store.histogram(counts, bucket_step(START, END)),
                                   tracer)  # fmt: skip
    assert len(found) == 1 and not found[0].recent.decoded().more
    assert onset_exclusions(OnsetsWork(found, 2000)) == ((),)
    assert await read_beyond_the_known(store, req, found, ((),), tracer) == found


class Refusing(MemorySource):
    """A store whose entry queries fail: the second read must cost only its lines."""

    async def entries(self, query: EntryQuery) -> RawEntries:
        raise UpstreamError("the store refused the query")


async def test_a_failed_second_read_keeps_what_the_first_read() -> None:
    store = MemorySource(busy_minutes_before(START + 600 * S))
    evidence = await read_before(store, Refusing([]))
    assert evidence.beyond is None and evidence.recent.decoded().rows


def test_lines_read_twice_count_once() -> None:
    rows = [({"pod": "p"}, START + i * S, f"line {i}") for i in range(5)]
    recent = RawEntries("q", (rows, True), decode_rows, 5)
    beyond = RawEntries("q", ([*rows[2:], ({"pod": "p"}, START + 9 * S, "reload x")], False),
                        decode_rows, 5)  # fmt: skip
    window = Window(START, START + 10 * S)
    evidence = OnsetEvidence(START + 10 * S, recent, RawEntries("q", ([], False), decode_rows, 5),
                             window, Window(START - 600 * S, START), beyond)  # fmt: skip
    done = changes_near_onsets(OnsetsWork((evidence,), 2000))
    assert sum(c.recent for c in done.changes) == 6


async def traced_onsets(
    lines: list[tuple[int, dict[str, str], str, str]],
) -> tuple[tuple[OnsetEvidence, ...], str | None, str]:
    """The onsets of ``lines`` in the in-memory store, and the levels its span says they are in."""
    store = MemorySource(lines)
    req = request()
    counts = CountQuery(req.window, req.selection, req.line_filter)
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    histogram = store.histogram(counts, bucket_step(START, END))
    found, note = await before_onsets(store, req, histogram, provider.get_tracer("t"))
    [span] = [s for s in exporter.get_finished_spans() if s.name == "query_demo_before_onset"]
    assert span.attributes is not None
    return found, note, str(span.attributes["log.onset_levels"])


async def test_a_store_that_reports_no_levels_still_has_its_onset_and_says_so() -> None:
    # Loki 2 (no detected_level), or Loki 3 with level discovery off: every line is `unknown`
    # to the store, so its counts cannot tell errors; the lines the filter selected stand in.
    onset = START + 600 * S
    lines = [(onset - 40 * S, LABELS, "unknown", line("info", "feature flag checkout-v2 on"))]
    lines += [
        (onset + i * S // 4, LABELS, "unknown", line("error", f"checkout failed {i}"))
        for i in range(2000)
    ]
    found, note, levels = await traced_onsets(lines)
    assert note is None and [e.onset_ns for e in found] == [onset]
    recent = "".join(row[2] for row in found[0].recent.decoded().rows)
    assert "feature flag checkout-v2 on" in recent
    assert levels == "every"


async def test_a_store_that_reports_levels_finds_onsets_in_errors_only() -> None:
    # Warnings rise at 300 s, errors at 900 s: the onset is where the errors rose.
    lines = [
        (START + 300 * S + i * S, LABELS, "warn", line("warn", f"slow call {i}"))
        for i in range(1200)
    ]
    lines += [
        (START + 900 * S + i * S // 4, LABELS, "error", line("error", f"call failed {i}"))
        for i in range(2000)
    ]
    found, _, levels = await traced_onsets(lines)
    assert [e.onset_ns for e in found] == [START + 900 * S]
    assert levels == "error,fatal"


async def test_errors_the_store_could_not_level_still_have_their_onset() -> None:
    # Loki 3 levels CoreDNS's ``[INFO] ... NOERROR`` lines (the default filter keeps them for
    # ``NOERROR``) but not the controllers' klog ``E0602`` lines, which name no level word: a
    # levelled store whose errors are all ``unknown``. Their storm is an onset all the same.
    onset = START + 900 * S
    lines = [
        (START + i * 20 * S, LABELS, "info", f'[INFO] 10.244.0.{i % 9}:53 "A IN x." NOERROR')
        for i in range(90)
    ]
    lines.append((onset - 30 * S, LABELS, "info", "policy updated: validationAction=Deny"))
    lines += [
        (onset + i * S // 2, LABELS, "unknown", f"E0602 14:15:00.000000 1 rs.go:5] sync {i} denied")
        for i in range(1500)
    ]
    found, note, levels = await traced_onsets(lines)
    assert note is None and [e.onset_ns for e in found] == [onset]
    recent = "".join(row[2] for row in found[0].recent.decoded().rows)
    assert "policy updated: validationAction=Deny" in recent
    assert levels == "every"
