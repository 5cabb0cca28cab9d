"""Which form of each configured field a query uses, read from the index mapping.

Fluent Bit writes into indices with dynamic mapping, where every string becomes a ``text``
field (analyzed into words) with a ``keyword`` sub-field (the whole value, up to
``ignore_above`` characters). An index template may instead map a field as ``keyword`` itself.
Exact filters, regexes and aggregations need the whole value, so the mapping of the configured
fields is read once per index expression (``GET <index>/_mapping/field/...``, cached for
`MAPPING_TTL_SECONDS`) and each field resolved to the form that holds it. Where the indices of
an expression disagree, the form most of them use wins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from log_analyzer.sources.opensearch.errors import OpenSearchBadResponse, OpenSearchQueryError

MAPPING_TTL_SECONDS = 300.0
"""A new daily index may map a field differently; the mapping is read again after this long."""
DATE_TYPES = frozenset({"date", "date_nanos"})
KEYWORD_TYPES = frozenset({"keyword", "constant_keyword", "wildcard"})
TEXT_TYPES = frozenset({"text", "match_only_text"})
NUMBER_TYPES = frozenset(
    {
        "long", "integer", "short", "byte", "unsigned_long",
        "double", "float", "half_float", "scaled_float",
    }
)  # fmt: skip


class Kind(StrEnum):
    """How the indices map a field."""

    KEYWORD = "keyword"
    """The field itself holds the whole value."""
    TEXT_KEYWORD = "text+keyword"
    """Analyzed text, with a keyword sub-field holding the whole value."""
    TEXT = "text"
    """Analyzed text only: words can be matched, whole values cannot."""
    NUMBER = "number"
    """A number: pino's and bunyan's levels (30 info, 40 warn, 50 error) decoded from JSON."""
    OTHER = "other"
    """Neither a string nor a number (a date, a boolean, an object)."""
    UNMAPPED = "unmapped"
    """No index maps it: no document has it."""


@dataclass(frozen=True, slots=True)
class FieldNames:
    """The document fields the settings name (``OPENSEARCH_*_FIELD``)."""

    time: str = "@timestamp"
    message: str = "message"
    level: str = "level"
    namespace: str = "kubernetes.namespace_name"
    pod: str = "kubernetes.pod_name"
    container: str = "kubernetes.container_name"
    node: str = "kubernetes.host"

    @property
    def labels(self) -> tuple[tuple[str, str], ...]:
        """``(label, field)`` of the fields that become an entry's labels."""
        return (
            ("namespace", self.namespace),
            ("pod", self.pod),
            ("container", self.container),
            ("node", self.node),
        )

    @property
    def strings(self) -> tuple[str, ...]:
        """Every configured field but the time."""
        return (self.message, self.level, *(field for _, field in self.labels))


@dataclass(frozen=True, slots=True)
class Field:
    """One configured field, resolved against the mapping."""

    path: str
    """The field as documents hold it."""
    kind: Kind
    exact: str | None
    """The field that holds whole values (``path`` or ``path.keyword``); None for text only."""
    every_value: bool = False
    """`exact` holds every value whole and unchanged: a keyword without ``ignore_above`` or a
    ``normalizer`` (dynamic mapping sets ``ignore_above: 256``, so a longer value is missing)."""

    @property
    def countable(self) -> str | None:
        """The field an aggregation can group by (whole string values, or numbers), or None."""
        return self.exact if self.kind in (Kind.KEYWORD, Kind.TEXT_KEYWORD, Kind.NUMBER) else None

    @property
    def leveled(self) -> bool:
        """Whether the field holds words a level filter can match (a string field)."""
        return self.kind in (Kind.KEYWORD, Kind.TEXT_KEYWORD, Kind.TEXT)


