"""Durations and timeouts read from synthetic lines with known answers, and percentiles."""

from __future__ import annotations

import math
import time
from typing import Any

import pytest

from log_analyzer.logs.durations import (
    Duration,
    extract_duration,
    inline_fields,
    is_timeout,
    parse_duration,
    percentiles,
)

# --- parse_duration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "key", "seconds"),
    [
        # every unit
        pytest.param("15ns", None, 15e-9, id="ns"),
        pytest.param("15us", None, 15e-6, id="us"),
        pytest.param("15µs", None, 15e-6, id="micro-sign"),
        pytest.param("15μs", None, 15e-6, id="greek-mu"),
        pytest.param("250ms", None, 0.25, id="ms"),
        pytest.param("1.5s", None, 1.5, id="s"),
        pytest.param("2 sec", None, 2.0, id="sec"),
        pytest.param("2 secs", None, 2.0, id="secs"),
        pytest.param("3 seconds", None, 3.0, id="seconds-word"),
        pytest.param("5m", None, 300.0, id="m"),
        pytest.param("2 min", None, 120.0, id="min"),
        pytest.param("1.5 minutes", None, 90.0, id="minutes-word"),
        pytest.param("2h", None, 7200.0, id="h"),
        pytest.param("45 ms", None, 0.045, id="space-before-unit"),
        pytest.param("3 SEC", None, 3.0, id="upper-case-unit"),
        pytest.param("  250ms ", None, 0.25, id="surrounding-blanks"),
        # Go compound durations
        pytest.param("1m30.5s", None, 90.5, id="go-minutes-seconds"),
        pytest.param("1h2m", None, 3720.0, id="go-hours-minutes"),
        pytest.param("1h2m3s", None, 3723.0, id="go-three-parts"),
        pytest.param("2s500ms", None, 2.5, id="go-seconds-millis"),
        # the key's unit suffix gives bare numbers their unit
        pytest.param(1200, "duration_ms", 1.2, id="key-duration_ms"),
        pytest.param("1200", "latency_ms", 1.2, id="key-latency_ms-string"),
        pytest.param(0.5, "took_ms", 0.0005, id="key-took_ms-float"),
        pytest.param(85, "response_time_ms", 0.085, id="key-response_time_ms"),
        pytest.param(1500, "latency_us", 0.0015, id="key-latency_us"),
        pytest.param(2, "elapsed_s", 2.0, id="key-elapsed_s"),
        pytest.param(3, "duration_seconds", 3.0, id="key-duration_seconds"),
        pytest.param(7_000_000, "duration_ns", 0.007, id="key-duration_ns"),
        pytest.param(12, "durationMs", 0.012, id="key-camel-ms"),
        pytest.param(40, "responseTimeMillis", 0.04, id="key-camel-millis"),
        pytest.param(3, "http.duration_ms", 0.003, id="key-dotted"),
        pytest.param("0.200", "request_time", 0.2, id="nginx-request_time"),
        pytest.param("3", "request_time", 3.0, id="nginx-request_time-integer"),
        pytest.param("0.010", "upstream_response_time", 0.01, id="nginx-upstream"),
        pytest.param(
            "0.010, 0.200 : 0.003", "upstream_response_time", 0.213, id="nginx-several-upstreams"
        ),
        pytest.param("-, 0.050", "upstream_response_time", 0.05, id="nginx-upstream-dash"),
        pytest.param("250ms", "duration_s", 0.25, id="explicit-unit-beats-key"),
        # the bare-number rule: a decimal point below 1000 is seconds, anything else millis
        pytest.param(0.123, None, 0.123, id="bare-float-seconds"),
        pytest.param("0.123", None, 0.123, id="bare-decimal-string-seconds"),
        pytest.param(999.5, None, 999.5, id="bare-decimal-below-1000-seconds"),
        pytest.param(1500.5, None, 1.5005, id="bare-decimal-from-1000-millis"),
        pytest.param(1234, None, 1.234, id="bare-int-millis"),
        pytest.param("1234", None, 1.234, id="bare-int-string-millis"),
        pytest.param(1, "duration", 0.001, id="bare-int-duration-key-millis"),
        pytest.param(1.0, "latency", 1.0, id="bare-float-latency-key-seconds"),
        pytest.param(0, None, 0.0, id="zero"),
        pytest.param("1e3", None, 1.0, id="exponent-1000-millis"),
    ],
)
def test_parse_duration(value: str | float, key: str | None, seconds: float) -> None:
    assert parse_duration(value, key=key) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("value", "key"),
    [
        pytest.param("", None, id="empty"),
        pytest.param("null", None, id="null"),
        pytest.param("-", None, id="dash"),
        pytest.param("-1s", None, id="negative-unit"),
        pytest.param(-5, "duration_ms", id="negative-number"),
        pytest.param(math.nan, None, id="nan"),
        pytest.param(math.inf, None, id="inf"),
        pytest.param("NaN", None, id="nan-string"),
        pytest.param(True, "duration", id="bool"),
        pytest.param("5 parsecs", None, id="unknown-unit"),
        pytest.param("fast", None, id="word"),
        pytest.param("1.2.3", None, id="version"),
        pytest.param("-", "upstream_response_time", id="nginx-no-upstream"),
        pytest.param("-, -", "upstream_response_time", id="nginx-no-upstreams"),
    ],
)
def test_parse_duration_refuses(value: Any, key: str | None) -> None:
    assert parse_duration(value, key=key) is None


