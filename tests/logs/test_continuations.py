"""Split events joined inside a runtime's or a shipper's wrapper, and split lines put together."""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

import pytest

from log_analyzer.logs.continuations import regroup_events
from log_analyzer.logs.entries import Row
from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import normalize_rows
from log_analyzer.logs.wrappers import INCOMPLETE, unwrap
from tests.wrapped import WRAPPERS, cri, docker, fluent_bit

_S = 1_000_000_000
_POD = MappingProxyType({"pod": "pay-5d8", "container": "pay"})
_OTHER_POD = MappingProxyType({"pod": "pay-7f1", "container": "pay"})
_SHIPPER = MappingProxyType({"job": "fluent-bit"})  # every container's records in one stream
Wrap = Callable[[str, str, str, int], str]
"""A wrapper of a line: its text, pipe, CRI tag and milliseconds after 09:30:05."""


def _time(ms: int) -> str:
    """An RFC 3339 time ``ms`` milliseconds after 09:30:05 (nanoseconds, as containerd writes)."""
    return f"2026-03-14T09:30:{5 + ms // 1000:02d}.{ms % 1000:03d}000123Z"


def _lines(rows: list[Row]) -> list[str]:
    return [line for _, _, line in rows]


def _inner(line: str) -> str:
    """The application's line of a wrapped row: what joining hands normalizing for it."""
    found = unwrap(line)
    return line if found is None else found.line


def _as_read(rows: list[Row]) -> list[Row]:
    """``rows`` as joining hands them on when none of them is joined."""
    return [(labels, ts, _inner(line)) for labels, ts, line in rows]


_JAVA = [
    "2026-03-14 09:30:05.001 ERROR [pay] charge failed for order 7",
    "java.lang.IllegalStateException: charge failed",
    "\tat com.shop.Pay.charge(Pay.java:42)",
    "Caused by: java.io.IOException: connection reset by peer",
    "\tat java.base/sun.nio.ch.SocketDispatcher.read0(Native Method)",
    "\t... 12 more",
]


@pytest.mark.parametrize("wrapper", sorted(set(WRAPPERS) - {"cri-partial"}))
def test_a_trace_reads_the_same_in_every_wrapper(wrapper: str) -> None:
    plain: list[Row] = [(_POD, _S + n, line) for n, line in enumerate(_JAVA)]
    wrapped: list[Row] = [(_POD, ts, WRAPPERS[wrapper](line)) for _, ts, line in plain]
    out, joined = regroup_events(wrapped)[:2]
    assert (out, joined) == regroup_events(plain)[:2]
    assert normalize_rows(out) == normalize_rows(regroup_events(plain).rows)


def test_a_java_trace_in_cri_lines_is_joined_within_its_pipe_only() -> None:
    # Promtail without its cri stage: both pipes of the container in one stream, interleaved.
    stdout = [
        "GET /health 200 1ms",
        "\tat a.B.c(B.java:1) printed to stdout",
        "GET /orders 200 3ms",
    ]
    rows: list[Row] = []
    for n, line in enumerate(_JAVA):
        rows.append((_POD, _S + 2 * n, cri(line, "stderr", time=_time(2 * n))))
        if n < len(stdout):
            rows.append((_POD, _S + 2 * n + 1, cri(stdout[n], "stdout", time=_time(2 * n + 1))))
    out, joined = regroup_events(rows)[:2]
    assert joined == len(_JAVA) - 1 + 1  # the frame on stdout continues the line before it
    assert _lines(out) == [
        "\n".join(_JAVA),
        "GET /health 200 1ms\n\tat a.B.c(B.java:1) printed to stdout",
        _inner(rows[5][2]),  # a wrapped line neither joined nor split: the line inside
    ]
    exception, _, served = normalize_rows(out)
    assert exception.level is Level.ERROR
    assert "Caused by: java.io.IOException" in exception.message
    assert served.message == "GET /orders 200 3ms"


