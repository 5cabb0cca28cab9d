"""Every log store the service knows, by the name a request gives in its ``source`` field.

Adding a store is one package under ``sources/`` exposing a ``SPEC``, and one line here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from log_analyzer.sources import cloudwatch, demo, loki, opensearch
from log_analyzer.sources.base import SourceSpec

SPECS: Mapping[str, SourceSpec] = MappingProxyType(
    {spec.name: spec for spec in (loki.SPEC, cloudwatch.SPEC, demo.SPEC, opensearch.SPEC)}
)
"""The stores, in the order they are documented."""

DEMO_FILTERS: Mapping[str, str] = MappingProxyType({"namespace": demo.NAMESPACE})
"""The filters that select the bundled demo incident (`log-analyzer demo`)."""
