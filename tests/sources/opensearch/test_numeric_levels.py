"""A level field that holds numbers: pino's and bunyan's (30 info, 40 warn, 50 error, 60 fatal).

A Node.js service logging with pino writes ``{"level":50,"msg":"connect ECONNREFUSED"}``;
Filebeat, Fluent Bit or Logstash decoding that JSON index ``level`` as a number (``long`` under
dynamic mapping). The pure parts here; against osmem-server in `test_pino`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from log_analyzer.logs.entries import STORE_LEVEL
from log_analyzer.logs.levels import Level
from log_analyzer.sources.base import SEVERE_PATTERN, LineFilter, Selection, Window
from log_analyzer.sources.opensearch.filters import ServiceFilter, Severe
from log_analyzer.sources.opensearch.hits import DocReader, number_level
from log_analyzer.sources.opensearch.mapping import Field, FieldNames, IndexFields, Kind, resolve
from log_analyzer.sources.opensearch.query import describe, plan

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


def numeric(kind: Kind = Kind.NUMBER) -> IndexFields:
    """Fields with the level resolved as ``kind``; the others as dynamic mapping has them."""
    names = FieldNames()
    resolved = {
        path: Field(path, Kind.TEXT_KEYWORD, f"{path}.keyword")
        for path in (names.message, names.namespace, names.pod, names.container, names.node)
    }
    resolved[names.level] = Field(names.level, kind, names.level)
    return IndexFields(names, resolved)


WINDOW = Window(1_796_292_000 * 1_000_000_000, 1_796_295_600 * 1_000_000_000)
SEVERE_NUMBER = {"range": {"level": {"gte": 40}}}
NO_LEVEL = {"bool": {"must_not": [{"exists": {"field": "level"}}]}}


def test_the_default_selection_of_a_numeric_level_is_a_range_from_40() -> None:
    found = plan(numeric(), WINDOW, Selection.of({"namespace": "api"}), LineFilter.default())
    filters = found.query["bool"]["filter"]
    assert filters[-1] == {"bool": {"should": [SEVERE_NUMBER, NO_LEVEL], "minimum_should_match": 1}}
    # The service matches only the documents without a level against SEVERE_PATTERN ...
    assert found.service == ServiceFilter(Severe.UNLEVELED)
    # ... so aggregations count the others exactly, and the service reads the rest.
    assert found.leveled == {"bool": {"filter": [*filters[:-1], SEVERE_NUMBER]}}
    assert found.unleveled == {
        "bool": {"filter": filters[:-1], "must_not": [{"exists": {"field": "level"}}]}
    }
    text = describe("pino", found.query, found.service)
    assert '{"range": {"level": {"gte": 40}}}' in text and '"terms"' not in text
    assert text.endswith(
        f"then RE2 in the service: lines of documents without a level match {SEVERE_PATTERN}"
    )


def test_a_numeric_level_with_a_log_filter_leaves_the_service_both() -> None:
    found = plan(numeric(), WINDOW, Selection(), LineFilter(pattern="ECONN", severe=True))
    assert SEVERE_NUMBER in found.query["bool"]["filter"][-1]["bool"]["should"]
    assert found.service == ServiceFilter(Severe.UNLEVELED, "ECONN")
    assert found.leveled is None and found.unleveled is None  # the service counts them all


def test_every_line_of_a_numeric_level_has_no_level_clause() -> None:
    found = plan(numeric(), WINDOW, Selection(), LineFilter.every())
    assert "level" not in json.dumps(found.query) and found.service is None


def test_a_level_field_neither_string_nor_number_is_left_to_the_service() -> None:
    found = plan(numeric(Kind.OTHER), WINDOW, Selection(), LineFilter.default())
    assert "level" not in json.dumps(found.query)
    assert found.service == ServiceFilter(Severe.EVERY)
