"""An OpenSearch-compatible server (osmem-server) for the session, seeded with an incident.

The server is the binary the ``osmem-server`` wheel carries, run as its own process on a free
local port (as the CloudWatch tests run moto's server), seeded once over its REST API with
``_bulk`` and stopped when the session ends. It reports itself as OpenSearch 3.8.

Where osmem-server differs from an OpenSearch cluster, as far as these tests go: it has no
security plugin (credentials and 401/403 are tested through `gate`, built by hand), one node
and one shard per index (so ties of the sort across shards never arise here), and its cluster
health is yellow (one replica unassigned). Everything else these tests use (``_bulk``, field
mappings with dynamic ``.keyword`` sub-fields, point in time, ``search_after`` with
``_shard_doc``, ``regexp`` with ``case_insensitive``, ``composite``, ``terms`` and
``date_histogram`` aggregations, the ``index_not_found_exception`` body) answered as
OpenSearch documents it.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import httpx

from log_analyzer.sources.base import Selection, Window
from log_analyzer.sources.opensearch.client import OpenSearchClient
from log_analyzer.sources.opensearch.source import OpenSearchSource
from tests.sources.opensearch.seed import (
    INDEX,
    MONTH_INDEX,
    WINDOW_MS,
    Doc,
    bulk_body,
    incident,
    month,
)

KEYWORD_INDEX = "k8s-keyword"
"""An index whose template maps every string field as ``keyword`` (no ``.keyword`` sub-field)."""
_START_SECONDS = 30.0
_BATCH = 1000


@dataclass(frozen=True, slots=True)
class Cluster:
    """The running server and what was put into it."""

    url: str
    now_ms: int
    docs: tuple[Doc, ...]
    month: tuple[Doc, ...] = ()
    """The documents of `MONTH_INDEX`: thirty days of a small service."""

    def window(self) -> Window:
        """A window holding every seeded document, with a minute to spare at each end."""
        return Window(
            (self.now_ms - WINDOW_MS - 60_000) * 1_000_000, (self.now_ms + 60_000) * 1_000_000
        )

    def shop(self) -> list[Doc]:
        """The documents of the ``shop`` namespace, oldest first."""
        return [doc for doc in self.docs if doc.namespace == "shop"]


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def binary() -> str:
    """The server binary of the wheel (``osmem_server/bin/osmem-server``)."""
    return str(files("osmem_server") / "bin" / "osmem-server")


def _request(url: str, method: str, body: bytes | None, kind: str = "application/json") -> Any:
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": kind})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    """Return once the server answers ``GET /``."""
    deadline = time.monotonic() + _START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"osmem-server exited with {server.returncode}")
        try:
            _request(f"{url}/", "GET", None)
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    raise RuntimeError(f"osmem-server did not answer within {_START_SECONDS:g} s")


def seed(url: str, index: str, docs: list[Doc]) -> None:
    """Index ``docs`` with ``_bulk``, refreshed so searches see them at once."""
    for first in range(0, len(docs), _BATCH):
        answer = _request(
            f"{url}/_bulk?refresh=true",
            "POST",
            bulk_body(index, docs[first : first + _BATCH]),
            "application/x-ndjson",
        )
        assert answer["errors"] is False, answer


def index_sources(http: httpx.Client, index: str, sources: Iterable[Mapping[str, Any]]) -> None:
    """Index documents given as their ``_source`` with one ``_bulk``, refreshed at once."""
    lines = []
    for source in sources:
        lines += [json.dumps({"index": {"_index": index}}), json.dumps(source)]
    answer = http.post(
        "/_bulk?refresh=true",
        content="\n".join(lines) + "\n",
        headers={"content-type": "application/x-ndjson"},
    ).json()
    assert answer["errors"] is False, answer


def _keyword_index(url: str, docs: list[Doc]) -> None:
    keyword = {"type": "keyword"}
    mappings = {
        "properties": {
            "@timestamp": {"type": "date"},
            "message": keyword,
            "level": keyword,
            "kubernetes": {
                "properties": dict.fromkeys(
                    ("namespace_name", "pod_name", "container_name", "host"), keyword
                )
            },
        }
    }
    _request(f"{url}/{KEYWORD_INDEX}", "PUT", json.dumps({"mappings": mappings}).encode())
    seed(url, KEYWORD_INDEX, docs)


class running:
    """Start osmem-server on a free port, seed it, stop it on exit."""

    def __init__(self, docs: list[Doc] | None = None) -> None:
        self.docs = docs
        self.url = f"http://127.0.0.1:{free_port()}"
        self.server: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> str:
        # stdin is a pipe held open: the server exits when its stdin closes.
        self.server = subprocess.Popen(
            [binary(), "-addr", self.url.removeprefix("http://")],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(self.url, self.server)
            if self.docs:
                seed(self.url, INDEX, self.docs)
        except BaseException:
            self.__exit__()
            raise
        return self.url

    def __exit__(self, *_: object) -> None:
        server, self.server = self.server, None
        if server is None:
            return
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdin is not None:
            server.stdin.close()


def run_cluster() -> Iterator[Cluster]:
    """osmem-server on a free port of 127.0.0.1, seeded with the incident, while it runs.

    The session's `cluster` fixture (``tests/sources/conftest.py``) runs it once for every
    test of ``tests/sources/``.
    """
    now_ms = int(time.time() * 1000)
    docs = incident(now_ms)
    thirty_days = month(now_ms)
    with running(docs) as url:
        _keyword_index(url, docs)
        seed(url, MONTH_INDEX, thirty_days)
        yield Cluster(url, now_ms, tuple(docs), tuple(thirty_days))


@asynccontextmanager
async def source_of(url: str, **options: Any) -> AsyncIterator[OpenSearchSource]:
    """An `OpenSearchSource` over its own HTTP client; ``options`` go to its constructor."""
    async with httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(30, connect=3)) as http:
        client = OpenSearchClient(http, deadline_seconds=60)
        yield OpenSearchSource(client, index=options.pop("index", INDEX), **options)


def shop(**filters: str) -> Selection:
    """The ``shop`` namespace, with more filters."""
    return Selection.of({"namespace": "shop", **filters})
