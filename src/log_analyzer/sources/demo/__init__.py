"""The bundled demo incident, and the in-memory store that serves it (and any other incident)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from log_analyzer.core.config import Settings
from log_analyzer.core.errors import InputError
from log_analyzer.logs.regex import re2_error
from log_analyzer.sources.base import FilterSpec, Instrument, LogSource, Selection
from log_analyzer.sources.demo.incident import NAMESPACE
from log_analyzer.sources.demo.memory import NAME, MemoryLine, MemorySource
from log_analyzer.sources.demo.source import DemoSource, demo_lines

__all__ = [
    "NAMESPACE",
    "SPEC",
    "DemoSource",
    "DemoSpec",
    "MemoryLine",
    "MemorySource",
    "demo_lines",
]


class DemoSpec:
    """The demo takes Loki's Kubernetes filters; it is used only when `LOG_SOURCE=demo`."""

    name = NAME
    filters: tuple[FilterSpec, ...] = (
        FilterSpec("namespace", f"Kubernetes namespace (the incident is in {NAMESPACE!r})."),
        FilterSpec("pod", "RE2 regex over pod names, fully anchored.", regex=True),
        FilterSpec("container", "Container name (exact)."),
        FilterSpec("node", "Node name (exact)."),
    )

    def check(self, selection: Selection) -> None:
        """Known filters only, and valid regexes."""
        known = {spec.name for spec in self.filters}
        for name, value in selection.filters:
            if name not in known:
                raise InputError(f"filters.{name}", f"the demo does not filter by {name}")
            if name == "pod" and (reason := re2_error(value)) is not None:
                raise InputError("filters.pod", f"invalid RE2 regular expression: {reason}")

    def unconfigured(self, settings: Settings) -> str | None:
        """The demo answers only where it was asked for, so production never serves it."""
        if settings.log_source != NAME:
            return "the demo source is served only when LOG_SOURCE=demo"
        return None

    def where(self, settings: Settings) -> str:
        """Inside the service."""
        return "the bundled incident"

    @asynccontextmanager
    async def open(self, settings: Settings, instrument: Instrument) -> AsyncIterator[LogSource]:
        """A fresh incident, ending now."""
        yield DemoSource()


SPEC = DemoSpec()
