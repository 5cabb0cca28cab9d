"""Totals and histograms from OpenSearch's aggregations, checked against counts of the seed."""

from __future__ import annotations

import asyncio
import re
from collections import Counter

import httpx
import pytest

from log_analyzer.logs.levels import Level
from log_analyzer.logs.totals import Histogram, Totals
from log_analyzer.sources.base import CountQuery, EntryQuery, LineFilter, Selection, Window
from log_analyzer.sources.opensearch.client import OpenSearchClient
from log_analyzer.sources.opensearch.errors import OpenSearchUnavailable
from log_analyzer.sources.opensearch.source import OpenSearchSource
from tests.sources.opensearch.conftest import Cluster, shop, source_of
from tests.sources.opensearch.seed import INDEX, Doc, level_name
from tests.sources.opensearch.test_entries import severe

pytestmark = pytest.mark.anyio
_NS = 1_000_000_000


def levels_of(totals: Totals) -> dict[str, int]:
    return {level.value: n for level, n in totals.by_level}


def sources_of(docs: list[Doc]) -> dict[str, int]:
    return dict(Counter(f"{d.pod}/{d.container}" for d in docs))


def per_bucket(docs: list[Doc], step: int) -> dict[int, dict[str, int]]:
    """Documents per bucket end (unix seconds) and level, counted from the seed."""
    found: dict[int, Counter[str]] = {}
    for doc in docs:
        end = (doc.ts_ms // 1000 // step + 1) * step
        found.setdefault(end, Counter())[level_name(doc)] += 1
    return {ts: dict(counts) for ts, counts in found.items()}


def nonzero(histogram: Histogram) -> dict[int, dict[str, int]]:
    return {
        ts: {level.value: int(n) for level, n in counts.items() if n}
        for ts, counts in histogram.points
        if any(counts.values())
    }


async def test_totals_of_every_line_are_aggregations(cluster: Cluster) -> None:
    async with source_of(cluster.url) as source:
        totals = await source.totals(CountQuery(cluster.window(), shop(), LineFilter.every()))
    docs = cluster.shop()
    assert totals.total == len(docs)
    assert levels_of(totals) == dict(Counter(level_name(d) for d in docs))
    assert dict(totals.by_source) == sources_of(docs)
    assert '"composite"' in totals.query and "counted in the service" not in totals.query


async def test_totals_of_the_default_selection(cluster: Cluster) -> None:
    async with source_of(cluster.url) as source:
        totals = await source.totals(CountQuery(cluster.window(), shop(), LineFilter.default()))
    docs = [d for d in cluster.shop() if severe(d)]
    assert totals.total == len(docs)
    assert levels_of(totals) == dict(Counter(level_name(d) for d in docs))
    assert dict(totals.by_source) == sources_of(docs)
    # Leveled documents by aggregation; the few without a level read and matched here.
    assert '"composite"' in totals.query and "counted in the service" in totals.query
    assert "SAMPLE" not in totals.query


async def test_totals_with_a_log_filter_are_counted_in_the_service(cluster: Cluster) -> None:
    pattern = "(?i)upstream"
    async with source_of(cluster.url) as source:
        totals = await source.totals(
            CountQuery(cluster.window(), shop(), LineFilter(pattern=pattern))
        )
    docs = [d for d in cluster.shop() if re.search(pattern, d.message)]
    assert totals.total == len(docs) > 0
    assert levels_of(totals) == dict(Counter(level_name(d) for d in docs))
    assert "counted in the service" in totals.query and "SAMPLE" not in totals.query


async def test_no_counts_past_the_scan_cap_since_they_would_be_a_sample(
    cluster: Cluster,
) -> None:
    query = CountQuery(cluster.window(), shop(), LineFilter(pattern="GET"))
    async with source_of(cluster.url, max_scan=1000, page_size=250) as source:
        with pytest.raises(OpenSearchUnavailable) as totals:
            await source.totals(query)
        with pytest.raises(OpenSearchUnavailable) as buckets:
            await source.histogram(query, 300)
    for caught in (totals, buckets):
        assert caught.value.message == (
            "no true totals: the service matches these lines itself (then RE2 in the service: "
            "lines match GET) and stopped after reading 1,000 of the 5,880 documents "
            "(OPENSEARCH_MAX_SCAN_DOCUMENTS); what it counted would be a sample"
        )


async def test_a_scan_cap_leaves_the_entries_sampled(cluster: Cluster) -> None:
    query = EntryQuery(cluster.window(), shop(), LineFilter(pattern="GET"), 5000)
    async with source_of(cluster.url, max_scan=1000, page_size=250) as source:
        raw = await source.entries(query)
    decoded = raw.decoded()
    assert decoded.more and 0 < len(decoded.rows) <= 1000
    assert "stopped after reading 1,000 documents (OPENSEARCH_MAX_SCAN_DOCUMENTS)" in raw.query


@pytest.mark.parametrize("step", [10, 60, 300, 3600, 86_400])
async def test_histogram_of_every_line_matches_the_seed(cluster: Cluster, step: int) -> None:
    async with source_of(cluster.url) as source:
        histogram = await source.histogram(
            CountQuery(cluster.window(), shop(), LineFilter.every()), step
        )
    assert histogram.step_seconds == step
    assert nonzero(histogram) == per_bucket(cluster.shop(), step)
    assert (
        '"date_histogram"' in histogram.query and f'"fixed_interval": "{step}s"' in histogram.query
    )


async def test_daily_buckets_over_thirty_days(cluster: Cluster) -> None:
    end_ns = cluster.window().end_ns
    window = Window(end_ns - 30 * 86_400 * _NS, end_ns)
    async with source_of(cluster.url) as source:
        histogram = await source.histogram(CountQuery(window, shop(), LineFilter.default()), 86_400)
    assert len(histogram.points) in (30, 31)
    assert nonzero(histogram) == per_bucket([d for d in cluster.shop() if severe(d)], 86_400)


async def test_histogram_with_a_log_filter_matches_the_seed(cluster: Cluster) -> None:
    pattern = "too many clients"
    async with source_of(cluster.url) as source:
        histogram = await source.histogram(
            CountQuery(cluster.window(), shop(), LineFilter(pattern=pattern)), 300
        )
    want = per_bucket([d for d in cluster.shop() if pattern in d.message], 300)
    assert nonzero(histogram) == want
    assert all(set(levels) <= {"fatal"} for levels in want.values())
    assert "counted in the service" in histogram.query


async def test_counts_of_another_namespace_and_an_empty_window(cluster: Cluster) -> None:
    ops = Selection.of({"namespace": "ops"})
    before = Window(cluster.window().start_ns - 3600 * _NS, cluster.window().start_ns)
    async with source_of(cluster.url) as source:
        totals = await source.totals(CountQuery(cluster.window(), ops, LineFilter.default()))
        empty = await source.totals(CountQuery(before, shop(), LineFilter.every()))
    assert totals.total == sum(1 for d in cluster.docs if d.namespace == "ops")
    assert levels_of(totals) == {Level.ERROR.value: totals.total}
    assert empty.total == 0 and empty.by_level == ()


async def test_totals_and_buckets_asked_at_once_share_one_scan(cluster: Cluster) -> None:
    opened: list[str] = []
    async with httpx.AsyncClient(base_url=cluster.url, timeout=30) as upstream:

        async def forward(request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/_search/point_in_time") and request.method == "POST":
                opened.append(request.url.path)
            answer = await upstream.request(
                request.method,
                request.url.path,
                params=request.url.params,
                content=request.content,
                headers={"content-type": "application/json"},
            )
            return httpx.Response(answer.status_code, content=answer.content)

        transport = httpx.MockTransport(forward)
        async with httpx.AsyncClient(transport=transport, base_url="http://cluster") as http:
            source = OpenSearchSource(OpenSearchClient(http), index=INDEX)
            query = CountQuery(cluster.window(), shop(), LineFilter(pattern="(?i)upstream"))
            totals, histogram = await asyncio.gather(
                source.totals(query), source.histogram(query, 300)
            )
            again = await source.totals(query)  # after the scan ended: a scan of its own
    docs = [d for d in cluster.shop() if re.search("(?i)upstream", d.message)]
    assert totals.total == again.total == len(docs)
    assert nonzero(histogram) == per_bucket(docs, 300)
    assert opened == ["/fluent-bit/_search/point_in_time"] * 2
