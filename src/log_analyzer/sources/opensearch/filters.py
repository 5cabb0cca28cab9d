"""What the service checks itself, with RE2, where OpenSearch's query language cannot.

OpenSearch matches regexes with Lucene, on indexed terms: on a ``text`` field each analyzed
word is matched on its own, and a ``keyword`` sub-field drops values longer than its
``ignore_above`` (256 characters under dynamic mapping), so there a ``regexp`` query does not
see every message whole. The request's ``log_filter`` is therefore applied here unless the
message's keyword form keeps every value whole (see `query`), as is the default selection
(`SEVERE_PATTERN`) on documents that carry no level, and a pod regex that `lucene.to_lucene`
cannot translate. On a cluster that refuses regexp and wildcard queries
(``search.allow_expensive_queries: false``) the pod regex, the ``log_filter`` and a keyword
message's ``exclude`` texts are all applied here. The filter is plain data, so it pickles to
the worker that decodes the entries; the regexes are compiled there, once per process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from log_analyzer.logs.entries import STORE_LEVEL
from log_analyzer.logs.regex import compile_re2
from log_analyzer.sources.base import SEVERE_PATTERN

SEVERE_LEVELS = (
    "fatal", "panic", "crit", "critical", "emerg", "emergency", "alert",
    "error", "err", "severe", "fail",
    "warn", "warning",
)  # fmt: skip
"""Level values of errors and warnings (each names fatal, error or warn to `level_of`)."""
SEVERE_NUMBER = 40
"""pino's and bunyan's warn: every number from it up names warn, error or fatal to
`level_word` (40 warn, 50 error, 60 fatal)."""


def severe_level_values() -> list[str]:
    """`SEVERE_LEVELS` as documents write them: lower case, upper case and capitalized."""
    return [
        variant
        for word in SEVERE_LEVELS
        for variant in dict.fromkeys((word, word.upper(), word.capitalize()))
    ]


class Severe(StrEnum):
    """Which documents' lines the service matches against `SEVERE_PATTERN`."""

    UNLEVELED = "unleveled"
    """Those without a level (OpenSearch selected the others by their level)."""
    EVERY = "every"
    """All of them (the level field is neither a string nor a number, or no index maps it)."""


@dataclass(frozen=True, slots=True)
class ServiceFilter:
    """Conditions on an entry's labels and line that OpenSearch did not apply."""

    severe: Severe | None = None
    pattern: str | None = None
    """The request's ``log_filter``: an RE2 regex found anywhere in the line."""
    pod: str | None = None
    """An RE2 regex the whole pod name must match."""
    excluded: tuple[str, ...] = ()
    """Texts the line must not hold (as they are: ``exclude`` on a keyword message)."""
    expensive_off: bool = False
    """The cluster refused the ``regexp``/``wildcard`` clauses of these conditions."""

    def keeps(self, labels: Mapping[str, str], line: str) -> bool:
        """Whether the entry passes every condition."""
        if self.pod is not None and _re2(self.pod).fullmatch(labels.get("pod", "")) is None:
            return False
        checks_severe = self.severe is Severe.EVERY or (
            self.severe is Severe.UNLEVELED and STORE_LEVEL not in labels
        )
        if checks_severe and _re2(SEVERE_PATTERN).search(line) is None:
            return False
        if any(text in line for text in self.excluded):
            return False
        return self.pattern is None or _re2(self.pattern).search(line) is not None

    def describe(self) -> str:
        """The conditions in words, for the query text."""
        parts = []
        if self.pod is not None:
            parts.append(f"the whole pod name matches {self.pod}")
        if self.severe is Severe.UNLEVELED:
            parts.append(f"lines of documents without a level match {SEVERE_PATTERN}")
        elif self.severe is Severe.EVERY:
            parts.append(f"lines match {SEVERE_PATTERN}")
        if self.pattern is not None:
            parts.append(f"lines match {self.pattern}")
        if self.excluded:
            parts.append("lines hold none of " + ", ".join(map(repr, self.excluded)))
        text = "then RE2 in the service: " + "; ".join(parts)
        if self.expensive_off:
            text += (
                " (applied by the service: the cluster refuses regexp and wildcard queries, "
                "search.allow_expensive_queries is false)"
            )
        return text


@lru_cache(maxsize=64)
def _re2(pattern: str) -> Any:  # a compiled RE2 regex (the binding has no types)
    return compile_re2(pattern)
