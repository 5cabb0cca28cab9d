"""A time field no index maps, or maps as text, is an error, never an empty or wrong window.

On osmem-server: a range on a field no index maps matches no document, and one on a keyword
field compares strings, so without a check a mistyped ``OPENSEARCH_TIME_FIELD`` reads as a
quiet window.
"""

from __future__ import annotations

import httpx
import pytest

from log_analyzer.sources.base import CountQuery, EntryQuery, LineFilter
from log_analyzer.sources.opensearch.errors import OpenSearchQueryError
from log_analyzer.sources.opensearch.mapping import FieldNames, mapping_path, resolve
from tests.sources.opensearch.conftest import Cluster, shop, source_of
from tests.sources.opensearch.seed import INDEX

pytestmark = pytest.mark.anyio
TEXT_TIME = "time-as-keyword"


async def test_a_time_field_no_index_has_is_named(cluster: Cluster) -> None:
    window = cluster.window()
    async with source_of(cluster.url, names=FieldNames(time="timestamp")) as source:
        for call in (
            source.entries(EntryQuery(window, shop(), LineFilter.default(), 10)),
            source.totals(CountQuery(window, shop(), LineFilter.every())),
        ):
            with pytest.raises(OpenSearchQueryError) as caught:
                await call
            assert "has the time field 'timestamp' (OPENSEARCH_TIME_FIELD)" in caught.value.message
            assert caught.value.code == "opensearch_query_error"
            # The README names filters.index for it, as for a missing index: so does the error.
            assert caught.value.to_dict()["field"] == "filters.index"


async def test_a_time_field_mapped_as_text_is_named(cluster: Cluster) -> None:
    async with httpx.AsyncClient(base_url=cluster.url) as http:
        if (await http.head(f"/{TEXT_TIME}")).status_code != 200:
            mappings = {"properties": {"@timestamp": {"type": "keyword"}}}
            (await http.put(f"/{TEXT_TIME}", json={"mappings": mappings})).raise_for_status()
            doc = {"@timestamp": "2026-12-03T10:00:00Z", "message": "m"}
            (await http.post(f"/{TEXT_TIME}/_doc?refresh=true", json=doc)).raise_for_status()
    async with source_of(cluster.url, index=TEXT_TIME) as source:
        with pytest.raises(OpenSearchQueryError) as caught:
            await source.entries(EntryQuery(cluster.window(), shop(), LineFilter.default(), 10))
    assert "is mapped as keyword in 'time-as-keyword', not as a date" in caught.value.message
    assert caught.value.to_dict()["field"] == "filters.index"


def test_the_seeded_indices_map_a_date(cluster: Cluster) -> None:
    names = FieldNames()
    answer = httpx.get(cluster.url + mapping_path(INDEX, names)).json()  # the server's own
    fields = resolve(answer, names, INDEX)
    assert fields.time_types == {"date"}
    fields.check_time(INDEX)


ALIAS_TIME = "time-as-alias"


async def test_a_time_field_that_is_an_alias_of_a_date_is_read(cluster: Cluster) -> None:
    # ECS-style indices keep their time under one name and alias another to it; a range and a
    # sort on the alias read the date it points to.
    async with httpx.AsyncClient(base_url=cluster.url) as http:
        if (await http.head(f"/{ALIAS_TIME}")).status_code != 200:
            mappings = {
                "properties": {
                    "event_time": {"type": "date"},
                    "@timestamp": {"type": "alias", "path": "event_time"},
                    "message": {"type": "text"},
                    "kubernetes": {"properties": {"namespace_name": {"type": "keyword"}}},
                }
            }
            (await http.put(f"/{ALIAS_TIME}", json={"mappings": mappings})).raise_for_status()
            at = cluster.now_ms - 120_000
            doc = {"event_time": at, "message": "ERROR pool exhausted",
                   "kubernetes": {"namespace_name": "shop"}}  # fmt: skip
            (await http.post(f"/{ALIAS_TIME}/_doc?refresh=true", json=doc)).raise_for_status()
    async with source_of(cluster.url, index=ALIAS_TIME) as source:
        raw = await source.entries(EntryQuery(cluster.window(), shop(), LineFilter.default(), 10))
    assert [line for _, _, line in raw.decoded().rows] == ["ERROR pool exhausted"]


def test_an_alias_time_field_is_not_refused() -> None:
    # Built, not recorded: osmem-server answers the field-mapping API with the alias's target
    # type, while OpenSearch and Elasticsearch write the alias mapper itself (type alias and
    # its path; their FieldAliasMapper). Its target is not in the answer, so it is not refused.
    answer = {
        ALIAS_TIME: {
            "mappings": {
                "@timestamp": {
                    "full_name": "@timestamp",
                    "mapping": {"@timestamp": {"type": "alias", "path": "event_time"}},
                }
            }
        }
    }
    fields = resolve(answer, FieldNames(), ALIAS_TIME)
    assert fields.time_types == {"alias"}
    fields.check_time(ALIAS_TIME)
