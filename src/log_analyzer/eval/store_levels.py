"""The level a store reports for a line, when the store reads it from the line itself.

The golden incidents give every line the level it was written at, as a store that knows each
line's level would report it. Loki 3 does not know it: when a line is ingested without a level
label, it guesses one (`detected_level`), and the window's counts by level, from which the
pipeline finds where the errors rose, follow that guess. `loki_level` reads a line as Loki 3's
distributor does (behaviour read in its source, `pkg/distributor/field_detection.go`), so the
evaluation can be run on the levels a real Loki would count (``log-analyzer eval
--store-levels loki``), or on none at all (``--store-levels none``, `no_level`):

* a line that starts with ``{`` and ends with ``}`` is JSON: the first field, at any depth, whose
  key is one of Loki's level keys and whose value is a *string* (pino's ``"level":50`` is not);
* any other line holding a ``=`` is logfmt: the value of the first of those keys present;
* a value that names a level gives it; otherwise, and for every other line, the line is searched
  for a level word standing alone (``trace``, ``debug``, ``fatal``, ``critical``, ``error``,
  ``err``, ``warning``, ``warn``, ``info``, in that order, case-insensitively); no word: unknown.

So a klog ``E0314 ...`` line that names no level in its message counts as ``unknown``, and a
logfmt line without a level key counts as whatever word its message holds first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from log_analyzer.eval.incident import Generated

LEVEL_KEYS = (
    "level",
    "LEVEL",
    "Level",
    "log.level",
    "severity",
    "SEVERITY",
    "Severity",
    "SeverityText",
    "lvl",
    "LVL",
    "Lvl",
)
"""The keys Loki 3 reads a level from by default, in its order of preference."""
_LEVEL_KEYS = frozenset(LEVEL_KEYS)
_LOGFMT_KEYS = {key.lower(): rank for rank, key in reversed(list(enumerate(LEVEL_KEYS)))}
_NAMES = {
    "trace": "trace",
    "trc": "trace",
    "debug": "debug",
    "dbg": "debug",
    "info": "info",
    "inf": "info",
    "information": "info",
    "warn": "warn",
    "wrn": "warn",
    "warning": "warn",
    "error": "error",
    "err": "error",
    "critical": "critical",
    "fatal": "fatal",
}
_WORDS = (
    ("trace", "trace"),
    ("debug", "debug"),
    ("fatal", "fatal"),
    ("critical", "critical"),
    ("error", "error"),
    ("err", "error"),
    ("warning", "warn"),
    ("warn", "warn"),
    ("info", "info"),
)
_LOGFMT_PAIR = re.compile(r'([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)')
UNKNOWN = "unknown"


def loki_level(line: str) -> str:
    """The ``detected_level`` Loki 3 gives ``line`` when it arrives with no level label."""
    text = line.strip()
    if text.startswith("{") and text.endswith("}"):
        value = _json_level(text)
    elif "=" in text:
        value = _logfmt_level(text)
    else:
        return _word_level(line)
    named = _NAMES.get(value.lower()) if value is not None else None
    return named or _word_level(line)


def no_level(line: str) -> str:
    """``unknown``: what a store that reports no level gives every line.

    Loki 2, Loki 3 with level discovery off, an index without a level field.
    """
    return UNKNOWN


STORE_LEVELS: Mapping[str, Callable[[str], str] | None] = {
    "written": None,
    "loki": loki_level,
    "none": no_level,
}
"""How the store's levels are read, by name: as written (the incidents' own), as Loki 3 reads
them, or not at all."""


def relevelled(generated: Generated, level_of_line: Callable[[str], str]) -> Generated:
    """``generated`` with each entry's store level read from its line by ``level_of_line``."""
    entries = tuple(
        (ts, labels, level_of_line(line), line) for ts, labels, _, line in generated.entries
    )
    return replace(generated, entries=entries)


def _json_level(text: str) -> str | None:
    try:
        decoded = json.loads(text)
    except ValueError:
        return None
    return _first_string_level(decoded) if isinstance(decoded, dict) else None


def _first_string_level(fields: Mapping[str, Any]) -> str | None:
    for key, value in fields.items():
        if isinstance(value, str) and key in _LEVEL_KEYS:
            return value
        if isinstance(value, dict):
            found = _first_string_level(value)
            if found is not None:
                return found
    return None


def _logfmt_level(text: str) -> str | None:
    best: tuple[int, str] | None = None
    for key, value in _LOGFMT_PAIR.findall(text):
        rank = _LOGFMT_KEYS.get(key.lower())
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, value.strip('"'))
            if rank == 0:
                break
    return best[1] if best is not None else None


def _word_level(line: str) -> str:
    lowered = line.lower()
    for word, level in _WORDS:
        if _standing_alone(lowered, word):
            return level
    return UNKNOWN


def _standing_alone(text: str, word: str) -> bool:
    """Whether the first occurrence of ``word`` has no letter, digit or ``_`` on either side."""
    at = text.find(word)
    if at < 0:
        return False
    end = at + len(word)
    before = text[at - 1] if at > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before == "_" or after.isalnum() or after == "_")
