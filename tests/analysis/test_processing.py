"""The worker's step as a whole, against lines written to break it."""

from __future__ import annotations

from log_analyzer.analysis.processing import Gathered, SummaryWork, summarize_window
from log_analyzer.sources.base import RawEntries, Window, decode_rows

T0 = 1_795_457_333_000_000_000
LABELS = {"pod": "api-1", "container": "api"}


def test_one_hostile_line_does_not_end_the_step_for_the_others() -> None:
    hostile = [
        '{"level":"error","a":' * 5_000 + "1" + "}" * 5_000,  # JSON too deep to read or write
        "a=" * 20_000 + "1",  # one long token of key=value pairs
        "\x1bc\x1b[2J" + "x" * 300_000,  # terminal control, and longer than any cut
    ]
    lines = ["db timeout after 30s", *hostile, "db timeout after 31s"]
    rows = [(LABELS, T0 + i, line) for i, line in enumerate(lines)]
    raw = RawEntries("q", (rows, False), decode_rows, 5000)
    work = SummaryWork("rows", Gathered(raw, None, None, None, None, None),
                       Window(T0, T0 + 10**12), 5000, 2000)  # fmt: skip

    summary = summarize_window(work).summary

    assert summary.fetched == len(lines)
    assert sum(p.count for p in summary.patterns) == len(lines)
    assert any(p.count == 2 and "db timeout" in p.template for p in summary.patterns)
