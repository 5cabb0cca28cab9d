"""The default selection of errors and warnings (`SEVERE_PATTERN`) over lines of real formats."""

from __future__ import annotations

import pytest

from log_analyzer.logs.regex import compile_re2
from log_analyzer.sources.base import SEVERE_PATTERN
from log_analyzer.sources.cloudwatch.filters import severe_regex

SEVERE = [
    "2025/06/02 14:18:01 [alert] 31#31: 16384 worker_connections are not enough",
    "2025/06/02 14:18:01 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address in use)",
    "[Tue Jun 02 14:18:01.123 2025] [core:alert] [pid 12] AH00052: child pid 13 exit signal",
    "2025/06/02 14:18:01 [crit] 31#31: *1 SSL_do_handshake() failed",
    "E0602 14:18:01.123456       1 reflector.go:138] watch of *v1.Pod ended",
    'level=error msg="dial tcp 10.0.0.7:5432: connect: connection refused"',
    "java.lang.IllegalStateException: pool exhausted",
    "panic: assignment to entry in nil map",
    "fail: Microsoft.AspNetCore.Server.Kestrel[13]",
    "Readiness probe failure: HTTP probe failed with statuscode: 503",
    "Warning  FailedScheduling  0/3 nodes are available: 3 Insufficient memory.",
    # pino and bunyan name the level by number only; this message names none in words
    '{"level":50,"time":1733321000000,"pid":1,"hostname":"api-7c9","msg":"connect ECONNREFUSED"}',
    '{"name":"cart","hostname":"cart-1","pid":7,"level":40,"msg":"slow upstream","v":0}',
    '{"level": 60, "msg": "uncaught"}',
    # MongoDB's own JSON log: the severity is one letter
    '{"t":{"$date":"2026-12-04T10:00:00.000+00:00"},"s":"E",  "c":"REPL",     "id":21235,'
    ' "ctx":"ReplCoord-0","msg":"Initial sync attempt"}',
    '{"t":{"$date":"2026-12-04T10:00:00.000+00:00"},"s":"W",  "c":"NETWORK",  "id":4615610,'
    ' "ctx":"conn12","msg":"Slow query"}',
    # log15 (go-ethereum and its forks)
    't=2026-12-04T10:00:00+0000 lvl=eror msg="Synchronisation stalled" peer=ab12',
]
QUIET = [
    "2025/06/02 14:18:01 [notice] 1#1: signal process started",
    'level=info msg="sent 3 alerts to alertmanager"',
    "I0602 14:18:01.123456       1 leaderelection.go:258] successfully acquired lease",
    "GET /healthz 200 1ms",
    '{"level":30,"time":1733321000000,"pid":1,"hostname":"api-7c9","msg":"request completed"}',
    '{"level":20,"msg":"cache hit","count":45}',
    '{"t":{"$date":"2026-12-04T10:00:00.000+00:00"},"s":"I",  "c":"NETWORK",  "id":22943,'
    ' "ctx":"listener","msg":"Connection accepted"}',
]


@pytest.mark.parametrize("line", SEVERE)
def test_errors_and_warnings_of_every_format_are_selected(line: str) -> None:
    assert compile_re2(SEVERE_PATTERN).search(line)


@pytest.mark.parametrize("line", QUIET)
def test_quiet_lines_are_not(line: str) -> None:
    assert compile_re2(SEVERE_PATTERN).search(line) is None


@pytest.mark.parametrize("line", SEVERE)
def test_cloudwatch_narrowing_keeps_every_selected_line(line: str) -> None:
    regex = severe_regex()
    assert regex is not None
    assert compile_re2(regex).search(line)
