"""The fake of Loki used by `test_same_incident` filters, orders and counts as Loki does."""

from __future__ import annotations

import json

import httpx

from log_analyzer.logs.levels import Level
from log_analyzer.sources.loki.shapes import decode_streams, parse_json
from tests.sources.loki_fake import FakeLoki
from tests.sources.same_incident import Line

URL = "http://loki.test:3100/loki/api/v1"
POD = "payments-7f6d5e-k9r1s"
LINES = [
    Line(1_000_000 + n * 1500, POD, text, level, None, level)
    for n, (text, level) in enumerate(
        [("[INFO] ok", Level.INFO), ("[ERROR] down", Level.ERROR), ("[INFO] ok", Level.INFO),
         ("[ERROR] gone", Level.ERROR), ("[ERROR] down", Level.ERROR)]
    )
]  # fmt: skip
"""Five lines 1.5 s apart from t = 1,000 s: two errors say "down", one "gone"."""


def _ask(path: str, **params: str) -> httpx.Response:
    return FakeLoki(LINES)(httpx.Request("GET", f"{URL}/{path}", params=params))


def test_a_log_query_keeps_the_newest_lines_that_pass_every_filter() -> None:
    answer = _ask(
        "query_range",
        query='{namespace="shop", pod=~"payments-.*"} |~ "(?i)error" != "gone"',
        start=str(1_000 * 10**9),
        end=str(1_006 * 10**9),  # the newer "down", at 1,006 s, is outside: end is exclusive
        limit="1",
        direction="backward",
    )
    rows = decode_streams(answer.content, 1).rows
    assert [(ts, line, labels["detected_level"]) for labels, ts, line in rows] == [
        (1_001_500 * 10**6, "[ERROR] down", "error")  # the newer "down" is at the end
    ]


def test_a_forward_query_with_a_post_body_keeps_the_oldest() -> None:
    body = 'query={container="payments"}&start=1&end=2000000000000&limit=2&direction=forward'
    request = httpx.Request("POST", f"{URL}/query_range", content=body.encode())
    rows = decode_streams(FakeLoki(LINES)(request).content, 2).rows
    assert sorted(ts for _, ts, _ in rows) == [1_000 * 10**9, 1_001_500 * 10**6]


def test_counts_take_the_range_before_each_time() -> None:
    by_level = 'sum by (detected_level) (count_over_time({namespace="shop"} [3s]))'
    vector = parse_json(_ask("query", query=by_level, time=str(1_006 * 10**9)).content)
    assert {r["metric"]["detected_level"]: r["value"] for r in vector["data"]["result"]} == {
        "error": [1006, "2"]  # (1,003 s, 1,006 s]: the lines at 1,004.5 s and 1,006 s
    }
    matrix = _ask("query_range", query=by_level, start=str(1_001 * 10**9),
                  end=str(1_005 * 10**9), step="3")  # fmt: skip
    series = {
        r["metric"]["detected_level"]: r["values"]
        for r in json.loads(matrix.content)["data"]["result"]
    }
    # Steps at multiples of 3 s from 999 s (start rounded down) to 1,005 s; 999 s counts no
    # line, so it is left out.
    assert series == {"info": [[1002, "1"], [1005, "1"]], "error": [[1002, "1"], [1005, "1"]]}
