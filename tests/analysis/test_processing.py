"""The worker's step as a whole, against lines written to break it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from log_analyzer.analysis.events import SummaryEvent
from log_analyzer.analysis.processing import Gathered, SummaryWork, summarize_window
from log_analyzer.api.encoders import ENCODERS
from log_analyzer.logs.analysis_prompt import analysis_material
from log_analyzer.logs.evidence import evidence_line
from log_analyzer.logs.levels import Level
from log_analyzer.logs.prompt import render
from log_analyzer.logs.summary import LogSummary
from log_analyzer.sources.base import RawEntries, Window, decode_rows
from tests.wrapped import cri

T0 = 1_795_457_333_000_000_000
LABELS = {"pod": "api-1", "container": "api"}


def summary_of(lines: list[str], labels: dict[str, str] = LABELS) -> LogSummary:
    rows = [(labels, T0 + i, line) for i, line in enumerate(lines)]
    raw = RawEntries("q", (rows, False), decode_rows, 5000)
    work = SummaryWork("rows", Gathered(raw, None, None, None, None, None),
                       Window(T0, T0 + 10**12), 5000, 2000)  # fmt: skip
    return summarize_window(work).summary


@pytest.mark.parametrize("media_type", sorted(ENCODERS))
def test_lone_surrogates_reach_neither_client_nor_model_as_such(media_type: str) -> None:
    # A lone surrogate cannot be encoded as UTF-8: sent as it is, it ends the client's stream
    # and the model server refuses the prompt. Escaped in a JSON line, raw in a line or label.
    lines = ['{"level":"error","msg":"boom \\ud800 x"}', "plain \udc80 error", "ok"]
    summary = summary_of(lines, {"pod": "api-\udc80", "container": "api"})

    encoded = ENCODERS[media_type](SummaryEvent(summary))
    encoded.encode("utf-8")
    assert encoded.count("\ufffd") >= 2
    evidence = [evidence_line(p) for p in summary.patterns]
    material = analysis_material(summary, None, evidence, list(range(len(evidence))))
    for message in render(material, material.order, "0a1b2c3d").messages:
        message["content"].encode("utf-8")


def test_one_hostile_line_does_not_end_the_step_for_the_others() -> None:
    hostile = [
        '{"level":"error","a":' * 5_000 + "1" + "}" * 5_000,  # JSON too deep to read or write
        "a=" * 20_000 + "1",  # one long token of key=value pairs
        "\x1bc\x1b[2J" + "x" * 300_000,  # terminal control, and longer than any cut
    ]
    lines = ["db timeout after 30s", *hostile, "db timeout after 31s"]

    summary = summary_of(lines)

    assert summary.fetched == len(lines)
    assert sum(p.count for p in summary.patterns) == len(lines)
    assert any(p.count == 2 and "db timeout" in p.template for p in summary.patterns)


def test_a_java_trace_shipped_as_cri_lines_is_one_pattern_with_its_cause() -> None:
    # A Java service's error, its stack trace one CRI line per frame (Promtail without its cri
    # stage), stdout's access log interleaved: the cause lands in the exception's pattern.
    trace = [
        "2026-03-14 09:30:05.001 ERROR [pay] charge failed for order 7",
        "java.lang.IllegalStateException: charge failed",
        "\tat com.shop.Pay.charge(Pay.java:42)",
        "Caused by: java.io.IOException: connection reset by peer",
        "\t... 12 more",
    ]
    lines = []
    for n, line in enumerate(trace):
        lines.append(cri(line, "stderr", time=f"2026-03-14T09:30:05.{2 * n:03d}Z"))
        lines.append(
            cri(f"GET /orders/{n} 200", "stdout", time=f"2026-03-14T09:30:05.{2 * n + 1:03d}Z")
        )

    summary = summary_of(lines)

    [error] = [p for p in summary.patterns if p.level is Level.ERROR]
    assert error.count == 1
    assert "IllegalStateException" in error.template
    assert "Caused by: java.io.IOException: connection reset by peer" in error.template
    assert "Caused by: java.io.IOException" in evidence_line(error)
    assert not any("Caused by" in p.template for p in summary.patterns if p is not error)
    assert sum(p.count for p in summary.patterns) == 1 + len(trace)  # the error and 5 requests


def test_a_coverage_pass_never_reads_a_trace_without_the_line_that_logged_it() -> None:
    # A store leaves lines out one by one. Had the first fetch named the trace's pattern by the
    # text of its first line, the pass would read the frames without it: as a pattern of their
    # own, or joined to an unrelated line just before (the retries, seen in older events only).
    trace = [
        "ERROR [pay] the payment provider rejected charge {n}",
        "java.lang.IllegalStateException: declined",
        "\tat com.shop.Pay.charge(Pay.java:42)",
        "Caused by: java.io.IOException: connection reset by peer",
        "\t... 12 more",
    ]
    window: list[tuple[int, str]] = []  # the store's lines, oldest first
    for n in range(40):
        start = T0 + n * 10**10
        window.append((start, f"INFO request {n} served from the warm cache in 12ms"))
        if n < 20:
            window.append((start + 100_000_000, f"WARN charge {n}: retrying once"))
        window += [(start + 200_000_000 + k, line.format(n=n)) for k, line in enumerate(trace)]
    limit = 100

    def fetch(excluded: tuple[str, ...] = ()) -> RawEntries:
        """The store's answer, built here as Loki's ``!=`` filters and limit make it: the
        newest lines that hold none of ``excluded``, newest first, at most ``limit``."""
        kept = [(ts, line) for ts, line in window if not any(text in line for text in excluded)]
        rows = [(LABELS, ts, line) for ts, line in reversed(kept[-limit:])]
        return RawEntries("q", (rows, len(kept) > limit), decode_rows, limit)

    first = Gathered(fetch(), None, None, None, None, None)
    work = SummaryWork("rows", first, Window(T0, T0 + 10**13), limit, 2000, more_passes=True)
    done = summarize_window(work)
    assert done.exclusions  # the access log's pattern is named; the trace's is not
    passed = replace(first, passes=(fetch(done.exclusions),), excluded=done.exclusions)

    summary = summarize_window(replace(work, gathered=passed, more_passes=False)).summary

    traces = [p for p in summary.patterns if "IllegalStateException" in p.template]
    assert [t.template.split(" | ")[0] for t in traces] == [
        "the payment provider rejected charge <NUM>"
    ]
    assert traces[0].count == 20  # events 20 to 39: the pass read 20 to 23 and their frames
