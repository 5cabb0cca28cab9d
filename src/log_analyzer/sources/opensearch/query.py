"""The pipeline's queries as OpenSearch query DSL, and what is left for the service.

Every user value goes into the JSON body as a JSON string (``term`` values, ``match_phrase``
texts), into a Lucene regex only through `lucene.to_lucene` (which escapes every character it
does not mean as an operator), and into a ``wildcard`` pattern only through `wildcard_literal`.
Nothing is spliced into query text, so no value can change the structure of the query.

- The window is a ``range`` on the time field, written with nanoseconds.
- ``namespace``, ``container`` and ``node`` are ``term`` filters on the keyword form of their
  fields (``match_phrase`` where a field is text only); ``pod`` is a ``regexp`` on the keyword
  form when `to_lucene` can write it, else an RE2 regex the service applies.
- The default selection keeps documents whose level field holds an error or warning word
  (`SEVERE_LEVELS`, in three casings), or a number from `SEVERE_NUMBER` up where the field is
  numeric (pino's and bunyan's levels), and documents without a level, whose lines the service
  then matches against `SEVERE_PATTERN`. With no string or numeric level field in the mapping,
  every line is matched in the service.
- ``log_filter`` is a ``regexp`` on the message's keyword form when that form holds every
  message whole (`Field.every_value`: no ``ignore_above``, no ``normalizer``) and
  `contains_regexp` can write it; else the service applies it with RE2 (see `filters`). Under
  Fluent Bit's dynamic mapping (``ignore_above: 256``) it is always the service.
- ``exclude`` texts are ``must_not`` ``match_phrase`` clauses on the message: OpenSearch
  matches the analyzed words of the phrase, so it also drops lines that hold the same words in
  another case or with other punctuation between them.
- A cluster with ``search.allow_expensive_queries: false`` refuses ``regexp`` and ``wildcard``
  queries; planned without them (``expensive=False``), the pod regex, the ``log_filter`` and
  a keyword message's ``exclude`` texts go to the service instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from log_analyzer.sources.base import LineFilter, Selection, Window
from log_analyzer.sources.opensearch.filters import (
    SEVERE_NUMBER,
    ServiceFilter,
    Severe,
    severe_level_values,
)
from log_analyzer.sources.opensearch.lucene import LuceneRegex, Untranslatable, to_lucene
from log_analyzer.sources.opensearch.mapping import Field, IndexFields, Kind

Query = dict[str, Any]
TIME_FORMAT = "strict_date_optional_time_nanos"
_NS = 1_000_000_000
_WILDCARD_SPECIAL = frozenset("*?\\")


@dataclass(frozen=True, slots=True)
class Plan:
    """The server's part of a query, and the service's."""

    query: Query
    """The ``bool`` query OpenSearch runs."""
    service: ServiceFilter | None
    """What the service checks on each document OpenSearch returns; None for nothing."""
    leveled: Query | None = None
    """When the service's only part is the unleveled documents: the query of the others,
    which aggregations count exactly."""
    unleveled: Query | None = None
    """... and the query of the documents without a level, which the service counts."""


def iso_ns(ns: int) -> str:
    """A time in nanoseconds since the epoch, as ``strict_date_optional_time_nanos`` (UTC)."""
    seconds, fraction = divmod(ns, _NS)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{fraction:09d}Z"


def wildcard_literal(text: str) -> str:
    r"""``text`` escaped for a ``wildcard`` pattern, where ``*``, ``?`` and ``\`` are special."""
    return "".join("\\" + char if char in _WILDCARD_SPECIAL else char for char in text)


def plan(
    fields: IndexFields,
    window: Window,
    selection: Selection,
    line: LineFilter,
    *,
    expensive: bool = True,
) -> Plan:
    """The query of the selected documents of the window that pass ``line``.

    Without ``expensive`` (the cluster refuses them) no ``regexp`` or ``wildcard`` clause is
    written: what they would select is left to the service.
    """
    names = fields.names
    time_range = {
        "range": {
            names.time: {
                "gte": iso_ns(window.start_ns),
                "lt": iso_ns(window.end_ns),
                "format": TIME_FORMAT,
            }
        }
    }
    filters: list[Query] = [time_range]
    pod_regex = None
    moved = False  # a condition the cluster could run but refuses to (not ``expensive``)
    for label, path in names.labels:
        value = selection.get(label)
        if value is None:
            continue
        if label == "pod":
            clause = _pod_clause(fields[path], value)
            if clause is not None and expensive:
                filters.append(clause)
            else:
                pod_regex = value
                moved = moved or clause is not None
        else:
            filters.append(_exact(fields[path], value))
    message = fields[names.message]
    by_service: tuple[str, ...] = ()
    if not expensive and message.kind is Kind.KEYWORD:
        by_service = line.exclude  # a keyword message is excluded with a wildcard query
        moved = moved or bool(by_service)
    excluded = [_excluded(message, text) for text in line.exclude if text not in by_service]
    must_not = [clause for clause in excluded if clause is not None]
    level = fields[names.level]
    severe = None
    split: tuple[Query, Query] | None = None
    has_severe_level = _severe_level(level) if line.severe else None
    if line.severe and has_severe_level is not None:
        severe = Severe.UNLEVELED
        no_level = {"exists": {"field": level.path}}
        filters.append(
            {
                "bool": {
                    "should": [has_severe_level, {"bool": {"must_not": [no_level]}}],
                    "minimum_should_match": 1,
                }
            }
        )
        base = filters[:-1]
        split = (
            _bool([*base, has_severe_level], must_not),
            _bool(base, [no_level, *must_not]),
        )
    elif line.severe:
        severe = Severe.EVERY
    pattern = line.pattern or None
    if pattern is not None:
        clause = _line_clause(message, pattern)
        if clause is not None and expensive:
            filters.append(clause)
            if split is not None:
                split = (_and(split[0], clause), _and(split[1], clause))
            pattern = None
        else:
            moved = moved or clause is not None
    service = None
    if severe is not None or pattern is not None or pod_regex is not None or by_service:
        service = ServiceFilter(severe, pattern, pod_regex, by_service, moved)
    query = _bool(filters, must_not)
    if split is not None and service == ServiceFilter(Severe.UNLEVELED):
        return Plan(query, service, leveled=split[0], unleveled=split[1])
    return Plan(query, service)


def describe(index: str, body: Query, service: ServiceFilter | None) -> str:
    """The query text of the summary and the spans: the request an engineer could replay."""
    text = f"POST {index}/_search {json.dumps(body, ensure_ascii=False)}"
    return f"{text}; {service.describe()}" if service is not None else text


def _bool(filters: list[Query], must_not: list[Query]) -> Query:
    inner: Query = {"filter": list(filters)}
    if must_not:
        inner["must_not"] = list(must_not)
    return {"bool": inner}


def _severe_level(field: Field) -> Query | None:
    """The clause of documents whose level is an error or a warning; None if the field can't say."""
    if field.leveled:
        return {"terms": {field.exact or field.path: severe_level_values()}}
    if field.kind is Kind.NUMBER:
        return {"range": {field.path: {"gte": SEVERE_NUMBER}}}
    return None


