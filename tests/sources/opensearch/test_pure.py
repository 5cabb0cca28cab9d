"""The pure parts: versions, times, and RE2 regexes carried to Lucene (checked on the server)."""

from __future__ import annotations

import re

import httpx
import pytest

from log_analyzer.sources.base import EntryQuery, LineFilter
from log_analyzer.sources.opensearch.client import parse_json, refusal
from log_analyzer.sources.opensearch.errors import OpenSearchBadResponse
from log_analyzer.sources.opensearch.hits import parse_time, search_hits
from log_analyzer.sources.opensearch.lucene import Untranslatable, to_lucene
from log_analyzer.sources.opensearch.server import Server, parse_root
from tests.sources.opensearch.conftest import Cluster, shop, source_of

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("server", "supported", "pit", "tiebreaker"),
    [
        pytest.param(Server("opensearch", "2.3.0"), True, None, "_id", id="os-2.3-no-pit"),
        pytest.param(
            Server("opensearch", "2.19.1"), True, "/logs/_search/point_in_time", "_id", id="os-2.19"
        ),
        pytest.param(
            Server("opensearch", "3.3.0"),
            True,
            "/logs/_search/point_in_time",
            "_shard_doc",
            id="os-3.3",
        ),
        pytest.param(
            Server("elasticsearch", "8.15.0"), True, "/logs/_pit", "_shard_doc", id="es-8"
        ),
        pytest.param(
            Server("elasticsearch", "7.17.0"), True, "/logs/_pit", "_shard_doc", id="es-7.17"
        ),
        pytest.param(Server("elasticsearch", "7.10.2"), True, "/logs/_pit", "_doc", id="es-7.10"),
        pytest.param(Server("elasticsearch", "7.9.3"), False, None, "_doc", id="es-7.9-no-pit"),
        pytest.param(Server("elasticsearch", "9.1.4"), True, "/logs/_pit", "_shard_doc", id="es-9"),
        pytest.param(
            Server("elasticsearch", "10.0.0"), False, "/logs/_pit", "_shard_doc", id="es-10"
        ),
        pytest.param(Server("opensearch", "1.3.19"), False, None, "_id", id="os-1"),
    ],
)
def test_versions(server: Server, supported: bool, pit: str | None, tiebreaker: str) -> None:
    assert server.supported is supported
    assert (server.refusal() is None) is supported
    assert server.pit_path("logs") == pit
    assert server.tiebreaker(pit is not None) == tiebreaker


def test_the_emulator_root_is_read(cluster: Cluster) -> None:
    root = httpx.get(f"{cluster.url}/").json()  # osmem-server's own answer to GET /
    server = parse_root(root)
    assert str(server) == "OpenSearch 3.8.0" and server.supported


@pytest.mark.parametrize(
    ("value", "ns"),
    [
        pytest.param("2026-12-03T10:00:00.123Z", 1_796_292_000_123_000_000, id="ms"),
        pytest.param("2026-12-03T10:00:00.123456789Z", 1_796_292_000_123_456_789, id="ns"),
        pytest.param("2026-12-03T11:00:00.5+01:00", 1_796_292_000_500_000_000, id="offset"),
        pytest.param(1_796_292_000_123, 1_796_292_000_123_000_000, id="epoch-ms"),
        pytest.param("1796292000123", 1_796_292_000_123_000_000, id="epoch-ms-text"),
        pytest.param("2026-12-03 10:00:00", 1_796_292_000_000_000_000, id="no-offset-is-utc"),
        pytest.param("2026-02-30T10:00:00Z", None, id="no-such-day-not-rolled-into-march"),
        pytest.param("1969-12-31T23:59:59Z", None, id="before-the-epoch"),
        pytest.param("yesterday", None, id="not-a-time"),
        pytest.param("\u00b2", None, id="superscript-two"),
        pytest.param("1" * 5_000, None, id="too-many-digits"),
        pytest.param(True, None, id="bool"),
    ],
)
def test_parse_time(value: object, ns: int | None) -> None:
    assert parse_time(value) == ns


@pytest.mark.parametrize("pattern", ["a@b", "x~y", "<1-9>", "a&b", "#", '"q"'])
def test_lucene_operators_in_a_pattern_are_literals(pattern: str) -> None:
    value = to_lucene(pattern).value
    for char in '@~<>&#"':
        assert char not in value.replace("\\" + char, "")


@pytest.mark.parametrize(
    "pattern",
    [r"\bx", "[[:alpha:]]", r"\pL", "a{,3}", "(?P<n>x)", "(?i)[a-z]", "a{\u00b2}", "a{1,\u00b2}"],
)
def test_untranslatable_regexes_are_refused(pattern: str) -> None:
    with pytest.raises(Untranslatable):
        to_lucene(pattern)


POD_REGEXES = [
    "checkout-.*",
    r"checkout-5d8b9c-(h7t2w|p4n6v)",
    r"^payments-\w+-k9r1s$",
    r"frontend-[0-9a-f]{6}-x2k4p",
    r"(?i)FRONTEND-6C9F7B-Q8M3Z",
    r"pay.+",
    r"[^c].*-m3j8d",
    r"\S+-\d[a-z]\d[a-z]\d[a-z]",
]


@pytest.mark.parametrize("pattern", POD_REGEXES)
async def test_pod_regexes_select_on_the_server_as_re2_would(
    cluster: Cluster, pattern: str
) -> None:
    """Each regex goes to OpenSearch as a ``regexp``; what it selects is what RE2 selects."""
    to_lucene(pattern)  # translatable, so OpenSearch does the matching
    async with source_of(cluster.url) as source:
        raw = await source.entries(
            EntryQuery(cluster.window(), shop(pod=pattern), LineFilter.every(), 100_000)
        )
    assert '"regexp": {"kubernetes.pod_name.keyword"' in raw.query
    assert "RE2" not in raw.query
    compiled = re.compile(pattern)
    want = sum(1 for d in cluster.shop() if compiled.fullmatch(d.pod))
    assert len(raw.decoded().rows) == want


def test_answers_nested_past_the_recursion_limit_are_bad_responses() -> None:
    deep = b"[" * 60_000  # json raises RecursionError for it, not ValueError
    with pytest.raises(OpenSearchBadResponse, match="not JSON"):
        parse_json(deep, "GET /")
    with pytest.raises(OpenSearchBadResponse, match="not JSON"):
        search_hits(deep)
    assert refusal(deep).type == ""
