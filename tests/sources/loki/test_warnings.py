"""Loki's ``warnings`` travel with the query text; the answer is read as before.

No recording holds warnings (the recorded Loki gave none), so these bodies are the recordings
with a ``warnings`` list added where Loki's ``pkg/util/marshal/query.go`` ``EncodeResult``
writes it: after ``status``, before ``data`` (as ``marshal_test.go`` expects, with "this is a
warning"). The text is the one Loki's series limiter adds when it answers in part
(``pkg/querier/queryrange/limits.go``).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from log_analyzer.sources.base import CountQuery, EntryQuery, LineFilter, Selection, Window
from log_analyzer.sources.loki.answer_warnings import warned, warnings_of
from log_analyzer.sources.loki.client import LokiClient
from log_analyzer.sources.loki.source import LokiSource
from tests.conftest import LOKI_URL, recorded

pytestmark = pytest.mark.anyio
PARTIAL = "maximum number of series (500) reached for a single query; returning partial results"


def with_warnings(name: str, *warnings: str) -> bytes:
    body: dict[str, Any] = recorded("loki", name)["body"]
    ordered = {"status": body["status"], "warnings": list(warnings), "data": body["data"]}
    return json.dumps(ordered, separators=(",", ":")).encode()


def window_of(name: str) -> Window:
    params = recorded("loki", name)["request"]["params"]
    end = int(params.get("end", params.get("time")))
    return Window(int(params.get("start", end - 1800 * 10**9)), end)


async def test_warnings_reach_the_query_text_of_entries_and_counts() -> None:
    selection = Selection.of({"namespace": "billing"})
    with respx.mock(base_url=LOKI_URL) as loki:
        loki.get("/loki/api/v1/query_range", params__contains={"step": "60"}).mock(
            return_value=httpx.Response(
                200, content=with_warnings("query_range-matrix-by-level.json", PARTIAL)
            )
        )
        loki.get("/loki/api/v1/query_range").mock(
            return_value=httpx.Response(
                200, content=with_warnings("query_range-streams.json", PARTIAL, "second")
            )
        )
        loki.get("/loki/api/v1/query").mock(
            return_value=httpx.Response(
                200, content=with_warnings("query-vector-by-level-pod-container.json", PARTIAL)
            )
        )
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            source = LokiSource(LokiClient(http))
            window = window_of("query_range-streams.json")
            entries = await source.entries(EntryQuery(window, selection, LineFilter(), 100))
            counts = CountQuery(window, selection, LineFilter())
            totals = await source.totals(counts)
            histogram = await source.histogram(counts, 60)
    assert entries.query.endswith(f"; Loki warned: {PARTIAL} | second")
    assert entries.decoded().rows  # the entries themselves are read as ever
    assert totals.query.endswith(f"; Loki warned: {PARTIAL}") and totals.total > 0
    assert histogram.query.endswith(f"; Loki warned: {PARTIAL}")


def test_an_answer_without_warnings_is_not_parsed_for_them() -> None:
    plain = json.dumps(recorded("loki", "query_range-streams.json")["body"]).encode()
    assert warnings_of(plain) == ()
    # A line that says "warnings" is no warning of Loki's.
    body = recorded("loki", "query_range-streams.json")["body"]
    body["data"]["result"][0]["values"][0][1] = 'level=warn msg="3 warnings"'
    assert warnings_of(json.dumps(body).encode()) == ()


@pytest.mark.parametrize(
    ("warnings", "text"),
    [
        pytest.param(None, "q", id="none"),
        pytest.param([], "q", id="empty"),
        pytest.param(["a\nb", " "], "q; Loki warned: a b", id="spaces-folded"),
        pytest.param("one", "q; Loki warned: one", id="a-string"),
    ],
)
def test_warned(warnings: Any, text: str) -> None:
    assert warned("q", warnings) == text
