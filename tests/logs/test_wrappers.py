"""A line wrapped by the container runtime or a shipper reads as the line inside it."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import normalize_rows, parse_line
from log_analyzer.logs.wrappers import Unwrapped, runtime_prefix, shipped_line, unwrap
from tests.sources.test_severe import QUIET, SEVERE
from tests.wrapped import TIME, WRAPPERS, cri, docker, fluent_bit, tailed_cri

LABELS = MappingProxyType({"pod": "api-7c9", "container": "api"})


LINES = [
    *SEVERE,
    *QUIET,
    "2026-12-04 14:02:03.123 UTC [123] LOG:  autovacuum launcher started",
    '{"level":"error","msg":"payment failed","error":"EOF","trace_id":"ab12"}',
    '{"severity":"WARNING","message":"cache miss storm"}',
    'time=2026-03-14T09:41:12Z level=warn msg="slow upstream" latency=3s',
    "\x1b[31mERROR\x1b[0m connection \x1b[1;33mrefused\x1b[m",
    "plain words and nothing else",
]


@pytest.mark.parametrize("line", LINES)
@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_a_wrapped_line_reads_as_the_line_inside(wrapper: str, line: str) -> None:
    wrapped = WRAPPERS[wrapper](line)
    assert parse_line(wrapped, LABELS, 2000) == parse_line(line, LABELS, 2000)
    inner = normalize_rows([(LABELS, 1, line)])
    assert normalize_rows([(LABELS, 1, wrapped)]) == inner


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_the_wrappers_stream_is_not_a_level(wrapper: str) -> None:
    wrapped = WRAPPERS[wrapper]("request served in 3 ms")
    assert parse_line(wrapped, LABELS, 2000).level is Level.UNKNOWN
    labelled = {**LABELS, "level": "info"}
    assert parse_line(wrapped, labelled, 2000).level is Level.INFO


def test_the_inner_json_is_flattened_as_a_top_level_line() -> None:
    inner = '{"log":{"level":"error"},"msg":"boom","error":{"kind":"io"},"req_id":"r1"}'
    parsed = parse_line(docker(inner), LABELS, 2000)
    assert parsed.level is Level.ERROR
    assert parsed.message == 'boom error={"kind":"io"}'
    assert dict(parsed.ids) == {"req_id": "r1"}


@pytest.mark.parametrize(
    ("line", "message", "level"),
    [
        pytest.param(
            '{"log":"payment failed","level":"error"}',
            "payment failed",
            Level.ERROR,
            id="log-is-the-applications-message-key",
        ),
        pytest.param(
            '{"log":"{\\"a\\":1}","msg":"kept","stream":"stderr"}',
            "kept",
            Level.UNKNOWN,
            id="msg-beside-log",
        ),
        pytest.param(
            'ts=2026-03-14T09:30:05Z log="E0314 not a record" caller=main.go:12',
            "E0314 not a record",
            Level.UNKNOWN,
            id="logfmt-log-key",
        ),
        pytest.param(
            '{"log":{"level":"warn"},"message":"ECS log object"}',
            "ECS log object",
            Level.WARN,
            id="ecs-log-object",
        ),
    ],
)
def test_a_record_that_is_the_applications_own_is_not_unwrapped(
    line: str, message: str, level: Level
) -> None:
    parsed = parse_line(line, LABELS, 2000)
    assert (parsed.message, parsed.level) == (message, level)


def test_wrappers_are_read_through_at_most_twice() -> None:
    line = "E0314 09:30:05.000001       1 kubelet.go:2412] sync failed"
    twice = fluent_bit(docker(line))
    assert parse_line(twice, LABELS, 2000).level is Level.ERROR
    thrice = fluent_bit(fluent_bit(docker(line)))
    assert parse_line(thrice, LABELS, 2000).level is not Level.ERROR


@pytest.mark.parametrize(
    ("text", "length"),
    [
        (f"{TIME} stderr F x", len(TIME) + 10),
        ("2026-03-14T09:30:05Z stdout P x", 30),
        ("2026-03-14T09:30:05.5+01:00 stdout F x", 37),
        ("2026-03-14T09:30:05Z stdout F", 29),
        ("2026-03-14T09:30:05Z stdin F x", 0),
        ("2026-03-14T09:30:05Z stderr X x", 0),
        ("2026-03-14T09:30:05Z ERROR x", 0),
        ("2026-03-14 09:30:05Z stderr F x", 0),
        ("stderr F x", 0),
    ],
)
def test_runtime_prefix(text: str, length: int) -> None:
    assert runtime_prefix(text) == length


@pytest.mark.parametrize(
    ("fields", "line"),
    [
        ({"log": "x\n", "stream": "stderr"}, "x\n"),
        ({"log": "x", "msg": "y"}, None),
        ({"log": "x", "message": "y"}, None),
        ({"log": {"level": "warn"}}, None),
        ({"log": 3}, None),
        ({"stream": "stderr"}, None),
    ],
)
def test_shipped_line(fields: dict[str, object], line: str | None) -> None:
    assert shipped_line(fields) == line


_DOCKER_TIME = "2026-03-14T09:30:05.000001Z"
_FLUENT_BIT_POD = (
    "namespace_name=shop",
    "pod_name=api-7c9",
    "container_name=api",
    "pod_id=5e0f1c2d-7a44-4b1e-9f3a-0c8d2e6b1a90",
    "docker_id=3f1e9a0b7c2d4e5f60718293a4b5c6d7e8f9012345678901234567890abcdef1",
)


@pytest.mark.parametrize(
    ("wrapped", "expected"),
    [
        pytest.param(
            cri("\tat a.B.c(B.java:1)"),
            Unwrapped("\tat a.B.c(B.java:1)", ("stderr",), True, False, TIME),
            id="cri-keeps-the-lines-own-indent",
        ),
        pytest.param(
            cri("part", "stdout", "P"),
            Unwrapped("part", ("stdout",), False, False, TIME),
            id="cri-partial",
        ),
        pytest.param(
            docker("x", "stdout"),
            Unwrapped("x", ("stdout",), True, True, _DOCKER_TIME),
            id="docker",
        ),
        pytest.param(
            docker("x", end=""),
            Unwrapped("x", ("stderr",), False, True, _DOCKER_TIME),
            id="docker-without-its-newline",
        ),
        pytest.param(
            fluent_bit(docker("x")),
            Unwrapped("x", ("stderr", *_FLUENT_BIT_POD), True, True, _DOCKER_TIME),
            id="docker-in-fluent-bit",
        ),
        pytest.param(
            tailed_cri("x"),
            Unwrapped("x", ("stderr", "pod_name=api-7c9"), True, False, TIME),
            id="tailed-cri",
        ),
        pytest.param(
            '{"log":"x\\n","stream":"stdout","container_id":"3f1e","source":"stdout"}',
            Unwrapped("x", ("stdout", "container_id=3f1e"), True, True, ""),
            id="docker-driver-record",
        ),
    ],
)
def test_unwrap(wrapped: str, expected: Unwrapped) -> None:
    assert unwrap(wrapped) == expected


@pytest.mark.parametrize(
    "line",
    [
        "ERROR plain line",
        '{"log":"payment failed","level":"error"}',
        '{"msg":"x","stream":"stderr"}',
        "2026-03-14T09:30:05Z ERROR x",
    ],
)
def test_a_line_without_a_wrapper_is_not_unwrapped(line: str) -> None:
    assert unwrap(line) is None
