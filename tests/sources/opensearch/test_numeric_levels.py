"""A level field that holds numbers: pino's and bunyan's (30 info, 40 warn, 50 error, 60 fatal).

A Node.js service logging with pino writes ``{"level":50,"msg":"connect ECONNREFUSED"}``;
Filebeat, Fluent Bit or Logstash decoding that JSON index ``level`` as a number (``long`` under
dynamic mapping).
"""

from __future__ import annotations

from typing import Any

import pytest

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