@dataclass(frozen=True, slots=True)
class IndexFields:
    """The configured fields of one index expression, resolved."""

    names: FieldNames
    resolved: Mapping[str, Field]
    """By document path."""
    time_types: frozenset[str] = frozenset()
    """The types the indices give the time field (``date``, ``date_nanos``); empty if none."""

    def check_time(self, index: str) -> None:
        """Raise `OpenSearchQueryError` unless some index maps the time field as a date.

        Or as an alias (ECS-style indices alias ``@timestamp`` to their own time field): a
        range and a sort on it read its target, whose type the field-mapping answer omits.

        A range on a field no index maps matches nothing, and one on a text or keyword field
        compares strings: either way the window would look empty, or wrong, without an error.
        """
        time = self.names.time
        if not self.time_types:
            raise OpenSearchQueryError(
                f"no index matching {index!r} has the time field {time!r} "
                "(OPENSEARCH_TIME_FIELD): its documents keep their time under another name "
                "(set OPENSEARCH_TIME_FIELD), or filters.index names indices that hold no logs",
                field="filters.index",
            )
        # An alias is read as the field it points to, which the answer does not show.
        if not self.time_types & (DATE_TYPES | {"alias"}):
            kinds = ", ".join(sorted(self.time_types))
            raise OpenSearchQueryError(
                f"the time field {time!r} (OPENSEARCH_TIME_FIELD) is mapped as {kinds} in "
                f"{index!r}, not as a date: a time range on it would compare text; set "
                "OPENSEARCH_TIME_FIELD to a field of type date or date_nanos",
                field="filters.index",
            )

    def __getitem__(self, path: str) -> Field:
        return self.resolved.get(path) or Field(path, Kind.UNMAPPED, path)


def mapping_path(index_path: str, names: FieldNames) -> str:
    """The field-mapping request for the configured fields of ``index_path`` (already quoted)."""
    return f"/{index_path}/_mapping/field/{','.join(sorted({names.time, *names.strings}))}"


def resolve(body: Any, names: FieldNames, index: str) -> IndexFields:
    """The configured fields as the indices of a field-mapping answer map them.

    An answer naming no index means ``index`` matched none (a pattern such as ``logs-*``
    matches nothing rather than failing): that is the user's filter to fix.
    """
    if not isinstance(body, dict):
        raise OpenSearchBadResponse("OpenSearch's field mapping is not a JSON object")
    if not body:
        raise OpenSearchQueryError(
            f"filters.index: no index, alias or data stream matches {index!r} (set "
            "filters.index, or OPENSEARCH_INDEX for the default)",
            field="filters.index",
        )
    forms: dict[str, list[tuple[Kind, str | None, bool]]] = {}
    time_types: set[str] = set()
    for name in sorted(body):
        mappings = body[name].get("mappings") if isinstance(body[name], dict) else None
        if not isinstance(mappings, dict):
            continue
        for path in {names.time, *names.strings}:
            definition = _definition(mappings.get(path))
            if definition is not None:
                forms.setdefault(path, []).append(_form(path, definition))
                if path == names.time:
                    time_types.add(str(definition.get("type", "object")))
    resolved = {}
    for path, found in forms.items():
        (kind, exact, _), _ = Counter(found).most_common(1)[0]
        # Values are whole only if every index keeps them whole.
        whole = all(form == (kind, exact, True) for form in found)
        resolved[path] = Field(path, kind, exact, whole)
    return IndexFields(names, resolved, frozenset(time_types))


def _definition(entry: Any) -> Mapping[str, Any] | None:
    """The definition in ``{"full_name": ..., "mapping": {"<leaf>": {...}}}``."""
    if not isinstance(entry, dict) or not isinstance(entry.get("mapping"), dict):
        return None
    values = [value for value in entry["mapping"].values() if isinstance(value, dict)]
    return values[0] if values else None


def _form(path: str, definition: Mapping[str, Any]) -> tuple[Kind, str | None, bool]:
    kind = definition.get("type")
    if kind in KEYWORD_TYPES:
        return Kind.KEYWORD, path, _whole(definition)
    if kind in TEXT_TYPES:
        subfields = definition.get("fields")
        if isinstance(subfields, dict):
            for sub in sorted(subfields):
                spec = subfields[sub]
                if isinstance(spec, dict) and spec.get("type") in KEYWORD_TYPES:
                    return Kind.TEXT_KEYWORD, f"{path}.{sub}", _whole(spec)
        return Kind.TEXT, None, False
    if kind in NUMBER_TYPES:
        return Kind.NUMBER, path, False
    return Kind.OTHER, path, False


def _whole(keyword: Mapping[str, Any]) -> bool:
    return "ignore_above" not in keyword and "normalizer" not in keyword