# --- extract_duration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "fields", "expected"),
    [
        # structured fields
        pytest.param("done", {"duration": "1.5s"}, Duration(1.5, "duration"), id="json-duration"),
        pytest.param("done", {"latency": 0.25}, Duration(0.25, "latency"), id="json-latency"),
        pytest.param("done", {"elapsed": 120}, Duration(0.12, "elapsed"), id="json-elapsed-int"),
        pytest.param("done", {"took": 33}, Duration(0.033, "took"), id="json-took"),
        pytest.param(
            "done", {"response_time": "85ms"}, Duration(0.085, "response_time"), id="response_time"
        ),
        pytest.param("done", {"duration_ms": 1200}, Duration(1.2, "duration_ms"), id="duration_ms"),
        pytest.param("done", {"latency_ms": 12}, Duration(0.012, "latency_ms"), id="latency_ms"),
        pytest.param("done", {"elapsed_ms": 7}, Duration(0.007, "elapsed_ms"), id="elapsed_ms"),
        pytest.param("done", {"took_ms": 2}, Duration(0.002, "took_ms"), id="took_ms"),
        pytest.param(
            "done", {"response_time_ms": 9}, Duration(0.009, "response_time_ms"), id="rt_ms"
        ),
        pytest.param(
            "done", {"responseTime": "40ms"}, Duration(0.04, "responseTime"), id="camel-case-key"
        ),
        pytest.param(
            "done",
            {"http": {"duration": 0.25, "status": 200}},
            Duration(0.25, "http.duration"),
            id="nested-object",
        ),
        pytest.param(
            "done",
            {"http.duration": "300ms"},
            Duration(0.3, "http.duration"),
            id="flattened-dotted-key",
        ),
        pytest.param(
            "done",
            {"upstream_response_time": "0.180", "request_time": "0.200"},
            Duration(0.2, "request_time"),
            id="nginx-whole-request-before-upstream",
        ),
        pytest.param(
            "done",
            {"duration": "n/a", "latency_ms": 40},
            Duration(0.04, "latency_ms"),
            id="unreadable-field-skipped",
        ),
        pytest.param(
            "done", {"timeout_ms": 5000, "retries": 3}, None, id="timeout-setting-is-not-duration"
        ),
        pytest.param(
            "completed in 45 ms", {"user": "bob"}, Duration(0.045, "text:in"), id="fields-then-text"
        ),
        # JSON and logfmt in the text itself
        pytest.param(
            '{"msg":"done","duration_ms":1200}', None, Duration(1.2, "duration_ms"), id="raw-json"
        ),
        pytest.param(
            'level=info msg="GET /x" latency=12.3ms',
            None,
            Duration(0.0123, "latency"),
            id="logfmt-latency",
        ),
        pytest.param(
            "request done duration_ms=250 status=200",
            None,
            Duration(0.25, "duration_ms"),
            id="logfmt-pair-in-text",
        ),
        pytest.param(
            'msg=done elapsed="1.5 s"', None, Duration(1.5, "elapsed"), id="logfmt-quoted-value"
        ),
        # text forms
        pytest.param("query took 1234ms", None, Duration(1.234, "text:took"), id="took-ms"),
        pytest.param(
            "sync took 1m30.5s.", None, Duration(90.5, "text:took"), id="took-go-compound"
        ),
        pytest.param("served in 1.2s", None, Duration(1.2, "text:in"), id="in-seconds"),
        pytest.param(
            "request completed in 45 ms", None, Duration(0.045, "text:in"), id="completed-in-ms"
        ),
        pytest.param(
            "job finished in 2 minutes", None, Duration(120.0, "text:in"), id="in-minutes"
        ),
        pytest.param("failed after 3.5s", None, Duration(3.5, "text:after"), id="after"),
        pytest.param(
            "request timed out after 30s", None, Duration(30.0, "text:after"), id="timed-out-after"
        ),
        pytest.param("GET /api/x 200 (1.23s)", None, Duration(1.23, "text:parens"), id="parens"),
        pytest.param("query ( 15 ms )", None, Duration(0.015, "text:parens"), id="parens-spaced"),
        pytest.param("duration: 250ms", None, Duration(0.25, "text:duration"), id="label-colon"),
        pytest.param(
            "Response time: 3 seconds", None, Duration(3.0, "text:response_time"), id="label-words"
        ),
        pytest.param(
            "POST /api/checkout -> 502 Bad Gateway (upstream checkout) in 1200ms",
            None,
            Duration(1.2, "text:in"),
            id="klog-proxy-line",
        ),
        pytest.param(
            "retrying in 5s; request failed after 2s",
            None,
            Duration(2.0, "text:after"),
            id="skips-future-then-finds-elapsed",
        ),
        # no false positives
        pytest.param("retry 3 times", None, None, id="retry-times"),
        pytest.param("running version 1.2", None, None, id="version"),
        pytest.param("listening on port 8080", None, None, id="port"),
        pytest.param("found in 3 regions", None, None, id="in-count"),
        pytest.param("took 2 attempts", None, None, id="took-no-unit"),
        pytest.param("in 2 hosts", None, None, id="unit-prefix-of-word"),
        pytest.param("retrying in 5s", None, None, id="retrying-in"),
        pytest.param("will retry after 10s", None, None, id="retry-after"),
        pytest.param("connection timeout after 30s", None, None, id="timeout-setting-after"),
        pytest.param("next run in 5m", None, None, id="next-run"),
        pytest.param("maintenance in 2 minutes time", None, None, id="in-minutes-time"),
        pytest.param("restarting in 2 minutes' time", None, None, id="in-minutes-apostrophe"),
        pytest.param("cache refreshed 5m ago", None, None, id="ago-has-no-keyword"),
        pytest.param("seen in 5m ago", None, None, id="in-ago"),
        pytest.param("ids (12345)", None, None, id="parens-bare-number"),
        pytest.param("", None, None, id="empty"),
    ],
)
def test_extract_duration(
    message: str, fields: dict[str, Any] | None, expected: Duration | None
) -> None:
    found = extract_duration(message, fields)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert found.source == expected.source
        assert found.seconds == pytest.approx(expected.seconds)


