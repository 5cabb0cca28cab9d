"""Condense normalized entries into patterns: one per template, with counts, sources and examples.

This is where a window of thousands of lines becomes a few dozen facts a small model can read:
every distinct failure keeps a line, however rare, and a noisy one is counted, not repeated.
Templates come from :mod:`log_analyzer.logs.patterns`; this module adds what the evidence needs
(level, when, where, a few examples and the trace/request ids seen in them) and a stable id
(``P1``, ``P2``, ...) given in priority order: most severe, then most frequent, then new in the
window, then most recent.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat

from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import NormalizedEntry
from log_analyzer.logs.patterns import PatternMiner
from log_analyzer.logs.redact import DEFAULT_PII, redact

ONGOING_SHARE = 0.05
"""A pattern first seen in this leading share of the window was probably there before it."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """One template and everything the evidence says about it."""

    id: str
    """``P1``, ``P2``, ... in priority order; stable within one response."""
    template: str
    count: int
    """Lines in the pattern, duplicates included."""
    level: Level
    """The most severe level seen."""
    first_ns: int
    last_ns: int
    new: bool
    """First seen after the window's leading share, so it probably started in the window."""
    sources: tuple[str, ...]
    """``pod/container`` names, sorted."""
    source_counts: tuple[tuple[str, int], ...]
    """How many of :attr:`count` came from each source, sorted by source."""
    examples: tuple[str, ...]
    """Distinct redacted messages, most recent first."""
    ids: tuple[tuple[str, str], ...]
    """Trace/request identifiers (key, value) of the examples' entries, in example order."""
    entries: tuple[int, ...]
    """Indexes of the member entries in the input, ascending."""


class _Group:
    __slots__ = ("count", "first_ns", "last_ns", "level", "members", "rank", "sources")

    def __init__(self, entry: NormalizedEntry) -> None:
        self.count = 0
        self.level = entry.level
        self.rank = entry.level.rank
        self.first_ns = entry.first_ns
        self.last_ns = entry.last_ns
        self.members: list[int] = []
        self.sources: dict[str, int] = {}

    def absorb(self, other: _Group) -> None:
        self.count += other.count
        if other.rank < self.rank:
            self.rank, self.level = other.rank, other.level
        self.first_ns = min(self.first_ns, other.first_ns)
        self.last_ns = max(self.last_ns, other.last_ns)
        self.members = sorted(self.members + other.members)
        for source, n in other.sources.items():
            self.sources[source] = self.sources.get(source, 0) + n


