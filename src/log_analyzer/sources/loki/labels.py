"""Which Loki stream labels hold the namespace, pod and container, both ways.

The filters keep their names (``namespace``, ``pod``, ``container``) for users whatever the store
calls them; a Loki fed over OTLP indexes ``k8s_namespace_name``, ``k8s_pod_name`` and
``k8s_container_name`` instead. LogQL is written with the store's names, and the labels of
Loki's answers get the pipeline's names back (beside their own), so nothing past this package
knows the difference.

The node is not among the OTLP resource attributes Loki indexes by default
(``default_resource_attributes_as_index_labels`` in ``pkg/loghttp/push/otlp_config.go``):
``k8s.node.name`` arrives as the structured metadata ``k8s_node_name``. Under that preset the
``node`` filter is therefore a label filter after the selector, which reads structured metadata
and stream labels alike, not a stream matcher.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from log_analyzer.core.config import LOKI_LABEL_PRESETS, LOKI_LABEL_SETTINGS, Settings
from log_analyzer.sources.base import Selection

_SETTINGS = dict(zip(("namespace", "pod", "container"), LOKI_LABEL_SETTINGS, strict=True))
_OTEL = dict(zip(_SETTINGS, LOKI_LABEL_PRESETS["otel"], strict=True))
_EMPTY_RESULT = re.compile(rb'"result"\s*:\s*\[\s*\]')
_RESULT_WITHIN = 4096
"""Loki writes ``result`` right after ``resultType``, before ``stats``."""
OTEL_NODE = "k8s_node_name"
"""The structured metadata a Loki fed over OTLP keeps ``k8s.node.name`` in."""
ORIGINAL_SUFFIX = "_original"
"""Appended to a stream's own label of a filter's name (``pod``, ...) that the configured label
replaces in the answers (`LabelNames.canonical`)."""


@dataclass(frozen=True, slots=True)
class LabelNames:
    """The stream labels of the namespace, pod and container (``LOKI_*_LABEL``), and the node."""

    namespace: str = "namespace"
    pod: str = "pod"
    container: str = "container"
    node: str = "node"
    node_metadata: bool = False
    """Whether ``node`` is structured metadata (a label filter), not a stream label."""
    renamed: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)
    """``(filter, label)`` of each filter whose label has another name."""

    def __post_init__(self) -> None:
        pairs = (
            ("namespace", self.namespace),
            ("pod", self.pod),
            ("container", self.container),
            ("node", self.node),
        )
        renamed = tuple((name, label) for name, label in pairs if name != label)
        object.__setattr__(self, "renamed", renamed)  # frozen: set once, here

    @classmethod
    def of(cls, settings: Settings) -> LabelNames:
        """The labels the settings name."""
        namespace, pod, container = settings.loki_label_names
        if settings.loki_labels == "otel":
            return cls(namespace, pod, container, OTEL_NODE, node_metadata=True)
        return cls(namespace, pod, container)

    def label(self, name: str) -> str:
        """The stream label a filter matches (a filter not renamed matches its own name)."""
        return getattr(self, name) if name in _SETTINGS or name == "node" else name

    def canonical(self, labels: dict[str, str]) -> dict[str, str]:
        """``labels``, plus each renamed label's value under the filter's name (in place).

        The configured label is the pod (namespace, container) the filters matched, so it wins
        the filter's name; a stream's own label of that name with another value is kept under
        ``<name>_original`` (``pod_original``), not overwritten.
        """
        for name, label in self.renamed:
            value = labels.get(label)
            if value is None:
                continue
            own = labels.get(name)
            if own is not None and own != value:
                labels[_free(labels, f"{name}{ORIGINAL_SUFFIX}", own)] = own
            labels[name] = value
        return labels

    def silent(self, answer: Mapping[str, Any], selection: Selection) -> str:
        """What to say of an answer with no result because Loki read no line of the selection.

        ``stats.summary.totalLinesProcessed`` counts the lines Loki read before the line
        filters: none means no stream this selector matches had a line in the window, as when
        the filters name labels this Loki does not have (an OTLP-fed Loki's are not
        Promtail's), so the text names the label each filter matched. Empty when there is a
        result, when Loki read lines (the line filters left none), or when it gives no count.
        """
        data = answer.get("data")
        if not isinstance(data, Mapping) or data.get("result") != []:
            return ""
        stats = data.get("stats")
        summary = stats.get("summary") if isinstance(stats, Mapping) else None
        read = summary.get("totalLinesProcessed") if isinstance(summary, Mapping) else None
        if read != 0 or isinstance(read, bool):
            return ""
        matched = [self._named(name) for name in _SETTINGS if selection.get(name) is not None]
        said = f": {'; '.join(matched)}" if matched else ""
        return f"; Loki read no line of any stream this selector matches in the window{said}"

    def _named(self, name: str) -> str:
        label = self.label(name)
        otel = "" if label == _OTEL[name] else f"; a Loki fed over OTLP calls it {_OTEL[name]}"
        return f"{name} is the label {label} ({_SETTINGS[name]}{otel})"


def _free(labels: Mapping[str, str], key: str, value: str) -> str:
    """``key``, or ``key`` suffixed again until it is unused or already holds ``value``."""
    while labels.get(key, value) != value:
        key += ORIGINAL_SUFFIX
    return key


def maybe_empty(content: bytes) -> bool:
    """Whether a body may have an empty ``result`` (looked for at its start only)."""
    return _EMPTY_RESULT.search(content, 0, _RESULT_WITHIN) is not None


LABELS = LabelNames()
"""Promtail's and Alloy's labels: the default."""