def test_extract_duration_is_linear_on_hostile_input() -> None:
    hostile = "took " + "1m" * 20_000 + "x " + "in " * 20_000 + "a=" * 20_000 + '"' * 5_000
    started = time.perf_counter()
    extract_duration(hostile, None)
    is_timeout(hostile, None)
    assert time.perf_counter() - started < 1.0


def test_inline_fields_of_json_nested_too_deep_are_its_pairs() -> None:
    line = '{"a":' * 5_000 + "1" + "}" * 5_000
    assert inline_fields(line) is None  # no pairs; and no RecursionError


def test_inline_fields_reads_json_and_logfmt() -> None:
    assert inline_fields('{"a": 1}') == {"a": 1}
    assert inline_fields('a=1 b="x y"') == {"a": "1", "b": "x y"}
    assert inline_fields("[1, 2]") is None
    assert inline_fields("plain text") is None
    assert inline_fields("{not json a=1}") == {"a": "1}"}
    assert inline_fields(r'a="bad \q escape"') == {"a": r"bad \q escape"}


# --- percentiles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "qs", "expected"),
    [
        pytest.param(
            [float(v) for v in range(1, 101)],
            (0.5, 0.95, 0.99),
            {0.5: 50.0, 0.95: 95.0, 0.99: 99.0},
            id="one-to-hundred",
        ),
        pytest.param(
            [float(v) for v in range(100, 0, -1)],
            (0.5, 0.95, 0.99),
            {0.5: 50.0, 0.95: 95.0, 0.99: 99.0},
            id="order-does-not-matter",
        ),
        pytest.param(
            [float(v) for v in range(1, 101)],
            (0.07, 0.0, 1.0),
            {0.07: 7.0, 0.0: 1.0, 1.0: 100.0},
            id="float-rounding-and-ends",
        ),
        pytest.param([1.0, 2.0, 3.0, 4.0], (0.5,), {0.5: 2.0}, id="even-count-lower-median"),
        pytest.param([7.0], (0.5, 0.99), {0.5: 7.0, 0.99: 7.0}, id="single-value"),
        pytest.param(
            [0.1] * 98 + [5.0, 9.0], (0.5, 0.99), {0.5: 0.1, 0.99: 5.0}, id="observed-values-only"
        ),
        pytest.param([math.nan, 2.0, 1.0], (1.0,), {1.0: 2.0}, id="nan-ignored"),
        pytest.param([], (0.5,), {}, id="empty"),
        pytest.param([math.nan], (0.5,), {}, id="only-nan"),
    ],
)
def test_percentiles_nearest_rank(
    values: list[float], qs: tuple[float, ...], expected: dict[float, float]
) -> None:
    assert percentiles(values, qs) == expected