def condense(
    entries: Sequence[NormalizedEntry],
    *,
    examples: int = 3,
    window_start_ns: int | None = None,
    window_end_ns: int | None = None,
    skeletons: Sequence[bytes] | None = None,
    redacted: bool = False,
    pii: frozenset[str] = DEFAULT_PII,
) -> tuple[Pattern, ...]:
    """Group ``entries`` by template and return the patterns in priority order, ids assigned.

    Counts are weighted by each entry's ``count``. Novelty is judged against the window
    ``[window_start_ns, window_end_ns)``; without one, the span of the entries stands in.

    Templates are mined from redacted messages and examples are redacted when shown, so no
    secret :func:`redact` finds reaches a pattern. With ``redacted``, the caller says that every
    message is :func:`redact`'s output already (redacting is idempotent), and it is not redone.
    ``pii`` is the personal data redacted, as :func:`redact` takes it.

    ``skeletons``, when given, holds :func:`~log_analyzer.logs.masking.skeleton` of each
    entry's message, computed once upstream and reused by the miner; with ``redacted``, it may
    hold the coarser :func:`~log_analyzer.logs.id_skeleton.id_skeleton` instead (see
    :meth:`PatternMiner.add`).
    """
    if not entries:
        return ()
    miner = PatternMiner(redact=not redacted, pii=pii)
    add = miner.add
    # Stats are kept per template index as mined; merges made later are folded in below.
    mined: dict[int, _Group] = {}
    keys: Iterable[bytes | None] = repeat(None) if skeletons is None else skeletons
    for position, (entry, key) in enumerate(zip(entries, keys, strict=skeletons is not None)):
        index = add(entry.message, key)
        group = mined.get(index)
        if group is None:
            mined[index] = group = _Group(entry)
        group.members.append(position)
        group.count += entry.count
        if entry.level is not group.level and entry.level.rank < group.rank:
            group.rank, group.level = entry.level.rank, entry.level
        if entry.first_ns < group.first_ns:
            group.first_ns = entry.first_ns
        if entry.last_ns > group.last_ns:
            group.last_ns = entry.last_ns
        sources = group.sources
        counted = entry.source_counts
        if len(counted) == 1:
            ((source, n),) = counted
            sources[source] = sources.get(source, 0) + n
        else:
            for source, n in counted or ((s, entry.count) for s in entry.sources[:1]):
                sources[source] = sources.get(source, 0) + n
    templates = {t.index: t.template for t in miner.templates()}
    groups: dict[int, _Group] = {}
    for index, group in mined.items():
        root = miner.resolve(index)
        if root in groups:
            groups[root].absorb(group)
        else:
            groups[root] = group

    start = window_start_ns
    if start is None:
        start = min(g.first_ns for g in groups.values())
    end = window_end_ns
    if end is None:
        end = max(g.last_ns for g in groups.values())
    ongoing_until = start + int((end - start) * ONGOING_SHARE)

    def priority(root: int) -> tuple[int, int, bool, int, int]:
        g = groups[root]
        return (g.rank, -g.count, g.first_ns <= ongoing_until, -g.last_ns, root)

    last_seen = [entry.last_ns for entry in entries]
    patterns = []
    for number, root in enumerate(sorted(groups, key=priority), start=1):
        g = groups[root]
        shown, ids = _examples(entries, last_seen, g.members, examples, pii)
        patterns.append(
            Pattern(
                id=f"P{number}",
                template=templates[root],
                count=g.count,
                level=g.level,
                first_ns=g.first_ns,
                last_ns=g.last_ns,
                new=g.first_ns > ongoing_until,
                sources=tuple(sorted(g.sources)),
                source_counts=tuple(sorted(g.sources.items())),
                examples=shown,
                ids=ids,
                entries=tuple(g.members),
            )
        )
    return tuple(patterns)


def _examples(
    entries: Sequence[NormalizedEntry],
    last_seen: list[int],
    members: Sequence[int],
    limit: int,
    pii: frozenset[str],
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The most recent distinct redacted messages of a pattern, and their entries' ids."""
    if limit <= 0:
        return (), ()
    by_recency = last_seen.__getitem__
    # The `limit` most recent usually suffice; redaction can make two alike, then look further.
    recent = heapq.nlargest(limit, members, key=by_recency)
    shown: list[str] = []
    ids: dict[tuple[str, str], None] = {}
    for attempt in range(2):
        for index in recent:
            entry = entries[index]
            text = redact(entry.message, pii=pii).text
            if text in shown:
                continue
            shown.append(text)
            ids.update(dict.fromkeys(_id_pairs(entry.ids, pii)))
            if len(shown) == limit:
                return tuple(shown), tuple(ids)
        if attempt or len(recent) == len(members):
            break
        recent = sorted(members, key=by_recency, reverse=True)
        shown.clear()
        ids.clear()
    return tuple(shown), tuple(ids)


def _id_pairs(ids: Mapping[str, str], pii: frozenset[str]) -> list[tuple[str, str]]:
    """The ids, each redacted as its ``key=value`` would be (a session id can be a credential)."""
    pairs = []
    for key, value in ids.items():
        if value:
            redacted = redact(f"{key}={value}", pii=pii).text
            prefix = f"{key}="
            pairs.append((key, redacted.removeprefix(prefix)))
    return pairs
