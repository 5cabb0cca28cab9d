"""ISO 8601 times read to nanoseconds: every form a runtime, a shipper or a store writes."""

from __future__ import annotations

import pytest

from log_analyzer.logs.clock import iso_ns

_T = 1_796_292_000_000_000_000
"""2026-12-03T10:00:00Z."""
_MS = 1_000_000


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        pytest.param("2026-12-03T10:00:00Z", _T, id="seconds"),
        pytest.param("2026-12-03T10:00:00.123Z", _T + 123 * _MS, id="ms"),
        pytest.param("2026-12-03T10:00:00.000001234Z", _T + 1_234, id="ns-containerd"),
        pytest.param("2026-12-03T10:00:00.123456789123Z", _T + 123_456_789, id="past-ns-dropped"),
        pytest.param("2026-12-03T10:00:00,5Z", _T + 500 * _MS, id="comma"),
        pytest.param("2026-12-03 10:00:00.5", _T + 500 * _MS, id="space-no-offset-is-utc"),
        pytest.param("2026-12-03T10:00:00", _T, id="no-offset"),
        pytest.param("2026-12-03T11:00:00.5+01:00", _T + 500 * _MS, id="offset"),
        pytest.param("2026-12-03T11:30:00+0130", _T, id="offset-no-colon"),
        pytest.param("2026-12-03T08:00:00-02", _T, id="offset-hours"),
        pytest.param("2026-12-03T10:00Z", _T, id="no-seconds"),
        pytest.param("2026-12-03", _T - 10 * 3600 * 10**9, id="date"),
        pytest.param(" 2026-12-03T10:00:00Z\n", _T, id="blanks-around"),
        pytest.param("1969-12-31T23:59:59Z", -(10**9), id="before-the-epoch"),
        pytest.param("2026-02-30T10:00:00Z", None, id="no-such-day"),
        pytest.param("2026-12-03T24:00:00Z", None, id="hour-24"),
        pytest.param("2026-12-03T23:59:60Z", None, id="second-60"),
        pytest.param("2026-12-03T10:00:00+25:00", None, id="offset-out-of-range"),
        pytest.param("2026-12-03T10:00:00+01:75", None, id="offset-minutes-out-of-range"),
        pytest.param("2026-12-03T10:00:00.Z", None, id="dot-without-digits"),
        pytest.param("2026-12-03T10:00:00Z stdout F", None, id="text-after"),
        pytest.param("\u0662\u0660\u0662\u0666-12-03T10:00:00Z", None, id="non-ascii-digits"),
        pytest.param("yesterday", None, id="not-a-time"),
        pytest.param("", None, id="empty"),
    ],
)
def test_iso_ns(text: str, ns: int | None) -> None:
    assert iso_ns(text) == ns
