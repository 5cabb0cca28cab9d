"""The lines of a multi-line message that name its event: a stack trace is one message.

The miner (:mod:`log_analyzer.logs.patterns`) mines a stack trace on these lines only, so its
template does not depend on the depth of the stack.
"""

from __future__ import annotations

import re

__all__ = ["event_text"]

_FRAME = re.compile(r"^\s*(?:at\s|\.\.\.\s*\d+\s+more\b|File\s\"|~|\^)")
_EXCEPTION_LINE = re.compile(r"^\s*(?:Caused by:|[\w.$]+(?:Error|Exception|Warning|Exit)\b)")


def event_text(message: str) -> str:
    """Return the part of a (possibly multi-line) message that names its event.

    One-line messages come back unchanged. For a stack trace, the first line is kept together
    with the exception lines (``Caused by: ...``, a final ``KeyError: ...``); frames (``at ...``,
    ``File "..."``) and ``... 12 more`` are dropped. The kept lines are joined with ``" | "``.
    """
    if "\n" not in message:
        return message
    first, *rest = message.splitlines()
    kept = [first.strip()]
    kept.extend(
        line.strip() for line in rest if _EXCEPTION_LINE.match(line) and not _FRAME.match(line)
    )
    return " | ".join(line for line in kept if line)