def test_a_python_traceback_in_docker_records_is_one_entry() -> None:
    lines = [
        "Traceback (most recent call last):",
        '  File "/app/worker.py", line 41, in handle',
        "    total = order.amount / order.quantity",
        "ZeroDivisionError: division by zero",
    ]
    rows: list[Row] = [(_POD, _S + n, docker(line, time=_time(n))) for n, line in enumerate(lines)]
    rows.append((_POD, _S + 9, docker("INFO next order", time=_time(9))))
    out, joined = regroup_events(rows)[:2]
    assert joined == 3
    assert _lines(out) == ["\n".join(lines), _inner(rows[-1][2])]


def test_a_go_panic_in_fluent_bit_records_is_joined_per_pod() -> None:
    panic = [
        "panic: runtime error: invalid memory address or nil pointer dereference",
        "goroutine 42 [running]:",
        "main.(*Server).handle(0xc0000b2000, {0x7f3c, 0xc0001})",
        "\t/app/server.go:118 +0x1d4",
    ]
    # Two pods of one deployment panic at once; their records share the shipper's stream.
    rows: list[Row] = []
    for n, line in enumerate(panic):
        rows.append((_SHIPPER, _S + 2 * n, fluent_bit(docker(line, time=_time(2 * n)), "api-1")))
        rows.append(
            (_SHIPPER, _S + 2 * n + 1, fluent_bit(docker(line, time=_time(2 * n + 1)), "api-2"))
        )
    out, joined = regroup_events(rows)[:2]
    assert joined == 2 * (len(panic) - 1)
    assert _lines(out) == ["\n".join(panic)] * 2


def test_cri_parts_are_put_together_in_order_per_pipe() -> None:
    head, middle, tail = '{"level":"error","msg":"' + "a" * 30, "b" * 30, 'c"}'
    rows: list[Row] = [
        (_POD, _S, cri(head, "stdout", "P", _time(0))),
        (_POD, _S + 1, cri("stderr line between the parts", "stderr", "F", _time(1))),
        (_POD, _S + 2, cri(middle, "stdout", "P", _time(2))),
        (_POD, _S + 3, cri(tail, "stdout", "F", _time(3))),
    ]
    out, joined = regroup_events(rows)[:2]
    assert joined == 2
    assert _lines(out) == [head + middle + tail, _inner(rows[1][2])]
    whole, _ = normalize_rows(out)
    assert (whole.level, whole.message) == (Level.ERROR, "a" * 30 + "b" * 30 + "c")


def test_a_docker_line_without_its_newline_continues_in_the_next_record() -> None:
    rows: list[Row] = [
        (_POD, _S, docker("x" * 40, "stdout", _time(0), end="")),
        (_POD, _S + 1, docker("y" * 40, "stdout", _time(0))),
        (_POD, _S + 2, docker("a line of its own", "stdout", _time(1))),
    ]
    out, joined = regroup_events(rows)[:2]
    assert joined == 1
    assert _lines(out) == ["x" * 40 + "y" * 40, _inner(rows[2][2])]


def test_records_that_never_end_with_a_newline_are_not_parts() -> None:
    # A shipper that strips the newline from every record leaves no sign of a split line.
    rows: list[Row] = [
        (_POD, _S + n, docker(f"line {n}", "stdout", _time(n), end="")) for n in range(3)
    ]
    assert regroup_events(rows)[:2] == (_as_read(rows), 0)


def test_a_line_whose_last_part_was_not_read_is_kept_and_marked() -> None:
    rows: list[Row] = [
        (_POD, _S, cri("ERROR upload failed: " + "p" * 30, "stderr", "P", _time(0))),
        (_POD, _S + 1, cri("q" * 30, "stderr", "P", _time(1))),
    ]
    out, joined = regroup_events(rows)[:2]
    assert joined == 1
    assert _lines(out) == ["ERROR upload failed: " + "p" * 30 + "q" * 30 + INCOMPLETE]
    [entry] = normalize_rows(out)
    assert entry.level is Level.ERROR and entry.message.endswith(INCOMPLETE)


