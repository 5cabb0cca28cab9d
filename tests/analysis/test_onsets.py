"""The lines before an onset: the onset placed against what was usual before it, bucket ends held.

The in-memory store counts and filters like a real one, so these read the same windows a store
would be asked for.
"""

from __future__ import annotations

import json

import pytest
from opentelemetry.sdk.trace import TracerProvider

from log_analyzer.analysis.onsets import before_onsets, usual_before
from log_analyzer.analysis.request import AnalysisRequest
from log_analyzer.logs.totals import bucket_step
from log_analyzer.sources.base import CountQuery, LineFilter, Selection, Window
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


def test_what_is_usual_before_an_onset_is_the_median_of_the_buckets_before_it() -> None:
    points = [(60, 1.0), (120, 3.0), (180, 2.0), (240, 90.0), (300, 95.0), (360, 99.0)]
    assert usual_before(points, 180) == 2.0
    assert usual_before(points, 0) == 0.0
