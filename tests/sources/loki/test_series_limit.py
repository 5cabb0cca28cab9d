"""Totals of a window with more groups than Loki's ``max_query_series``: counted by level only.

The 400 is `reconstructed-error-max-series.json` (the template of Loki 3's
``pkg/logqlmodel/error.go`` ``NewSeriesLimitError`` and ``pkg/querier/queryrange/limits.go``
``limitErrTmpl``, from the shared contracts). The by-level answer is DERIVED from a recording:
the series of `query-vector-by-level-pod-container.json` summed by ``detected_level``, which is
what ``sum by (detected_level)`` over the same selection answers, in the same vector shape.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from log_analyzer.logs.levels import Level
from log_analyzer.sources.base import CountQuery, LineFilter, Selection, Window
from log_analyzer.sources.loki.client import LokiClient
from log_analyzer.sources.loki.errors import LokiQueryError, LokiSeriesLimit, LokiTimeout
from log_analyzer.sources.loki.shapes import parse_vector
from log_analyzer.sources.loki.source import LokiSource
from tests.conftest import LOKI_URL, recorded, recorded_response
from tests.sources.loki.otlp import OTEL

pytestmark = pytest.mark.anyio
GROUPED = recorded("loki", "query-vector-by-level-pod-container.json")
SHOP = Selection.of({"namespace": "shop-cap"})
END_NS = int(GROUPED["request"]["params"]["time"])
WINDOW = Window(END_NS - 32 * 60 * 10**9, END_NS)


def by_level() -> dict[str, Any]:
    sums: dict[str, float] = {}
    stamp = None
    for item in GROUPED["body"]["data"]["result"]:
        level = item["metric"]["detected_level"]
        stamp, value = item["value"]
        sums[level] = sums.get(level, 0.0) + float(value)
    result = [
        {"metric": {"detected_level": level}, "value": [stamp, f"{n:g}"]}
        for level, n in sorted(sums.items())
    ]
    return {**GROUPED["body"], "data": {"resultType": "vector", "result": result}}


def answer(request: httpx.Request) -> httpx.Response:
    query = parse_qs(request.url.query.decode())["query"][0]
    if "by (detected_level, pod, container)" in query:
        return recorded_response("loki", "reconstructed-error-max-series.json")
    assert "by (detected_level)" in query
    return httpx.Response(200, json=by_level())


async def test_too_many_series_are_counted_by_level_only() -> None:
    with respx.mock(base_url=LOKI_URL) as loki:
        route = loki.get("/loki/api/v1/query").mock(side_effect=answer)
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            source = LokiSource(LokiClient(http))
            totals = await source.totals(CountQuery(WINDOW, SHOP, LineFilter.default()))
    recorded_total = sum(float(i["value"][1]) for i in GROUPED["body"]["data"]["result"])
    assert route.call_count == 2
    assert totals.total == recorded_total
    # The same split by level as the grouped recording gives, without the split by source.
    assert totals.by_level == parse_vector(GROUPED["body"]).by_level
    assert {level for level, _ in totals.by_level} >= {Level.ERROR, Level.WARN}
    assert totals.by_source == ()
    assert totals.query.startswith("sum by (detected_level) (count_over_time(")
    assert "by level only, not by pod and container" in totals.query
    assert "maximum number of series (500) reached" in totals.query


async def test_under_otlp_labels_the_fallback_names_the_labels_it_could_not_group_by() -> None:
    # The same 400 and the same by-level answer, for a store whose labels are OTLP's.
    def otlp_answer(request: httpx.Request) -> httpx.Response:
        query = parse_qs(request.url.query.decode())["query"][0]
        assert '{k8s_namespace_name="shop-cap"}' in query
        if "by (detected_level, k8s_pod_name, k8s_container_name)" in query:
            return recorded_response("loki", "reconstructed-error-max-series.json")
        assert "by (detected_level) (" in query
        return httpx.Response(200, json=by_level())

    with respx.mock(base_url=LOKI_URL) as loki:
        route = loki.get("/loki/api/v1/query").mock(side_effect=otlp_answer)
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            source = LokiSource(LokiClient(http), OTEL)
            totals = await source.totals(CountQuery(WINDOW, SHOP, LineFilter.default()))
    assert route.call_count == 2
    assert totals.by_level == parse_vector(GROUPED["body"]).by_level
    assert totals.by_source == ()
    assert totals.query.startswith(
        'sum by (detected_level) (count_over_time({k8s_namespace_name="shop-cap"} '
    )
    assert (
        "; by level only, not by pod and container (k8s_pod_name, k8s_container_name): Loki "
        "refused sum by (detected_level, k8s_pod_name, k8s_container_name) (count_over_time("
        '{k8s_namespace_name="shop-cap"} '
    ) in totals.query


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(recorded("loki", "reconstructed-error-max-series.json")["body"], id="loki-3"),
        # Loki 2.9 and early 3.x: pkg/logqlmodel/error.go NewSeriesLimitError, shorter wording.
        pytest.param("maximum of series (500) reached for a single query", id="loki-2.9"),
    ],
)
async def test_the_series_limit_is_named_in_both_wordings(text: str) -> None:
    with respx.mock(base_url=LOKI_URL) as loki:
        loki.get("/loki/api/v1/query").mock(return_value=httpx.Response(400, text=text))
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            with pytest.raises(LokiSeriesLimit) as caught:
                await LokiClient(http).query({"query": "x", "time": "1"})
    assert isinstance(caught.value, LokiQueryError)
    assert caught.value.code == "loki_query_error"
    assert "max_query_series" in caught.value.message


async def test_a_by_level_refusal_too_is_reported() -> None:
    with respx.mock(base_url=LOKI_URL) as loki:
        loki.get("/loki/api/v1/query").mock(
            return_value=recorded_response("loki", "reconstructed-error-max-series.json")
        )
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            with pytest.raises(LokiSeriesLimit):
                await LokiSource(LokiClient(http)).totals(
                    CountQuery(WINDOW, SHOP, LineFilter.default())
                )


async def test_one_deadline_bounds_the_grouped_query_and_the_one_by_level() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.2)
        return answer(request)

    async with httpx.AsyncClient(base_url=LOKI_URL, transport=httpx.MockTransport(slow)) as http:
        source = LokiSource(LokiClient(http, deadline_seconds=0.3))
        with pytest.raises(LokiTimeout, match="SOURCE_QUERY_DEADLINE_SECONDS"):
            await source.totals(CountQuery(WINDOW, SHOP, LineFilter.default()))  # 0.2 s twice
