"""A time field mapped with ``epoch_second``: its ``_source`` number is seconds, not milliseconds.

Shippers that write Unix seconds (a Lambda's or a script's own JSON) are mapped with
``"format": "epoch_second"``; the document keeps the number, and only the mapping says what it
counts. The server's formatted ``fields`` value says it too, so that is what is read.
"""

from __future__ import annotations

import httpx
import pytest

from log_analyzer.sources.base import EntryQuery, LineFilter, Order, Selection, Window
from log_analyzer.sources.opensearch.hits import DocReader
from log_analyzer.sources.opensearch.mapping import FieldNames
from tests.sources.opensearch.conftest import Cluster, index_sources, source_of

pytestmark = pytest.mark.anyio
INDEX = "epoch-seconds"
FIRST = 1_796_292_000  # 2026-12-03T10:00:00Z


def seeded(cluster: Cluster) -> None:
    mappings = {
        "properties": {
            "@timestamp": {"type": "date", "format": "epoch_second"},
            "message": {"type": "text"},
            "kubernetes": {"properties": {"namespace_name": {"type": "keyword"}}},
        }
    }
    with httpx.Client(base_url=cluster.url) as http:
        if http.head(f"/{INDEX}").status_code == 200:
            return
        http.put(f"/{INDEX}", json={"mappings": mappings}).raise_for_status()
        sources = []
        for n in range(5):
            stamp: int | str = FIRST + 60 * n if n % 2 == 0 else str(FIRST + 60 * n)
            source = {"@timestamp": stamp, "message": f"line {n}"}
            sources.append({**source, "kubernetes": {"namespace_name": "jobs"}})
        index_sources(http, INDEX, sources)


async def test_epoch_seconds_are_read_as_seconds(cluster: Cluster) -> None:
    seeded(cluster)
    window = Window((FIRST - 60) * 10**9, (FIRST + 600) * 10**9)
    query = EntryQuery(window, Selection.of({"namespace": "jobs"}), LineFilter.every(), 10)
    async with source_of(cluster.url, index=INDEX) as source:
        oldest = await source.entries(
            EntryQuery(query.window, query.selection, query.line_filter, 10, Order.OLDEST)
        )
    rows = oldest.decoded().rows
    assert [(ts, line) for _, ts, line in rows] == [
        ((FIRST + 60 * n) * 10**9, f"line {n}") for n in range(5)
    ]


def test_an_iso_text_keeps_its_nanoseconds_over_the_formatted_millis() -> None:
    hit = {
        "_source": {"@timestamp": "2026-12-03T10:00:00.123456789Z", "message": "m"},
        "fields": {"@timestamp": ["2026-12-03T10:00:00.123Z"]},
    }
    row = DocReader(FieldNames()).row(hit)
    assert row is not None and row[1] == FIRST * 10**9 + 123_456_789


def test_a_number_without_a_formatted_value_is_epoch_millis() -> None:
    row = DocReader(FieldNames()).row(
        {"_source": {"@timestamp": 1_796_292_000_123, "message": "m"}}
    )
    assert row is not None and row[1] == FIRST * 10**9 + 123_000_000
