"""Parsing raw lines into message, level and ids, and merging exact duplicates."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pytest

from log_analyzer.logs.continuations import regroup_events
from log_analyzer.logs.entries import STORE_LEVEL, LogEntry, Row
from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import (
    NormalizedEntry,
    normalize,
    normalize_rows,
    parse_line,
    source_of,
    strip_ansi,
)
from log_analyzer.logs.redact import redact
from log_analyzer.logs.structured import json_object
from tests.conftest import recorded_entries

NO_LABELS: Mapping[str, str] = MappingProxyType({})


def entry(ts: int, line: str, **labels: str) -> LogEntry:
    return LogEntry(ts, line, MappingProxyType(labels))


@pytest.mark.parametrize(
    ("line", "labels", "message", "level"),
    [
        # colour codes
        pytest.param(
            "\x1b[31mERROR\x1b[0m connection \x1b[1;33mrefused\x1b[m",
            {},
            "connection refused",
            Level.ERROR,
            id="ansi-sgr-stripped",
        ),
        pytest.param(
            "\x1b]0;title\x07\x1b[2KWARN disk slow", {}, "disk slow", Level.WARN, id="ansi-osc"
        ),
        pytest.param("  padded info line \n", {}, "padded info line", Level.INFO, id="stripped"),
        # JSON: message keys
        pytest.param(
            '{"msg": "payment failed", "level": "error"}',
            {},
            "payment failed",
            Level.ERROR,
            id="json-msg-level",
        ),
        pytest.param(
            '{"message": "cache miss storm", "severity": "WARNING"}',
            {},
            "cache miss storm",
            Level.WARN,
            id="json-message-severity",
        ),
        pytest.param(
            '{"log": "worker started", "lvl": "info"}',
            {},
            "worker started",
            Level.INFO,
            id="json-log-lvl",
        ),
        pytest.param(
            '{"msg": "first", "message": "second", "level": "debug"}',
            {},
            "first",
            Level.DEBUG,
            id="json-msg-wins-over-message",
        ),
        # pino / bunyan numeric levels
        pytest.param('{"msg": "t", "level": 10}', {}, "t", Level.DEBUG, id="pino-10-trace"),
        pytest.param('{"msg": "d", "level": 20}', {}, "d", Level.DEBUG, id="pino-20-debug"),
        pytest.param('{"msg": "i", "level": 30}', {}, "i", Level.INFO, id="pino-30-info"),
        pytest.param('{"msg": "w", "level": 40}', {}, "w", Level.WARN, id="pino-40-warn"),
        pytest.param('{"msg": "e", "level": 50}', {}, "e", Level.ERROR, id="pino-50-error"),
        pytest.param('{"msg": "f", "level": 60}', {}, "f", Level.FATAL, id="pino-60-fatal"),
        pytest.param(
            '{"msg": "b", "level": true}', {}, "b", Level.UNKNOWN, id="bool-level-ignored"
        ),
        # detail fields appended
        pytest.param(
            '{"msg": "charge failed", "level": "error", '
            '"error": "dial tcp 10.0.0.7:5432: refused"}',
            {},
            "charge failed error=dial tcp 10.0.0.7:5432: refused",
            Level.ERROR,
            id="json-error-detail",
        ),
        pytest.param(
            '{"msg": "bad", "level": "error", "error": {"kind": "Timeout", "ms": 30}, '
            '"status": 504}',
            {},
            'bad error={"kind":"Timeout","ms":30} status=504',
            Level.ERROR,
            id="json-structured-details",
        ),
        pytest.param(
            '{"msg": "ok", "level": "info", "error": ""}',
            {},
            "ok",
            Level.INFO,
            id="empty-detail-skipped",
        ),
        # logfmt
        pytest.param(
            'level=warn ts=2026-01-01T00:00:00Z msg="disk almost full" pct=91',
            {},
            "disk almost full pct=91",
            Level.WARN,
            id="logfmt-quoted-msg",
        ),
        pytest.param(
            'level=error msg="say \\"no\\"" err="EOF"',
            {},
            'say "no" err=EOF',
            Level.ERROR,
            id="logfmt-escaped-quotes-and-err",
        ),
        pytest.param("lvl=crit msg=down", {}, "down", Level.FATAL, id="logfmt-bare-msg"),
        pytest.param(
            "ERROR failed host=db port=5432",
            {},
            "failed host=db port=5432",
            Level.ERROR,
            id="plain-with-equals-not-logfmt",
        ),
        # plain text
        # plain text: the logging prefix (time, level, threads, logger) is not the message
        pytest.param("2026-01-01 ERROR boom", {}, "2026-01-01 ERROR boom", Level.ERROR, id="plain"),
        pytest.param(
            "2026-01-01T10:00:00Z ERROR [cart] boom", {}, "boom", Level.ERROR, id="plain-prefix"
        ),
        pytest.param(
            "2026-01-01 10:00:00,123 ERROR 1 --- [exec-1] c.s.p.Charge : boom",
            {},
            "boom",
            Level.ERROR,
            id="spring-prefix",
        ),
        pytest.param("ERROR:root:boom", {}, "boom", Level.ERROR, id="python-prefix"),
        pytest.param(
            "2025-06-02T14:10:00.000Z ERROR:orders.db:psycopg2.errors.UndefinedColumn: column "
            "orders.coupon_code does not exist",
            {},
            "psycopg2.errors.UndefinedColumn: column orders.coupon_code does not exist",
            Level.ERROR,
            id="python-prefix-then-an-exception-s-dotted-name",
        ),
        pytest.param(
            "2025-06-02 14:10:00,123 ERROR [main] com.shop.Orders - boom",
            {},
            "boom",
            Level.ERROR,
            id="a-dotted-logger-after-a-thread",
        ),
        pytest.param(
            "2026/01/01 10:00:00 [error] 29#29: *1 upstream timed out",
            {},
            "upstream timed out",
            Level.ERROR,
            id="nginx-prefix",
        ),
        pytest.param(
            "2026/01/01 10:00:00 dial failed", {}, "dial failed", Level.UNKNOWN, id="time-only"
        ),
        pytest.param("[main] starting", {}, "[main] starting", Level.UNKNOWN, id="no-prefix"),
        pytest.param("Error reading config", {}, None, Level.ERROR, id="level-word-as-text"),
        pytest.param("panic: runtime error", {}, "runtime error", Level.FATAL, id="panic"),
        pytest.param("Warning: low memory", {}, "low memory", Level.WARN, id="warning"),
        pytest.param(
            "E1123 14:02:03.123456       1 reflector.go:138] failed to list",
            {},
            "failed to list",
            Level.ERROR,
            id="klog-error",
        ),
        pytest.param(
            "W1123 14:02:03.123456 1 x.go:1] slow", {}, "slow", Level.WARN, id="klog-warn"
        ),
        pytest.param(
            "I1123 14:02:03.123456 1 x.go:1] ready", {}, "ready", Level.INFO, id="klog-info"
        ),
        pytest.param(
            "F1123 14:02:03.123456 1 x.go:1] bye", {}, "bye", Level.FATAL, id="klog-fatal"
        ),
        pytest.param("terror in the errors", {}, None, Level.UNKNOWN, id="word-boundaries"),
        # label fallbacks
        pytest.param(
            "something happened",
            {STORE_LEVEL: "warn"},
            "something happened",
            Level.WARN,
            id="detected-level-fallback",
        ),
        pytest.param(
            "INFO all good",
            {STORE_LEVEL: "error"},
            "all good",
            Level.INFO,
            id="text-beats-detected",
        ),
        pytest.param("no level here", {"level": "error"}, None, Level.ERROR, id="level-label"),
        pytest.param(
            '{"msg": "x", "level": "debug"}',
            {STORE_LEVEL: "error"},
            "x",
            Level.DEBUG,
            id="field-beats-detected",
        ),
        pytest.param(
            '{"msg": "x"}',
            {STORE_LEVEL: "error"},
            "x",
            Level.ERROR,
            id="json-without-level-uses-label",
        ),
        pytest.param(
            "[2026-03-14 09:41:12,345: ERROR/ForkPoolWorker-3] Task orders.sync[1f2e] raised "
            "unexpected: ClientError()",
            {},
            "Task orders.sync[1f2e] raised unexpected: ClientError()",
            Level.ERROR,
            id="celery-worker",
        ),
        pytest.param(
            "[2026-03-14 09:41:12,345: DEBUG/MainProcess] Error in timer: TypeError",
            {},
            "Error in timer: TypeError",
            Level.DEBUG,
            id="celery-prefix-beats-words",
        ),
        pytest.param(
            "[2026-03-14 09:41:12,345: CRITICAL/MainProcess] Unrecoverable error: OSError()",
            {},
            "Unrecoverable error: OSError()",
            Level.FATAL,
            id="celery-critical",
        ),
        pytest.param(
            '{"t":{"$date":"2026-03-14T09:41:12.345+00:00"},"s":"E","c":"STORAGE","id":22435,'
            '"ctx":"conn12","msg":"WiredTiger error message"}',
            {},
            "WiredTiger error message",
            Level.ERROR,
            id="mongodb-severity",
        ),
        pytest.param(
            '{"t":{"$date":"2026-03-14T09:41:12.345+00:00"},"s":"D2","c":"NETWORK","id":1,'
            '"ctx":"conn12","msg":"failed to read"}',
            {},
            "failed to read",
            Level.DEBUG,
            id="mongodb-debug-verbosity",
        ),
        pytest.param('{"s":"E","msg":"x"}', {}, "x", Level.UNKNOWN, id="s-alone-is-no-severity"),
        pytest.param(
            "fail: Microsoft.AspNetCore.Server.Kestrel[13]",
            {},
            "Microsoft.AspNetCore.Server.Kestrel[13]",
            Level.ERROR,
            id="dotnet-console-fail",
        ),
        pytest.param(
            "dbug: Microsoft.Hosting.Lifetime[0]",
            {},
            "Microsoft.Hosting.Lifetime[0]",
            Level.DEBUG,
            id="dotnet-console-dbug",
        ),
        pytest.param(
            '{"EventId":13,"LogLevel":"Error","Category":"Kestrel","Message":"Connection reset"}',
            {},
            "Connection reset",
            Level.ERROR,
            id="dotnet-json-console",
        ),
        pytest.param(
            '{"Timestamp":"2026-03-14T09:41:12Z","Level":"Warning","RenderedMessage":"slow 3 s"}',
            {},
            "slow 3 s",
            Level.WARN,
            id="serilog-json",
        ),
        pytest.param("nothing at all", {}, "nothing at all", Level.UNKNOWN, id="unknown"),
    ],
)
def test_parse_line(line: str, labels: dict[str, str], message: str | None, level: Level) -> None:
    parsed = parse_line(line, labels, 2000)
    if message is not None:
        assert parsed.message == message
    else:
        assert parsed.message == line.strip()
    assert parsed.level is level
    assert parsed.truncated is False


@pytest.mark.parametrize(
    ("line", "max_chars", "message", "truncated"),
    [
        pytest.param("x" * 10, 10, "x" * 10, False, id="exactly-at-limit"),
        pytest.param("x" * 11, 10, "x" * 10 + " …[truncated 1 chars]", True, id="one-over"),
        pytest.param(
            "E" + "y" * 2999, 2000, "E" + "y" * 1999 + " …[truncated 1000 chars]", True, id="long"
        ),
        pytest.param(
            '{"msg": "' + "z" * 50 + '", "level": "error"}',
            20,
            "z" * 20 + " …[truncated 30 chars]",
            True,
            id="json-message-measured",
        ),
    ],
)
def test_parse_line_truncates(line: str, max_chars: int, message: str, truncated: bool) -> None:
    parsed = parse_line(line, NO_LABELS, max_chars)
    assert parsed.message == message
    assert parsed.truncated is truncated


@pytest.mark.parametrize(
    ("line", "message", "ids"),
    [
        pytest.param(
            '{"msg": "charge failed", "level": "error", "trace_id": "4bf92f35", '
            '"request_id": "req-1"}',
            "charge failed",
            {"trace_id": "4bf92f35", "request_id": "req-1"},
            id="json",
        ),
        pytest.param(
            'level=error msg="charge failed" traceID=abc123 x-request-id=r-9 span_id=s1',
            "charge failed",
            {"traceID": "abc123", "x-request-id": "r-9", "span_id": "s1"},
            id="logfmt",
        ),
        pytest.param(
            '{"msg": "m", "level": "info", "correlation_id": 42, "session_id": ""}',
            "m",
            {"correlation_id": "42"},
            id="numeric-kept-empty-skipped",
        ),
        pytest.param("plain ERROR text", "plain ERROR text", {}, id="plain-has-none"),
    ],
)
def test_parse_line_extracts_ids_outside_the_message(
    line: str, message: str, ids: dict[str, str]
) -> None:
    parsed = parse_line(line, NO_LABELS, 2000)
    assert parsed.message == message
    assert dict(parsed.ids) == ids
    for value in ids.values():
        assert value not in parsed.message


def test_json_without_message_key_still_keeps_ids_out_of_the_message() -> None:
    lines = [
        '{"level": "error", "error": "db timeout", "trace_id": "aaaa1111"}',
        '{"level": "error", "error": "db timeout", "trace_id": "bbbb2222"}',
    ]
    parsed = parse_line(lines[0], NO_LABELS, 2000)
    assert parsed.ids == {"trace_id": "aaaa1111"}
    assert parsed.message == "error=db timeout"
    assert parsed.level is Level.ERROR
    [merged] = normalize([entry(1, lines[0]), entry(2, lines[1])])
    assert merged.count == 2
    assert dict(merged.ids) == {"trace_id": "bbbb2222"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param(
            '{"ts": 1795458290.77, "level": "error", "error": {"kind": "Timeout"}, "n": 3, '
            '"request_id": "r-1"}',
            'error={"kind":"Timeout"} n=3',
            id="json-fields-minus-time-level-ids",
        ),
        pytest.param(
            "level=error ts=2026-01-01T00:00:00Z caller=db.go:12 trace_id=abc",
            "caller=db.go:12",
            id="logfmt-without-msg",
        ),
    ],
)
def test_lines_without_a_message_key_use_their_other_fields(line: str, message: str) -> None:
    parsed = parse_line(line, NO_LABELS, 2000)
    assert parsed.message == message
    assert parsed.level is Level.ERROR


def test_strip_ansi_leaves_plain_text_alone() -> None:
    text = "no escapes [31m here"
    assert strip_ansi(text) is text
    assert strip_ansi("\x1b[38;5;196mred\x1b[0m") == "red"


def test_strip_ansi_keeps_the_text_between_two_sequences() -> None:
    # A hyperlink (OSC 8) is two sequences around its text; one match from the first to the
    # last terminator would take the text with it.
    link = "see \x1b]8;;https://docs.example/\x1b\\the runbook\x1b]8;;\x1b\\ now"
    assert strip_ansi(link) == "see the runbook now"
    assert strip_ansi("\x1b]0;title\x07kept\x1b]2;other\x07") == "kept"


@pytest.mark.parametrize(
    ("labels", "source"),
    [
        pytest.param({"pod": "p-1", "container": "c"}, "p-1/c", id="pod-and-container"),
        pytest.param({"pod": "p-1"}, "p-1", id="pod-only"),
        pytest.param({"container": "c"}, "c", id="container-only"),
        pytest.param({"service_name": "svc", "app": "a"}, "svc", id="service-name"),
        pytest.param({"app": "a"}, "a", id="app"),
        pytest.param({}, "unknown", id="nothing"),
    ],
)
def test_source_of(labels: dict[str, str], source: str) -> None:
    assert source_of(labels) == source


# --- normalize() --------------------------------------------------------------------------------


def test_exact_duplicates_collapse_with_count_times_and_sources() -> None:
    line = '{"msg": "upstream 503", "level": "error", "trace_id": "%s"}'
    entries = [
        entry(300, line % "t3", pod="a", container="c"),
        entry(100, line % "t1", pod="b", container="c"),
        entry(200, line % "t2", pod="a", container="c"),
        entry(250, "INFO unrelated", pod="a", container="c"),
    ]
    out = normalize(entries)
    assert len(out) == 2
    first = out[0]
    assert first == NormalizedEntry(
        message="upstream 503",
        level=Level.ERROR,
        count=3,
        first_ns=100,
        last_ns=300,
        sources=("a/c", "b/c"),
        truncated=False,
        source_counts=(("a/c", 2), ("b/c", 1)),
        ids=first.ids,
    )
    assert dict(first.ids) == {"trace_id": "t3"}  # from the most recent occurrence
    assert (out[1].message, out[1].count, out[1].first_ns) == ("unrelated", 1, 250)


def test_different_levels_do_not_collapse() -> None:
    out = normalize(
        [
            entry(1, '{"msg": "retrying", "level": "warn"}'),
            entry(2, '{"msg": "retrying", "level": "error"}'),
            entry(3, '{"msg": "retrying", "level": "warn"}'),
        ]
    )
    assert [(e.message, e.level, e.count) for e in out] == [
        ("retrying", Level.WARN, 2),
        ("retrying", Level.ERROR, 1),
    ]


def test_multi_line_stack_trace_stays_one_entry() -> None:
    trace = (
        "ERROR unhandled exception\n"
        "Traceback (most recent call last):\n"
        '  File "app.py", line 3, in <module>\n'
        "ZeroDivisionError: division by zero"
    )
    out = normalize([entry(5, trace, pod="p"), entry(9, trace, pod="p")])
    assert len(out) == 1
    assert out[0].message == trace.removeprefix("ERROR ")  # the prefix, not the trace, goes
    assert out[0].level is Level.ERROR
    assert out[0].count == 2


def test_order_is_by_first_seen_not_by_count() -> None:
    out = normalize(
        [
            entry(1, "ERROR a"),
            entry(2, "WARN b"),
            entry(3, "WARN b"),
            entry(4, "ERROR c"),
            entry(5, "WARN b"),
        ]
    )
    assert [(e.message, e.count) for e in out] == [("a", 1), ("b", 3), ("c", 1)]


def test_long_lines_that_share_a_prefix_collapse_truncated() -> None:
    out = normalize([entry(1, "E" + "x" * 30 + "1"), entry(2, "E" + "x" * 30 + "2")], max_chars=10)
    assert len(out) == 1
    assert out[0].truncated is True
    assert out[0].count == 2


def test_normalize_recorded_streams() -> None:
    entries = recorded_entries("query_range-streams.json")
    out = normalize(entries)
    assert sum(e.count for e in out) == len(entries)
    for e in out:
        assert e.level is Level.ERROR
        assert e.message.startswith("upstream payments returned 503")
        assert e.sources == ("checkout-2c386bbc4-lft7s/checkout",)
        assert "trace_id" in e.ids
        assert e.ids["trace_id"] not in e.message
    first_seen = [e.first_ns for e in out]
    assert first_seen == sorted(first_seen)


def test_json_detail_value_is_compact_json() -> None:
    detail = {"a": [1, 2], "b": None}
    line = json.dumps({"msg": "m", "level": "error", "reason": detail})
    assert parse_line(line, NO_LABELS, 2000).message == 'm reason={"a":[1,2],"b":null}'


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param(
            {"key": "es.max_idle_conns", "old": 100, "new": 2},
            "config updated key=es.max_idle_conns old=100 new=2",
            id="zap-fields-say-what-changed",
        ),
        pytest.param(
            {"flagKey": "new-tax-engine", "enabled": True, "rollout": 0.5},
            "config updated flagKey=new-tax-engine enabled=true rollout=0.5",
            id="scalars-as-json-writes-them",
        ),
        pytest.param(
            {"big": 10**20, "tiny": 1e-07, "huge": 1e100, "zero": -0.0, "off": False},
            "config updated big=100000000000000000000 tiny=1e-07 huge=1e+100 zero=-0.0 off=false",
            id="numbers-as-json-writes-them",
        ),
        pytest.param(
            {"logger": "cfg", "caller": "w.go:12", "pid": 7, "hostname": "n1", "thread": "main"},
            "config updated",
            id="who-wrote-it-tells-nothing",
        ),
        pytest.param(
            {"trace_id": "ab12", "time": "2026-01-01T00:00:00Z", "k8s": {"pod": "x"}, "xs": [1]},
            "config updated",
            id="ids-times-objects-and-lists-left-out",
        ),
        pytest.param(
            {"reqId": "6b57", "job_id": "e1fc", "userID": "u-1", "cartIds": "a,b", "grid": 4},
            "config updated grid=4",
            id="identifiers-left-out",
        ),
        pytest.param(
            {"body": "x" * 200, "size": 2},
            "config updated size=2",
            id="a-long-value-left-out",
        ),
        pytest.param(
            {f"k{i}": i for i in range(9)},
            "config updated k0=0 k1=1 k2=2 k3=3 k4=4 k5=5",
            id="at-most-six",
        ),
    ],
)
def test_the_fields_beside_a_message_are_kept_after_it(
    fields: dict[str, object], message: str
) -> None:
    line = json.dumps({"level": "info", "msg": "config updated", **fields})
    assert parse_line(line, NO_LABELS, 2000).message == message


@pytest.mark.parametrize(
    ("line", "message", "level"),
    [
        pytest.param(
            "user=bob id=7 logged in", "user=bob id=7 logged in", Level.UNKNOWN, id="eq-prose"
        ),
        pytest.param("x=1 level=warn msg=slow", "slow x=1", Level.WARN, id="logfmt-level-later"),
        pytest.param("lvl=error event=crash", "crash", Level.ERROR, id="logfmt-short-keys"),
        pytest.param("{oops} level=error msg=boom", "boom", Level.ERROR, id="brace-then-logfmt"),
        pytest.param("ERROR disk 1 at 0x1f full", "disk 1 at 0x1f full", Level.ERROR, id="plain"),
    ],
)
def test_structured_parsing_only_when_it_can_apply(line: str, message: str, level: Level) -> None:
    [out] = normalize([entry(1, line)])
    assert (out.message, out.level) == (message, level)
    assert (out.message, out.level) == (parse_line(line, NO_LABELS, 2000).message, level)


def test_plain_levels_are_found_for_lines_differing_only_in_digits() -> None:
    out = normalize(
        [
            entry(1, "E1123 14:02:03.123456 boom"),
            entry(2, "E9999 99:99:99.999999 boom"),
            entry(3, "I1123 14:02:03.123456 boom"),
            entry(4, "disk 1 ERROR"),
            entry(5, "disk 2 ERRORS"),
        ]
    )
    assert [e.level for e in out] == [
        Level.ERROR, Level.ERROR, Level.INFO, Level.ERROR, Level.UNKNOWN
    ]  # fmt: skip


def test_a_syslog_priority_is_read_by_its_digits() -> None:
    out = normalize(
        [entry(1, "<3>boom"), entry(2, "<6>boom"), entry(3, "<11>boom"), entry(4, "<14>boom")]
    )
    assert [(e.message, e.level) for e in out] == [
        ("boom", Level.ERROR), ("boom", Level.INFO)
    ]  # fmt: skip
    assert [e.count for e in out] == [2, 2]


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ('  File "/usr/lib/python3/site-packages/celery/app/trace.py", line 453', None),
        ("forwarding X-Trace-Id to upstream", None),
        ("GET /api/v1/debug/pprof 200", None),
        ("non-fatal: retrying", None),
        ("[2025-06-02 14:10:31] app.ERROR: payment declined", Level.ERROR),
        ("disk full. ERROR.", Level.ERROR),
        ("trace.py raised; ERROR in worker", Level.ERROR),
    ],
)
def test_a_level_word_inside_a_path_or_name_is_not_a_level(line: str, level: Level | None) -> None:
    [out] = normalize([entry(1, line)])
    assert out.level is (level or Level.UNKNOWN)


def test_entries_seen_once_and_merged_are_alike() -> None:
    once, merged = normalize([entry(1, "ERROR a", pod="p"), entry(2, "ERROR b", pod="p"),
                              entry(3, "ERROR b", pod="q")])  # fmt: skip
    assert once == NormalizedEntry(
        "a", Level.ERROR, 1, 1, 1, ("p",), False, (("p", 1),), MappingProxyType({})
    )
    assert merged == NormalizedEntry(
        "b", Level.ERROR, 2, 2, 3, ("p", "q"), False, (("p", 1), ("q", 1)), once.ids
    )


_JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUifQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)


@pytest.mark.parametrize("structured", [False, True], ids=["plain", "json"])
def test_a_secret_across_the_cut_is_redacted_before_the_cut(structured: bool) -> None:
    # The cut at 60 characters falls inside the token: cut first, the half left behind would
    # not look like a JWT to any rule.
    message = f"auth failed for bearer {_JWT} from the edge proxy"
    line = json.dumps({"level": "error", "msg": message}) if structured else message
    counted: Counter[str] = Counter()
    [entry] = normalize_rows([({}, 1, line), ({}, 2, line)], max_chars=60, redactions=counted)
    assert _JWT[:20] not in entry.message
    assert "[REDACTED:" in entry.message
    assert entry.truncated == (len(redact(message).text) > 60)
    assert counted.total() == 2  # one token in each of the two lines
    parsed = parse_line(line, {}, 60)
    assert parsed.message == entry.message and _JWT[:20] not in parsed.message


def test_a_long_line_that_fits_once_redacted_is_not_marked_cut() -> None:
    message = f"bearer {_JWT}"
    [entry] = normalize_rows([({}, 1, message)], max_chars=len(message) - 10)
    assert entry.message == redact(message).text
    assert not entry.truncated


_S = 1_000_000_000
_A = MappingProxyType({"pod": "a"})
_B = MappingProxyType({"pod": "b"})


def test_a_split_java_trace_is_joined_to_the_line_that_logged_it() -> None:
    # Newest first, as Loki sends a stream: the joined entry must still read top-down.
    rows: list[Row] = [
        (_A, 5 * _S + 4, "\t... 12 more"),
        (_A, 5 * _S + 3, "Caused by: java.io.IOException: reset"),
        (_A, 5 * _S + 2, "\tat com.shop.Pay.charge(Pay.java:42)"),
        (_A, 5 * _S + 1, "java.lang.IllegalStateException: charge failed"),
        (_A, 5 * _S, "2026-01-01T10:00:00Z ERROR [pay] charge failed for order 7"),
    ]
    out, joined = regroup_events(rows)[:2]
    assert joined == 4
    assert out == [
        (
            _A,
            5 * _S,
            "2026-01-01T10:00:00Z ERROR [pay] charge failed for order 7\n"
            "java.lang.IllegalStateException: charge failed\n"
            "\tat com.shop.Pay.charge(Pay.java:42)\n"
            "Caused by: java.io.IOException: reset\n"
            "\t... 12 more",
        )
    ]
    [entry] = normalize_rows(out)
    assert entry.message.startswith("charge failed for order 7\njava.lang.")
    assert entry.level is Level.ERROR


def test_a_split_python_traceback_is_one_entry_up_to_its_exception() -> None:
    rows: list[Row] = [
        (_B, 1 * _S, "Traceback (most recent call last):"),
        (_B, 1 * _S + 1, '  File "app.py", line 3, in <module>'),
        (_B, 1 * _S + 2, "    x = 1 / 0"),
        (_B, 1 * _S + 3, "ZeroDivisionError: division by zero"),
        (_B, 1 * _S + 4, "  indented but after the traceback"),
    ]
    out, joined = regroup_events(rows)[:2]
    assert joined == 3
    assert [line for _, _, line in out] == [
        'Traceback (most recent call last):\n  File "app.py", line 3, in <module>\n'
        "    x = 1 / 0\nZeroDivisionError: division by zero",
        "  indented but after the traceback",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "During handling of the above exception, another exception occurred:",
        "The above exception was the direct cause of the following exception:",
    ],
)
def test_chained_python_tracebacks_are_one_entry_blank_lines_included(sentence: str) -> None:
    lines = [
        "Traceback (most recent call last):",
        '  File "s3.py", line 9, in put',
        "botocore.exceptions.ClientError: ExpiredToken",
        "",
        sentence,
        "",
        "Traceback (most recent call last):",
        '  File "/usr/lib/python3/site-packages/celery/app/trace.py", line 453, in trace_task',
        "app.errors.UploadFailed: report 7",
        "",
        "INFO next task",
    ]
    rows: list[Row] = [(_B, 1 * _S + n, line) for n, line in enumerate(lines)]
    out, joined = regroup_events(rows)[:2]
    assert joined == 9
    assert [line for _, _, line in out] == ["\n".join(lines[:10]), "INFO next task"]
    first, _ = normalize_rows(out)
    # An error, as an uncaught exception's traceback is (not DEBUG for the "trace" in the
    # frame's path)
    assert first.level is Level.ERROR


@pytest.mark.parametrize(
    "rows",
    [
        [(_A, 1 * _S, "ERROR failed"), (_B, 1 * _S + 1, "\tat x.Y.z(Y.java:1)")],
        [(_A, 1 * _S, "ERROR failed"), (_A, 3 * _S, "\tat x.Y.z(Y.java:1)")],
        [(_A, 1 * _S, "ERROR failed"), (_A, 1 * _S + 1, "WARN retrying")],
    ],
    ids=["other-stream", "a-second-later", "not-a-continuation"],
)
def test_lines_are_joined_only_within_a_stream_and_a_second(rows: list[Any]) -> None:
    out, joined = regroup_events(rows)[:2]
    assert (out, joined) == (rows, 0)


def test_a_trace_split_across_the_levels_a_store_detected_is_one_entry() -> None:
    # A store that detects levels sends the logged line as an `error` stream and its frames,
    # which carry no level word, as another stream of the same container.
    error = MappingProxyType({"pod": "a", STORE_LEVEL: "error"})
    unknown = MappingProxyType({"pod": "a", STORE_LEVEL: "unknown"})
    rows: list[Row] = [
        (unknown, 5 * _S + 2, "\tat com.shop.Pay.charge(Pay.java:42)"),
        (unknown, 5 * _S + 1, "java.lang.IllegalStateException: charge failed"),
        (error, 5 * _S, "ERROR charge failed for order 7"),
    ]
    out, joined = regroup_events(rows)[:2]
    assert joined == 2
    assert out == [
        (
            error,
            5 * _S,
            "ERROR charge failed for order 7\njava.lang.IllegalStateException: charge failed\n"
            "\tat com.shop.Pay.charge(Pay.java:42)",
        )
    ]


def test_a_split_go_panic_is_one_entry() -> None:
    lines = [
        "panic: runtime error: invalid memory address or nil pointer dereference",
        "goroutine 42 [running]:",
        "main.(*Server).handle(0xc0000b2000, {0x7f3c, 0xc0001})",
        "\t/app/server.go:118 +0x1d4",
        "net/http.HandlerFunc.ServeHTTP(0xc000012345?, {0x9a8b, 0xc00019c000})",
        "\t/usr/local/go/src/net/http/server.go:2166 +0x29",
        "created by net/http.(*Server).Serve in goroutine 1",
        "\t/usr/local/go/src/net/http/server.go:3285 +0x4b4",
    ]
    rows: list[Row] = [(_A, 7 * _S + i, line) for i, line in enumerate(lines)]
    rows.append((_A, 7 * _S + 9, "main.go started listening on :8080"))  # after the dump: a line
    rows.append((_B, 7 * _S + 10, "shutdown(0) called"))  # looks like a frame, not in a dump
    out, joined = regroup_events(rows)[:2]
    assert joined == len(lines) - 1
    assert [line for _, _, line in out] == [
        "\n".join(lines),
        "main.go started listening on :8080",
        "shutdown(0) called",
    ]


def nested(depth: int) -> str:
    """A JSON object ``depth`` levels deep, with a level and a message at the top."""
    return '{"level":"warn","msg":"x","a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize("depth", [65, 990, 5_000, 100_000])
def test_json_nested_too_deep_is_read_as_plain_text(depth: int) -> None:
    # Before, a line like this raised RecursionError (in json.loads, or in json.dumps of its
    # fields) out of the whole step: one log line ended the analysis of every other.
    line = nested(depth)
    assert json_object(line) is None
    parsed = parse_line(line, {}, 2000)
    assert parsed.level is Level.WARN  # the level word of the text
    assert parsed.message.startswith('{"level":"warn"') and parsed.truncated


def test_json_up_to_the_depth_bound_is_read_as_json() -> None:
    assert json_object(nested(64)) is not None
    assert parse_line(nested(2), {}, 2000).message == "x"  # its msg field: read as JSON
    # Brackets inside strings are no nesting.
    assert json_object('{"msg":"' + "{[" * 100 + '"}') == {"msg": "{[" * 100}


def test_lone_surrogates_in_json_and_logfmt_become_replacement_characters() -> None:
    # JSON escapes a lone surrogate as \ud800 (Python's json.dumps of a surrogate-escaped file
    # name does): decoded, it is a character no UTF-8 encoder takes.
    assert json_object('{"msg":"a\\ud800b","k\\udc80":1}') == {"msg": "a\ufffdb", "k\ufffd": 1}
    assert json_object('{"msg":"\\ud83d\\ude00"}') == {"msg": "\U0001f600"}  # a pair is whole
    parsed = parse_line('level=error msg="disk \\udc80 full"', {}, 2000)
    assert parsed.message == "disk \ufffd full"
    parsed.message.encode()