@pytest.mark.parametrize(
    "wrap",
    [
        pytest.param(lambda line, pipe, tag, ms: cri(line, pipe, tag, _time(ms)), id="cri"),
        # A time no wrapper names: the gap is the store's, seconds too.
        pytest.param(
            lambda line, pipe, tag, ms: docker(line, pipe, "", "" if tag == "P" else "\n"),
            id="docker-stores-times",
        ),
    ],
)
def test_parts_written_seconds_apart_are_one_line(wrap: Wrap) -> None:
    # CRI-O's conmon writes a part whenever a read of the pipe ends without a newline: a line
    # written in pieces (``uploading... done``) leaves parts as far apart as its pieces were.
    head, tail = "INFO uploading report.csv ...", " done in 4.2s"
    rows: list[Row] = [
        (_POD, _S, wrap(head, "stdout", "P", 0)),
        (_POD, _S + 1, wrap("ERROR disk almost full", "stderr", "F", 1)),
        (_POD, 5 * _S, wrap(tail, "stdout", "F", 4200)),
        (_POD, 6 * _S, wrap("INFO next upload", "stdout", "F", 5200)),
    ]
    out, joined = regroup_events(rows)[:2]
    assert joined == 1
    assert _lines(out) == [head + tail, _inner(rows[1][2]), _inner(rows[3][2])]


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(
            [
                (_POD, _S, cri("ERROR payment failed", time=_time(0))),
                (_POD, 2 * _S + 1, cri("java.io.IOException: reset", time=_time(1001))),
            ],
            id="two-errors-a-second-apart",
        ),
        pytest.param(
            [
                (_POD, _S, cri("ERROR payment failed", time=_time(0))),
                (_OTHER_POD, _S + 1, cri("\tat a.B.c(B.java:1)", time=_time(1))),
            ],
            id="different-pods",
        ),
        pytest.param(
            [
                (_SHIPPER, _S, fluent_bit(docker("ERROR payment failed"), "api-1")),
                (_SHIPPER, _S + 1, fluent_bit(docker("\tat a.B.c(B.java:1)"), "api-2")),
            ],
            id="different-pods-in-one-shippers-stream",
        ),
        pytest.param(
            [
                (_POD, _S, cri("ERROR payment failed", "stderr", time=_time(0))),
                (_POD, _S + 1, cri("Caused by: x.Y: z", "stdout", time=_time(1))),
            ],
            id="different-pipes",
        ),
        pytest.param(
            [
                (_POD, _S, cri("ERROR payment failed", time=_time(0))),
                (_POD, _S + 1, cri("WARN retrying payment", time=_time(1))),
            ],
            id="not-a-continuation",
        ),
        pytest.param(
            [
                (_POD, _S, '{"level":"debug","msg":"heartbeat sent"}'),
                (_POD, _S + 1, "Traceback (most recent call last):"),
            ],
            id="a-trace-after-a-json-line",  # a structured logger's trace is inside its object
        ),
    ],
)
def test_lines_that_are_not_one_event_are_not_joined(rows: list[Row]) -> None:
    assert regroup_events(rows)[:2] == (_as_read(rows), 0)


def test_the_wrappers_times_are_the_gap_when_every_line_names_one() -> None:
    # A shipper that read a backlog stamped two lines written two seconds apart at once.
    rows: list[Row] = [
        (_POD, _S, cri("ERROR payment failed", time=_time(0))),
        (_POD, _S + 1, cri("java.io.IOException: reset", time=_time(2000))),
    ]
    assert regroup_events(rows)[:2] == (_as_read(rows), 0)
    # Lines written at once, read by a shipper that stamped them two seconds apart.
    rows = [
        (_POD, _S, cri("ERROR payment failed", time=_time(0))),
        (_POD, 3 * _S, cri("java.io.IOException: reset", time=_time(1))),
    ]
    assert regroup_events(rows).joined == 1


