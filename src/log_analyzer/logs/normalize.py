"""Normalize raw log lines into distinct messages.

Strip colour codes, read the line inside a runtime's or a shipper's wrapper
(`log_analyzer.logs.wrappers`), parse JSON and logfmt, find the level, cap the length,
and collapse exact duplicates into one entry with a count.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

from log_analyzer.logs.entries import STORE_LEVEL, LogEntry, Row
from log_analyzer.logs.levels import Level, level_from_fields, level_word, plain_prefix
from log_analyzer.logs.redact import DEFAULT_PII, redact
from log_analyzer.logs.structured import (
    ID_KEYS,
    maybe_structured,
    message_from_fields,
    parse_structured,
)
from log_analyzer.logs.wrappers import INCOMPLETE, MAX_WRAPPERS, runtime_prefix, shipped_line

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
_NO_IDS: Mapping[str, str] = MappingProxyType({})


class NormalizedEntry(NamedTuple):
    """One distinct message, with how often and where it was seen.

    A named tuple, not a frozen dataclass: a window yields up to hundreds of thousands of
    these, and a frozen dataclass's ``__init__`` costs twice as much (``bench/``).
    """

    message: str
    level: Level
    count: int  # type: ignore[assignment]  # the field shadows tuple.count, which nothing uses
    first_ns: int
    last_ns: int
    sources: tuple[str, ...]
    """`pod/container` names the message came from, sorted."""
    truncated: bool = False
    source_counts: tuple[tuple[str, int], ...] = ()
    """How many of `count` came from each source."""
    ids: Mapping[str, str] = _NO_IDS
    """Request/trace identifiers found in the most recent occurrence."""


@dataclass(frozen=True, slots=True)
class ParsedLine:
    """A single line after parsing, before duplicates are merged."""

    message: str
    level: Level
    truncated: bool
    ids: Mapping[str, str]


def strip_ansi(text: str) -> str:
    """Remove terminal colour and cursor escape sequences."""
    return _ANSI.sub("", text) if "\x1b" in text else text


def parse_line(
    line: str,
    labels: Mapping[str, str],
    max_chars: int,
    *,
    pii: frozenset[str] = DEFAULT_PII,
) -> ParsedLine:
    """Extract message, level and identifiers from one raw line (JSON, logfmt or plain text).

    An over-long message is redacted (``pii`` as :func:`~log_analyzer.logs.redact.redact`
    takes it) before it is cut; see `cut`.
    """
    message, level, truncated, ids = _parse(
        line,
        level_word(labels.get("level")),
        level_word(labels.get(STORE_LEVEL)),
        max_chars,
        None,
        pii,
    )
    return ParsedLine(message, level, truncated, ids)


def _parse(
    line: str,
    label_level: Level | None,
    store_level: Level | None,
    max_chars: int,
    redactions: Counter[str] | None = None,
    pii: frozenset[str] = DEFAULT_PII,
    wrapped: int = 0,
) -> tuple[str, Level, bool, Mapping[str, str]]:
    """`parse_line` on the labels' levels, already looked up (they are shared by a stream)."""
    text = (_ANSI.sub("", line) if "\x1b" in line else line).strip()
    cut_at = runtime_prefix(text)
    if cut_at:
        text = text[cut_at:].lstrip()
    return _read(text, label_level, store_level, max_chars, redactions, pii, wrapped)


