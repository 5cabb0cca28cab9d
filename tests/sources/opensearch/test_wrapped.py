"""Wrapped lines on osmem-server: documents whose message is a runtime's or a shipper's wrapper.

Fluent Bit's tail input without a parser keeps the node file's line whole in ``log``: a CRI
runtime's ``<time> stderr F <line>``, or Docker's ``{"log":"<line>\\n",...}`` record. No level
field is lifted from them, so the default selection is the service's RE2 over the line, and the
levels are read from the line inside.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from log_analyzer.logs.normalize import normalize_rows
from log_analyzer.sources.base import EntryQuery, LineFilter, Selection
from log_analyzer.sources.opensearch.mapping import FieldNames
from tests.sources.opensearch.conftest import Cluster, index_sources, source_of
from tests.wrapped import APP_LINES, cri, docker

pytestmark = pytest.mark.anyio
WRAPPED_INDEX = "wrapped-lines"
WRAPPERS = {"containerd": cri, "docker": docker}


def document(log: str, node_file: str, ts_ms: int) -> dict[str, Any]:
    """A Fluent Bit document of one line of a node's file, kept as it was read."""
    stamp = datetime.fromtimestamp(ts_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return {
        "@timestamp": stamp,
        "log": log,
        "kubernetes": {
            "namespace_name": "nodes",
            "pod_name": f"agent-{node_file}",
            "container_name": "agent",
        },
    }


@pytest.fixture(scope="module")
def wrapped(cluster: Cluster) -> Iterator[Cluster]:
    """`WRAPPED_INDEX` on the session's osmem-server, every line of `APP_LINES` in each
    wrapper, one document a minute over the last twenty minutes."""
    start = cluster.now_ms - 20 * 60_000
    sources: list[dict[str, Any]] = []
    for name, wrap in WRAPPERS.items():
        for app in APP_LINES:
            sources.append(document(wrap(app.line), name, start + len(sources) * 60_000))
    with httpx.Client(base_url=cluster.url, timeout=30) as http:
        index_sources(http, WRAPPED_INDEX, sources)
    yield cluster


async def test_the_default_selection_keeps_the_wrapped_warnings_and_worse(
    wrapped: Cluster,
) -> None:
    selection = Selection.of({"index": WRAPPED_INDEX, "namespace": "nodes"})
    query = EntryQuery(wrapped.window(), selection, LineFilter.default(), 1000)
    async with source_of(
        wrapped.url, index=WRAPPED_INDEX, names=FieldNames(message="log")
    ) as source:
        raw = await source.entries(query)
    rows = raw.decoded().rows
    want = sorted(wrap(app.line) for wrap in WRAPPERS.values() for app in APP_LINES if app.severe)
    assert sorted(line for _, _, line in rows) == want
    assert "then RE2 in the service" in raw.query
    read = {(entry.message, entry.level, entry.count) for entry in normalize_rows(rows)}
    assert read == {(app.message, app.level, 2) for app in APP_LINES if app.severe}
