"""The bundled incident as a `LogSource`: the in-memory store, holding the demo's lines.

The incident is generated once, for the 30 minutes before the source was opened; every query
reads that one set of lines, so entries, totals and buckets agree whatever the window asked.
"""

from __future__ import annotations

import time

from log_analyzer.sources.demo.incident import incident_lines, labels_of
from log_analyzer.sources.demo.memory import MemoryLine, MemorySource

INCIDENT_SECONDS = 1800
_NS = 1_000_000_000


class DemoSource(MemorySource):
    """Serves the bundled incident of the 30 minutes before ``now_ns``."""

    def __init__(self, now_ns: int | None = None, seed: int = 7) -> None:
        end = now_ns if now_ns is not None else time.time_ns()
        super().__init__(demo_lines(end - INCIDENT_SECONDS * _NS, end, seed), title="demo incident")


def demo_lines(start_ns: int, end_ns: int, seed: int = 7) -> list[MemoryLine]:
    """The demo incident's lines inside ``[start_ns, end_ns)``, as `MemorySource` takes them."""
    lines = incident_lines(start_ns, end_ns, seed)
    labels = {app: labels_of(app) for app in {line[1] for line in lines}}
    return [(ts, labels[app], level, raw) for ts, app, level, raw in lines]
