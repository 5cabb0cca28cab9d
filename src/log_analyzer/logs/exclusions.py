"""Texts that pick out the lines of known patterns, so the store can leave them out next time.

A busy window holds more matching lines than one fetch returns; what was not fetched is usually
more of the loud patterns already seen, but the line that explains the incident can hide among
it. A coverage pass asks the store for the window again without the lines of every pattern
already known, so it returns what was not seen yet. A store can leave out lines that contain a
literal text (Loki's ``!=``, CloudWatch's ``-"..."``, OpenSearch's ``must_not``), so each known
pattern is named by the longest literal run of its template.

A text is used only when it names its pattern exactly among the lines already read: it occurs
in every raw line of that pattern and in no other. It may still occur in lines not read yet;
the longest run of a template makes that unlikely, and the coverage statement says which lines
were counted by text rather than read. An event the store holds as several lines (a stack trace,
a line a runtime split) is never named: leaving out one of its lines would split it.

Pure and CPU-bound: it runs in the worker, next to the miner.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from log_analyzer.logs.condense import Pattern

MIN_LITERAL_CHARS = 12
"""Shorter runs (``failed to``, ``timeout``) would leave out lines of other patterns."""
MAX_EXCLUSIONS = 100
"""Texts left out per query; long queries go to the store as a POST (Loki) or a body."""

# Placeholders of the miner and the masks (<*>, <NUM>, <IP>, ...) and redaction markers.
_PLACEHOLDER = re.compile(r"<[A-Z_*]+>|\[REDACTED:[a-z_]+\]")
# Characters a JSON log line may hold escaped (quotes, backslashes, controls, non-ASCII), and
# whitespace, which a normalizer may have folded: a run never spans them, so it reads the same
# in the raw line as in the template.
_BREAK = re.compile(r'["\\\x00-\x1f\x7f-\U0010ffff]|\s{2,}| \| ')


def literal_runs(template: str) -> list[str]:
    """The literal runs of ``template`` long enough to name it, longest first."""
    runs: list[str] = []
    for part in _PLACEHOLDER.split(template):
        for run in _BREAK.split(part):
            run = run.strip(" ,;:=()[]{}'")
            if len(run) >= MIN_LITERAL_CHARS:
                runs.append(run)
    return sorted(runs, key=len, reverse=True)


def choose_exclusions(
    patterns: Sequence[Pattern],
    lines: Sequence[str],
    already: Sequence[str] = (),
    *,
    split: Sequence[str],
) -> tuple[str, ...]:
    """One text per known pattern that names it exactly among ``lines``, loudest first.

    ``lines`` are the store's lines read so far, as the store holds them; ``split`` are the
    events among them the store holds as several lines (a stack trace, a split line), as
    joined. The store leaves lines out one by one, so a text in one line of such an event would
    leave out that line alone, and the pass would read the rest of the event without it (a
    trace's frames without the line that logged it, read as a pattern of their own or joined to
    a line before): no text is chosen that occurs in one; its pattern is read again instead,
    whole. Texts in ``already`` are kept, first, and count against `MAX_EXCLUSIONS`.
    """
    chosen = list(dict.fromkeys(already))
    taken = set(chosen)
    # One string, so each text is counted at C speed; a text never spans lines (it holds no
    # control character), and a line holding it twice makes it name its pattern inexactly.
    blob = "\n".join(lines)
    events_of_several_lines = "\n".join(split)
    for pattern in sorted(patterns, key=lambda p: -p.count):
        if len(chosen) >= MAX_EXCLUSIONS:
            break
        if any(text in pattern.template for text in taken):
            continue  # already left out by an earlier text
        for run in literal_runs(pattern.template):
            if blob.count(run) == pattern.count and run not in events_of_several_lines:
                chosen.append(run)
                taken.add(run)
                break
    return tuple(chosen)
