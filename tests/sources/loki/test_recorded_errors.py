"""Every refusal recorded from the real Loki 3, through the client: its class, its text, one try.

The service checks most of these before asking Loki (RE2 regexes, selectors that could match
every stream, the window's order), so here they stand for a query that got past those checks:
Loki's own text must reach the caller, with the request field to fix where Loki names a limit.
"""

from __future__ import annotations

import gzip

import httpx
import pytest
import respx

from log_analyzer.sources.loki.client import LokiClient
from log_analyzer.sources.loki.errors import LokiQueryError
from log_analyzer.sources.loki.shapes import decode_streams, parse_json
from tests.conftest import LOKI_URL, recorded, recorded_response

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        pytest.param("error-parse.json", "", id="parse"),
        pytest.param("error-bad-regex.json", "", id="bad-regex"),
        pytest.param("error-empty-matcher.json", "", id="empty-matcher"),
        pytest.param("error-end-before-start.json", "", id="end-before-start"),
        pytest.param("error-max-entries-limit.json", "the request's limit", id="max-entries"),
        pytest.param("error-query-too-long-range.json", "the request's time_range", id="too-long"),
    ],
)
async def test_recorded_refusals_carry_loki_s_text(name: str, hint: str) -> None:
    recording = recorded("loki", name)
    with respx.mock(base_url=LOKI_URL) as loki:
        route = loki.get(recording["request"]["path"]).mock(
            return_value=recorded_response("loki", name)
        )
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            with pytest.raises(LokiQueryError) as caught:
                await LokiClient(http).query_range(recording["request"]["params"])
    assert route.call_count == 1  # a refused query is refused again: never retried
    assert caught.value.message.endswith(recording["body"].strip())
    assert caught.value.status_code == 400 and caught.value.details["status"] == 400
    assert (hint in caught.value.message) if hint else "beyond what" not in caught.value.message


async def test_a_gzip_answer_is_read_and_capped_as_the_bytes_it_holds() -> None:
    # Loki compresses answers for clients that accept gzip (httpx asks by default); the byte cap
    # counts the answer as read, not as sent, so a small compressed body cannot grow unbounded.
    plain = recorded_response("loki", "query_range-streams-unfiltered-onset.json").content
    packed = gzip.compress(plain)
    assert len(packed) * 3 < len(plain)
    headers = {"content-type": "application/json", "content-encoding": "gzip"}
    with respx.mock(base_url=LOKI_URL) as loki:
        route = loki.get("/loki/api/v1/query_range").mock(
            return_value=httpx.Response(200, content=packed, headers=headers)
        )
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            whole = await LokiClient(http).query_range({"query": "{}"})
            cut = await LokiClient(http, max_response_bytes=len(packed) + 1).query_range({})
    assert "gzip" in route.calls[0].request.headers["accept-encoding"]
    assert whole.complete and whole.content == plain
    assert parse_json(whole.content)["data"]["resultType"] == "streams"
    assert not cut.complete and cut.content == plain[: len(packed) + 1]
    salvaged = decode_streams(cut.content, 5000, complete=False)
    assert 0 < len(salvaged.rows) < len(decode_streams(plain, 5000).rows)
