"""A busy window: the cause in its middle reaches the summary through coverage passes.

The in-memory store filters, excludes and counts like a real one, so the passes see exactly
the lines a store would return for them.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.core.errors import SourceUnavailable
from log_analyzer.sources.base import EntryQuery, RawEntries
from log_analyzer.sources.demo import MemoryLine, MemorySource
from tests.conftest import running_app, settings_for_tests

pytestmark = pytest.mark.anyio
S = 1_000_000_000
CAUSE = "disk quota exceeded on volume pvc-7f3a while writing the ledger"


def busy_window(end_ns: int) -> list[MemoryLine]:
    """28,000 loud error lines, already going when the window starts, and three cause lines in
    its middle (the window is the 30 minutes before ``end_ns``)."""
    checkout = {"namespace": "shop", "pod": "checkout-1", "container": "checkout"}
    frontend = {"namespace": "shop", "pod": "frontend-1", "container": "frontend"}
    ledger = {"namespace": "shop", "pod": "ledger-0", "container": "ledger"}
    # The storm began 100 s before the window: no onset in it, so the cause's rank rests on
    # the cause alone, not on where the bucket boundaries fall.
    start = end_ns - 1900 * S
    lines: list[MemoryLine] = []
    for i in range(20_000):
        ts = start + i * (1880 * S // 20_000)
        lines.append((ts, checkout, "error", f"ERROR upstream payments returned 503 for order {i}"))
    for i in range(8_000):
        ts = start + i * (1880 * S // 8_000) + 7
        lines.append((ts, frontend, "error", f"ERROR POST /api/checkout -> 502 Bad Gateway {i}ms"))
    for k in range(3):
        lines.append((end_ns - 900 * S + k * S, ledger, "fatal", f"FATAL {CAUSE} (attempt {k})"))
    return lines


def window_end() -> int:
    """The end of the analysed window: the last whole minute, so buckets fall alike every run."""
    return time.time_ns() // (60 * S) * (60 * S)


def in_window(lines: list[MemoryLine], end_ns: int) -> int:
    return sum(end_ns - 1800 * S <= line[0] < end_ns for line in lines)


def iso(ns: int) -> str:
    return datetime.fromtimestamp(ns / S, UTC).isoformat()


async def analyse(
    spans: InMemorySpanExporter, passes: int, end_ns: int, **body: Any
) -> dict[str, Any]:
    store = MemorySource(busy_window(end_ns), name="demo", title="busy window")
    settings = settings_for_tests(log_source="demo", coverage_passes=passes)
    request = {
        "filters": {"namespace": "shop"},
        "time_range": {"start": iso(end_ns - 1800 * S), "end": iso(end_ns)},
        "limit": 1000,
        "llm": False,
        **body,
    }
    async with running_app(spans, settings=settings, log_source=store) as (_, client):
        response: httpx.Response = await client.post(
            "/v1/analyze/stream", json=request, headers={"accept": "application/x-ndjson"}
        )
    assert response.status_code == 200, response.text
    summary: dict[str, Any] = json.loads(response.text.splitlines()[0])["summary"]
    return summary


def templates(summary: dict[str, Any]) -> list[str]:
    return [p["template"] for p in summary["patterns"]]


async def test_without_passes_the_cause_in_the_middle_is_missed(
    spans: InMemorySpanExporter,
) -> None:
    end = window_end()
    total = in_window(busy_window(end), end)
    summary = await analyse(spans, passes=0, end_ns=end)
    assert not any("disk quota" in t for t in templates(summary))
    coverage = summary["coverage"]
    assert not coverage["complete"]
    assert coverage["statement"].startswith(f"sampled: 1,200 of {total:,} matching lines seen")


async def test_a_coverage_pass_finds_the_cause_and_says_every_line_is_covered(
    spans: InMemorySpanExporter,
) -> None:
    end = window_end()
    total = in_window(busy_window(end), end)
    summary = await analyse(spans, passes=2, end_ns=end)
    assert any("disk quota exceeded" in t for t in templates(summary))
    assert "disk quota" in summary["suspects"][0]["text"], summary["suspects"]
    coverage = summary["coverage"]
    assert coverage["complete"] and coverage["passes"] == 1
    assert coverage["excluded_patterns"] == 2
    assert coverage["statement"] == (
        f"all {total:,} matching lines are in these {len(summary['patterns'])} patterns: "
        f"1,203 read in 2 queries; the other {total - 1203:,} were left out of the last query "
        "by the text of 2 known patterns"
    )
    [span] = [s for s in spans.get_finished_spans() if s.name == "query_demo_coverage"]
    query = str((span.attributes or {})["db.query.text"])
    assert "lines without 'upstream payments returned'" in query
    assert "lines without 'POST /api/checkout ->'" in query


async def test_passes_stop_at_the_budget_and_the_statement_says_so(
    spans: InMemorySpanExporter,
) -> None:
    # 3,000 more failures whose template ("job <NUM> failed: <*>") has no literal run long
    # enough to name it: no pass can leave them out, and they alone exceed the limit.
    store_lines = busy_window(window_end())
    noisy = {"namespace": "shop", "pod": "batch-1", "container": "batch"}
    end = max(line[0] for line in store_lines)
    distinct = [
        (
            end - 1000 * S + i * S // 10,
            noisy,
            "error",
            f"ERROR job {i} failed: {chr(65 + i % 26)}",
        )
        for i in range(3000)
    ]
    store = MemorySource([*store_lines, *distinct], name="demo", title="busy window")
    settings = settings_for_tests(log_source="demo", coverage_passes=1)
    request = {"filters": {"namespace": "shop"}, "time_range": {"since": "30m"}, "limit": 1000,
               "llm": False}  # fmt: skip
    async with running_app(spans, settings=settings, log_source=store) as (_, client):
        response = await client.post(
            "/v1/analyze/stream", json=request, headers={"accept": "application/x-ndjson"}
        )
    coverage = json.loads(response.text.splitlines()[0])["summary"]["coverage"]
    assert not coverage["complete"] and coverage["passes"] == 1
    assert "in 2 queries" in coverage["statement"]
    assert "ran out before every line was in a known pattern" in coverage["statement"]


class _PassesFail(MemorySource):
    """The store of `busy_window`, failing every query that leaves lines out (a coverage pass)."""

    async def entries(self, query: EntryQuery) -> RawEntries:
        if query.line_filter.exclude:
            raise SourceUnavailable("the store went away during the coverage pass")
        return await super().entries(query)


async def test_a_failed_pass_keeps_the_summary_and_says_why(spans: InMemorySpanExporter) -> None:
    end = window_end()
    total = in_window(busy_window(end), end)
    store = _PassesFail(busy_window(end), name="demo", title="busy window")
    settings = settings_for_tests(log_source="demo", coverage_passes=2)
    request = {
        "filters": {"namespace": "shop"},
        "time_range": {"start": iso(end - 1800 * S), "end": iso(end)},
        "limit": 1000,
        "llm": False,
    }
    async with running_app(spans, settings=settings, log_source=store) as (_, client):
        response = await client.post(
            "/v1/analyze/stream", json=request, headers={"accept": "application/x-ndjson"}
        )
    assert response.status_code == 200, response.text
    coverage = json.loads(response.text.splitlines()[0])["summary"]["coverage"]
    assert not coverage["complete"] and coverage["passes"] == 0
    assert coverage["statement"] == (
        f"sampled: 1,200 of {total:,} matching lines seen in one query, in 2 patterns; a "
        "coverage pass failed: the store went away during the coverage pass"
    )
