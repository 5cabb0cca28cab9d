"""Build LogQL from the pipeline's queries, escaping every value.

LogQL string literals follow Go's quoting rules: inside double quotes a backslash starts an escape,
an unknown escape is a parse error, and a raw newline ends the query. Every value therefore goes
through `quote()`, and values meant literally inside a regex matcher go through `regex_literal()`
first. Nothing user-supplied is ever spliced in any other way, so a value cannot change the
structure of the query.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from log_analyzer.core.config import LABEL_NAME
from log_analyzer.core.errors import InputError
from log_analyzer.logs.regex import matches_empty, re2_error
from log_analyzer.sources.base import SEVERE_PATTERN, LineFilter, Selection
from log_analyzer.sources.loki.labels import LABELS, LabelNames

LEVEL_LABEL = "detected_level"
"""The label Loki 3 adds at ingest with the level it detected in each line."""
REGEX_LABELS = frozenset(("pod",))
"""Selection filters that are RE2 regexes (fully anchored by Loki); the others are exact."""
LABEL_ORDER = ("namespace", "pod", "container", "node")
"""Selector terms come in this order (by filter), the most selective first, as an engineer
writes them."""

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')
_DURATION = re.compile(r"[1-9][0-9]*(ms|s|m|h|d|w|y)\Z")
_NS = 1_000_000_000


class MatchOp(StrEnum):
    """A stream-selector operator."""

    EQ = "="
    NE = "!="
    RE = "=~"
    NRE = "!~"


@dataclass(frozen=True, slots=True)
class LabelMatcher:
    """One `name OP "value"` term of a stream selector."""

    name: str
    op: MatchOp
    value: str


def quote(value: str) -> str:
    """Return `value` as a double-quoted LogQL string literal that parses back to `value`."""
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, value) + '"'


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char, f"\\x{ord(char):02x}")


def regex_literal(value: str) -> str:
    """Escape regex metacharacters so an RE2 matcher matches `value` literally."""
    # Python escapes the regex metacharacters (and a few more) with a backslash; RE2 accepts a
    # backslash before any ASCII punctuation. The result still needs `quote()` to become a literal.
    return re.escape(value)


def matchers(selection: Selection, labels: LabelNames = LABELS) -> tuple[LabelMatcher, ...]:
    """The stream-selector terms of a selection: `pod` a regex, the other filters exact.

    Each term is on the stream label ``labels`` names for its filter; a node held in structured
    metadata is no term of the selector (`metadata_filters`).
    """
    ordered = sorted(
        ((name, value) for name, value in selection.filters if not _in_metadata(name, labels)),
        key=lambda kv: _label_rank(kv[0]),
    )
    return tuple(
        LabelMatcher(labels.label(name), MatchOp.RE if name in REGEX_LABELS else MatchOp.EQ, value)
        for name, value in ordered
    )


def metadata_filters(selection: Selection, labels: LabelNames = LABELS) -> str:
    """The label-filter stages of the filters held in structured metadata (the OTLP node)."""
    return " ".join(
        f"| {labels.label(name)}={quote(value)}"
        for name, value in selection.filters
        if _in_metadata(name, labels)
    )


def _in_metadata(name: str, labels: LabelNames) -> bool:
    return name == "node" and labels.node_metadata


def totals_by(labels: LabelNames = LABELS) -> tuple[str, str, str]:
    """The labels the totals are summed by: level, pod and container."""
    return (LEVEL_LABEL, labels.pod, labels.container)


def _label_rank(name: str) -> tuple[int, str]:
    return (LABEL_ORDER.index(name) if name in LABEL_ORDER else len(LABEL_ORDER), name)


def selector(terms: Sequence[LabelMatcher]) -> str:
    """Render a stream selector such as `{namespace="billing", pod=~"api-.*"}`.

    Raises `ValueError` when there is no matcher that needs a non-empty value, because Loki refuses
    such selectors (they would scan every stream).
    """
    if not any(_requires_non_empty(m) for m in terms):
        raise ValueError("a selector needs at least one matcher that cannot match an empty value")
    rendered = []
    for m in terms:
        if not LABEL_NAME.match(m.name):
            raise ValueError(f"invalid label name {m.name!r}")
        rendered.append(f"{m.name}{m.op.value}{quote(m.value)}")
    return "{" + ", ".join(rendered) + "}"


def _requires_non_empty(m: LabelMatcher) -> bool:
    if m.op is MatchOp.EQ:
        return m.value != ""
    if m.op is MatchOp.RE:
        # A regex such as `.*` or `a|` matches the empty string, so Loki does not count it.
        if re2_error(m.value) is not None:
            raise ValueError(f"invalid RE2 regular expression for {m.name!r}")
        return not matches_empty(m.value)
    return False


def line_filters(line_filter: LineFilter) -> str:
    """The line-filter stages of a log query (empty for every line)."""
    stages = []
    if line_filter.severe:
        stages.append(f"|~ {quote(SEVERE_PATTERN)}")
    if line_filter.pattern:
        stages.append(f"|~ {quote(line_filter.pattern)}")
    stages.extend(f"!= {quote(text)}" for text in line_filter.exclude)
    return " ".join(stages)


def log_query(selection: Selection, line_filter: LineFilter, labels: LabelNames = LABELS) -> str:
    """A log query: the selector, then the line filters, then the structured-metadata filters."""
    terms = matchers(selection, labels)
    metadata = metadata_filters(selection, labels)
    if metadata and not any(_requires_non_empty(m) for m in terms):
        raise InputError(
            "filters.node",
            f"a Loki fed over OTLP (LOKI_LABELS=otel) keeps the node in structured metadata "
            f"({labels.node}), which cannot select streams alone: set namespace, pod or "
            "container too",
        )
    stages = " ".join(part for part in (line_filters(line_filter), metadata) if part)
    query = selector(terms)
    return f"{query} {stages}" if stages else query


def count_query(
    selection: Selection,
    line_filter: LineFilter,
    range_: str,
    by: Sequence[str] = (),
    labels: LabelNames = LABELS,
) -> str:
    """A metric query counting matching lines over `range_`, summed by the `by` labels."""
    if not _DURATION.match(range_):
        raise ValueError(f"invalid LogQL range {range_!r}")
    for label in by:
        if not LABEL_NAME.match(label):
            raise ValueError(f"invalid label name {label!r}")
    grouping = f" by ({', '.join(by)})" if by else ""
    logql = log_query(selection, line_filter, labels)
    return f"sum{grouping} (count_over_time({logql} [{range_}]))"


def logql_range(seconds: int) -> str:
    """A LogQL range such as ``30m`` or ``90s`` for a whole number of seconds (at least 1)."""
    seconds = max(seconds, 1)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def totals_query(
    selection: Selection,
    line_filter: LineFilter,
    start_ns: int,
    end_ns: int,
    by: Sequence[str] | None = None,
    labels: LabelNames = LABELS,
) -> str:
    """Instant query (evaluate at ``end_ns``) counting the window's lines by level and source.

    Summed by ``by``, or else by level, pod and container (`totals_by`).
    """
    window = math.ceil(max(end_ns - start_ns, 0) / _NS)
    grouping = totals_by(labels) if by is None else by
    return count_query(selection, line_filter, logql_range(window), grouping, labels)


def buckets_query(
    selection: Selection, line_filter: LineFilter, step_seconds: int, labels: LabelNames = LABELS
) -> str:
    """Range query (with ``step=step_seconds``) counting lines per bucket, by level."""
    return count_query(selection, line_filter, logql_range(step_seconds), (LEVEL_LABEL,), labels)