def test_percentiles_defaults_to_p50_p95_p99() -> None:
    assert set(percentiles([1.0, 2.0])) == {0.5, 0.95, 0.99}


@pytest.mark.parametrize("q", [pytest.param(-0.1, id="negative"), pytest.param(1.5, id="above-1")])
def test_percentiles_refuses_bad_quantiles(q: float) -> None:
    with pytest.raises(ValueError, match="outside"):
        percentiles([1.0], (q,))


# --- is_timeout ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "fields", "expected"),
    [
        pytest.param("upstream request timeout", None, True, id="timeout"),
        pytest.param("TIMEOUT waiting for lock", None, True, id="upper-case"),
        pytest.param("3 timeouts in a row", None, True, id="plural"),
        pytest.param("read timed out", None, True, id="timed-out"),
        pytest.param("operation timed-out", None, True, id="timed-out-hyphen"),
        pytest.param("context deadline exceeded", None, True, id="deadline-exceeded"),
        pytest.param("rpc error: code = DeadlineExceeded", None, True, id="grpc-code"),
        pytest.param("connect ETIMEDOUT 10.0.0.1:5432", None, True, id="etimedout"),
        pytest.param("Error: ESOCKETTIMEDOUT", None, True, id="esockettimedout"),
        pytest.param('"GET / HTTP/1.1" 504 0', None, True, id="status-504"),
        pytest.param("504 Gateway Time-out", None, True, id="gateway-time-out"),
        pytest.param("requests.exceptions.ReadTimeout: x", None, True, id="camel-read-timeout"),
        pytest.param("java.net.SocketTimeoutException", None, True, id="camel-exception"),
        pytest.param("request failed", {"error": "i/o timeout"}, True, id="field-value"),
        pytest.param("request failed", {"status": 504}, True, id="field-status"),
        pytest.param("x", {"http": {"status_code": 504}}, True, id="nested-status"),
        pytest.param("x", {"timed_out": True}, True, id="flag"),
        pytest.param("x", {"err": {"reason": "deadline exceeded"}}, True, id="nested-value"),
        # no false positives
        pytest.param("runtime output ready", None, False, id="runtime"),
        pytest.param("client configured with timeout=30s", None, False, id="timeout-setting"),
        pytest.param("timeout: 5000", None, False, id="timeout-colon-setting"),
        pytest.param("listening on port 15042", None, False, id="504-inside-number"),
        pytest.param("took 504ms", None, False, id="504-ms"),
        pytest.param("took 504 ms", None, False, id="504-space-ms"),
        pytest.param("took 504.3ms", None, False, id="504-decimal-ms"),
        pytest.param("all good", {"timed_out": False, "status": 200}, False, id="false-flag"),
        pytest.param("all good", {"timeout_ms": 504}, False, id="504-not-status"),
        pytest.param("timeouts_total incremented", None, False, id="metric-name"),
    ],
)
def test_is_timeout(message: str, fields: dict[str, Any] | None, expected: bool) -> None:
    assert is_timeout(message, fields) is expected
