"""A level field that holds numbers: pino's and bunyan's (30 info, 40 warn, 50 error, 60 fatal).

A Node.js service logging with pino writes ``{"level":50,"msg":"connect ECONNREFUSED"}``;
Filebeat, Fluent Bit or Logstash decoding that JSON index ``level`` as a number (``long`` under
dynamic mapping).
"""

from __future__ import annotations

from typing import Any

import pytest

from log_analyzer.logs.entries import STORE_LEVEL
from log_analyzer.logs.levels import Level
from log_analyzer.sources.opensearch.hits import DocReader, number_level
from log_analyzer.sources.opensearch.mapping import FieldNames, Kind, resolve

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
