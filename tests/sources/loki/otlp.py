"""Recorded Loki answers as a Loki fed over OTLP would label them.

The recordings come from a Loki fed by Promtail-style shipping (``namespace``, ``pod``,
``container``). No recording of an OTLP-fed Loki exists, so these bodies are BUILT: each
stream's (or series') ``namespace``, ``pod`` and ``container`` label is renamed to the label
Loki 3 makes of the OTLP resource attribute (``k8s.namespace.name`` -> ``k8s_namespace_name``:
``pkg/loghttp/push/otlp_config.go`` indexes it by default, and ``otlp.go`` turns its dots into
underscores). Every other field, label, value and stat is kept as recorded.
"""

from __future__ import annotations

import copy
from typing import Any

from log_analyzer.sources.loki.labels import LabelNames
from tests.conftest import recorded

OTEL = LabelNames("k8s_namespace_name", "k8s_pod_name", "k8s_container_name")
RENAMED = {"namespace": OTEL.namespace, "pod": OTEL.pod, "container": OTEL.container}


def otlp_body(name: str) -> dict[str, Any]:
    """The recorded body of ``name``, its labels renamed as an OTLP-fed Loki names them."""
    body: dict[str, Any] = copy.deepcopy(recorded("loki", name)["body"])
    for item in body["data"]["result"]:
        key = "stream" if "stream" in item else "metric"
        item[key] = {RENAMED.get(label, label): value for label, value in item[key].items()}
    return body


def empty_vector() -> dict[str, Any]:
    """BUILT: the grouped totals recording with no series, and the stats of the recorded empty
    log answer (no line read): what a count query over streams that do not exist answers."""
    body: dict[str, Any] = copy.deepcopy(
        recorded("loki", "query-vector-by-level-pod-container.json")["body"]
    )
    body["data"]["result"] = []
    body["data"]["stats"] = recorded("loki", "query_range-empty.json")["body"]["data"]["stats"]
    return body
