"""The line filter as a Lucene regexp, where it means the same as the RE2 regex."""

from __future__ import annotations

import pytest

from log_analyzer.sources.opensearch.lucene import LuceneRegex
from log_analyzer.sources.opensearch.query import contains_regexp


@pytest.mark.parametrize(
    ("pattern", "lucene"),
    [
        pytest.param("timeout", LuceneRegex(".*(timeout).*"), id="literal"),
        pytest.param("a|b", LuceneRegex(".*(a|b).*"), id="alternation-grouped"),
        pytest.param("(?i)refused", LuceneRegex(".*(refused).*", True), id="case-insensitive"),
        pytest.param("pq: x.y", LuceneRegex(".*(pq\\:\\ x[^\n]y).*"), id="escaped-and-dot"),
        pytest.param("^GET", None, id="anchored-start"),
        pytest.param("done$", None, id="anchored-end"),
        pytest.param(r"\d{3}", None, id="counted"),
        pytest.param(r"\bword\b", None, id="word-boundary"),
    ],
)
def test_contains_regexp(pattern: str, lucene: LuceneRegex | None) -> None:
    assert contains_regexp(pattern) == lucene