@pytest.mark.parametrize("written", ["yesterday", "2026-02-30T09:30:05.000Z"])
def test_the_stores_times_are_the_gap_when_a_line_names_no_time_of_its_own(written: str) -> None:
    rows: list[Row] = [
        (_POD, _S, docker("ERROR payment failed", time=written)),
        (_POD, 3 * _S, docker("java.io.IOException: reset", time=_time(1))),
    ]
    assert regroup_events(rows)[:2] == (_as_read(rows), 0)


def test_plain_lines_in_a_wrapped_stream_are_joined_among_themselves() -> None:
    rows: list[Row] = [
        (_POD, _S, cri("GET /orders 200", "stdout", time=_time(0))),
        (_POD, _S + 1, "ERROR payment failed"),
        (_POD, _S + 2, cri("GET /orders 200", "stdout", time=_time(2))),
        (_POD, _S + 3, "\tat a.B.c(B.java:1)"),
    ]
    out, joined = regroup_events(rows)[:2]
    assert joined == 1
    joined_line = "ERROR payment failed\n\tat a.B.c(B.java:1)"
    assert _lines(out) == [_inner(rows[0][2]), joined_line, _inner(rows[2][2])]


def test_a_stream_is_wrapped_or_not_as_its_first_line_is() -> None:
    # A wrapper is the runtime's or the shipper's: every line of a store stream has one or none,
    # so only the first line of a stream is read for one (a scan of every line costs too much).
    rows: list[Row] = [
        (_POD, _S, "GET /orders 200"),
        (_POD, _S + 1, cri("ERROR payment failed", time=_time(1))),
        (_POD, _S + 2, cri("\tat a.B.c(B.java:1)", time=_time(2))),
    ]
    assert regroup_events(rows)[:2] == (rows, 0)


def test_an_incomplete_line_cut_for_length_still_says_it_is_incomplete() -> None:
    # A runtime splits lines longer than 16 KiB, far longer than a message is kept.
    rows: list[Row] = [
        (_POD, _S, cri("ERROR " + "p" * 16_384, "stderr", "P", _time(0))),
        (_POD, _S + 1, cri("q" * 16_384, "stderr", "P", _time(1))),
    ]
    [entry] = normalize_rows(regroup_events(rows).rows, max_chars=2000)
    assert entry.truncated and entry.level is Level.ERROR
    assert entry.message.endswith(f"…[truncated {2 * 16_384 - 2000} chars]{INCOMPLETE}")


def test_a_line_that_holds_a_record_normalizing_reads_through_is_handed_on_as_it_is() -> None:
    # Normalizing reads two records deep from the row; from the line inside it would read two
    # more, so such a row reaches it whole (and reads as before).
    three_deep = fluent_bit(docker(docker("ERROR payment failed")))
    rows: list[Row] = [(_POD, _S, three_deep), (_POD, _S + 1, docker("INFO next order"))]
    out, joined = regroup_events(rows)[:2]
    assert (_lines(out), joined) == ([three_deep, "INFO next order"], 0)
    assert normalize_rows(out) == normalize_rows(rows)


def test_an_uncaught_traceback_after_a_json_line_is_an_event_of_its_own() -> None:
    lines = [
        '{"level":"debug","msg":"heartbeat sent"}',
        "Traceback (most recent call last):",
        '  File "/app/refresh.py", line 61, in <module>',
        "    asyncio.run(refresh(user))",
        "httpx.PoolTimeout",
    ]
    rows: list[Row] = [(_POD, _S + n, line) for n, line in enumerate(lines)]
    out, joined = regroup_events(rows)[:2]
    assert joined == 3
    assert [line for _, _, line in out] == [lines[0], "\n".join(lines[1:])]
