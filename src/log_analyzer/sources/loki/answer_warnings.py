"""The ``warnings`` Loki adds to an answer, carried into the text of the query they concern.

Loki adds them to a success when the answer is not the whole story (its series limit answering
in part, say); they belong with the query text, which the summary and the spans show, not in a
log.
"""

from __future__ import annotations

from typing import Any

import ijson

_WARNINGS_WITHIN = 4096
"""Loki writes ``warnings`` right after ``status``, before ``data`` (`EncodeResult`)."""


def warnings_of(content: bytes) -> tuple[str, ...]:
    """The ``warnings`` of a Loki answer, read from its start without parsing the rest."""
    if b'"warnings"' not in content[:_WARNINGS_WITHIN]:
        return ()
    found: list[str] = []
    try:
        for prefix, event, value in ijson.parse(content):
            if prefix == "warnings.item" and event == "string":
                found.append(value)
            elif prefix == "" and event == "map_key" and value == "data":
                break
    except ijson.JSONError:
        pass  # the body itself is judged where it is decoded
    return tuple(found)


def warned(query: str, warnings: Any) -> str:
    """``query`` with what Loki warned about it (a body's ``warnings``), if anything."""
    items = warnings if isinstance(warnings, list | tuple) else [warnings] if warnings else []
    said = [" ".join(str(w).split()) for w in items if str(w).strip()]
    return f"{query}; Loki warned: {' | '.join(said)}" if said else query