def _read(
    text: str,
    label_level: Level | None,
    store_level: Level | None,
    max_chars: int,
    redactions: Counter[str] | None,
    pii: frozenset[str],
    wrapped: int,
) -> tuple[str, Level, bool, Mapping[str, str]]:
    """`_parse` of a line without colour codes, surrounding blanks or a runtime's prefix."""
    ids: Mapping[str, str] = _NO_IDS
    fields = parse_structured(text) if maybe_structured(text) else None
    level: Level | None
    if fields is not None:
        level = level_from_fields(fields)
        if level is None and wrapped < MAX_WRAPPERS and text[:1] == "{":  # a JSON record
            inner = shipped_line(fields)
            if inner is not None:
                return _parse(
                    inner, label_level, store_level, max_chars, redactions, pii, wrapped + 1
                )
        message = message_from_fields(fields, text)
        found = {key: str(fields[key]) for key in ID_KEYS if fields.get(key) not in (None, "")}
        if found:
            ids = MappingProxyType(found)
    else:
        cut_at, level = plain_prefix(text[:200])
        message = text[cut_at:] if cut_at else text
    if level is None:
        level = label_level or store_level or Level.UNKNOWN
    message, truncated = cut(message, max_chars, redactions, pii=pii)
    return message, level, truncated, ids


def cut(
    message: str,
    max_chars: int,
    redactions: Counter[str] | None = None,
    *,
    pii: frozenset[str] = DEFAULT_PII,
) -> tuple[str, bool]:
    """``message`` cut to ``max_chars`` with a visible marker, and whether it was cut.

    An over-long message is redacted first, so that no secret that straddles the cut leaves
    half of itself behind where no rule can recognise it; what that finds is counted into
    ``redactions``, when given. A split line's `INCOMPLETE` mark stays at the end of its cut.
    """
    if len(message) <= max_chars:
        return message, False
    if message.endswith(INCOMPLETE):
        kept, truncated = cut(message[: -len(INCOMPLETE)], max_chars, redactions, pii=pii)
        return kept + INCOMPLETE, truncated
    redacted = redact(message, pii=pii)
    if redactions is not None:
        redactions.update(redacted.counts)
    message = redacted.text
    if len(message) <= max_chars:
        return message, False
    return f"{message[:max_chars]} …[truncated {len(message) - max_chars} chars]", True


def normalize(entries: Iterable[LogEntry], max_chars: int = 2000) -> tuple[NormalizedEntry, ...]:
    """Parse every entry and merge exact duplicates (same level and message).

    The result is in the order each message was first met in `entries` (flattened entries are
    oldest first, so that is the order of first appearance in time).
    """
    return normalize_rows(((e.labels, e.timestamp_ns, e.line) for e in entries), max_chars)


def normalize_rows(
    rows: Iterable[Row],
    max_chars: int = 2000,
    redactions: Counter[str] | None = None,
    *,
    pii: frozenset[str] = DEFAULT_PII,
) -> tuple[NormalizedEntry, ...]:
    """`normalize` over `(labels, timestamp_ns, line)` rows, as a store's decoder gives them.

    Over-long messages are redacted before they are cut (see `cut`); ``redactions``, when
    given, counts what that found, line by line.
    """
    # A message seen once is its own final entry; a repeat gets a tally, frozen at the end.
    # Keyed by message alone; the rare message seen at two levels keeps its other levels in
    # `other`.
    seen: dict[str, int] = {}
    other: dict[tuple[Level, str], int] = {}
    found: list[NormalizedEntry | _Tally] = []
    # A plain line's prefix and the level it names depend on the skeleton of its head only
    # (the patterns read where digits are, never their values; level words hold none), save
    # for a syslog priority, whose digits are the level: its head stays in the key as it is.
    plain_prefixes: dict[bytes, tuple[int, Level | None]] = {}
    # Entries of one stream share their labels object: look its levels and source up once.
    streams: dict[int, _Stream] = {}
    labels: Mapping[str, str] | None = None
    stream = _Stream({}, None, None, "")
    for entry_labels, ts, line in rows:
        if entry_labels is not labels:
            labels = entry_labels
            known = streams.get(id(labels))
            if known is None or known.labels is not labels:
                known = streams[id(labels)] = _Stream.of(labels, pii)
            stream = known
        text = (_ANSI.sub("", line) if "\x1b" in line else line).strip()
        # The test `runtime_prefix` starts with, inline: a call for every line costs more.
        if text[10:11] == "T" and text.find(" std", 19, 40) >= 0:
            cut_at = runtime_prefix(text)
            text = text[cut_at:].lstrip() if cut_at else text
        if (text[:1] == "{" or "=" in text) and maybe_structured(text):
            message, level, truncated, ids = _read(
                text, stream.level, stream.detected, max_chars, redactions, pii, 0
            )
        else:
            ids = _NO_IDS
            head = text[:200]
            raw = head.encode("utf-8", "surrogatepass")
            key = raw.translate(_ONES) if raw[:1] != b"<" else raw[:4] + raw.translate(_ONES)
            known_prefix = plain_prefixes.get(key)
            if known_prefix is None:
                known_prefix = plain_prefixes[key] = plain_prefix(head)
            cut_at, plain = known_prefix
            message = text[cut_at:] if cut_at else text
            level = plain or stream.level or stream.detected or Level.UNKNOWN
            truncated = False
            if len(message) > max_chars:
                message, truncated = cut(message, max_chars, redactions, pii=pii)
        position = seen.get(message)
        if position is not None and found[position].level is not level:
            position = other.get((level, message))
            if position is None:
                other[level, message] = len(found)
        elif position is None:
            seen[message] = len(found)
        if position is None:
            found.append(
                NormalizedEntry(
                    message, level, 1, ts, ts, stream.sources, truncated, stream.counted, ids
                )
            )
            continue
        item = found[position]
        tally = item if isinstance(item, _Tally) else _Tally(item)
        if tally is not item:
            found[position] = tally
        tally.add(ts, stream.source, ids)
    return tuple(item.entry() if isinstance(item, _Tally) else item for item in found)


