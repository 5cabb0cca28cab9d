"""A pino service's documents on osmem-server: ``level`` mapped as ``long`` (see
`test_numeric_levels`), selected, read and counted by its numbers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.logs.entries import STORE_LEVEL
from log_analyzer.logs.totals import Histogram, Totals
from log_analyzer.sources.base import CountQuery, EntryQuery, LineFilter, Selection
from tests.sources.opensearch.conftest import Cluster, index_sources, source_of
from tests.sources.opensearch.test_api import app_over, stream

pytestmark = pytest.mark.anyio
PINO_INDEX = "pino-numeric"


@dataclass(frozen=True, slots=True)
class Pino:
    """One document of a pino service: its level number (None: a line pino did not write)."""

    level: int | None
    message: str
    namespace: str = "api"
    pod: str = "orders-api-7d9c5b-xk2lp"


PINO_DOCS = (
    Pino(30, "server listening on :3000"),
    Pino(30, "cache warmed, 0 errors"),  # an info line naming "errors": its number decides
    Pino(40, "slow query on orders took 2300ms"),
    Pino(50, "request failed: upstream answered 503"),
    Pino(50, "connect ECONNREFUSED 10.0.0.5:5432"),  # an error that names no level
    Pino(60, "out of memory, exiting"),
    Pino(None, "Error: unhandled rejection in worker 3"),  # node's own stderr, no JSON
    Pino(None, "npm notice: new version of npm available"),
    # pino's customLevels: a level between the standard ones counts as the one below it.
    Pino(50, "payment declined by issuer", namespace="custom", pod="billing-5f8d-q2w3e"),
    Pino(55, "payment provider unreachable", namespace="custom", pod="billing-5f8d-q2w3e"),
)
WORDS = {None: "unknown", 30: "info", 40: "warn", 50: "error", 55: "error", 60: "fatal"}


def pino_source(doc: Pino, ts_ms: int) -> dict[str, Any]:
    """The document as Filebeat or Fluent Bit writes it after decoding pino's JSON line."""
    stamp = datetime.fromtimestamp(ts_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    source: dict[str, Any] = {
        "@timestamp": stamp,
        "message": doc.message,
        "kubernetes": {
            "namespace_name": doc.namespace,
            "pod_name": doc.pod,
            "container_name": doc.pod.rsplit("-", 2)[0],
            "host": "node-a",
        },
    }
    if doc.level is not None:
        source |= {"level": doc.level, "pid": 1, "hostname": doc.pod}
    return source


@pytest.fixture(scope="module")
def pino(cluster: Cluster) -> Iterator[Cluster]:
    """`PINO_INDEX` on the session's osmem-server: ``level`` mapped as ``long``, the other
    strings by dynamic mapping (``text`` with a ``.keyword`` sub-field), one document a minute
    over the last ten minutes; the cluster with those documents' times."""
    mappings = {"properties": {"@timestamp": {"type": "date"}, "level": {"type": "long"}}}
    start = cluster.now_ms - 10 * 60_000
    sources = [pino_source(doc, start + n * 60_000) for n, doc in enumerate(PINO_DOCS)]
    with httpx.Client(base_url=cluster.url, timeout=30) as http:
        http.put(f"/{PINO_INDEX}", json={"mappings": mappings}).raise_for_status()
        index_sources(http, PINO_INDEX, sources)
        field = http.get(f"/{PINO_INDEX}/_mapping/field/level").json()
        assert field[PINO_INDEX]["mappings"]["level"]["mapping"]["level"]["type"] == "long"
    yield cluster


def api(**filters: str) -> Selection:
    return Selection.of({"index": PINO_INDEX, "namespace": "api", **filters})


def levels_of(totals: Totals) -> dict[str, int]:
    return {level.value: n for level, n in totals.by_level}


def histogram_levels(histogram: Histogram) -> dict[str, int]:
    found: Counter[str] = Counter()
    for _, counts in histogram.points:
        for level, n in counts.items():
            found[level.value] += int(n)
    return {level: n for level, n in found.items() if n}


def want_levels(docs: list[Pino]) -> dict[str, int]:
    return dict(Counter(WORDS[doc.level] for doc in docs))


async def test_counts_of_every_line_name_the_levels(pino: Cluster) -> None:
    query = CountQuery(pino.window(), api(), LineFilter.every())
    async with source_of(pino.url) as source:
        totals = await source.totals(query)
        histogram = await source.histogram(query, 60)
    want = want_levels([doc for doc in PINO_DOCS if doc.namespace == "api"])
    assert levels_of(totals) == want == {"info": 2, "warn": 1, "error": 2, "fatal": 1, "unknown": 2}
    assert histogram_levels(histogram) == want
    # Both by aggregation: OpenSearch's numeric keys, read as level words.
    assert '"composite"' in totals.query and "in the service" not in totals.query
    assert '"levels": {"terms": {"field": "level"' in histogram.query


async def test_numbers_naming_one_level_are_counted_together(pino: Cluster) -> None:
    query = CountQuery(pino.window(), api(namespace="custom"), LineFilter.every())
    async with source_of(pino.url) as source:
        totals = await source.totals(query)
        histogram = await source.histogram(query, 3600)
    assert levels_of(totals) == histogram_levels(histogram) == {"error": 2}  # 50 and 55


async def test_the_default_selection_keeps_warnings_and_worse_by_number(pino: Cluster) -> None:
    async with source_of(pino.url) as source:
        raw = await source.entries(EntryQuery(pino.window(), api(), LineFilter.default(), 1000))
    rows = raw.decoded().rows
    got = sorted((line, labels.get(STORE_LEVEL)) for labels, _, line in rows)
    assert got == [
        ("Error: unhandled rejection in worker 3", None),  # no level: matched by its line
        ("connect ECONNREFUSED 10.0.0.5:5432", "error"),
        ("out of memory, exiting", "fatal"),
        ("request failed: upstream answered 503", "error"),
        ("slow query on orders took 2300ms", "warn"),
    ]
    assert '{"range": {"level": {"gte": 40}}}' in raw.query
    assert "then RE2 in the service: lines of documents without a level match" in raw.query


async def test_counts_of_the_default_selection_name_the_levels(pino: Cluster) -> None:
    query = CountQuery(pino.window(), api(), LineFilter.default())
    async with source_of(pino.url) as source:
        totals = await source.totals(query)
        histogram = await source.histogram(query, 60)
    want = {"warn": 1, "error": 2, "fatal": 1, "unknown": 1}
    assert levels_of(totals) == histogram_levels(histogram) == want
    assert totals.total == 5
    # Leveled documents by aggregation, the one without a level read and matched here.
    assert '"composite"' in totals.query and "counted in the service" in totals.query


async def test_an_analysis_of_a_pino_service(pino: Cluster, spans: InMemorySpanExporter) -> None:
    body = {
        "source": "opensearch",
        "filters": {"index": PINO_INDEX, "namespace": "api"},
        "time_range": {"since": "2h"},
        "llm": False,
    }
    async with app_over(pino.url, spans) as client:
        events = await stream(client, "/v1/analyze/stream", body)
    summary = events[0]["summary"]
    # Counted by the store: the level field's numbers, and one document without a level.
    totals = summary["totals"]
    assert totals["lines"] == 5
    assert totals["by_level"] == {"warn": 1, "error": 2, "fatal": 1, "unknown": 1}
    # Read by the service: each entry's level (the unleveled one from its line's "Error:").
    assert summary["fetched_lines"] == 5
    assert summary["by_level"] == {"fatal": 1, "error": 3, "warn": 1}
    levels = {p["examples"][0]: p["level"] for p in summary["patterns"]}
    assert levels == {
        "out of memory, exiting": "fatal",
        "unhandled rejection in worker 3": "error",
        "connect ECONNREFUSED 10.0.0.5:5432": "error",
        "request failed: upstream answered 503": "error",
        "slow query on orders took 2300ms": "warn",
    }
    assert '{"range": {"level": {"gte": 40}}}' in summary["query"]
