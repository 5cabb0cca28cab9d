"""Log entries as every store hands them to the pipeline, before normalization."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

STORE_LEVEL = "store_level"
"""The label a store sets with the level it keeps or detected for an entry (Loki's detected
level, a document's level field): used when the line itself names no level."""

Row = tuple[Mapping[str, str], int, str]
"""``(labels, timestamp_ns, raw line)`` of one entry.

Plain tuples, not objects: a window holds up to hundreds of thousands of entries and every one
is read once. Entries of one stream share one labels object.
"""


@dataclass(frozen=True, slots=True)
class DecodedEntries:
    """The entries of one store answer, decoded."""

    rows: list[Row]
    """In the order the store sent them."""
    malformed: int
    """Values that were not an entry and were skipped; reported, never silent."""
    more: bool
    """The store holds more matching entries than these (it stopped at the limit)."""
    over_limit: int = 0
    """Entries the store sent beyond the limit, not kept (a store should never send any)."""
    cut_at_bytes: int | None = None
    """The store's answer was longer than the byte cap: only this many bytes of it were read."""


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One entry as an object, where readability matters more than speed (tools, tests)."""

    timestamp_ns: int
    line: str
    labels: Mapping[str, str]

    @property
    def row(self) -> Row:
        """The entry as the pipeline's row."""
        return (self.labels, self.timestamp_ns, self.line)