def _exact(field: Field, value: str) -> Query:
    if field.kind is Kind.TEXT:
        # No keyword form: the closest is the value's words in order.
        return {"match_phrase": {field.path: value}}
    return {"term": {field.exact or field.path: value}}


def _pod_clause(field: Field, pattern: str) -> Query | None:
    """A ``regexp`` query for the pod regex, or None when the service must apply it."""
    if field.kind is Kind.TEXT:
        return None  # a regexp on text matches single words, never the whole name
    try:
        regex = to_lucene(pattern)
    except Untranslatable:
        return None
    spec: Query = {"value": regex.value}
    if regex.case_insensitive:
        spec["case_insensitive"] = True
    return {"regexp": {field.exact or field.path: spec}}


def contains_regexp(pattern: str) -> LuceneRegex | None:
    """A Lucene regex matching whole values in which the RE2 ``pattern`` is found; or None.

    Anchors are left to RE2 (their meaning depends on where they stand), and so are counted
    repetitions: Lucene turns a regex into an automaton and refuses one that grows too large
    (``max_determinized_states``), which ``{n,m}`` inside ``.*...*`` readily does.
    """
    body = pattern.removeprefix("(?i)")
    if body.startswith("^") or (body.endswith("$") and not body.endswith("\\$")) or "{" in body:
        return None
    try:
        regex = to_lucene(pattern)
    except Untranslatable:
        return None
    return LuceneRegex(f".*({regex.value}).*", regex.case_insensitive)


def _line_clause(field: Field, pattern: str) -> Query | None:
    if not field.every_value or field.exact is None:
        return None
    regex = contains_regexp(pattern)
    if regex is None:
        return None
    spec: Query = {"value": regex.value}
    if regex.case_insensitive:
        spec["case_insensitive"] = True
    return {"regexp": {field.exact: spec}}


def _and(query: Query, clause: Query) -> Query:
    inner = dict(query["bool"])
    inner["filter"] = [*inner["filter"], clause]
    return {"bool": inner}


def _excluded(field: Field, text: str) -> Query | None:
    if field.kind is Kind.KEYWORD:
        # A keyword message is one term: a phrase would have to equal all of it.
        return {"wildcard": {field.path: {"value": f"*{wildcard_literal(text)}*"}}}
    if field.kind in (Kind.NUMBER, Kind.OTHER):
        return None
    return {"match_phrase": {field.path: text}}
