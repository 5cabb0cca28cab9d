"""Wrapped lines in Loki: the default selection, as the service writes it in LogQL, keeps them.

Loki keeps a CRI runtime's line whole when Promtail or Alloy run without their ``cri`` stage,
and a Docker or Fluent Bit record whole when nothing unpacks it. The answers come from
`FakeLoki`: BUILT IN THE TEST, NOT RECORDED (no recording holds a wrapped line); it writes them
in the recorded streams shape and applies the query's line filter as Loki does.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import normalize_rows
from log_analyzer.sources.base import LineFilter, Selection
from log_analyzer.sources.loki.logql import log_query
from log_analyzer.sources.loki.shapes import decode_streams
from tests.sources.loki_fake import FakeLoki
from tests.sources.same_incident import Line
from tests.wrapped import APP_LINES, WRAPPERS

URL = "http://loki.test:3100/loki/api/v1"
POD = "payments-7f6d5e-k9r1s"


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_the_default_selection_keeps_the_wrapped_warnings_and_worse(wrapper: str) -> None:
    wrap: Callable[[str], str] = WRAPPERS[wrapper]
    # Loki 3 detects no level in these: none at a record's top level, no level word in the text.
    lines = [
        Line(1_000_000 + n * 1000, POD, wrap(app.line), app.level, None, Level.UNKNOWN)
        for n, app in enumerate(APP_LINES)
    ]
    query = log_query(Selection.of({"namespace": "shop"}), LineFilter.default())
    params = {"query": query, "start": "1", "end": str(2 * 10**18), "limit": "100"}
    answer = FakeLoki(lines)(httpx.Request("GET", f"{URL}/query_range", params=params))
    rows = decode_streams(answer.content, 100).rows
    assert sorted(line for _, _, line in rows) == sorted(
        wrap(app.line) for app in APP_LINES if app.severe
    )
    read = {(entry.message, entry.level) for entry in normalize_rows(rows)}
    assert read == {(app.message, app.level) for app in APP_LINES if app.severe}