class _Tally:
    """A message seen more than once, while lines are read."""

    __slots__ = ("count", "first", "first_ns", "ids", "last_ns", "sources")

    def __init__(self, first: NormalizedEntry) -> None:
        self.first = first
        self.count = first.count
        self.first_ns = first.first_ns
        self.last_ns = first.last_ns
        self.ids = first.ids
        self.sources = dict(first.source_counts)

    @property
    def level(self) -> Level:
        return self.first.level

    def add(self, ts: int, source: str, ids: Mapping[str, str]) -> None:
        self.count += 1
        if ts < self.first_ns:
            self.first_ns = ts
        if ts >= self.last_ns:
            self.last_ns = ts
            if ids:
                self.ids = ids
        self.sources[source] = self.sources.get(source, 0) + 1

    def entry(self) -> NormalizedEntry:
        counts = tuple(sorted(self.sources.items()))
        return self.first._replace(
            count=self.count,
            first_ns=self.first_ns,
            last_ns=self.last_ns,
            sources=tuple(name for name, _ in counts),
            source_counts=counts,
            ids=self.ids,
        )


_ONES = bytes.maketrans(b"0123456789", b"1111111111")


class _Stream:
    """What normalize needs from one stream's labels, looked up once."""

    __slots__ = ("counted", "detected", "labels", "level", "source", "sources")

    def __init__(
        self, labels: Mapping[str, str], level: Level | None, detected: Level | None, source: str
    ) -> None:
        self.labels = labels
        self.level = level
        self.detected = detected
        self.source = source
        self.sources = (source,)
        self.counted = ((source, 1),)

    @classmethod
    def of(cls, labels: Mapping[str, str], pii: frozenset[str] = DEFAULT_PII) -> _Stream:
        # A label value is shown and sent like a message, so it is redacted like one.
        return cls(
            labels,
            level_word(labels.get("level")),
            level_word(labels.get(STORE_LEVEL)),
            redact(source_of(labels), pii=pii).text,
        )


def source_of(labels: Mapping[str, str]) -> str:
    """`pod/container` (or whichever of the two exists, or the service name) of an entry."""
    pod, container = labels.get("pod"), labels.get("container")
    if pod and container:
        return f"{pod}/{container}"
    return pod or container or labels.get("service_name") or labels.get("app") or "unknown"
