"""Entries from a real OpenSearch-compatible server (osmem-server), seeded with the incident."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import httpx
import pytest

from log_analyzer.logs.entries import STORE_LEVEL, Row
from log_analyzer.sources.base import CountQuery, EntryQuery, LineFilter, Order, Selection
from log_analyzer.sources.opensearch.client import OpenSearchClient
from log_analyzer.sources.opensearch.filters import SEVERE_LEVELS
from log_analyzer.sources.opensearch.source import OpenSearchSource
from tests.sources.opensearch.conftest import KEYWORD_INDEX, Cluster, shop, source_of
from tests.sources.opensearch.seed import CAUSE, INDEX, Doc

pytestmark = pytest.mark.anyio
_SEVERE_LINE = re.compile(
    r"(?i)(error|warn|fail|exception|panic|fatal|crit|emerg|alert\])|^[EWF]\d{4} "
)


def severe(doc: Doc) -> bool:
    """The default selection, computed from the seed: a severe level, or a severe line."""
    if doc.level is not None:
        return doc.level.lower() in SEVERE_LEVELS
    return _SEVERE_LINE.search(doc.message) is not None


def keys(rows: Sequence[Row]) -> list[tuple[int, str]]:
    return [(ts // 1_000_000, line) for _, ts, line in rows]


def expected(docs: list[Doc], order: Order, limit: int) -> list[tuple[int, str]]:
    ordered = sorted(docs, key=lambda d: d.ts_ms, reverse=order is Order.NEWEST)
    return [(doc.ts_ms, doc.message) for doc in ordered[:limit]]


def ms_sorted(pairs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    # Documents of the same millisecond may come in any order; compare them as sets.
    return sorted(pairs)


@pytest.mark.parametrize("order", [Order.NEWEST, Order.OLDEST], ids=["newest", "oldest"])
async def test_every_line_in_both_orders_paged_up_to_the_limit(
    cluster: Cluster, order: Order
) -> None:
    limit = 1234  # over five pages of 250
    async with source_of(cluster.url, page_size=250) as source:
        raw = await source.entries(
            EntryQuery(cluster.window(), shop(), LineFilter.every(), limit, order)
        )
    decoded = raw.decoded()
    rows = keys(decoded.rows)
    want = expected(cluster.shop(), order, limit)
    assert len(rows) == limit and decoded.more
    assert ms_sorted(rows) == ms_sorted(want)
    stamps = [ts for ts, _ in rows]
    assert stamps == sorted(stamps, reverse=order is Order.NEWEST)
    assert len(raw.payload.contents) >= 5  # one answer per page of 250
    assert '"search_after"' not in raw.query and '"size": 250' in raw.query


async def test_a_window_smaller_than_the_limit_is_read_whole(cluster: Cluster) -> None:
    async with source_of(cluster.url, page_size=500) as source:
        raw = await source.entries(
            EntryQuery(cluster.window(), shop(container="checkout"), LineFilter.every(), 5000)
        )
    decoded = raw.decoded()
    want = [d for d in cluster.shop() if d.container == "checkout"]
    assert len(decoded.rows) == len(want) and not decoded.more
    assert ms_sorted(keys(decoded.rows)) == ms_sorted(expected(want, Order.NEWEST, 5000))


async def test_the_default_selection_filters_on_the_level_field(cluster: Cluster) -> None:
    async with source_of(cluster.url, page_size=400) as source:
        raw = await source.entries(
            EntryQuery(cluster.window(), shop(), LineFilter.default(), 100_000)
        )
    decoded = raw.decoded()
    want = [d for d in cluster.shop() if severe(d)]
    assert ms_sorted(keys(decoded.rows)) == ms_sorted(expected(want, Order.NEWEST, 100_000))
    # Levels in every casing the seed wrote, selected by OpenSearch, not by a regex.
    levels = {labels.get(STORE_LEVEL) for labels, _, _ in decoded.rows}
    assert {"error", "ERROR", "Error", "WARNING", "Warning", "CRITICAL", None} <= levels
    assert '"terms": {"level.keyword": [' in raw.query
    # Lines without a level are the only ones the service matches itself.
    assert "lines of documents without a level match" in raw.query


async def test_a_level_word_in_the_message_does_not_select_an_info_document(
    cluster: Cluster,
) -> None:
    async with source_of(cluster.url) as source:
        raw = await source.entries(
            EntryQuery(cluster.window(), shop(container="frontend"), LineFilter.default(), 10_000)
        )
    rows = raw.decoded().rows
    want = [d for d in cluster.shop() if d.container == "frontend" and severe(d)]
    assert len(rows) == len(want)
    # "upstream checkout failed" is an error by its level; "GET /api/cart 200" never.
    assert all("502" in line for _, _, line in rows)


async def test_the_log_filter_applies_to_the_message(cluster: Cluster) -> None:
    pattern = r"deadline exceeded|too many clients"
    async with source_of(cluster.url) as source:
        raw = await source.entries(
            EntryQuery(cluster.window(), shop(), LineFilter(pattern=pattern), 10_000)
        )
    decoded = raw.decoded()
    matcher = re.compile(pattern)
    want = [d for d in cluster.shop() if matcher.search(d.message)]
    assert ms_sorted(keys(decoded.rows)) == ms_sorted(expected(want, Order.NEWEST, 10_000))
    assert any(CAUSE in line for _, _, line in decoded.rows)
    assert f"lines match {pattern}" in raw.query


async def test_a_log_filter_and_the_default_selection_hold_together(cluster: Cluster) -> None:
    pattern = "(?i)upstream"
    line_filter = LineFilter(pattern=pattern, severe=True)
    async with source_of(cluster.url) as source:
        raw = await source.entries(EntryQuery(cluster.window(), shop(), line_filter, 10_000))
    want = [d for d in cluster.shop() if severe(d) and re.search(pattern, d.message)]
    assert ms_sorted(keys(raw.decoded().rows)) == ms_sorted(expected(want, Order.NEWEST, 10_000))


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        pytest.param(
            {"container": "payments"}, lambda d: d.container == "payments", id="container"
        ),
        pytest.param({"node": "node-c"}, lambda d: d.node == "node-c", id="node"),
        pytest.param(
            {"pod": "checkout-.*-h7t2w"},
            lambda d: d.pod == "checkout-5d8b9c-h7t2w",
            id="pod-regexp",
        ),
        pytest.param(
            {"pod": r"(?i)PAYMENTS-\w+-k9r1s"},
            lambda d: d.pod == "payments-7f6d5e-k9r1s",
            id="pod-regex-in-the-service",
        ),
    ],
)
async def test_term_filters_select_their_documents(
    cluster: Cluster, filters: dict[str, str], keep: Callable[[Doc], bool]
) -> None:
    async with source_of(cluster.url) as source:
        raw = await source.entries(
            EntryQuery(cluster.window(), shop(**filters), LineFilter.every(), 10_000)
        )
    rows = raw.decoded().rows
    want = [d for d in cluster.shop() if keep(d)]
    assert len(want) > 0 and len(rows) == len(want)
    assert {labels["namespace"] for labels, _, _ in rows} == {"shop"}


async def test_the_namespace_is_a_term_on_the_keyword_sub_field(cluster: Cluster) -> None:
    async with source_of(cluster.url) as source:
        raw = await source.entries(
            EntryQuery(cluster.window(), Selection.of({"namespace": "ops"}), LineFilter.every(), 10)
        )
    assert '{"term": {"kubernetes.namespace_name.keyword": "ops"}}' in raw.query
    rows = raw.decoded().rows
    assert rows and {labels["container"] for labels, _, _ in rows} == {"cronjob"}


async def test_an_index_mapping_keywords_uses_the_fields_themselves(cluster: Cluster) -> None:
    selection = Selection.of({"index": KEYWORD_INDEX, "namespace": "shop"})
    async with source_of(cluster.url) as source:
        raw = await source.entries(
            EntryQuery(cluster.window(), selection, LineFilter.default(), 100_000)
        )
    want = [d for d in cluster.shop() if severe(d)]
    assert len(raw.decoded().rows) == len(want)
    assert '{"term": {"kubernetes.namespace_name": "shop"}}' in raw.query
    assert '"terms": {"level": [' in raw.query


async def test_entries_of_an_index_pattern(cluster: Cluster) -> None:
    selection = Selection.of({"index": "fluent-*", "container": "cronjob"})
    async with source_of(cluster.url) as source:
        raw = await source.entries(
            EntryQuery(cluster.window(), selection, LineFilter.every(), 10_000)
        )
    assert len(raw.decoded().rows) == sum(1 for d in cluster.docs if d.container == "cronjob")
    assert raw.query.startswith("POST fluent-*/_search ")


async def test_a_log_filter_is_a_regexp_where_the_message_is_kept_whole(
    cluster: Cluster,
) -> None:
    pattern = "(?i)DEADLINE exceeded|too many clients"
    selection = Selection.of({"index": KEYWORD_INDEX, "namespace": "shop"})
    async with source_of(cluster.url) as source:
        raw = await source.entries(
            EntryQuery(cluster.window(), selection, LineFilter(pattern=pattern), 10_000)
        )
        totals = await source.totals(
            CountQuery(cluster.window(), selection, LineFilter(pattern=pattern))
        )
    want = [d for d in cluster.shop() if re.search(pattern, d.message)]
    assert ms_sorted(keys(raw.decoded().rows)) == ms_sorted(expected(want, Order.NEWEST, 10_000))
    assert (
        r'{"regexp": {"message": {"value": ".*(DEADLINE\\ exceeded|too\\ many\\ clients).*", '
        '"case_insensitive": true}}}' in raw.query
    )
    assert "RE2" not in raw.query
    assert totals.total == len(want) and "counted in the service" not in totals.query


async def test_a_log_filter_lucene_cannot_carry_stays_in_the_service(cluster: Cluster) -> None:
    pattern = r"^cart \d{1,4} priced$"
    selection = Selection.of({"index": KEYWORD_INDEX, "namespace": "shop"})
    async with source_of(cluster.url) as source:
        raw = await source.entries(
            EntryQuery(cluster.window(), selection, LineFilter(pattern=pattern), 10_000)
        )
    want = [d for d in cluster.shop() if re.search(pattern, d.message)]
    assert len(raw.decoded().rows) == len(want) > 0
    assert f"then RE2 in the service: lines match {pattern}" in raw.query


async def test_paging_without_a_point_in_time_when_the_user_may_not_open_one(
    cluster: Cluster,
) -> None:
    """BUILT BY HAND: a 403 to opening a point in time (osmem-server has no privileges); every
    other request goes on to osmem-server, so paging falls back to sorting by time and ``_id``."""
    asked: list[str] = []
    async with httpx.AsyncClient(base_url=cluster.url, timeout=30) as upstream:

        async def no_pit(request: httpx.Request) -> httpx.Response:
            asked.append(f"{request.method} {request.url.path}")
            if request.url.path.endswith("/_search/point_in_time"):
                cause = {"type": "security_exception", "reason": "no permissions for [pit]"}
                return httpx.Response(403, json={"error": {"root_cause": [cause], **cause}})
            answer = await upstream.request(
                request.method,
                request.url.path,
                params=request.url.params,
                content=request.content,
                headers={"content-type": "application/json"},
            )
            return httpx.Response(answer.status_code, content=answer.content)

        transport = httpx.MockTransport(no_pit)
        async with httpx.AsyncClient(transport=transport, base_url="http://cluster") as http:
            source = OpenSearchSource(OpenSearchClient(http), index=INDEX, page_size=300)
            for order in (Order.NEWEST, Order.OLDEST):
                raw = await source.entries(
                    EntryQuery(cluster.window(), shop(), LineFilter.every(), 1000, order)
                )
                assert ms_sorted(keys(raw.decoded().rows)) == ms_sorted(
                    expected(cluster.shop(), order, 1000)
                )
                assert '{"_id": {"order":' in raw.query
    pit_asks = [a for a in asked if a.endswith("/_search/point_in_time")]
    assert pit_asks == ["POST /fluent-bit/_search/point_in_time"]  # not asked again
    assert asked.count("POST /fluent-bit/_search") == 8  # 4 pages of 300 for 1,001, twice


async def test_known_patterns_are_left_out_by_the_server(cluster: Cluster) -> None:
    """A coverage pass's ``exclude`` texts are ``must_not`` clauses OpenSearch applies."""
    excluded = ("upstream checkout failed", "context deadline exceeded after")
    line_filter = LineFilter(severe=True, exclude=excluded)
    async with source_of(cluster.url) as source:
        raw = await source.entries(EntryQuery(cluster.window(), shop(), line_filter, 10_000))
        totals = await source.totals(CountQuery(cluster.window(), shop(), line_filter))
    want = [d for d in cluster.shop() if severe(d) and not any(t in d.message for t in excluded)]
    assert ms_sorted(keys(raw.decoded().rows)) == ms_sorted(expected(want, Order.NEWEST, 10_000))
    assert totals.total == len(want)
    assert '"must_not": [{"match_phrase": {"message": "upstream checkout failed"}}' in raw.query
