"""A level field that holds numbers: pino's and bunyan's (30 info, 40 warn, 50 error, 60 fatal).

A Node.js service logging with pino writes ``{"level":50,"msg":"connect ECONNREFUSED"}``;
Filebeat, Fluent Bit or Logstash decoding that JSON index ``level`` as a number (``long`` under
dynamic mapping).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from log_analyzer.logs.entries import STORE_LEVEL
from log_analyzer.logs.levels import Level
from log_analyzer.logs.totals import Histogram, Totals
from log_analyzer.sources.base import CountQuery, LineFilter, Selection
from log_analyzer.sources.opensearch.hits import DocReader, number_level
from log_analyzer.sources.opensearch.mapping import FieldNames, Kind, resolve
from tests.sources.opensearch.conftest import Cluster, source_of

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
    Pino(30, "cache warmed, 0 errors"),  # info: its level word says nothing
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
    lines = []
    for n, doc in enumerate(PINO_DOCS):
        lines += [
            json.dumps({"index": {"_index": PINO_INDEX}}),
            json.dumps(pino_source(doc, start + n * 60_000)),
        ]
    with httpx.Client(base_url=cluster.url, timeout=30) as http:
        http.put(f"/{PINO_INDEX}", json={"mappings": mappings}).raise_for_status()
        answer = http.post(
            "/_bulk?refresh=true",
            content="\n".join(lines) + "\n",
            headers={"content-type": "application/x-ndjson"},
        ).json()
        assert answer["errors"] is False, answer
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


NUMBER_TYPES = [
    "long", "integer", "short", "byte", "unsigned_long",
    "double", "float", "half_float", "scaled_float",
]  # fmt: skip


def field_mapping(index: str, level: dict[str, Any]) -> dict[str, Any]:
    """A field-mapping answer for the level field, in the shape osmem-server answers
    ``GET <index>/_mapping/field/level`` (as OpenSearch documents it)."""
    return {index: {"mappings": {"level": {"full_name": "level", "mapping": {"level": level}}}}}


@pytest.mark.parametrize("kind", NUMBER_TYPES)
def test_a_numeric_level_field_is_a_number(kind: str) -> None:
    level = resolve(field_mapping("pino", {"type": kind}), FieldNames(), "pino")["level"]
    assert level.kind is Kind.NUMBER and level.exact == "level"
    assert not level.leveled  # no words to match: a range of numbers instead


def test_a_date_is_still_other() -> None:
    level = resolve(field_mapping("x", {"type": "date"}), FieldNames(), "x")["level"]
    assert level.kind is Kind.OTHER


def hit(level: object) -> dict[str, Any]:
    """A hit as a search answers it, less what the reader does not read: its ``_source``."""
    source: dict[str, Any] = {"@timestamp": "2026-12-04T10:00:00.000Z", "message": "m"}
    if level is not None:
        source["level"] = level
    return {"_index": "pino", "_id": "1", "_source": source}


@pytest.mark.parametrize(
    ("level", "label"),
    [
        pytest.param(10, "debug", id="trace"),
        pytest.param(20, "debug", id="debug"),
        pytest.param(30, "info", id="info"),
        pytest.param(40, "warn", id="warn"),
        pytest.param(50, "error", id="error"),
        pytest.param(60, "fatal", id="fatal"),
        pytest.param(50.0, "error", id="double"),
        pytest.param(39.5, "info", id="below-40"),
        pytest.param([50], "error", id="list"),
        pytest.param("error", "error", id="word-unchanged"),
        pytest.param("WARNING", "WARNING", id="word-case-unchanged"),
        pytest.param("50", "50", id="numeric-text-unchanged"),
        pytest.param(True, "true", id="bool-is-no-number"),
        pytest.param(None, None, id="no-level"),
    ],
)
def test_the_reader_labels_a_numeric_level_with_its_word(level: object, label: str | None) -> None:
    row = DocReader(FieldNames()).row(hit(level))
    assert row is not None
    assert row[0].get(STORE_LEVEL) == label


@pytest.mark.parametrize(
    ("value", "level"),
    [
        pytest.param(40, Level.WARN, id="int"),
        pytest.param(60.0, Level.FATAL, id="float"),
        pytest.param(float("nan"), None, id="nan"),
        pytest.param(False, None, id="bool"),
        pytest.param("50", None, id="text"),
        pytest.param(None, None, id="none"),
    ],
)
def test_number_level(value: object, level: Level | None) -> None:
    assert number_level(value) is level


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
