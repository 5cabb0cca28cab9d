"""Of the changes found before one onset, the one that started it.

The one seen first started it (a configuration reload, an expired certificate); the others,
seen after it, are its effects. When one process wrote several lines at once (a start-up's
options, banner and start line; a migration's connection, plan and result; a reload and the
setting it changed), the one naming a version or a transition, else a quoted setting or value,
speaks for them. :mod:`log_analyzer.logs.suspects` gives the leader a
small lead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from log_analyzer.logs.levels import Level
from log_analyzer.logs.suspect_candidates import Candidate

BURST_NS = 5 * 1_000_000_000
"""The lines one process writes at once (a start, a migration, a reload) come within this."""
# A version: ``version 88`` or ``version: 3.7.0``, ``v88`` or ``v4.1.0``, or three dotted numbers
# (``21.0.3``); two (``4.5``, ``75.0``) are as often a duration or a share.
_VERSION = re.compile(
    r"\bversion\W{0,3}v?\d[\w.-]*|\bv\d+(?:\.\d+)*\b|(?<![\w.])\d+\.\d+\.\d+(?![\w.])",
    re.IGNORECASE,
)
# A transition: ``3f2a1b9c -> 7d4e5f6a``, ``a => b``, ``from 2,1,3 to 2``: what a change left
# beside what it was, as an upgrade, a failover or a resize writes it.
_TRANSITION = re.compile(r"\S\s*(?:->|=>|\u2192)\s*\S|\bfrom\s+\S+\s+to\s+\S", re.IGNORECASE)
# A quoted name or value, in the quotes of any language: ``"statement_timeout"``, ``'50ms'``,
# ``»50ms«``, ``„x“``: a setting and what it was set to, however the rest of the line is worded.
_QUOTED = re.compile(
    r'"[^"\s][^"]{0,80}"|\'[^\'\s][^\']{0,80}\'|»[^«]{1,80}«|«[^»]{1,80}»|[„“][^“”]{1,80}[“”]'
)


def first_changes(candidates: Sequence[Candidate]) -> dict[int, str]:
    """Per onset with two changes or more, the one that started it, and the reason why.

    That is the one seen first, if no other was seen as early; unless its source wrote more
    lines below warning level at once (a start, a migration): of those, the one naming the most
    versions or transitions, the latest of them if several (``now at version v88`` after
    ``Migrating to version 88``), since a banner or a connection line comes first and says
    nothing of what changed; when none names one, the one quoting the most names or values (a
    reload's changed setting). Keyed by ``id``.
    """
    by_onset: dict[int, list[Candidate]] = {}
    for candidate in candidates:
        if candidate.change is not None:
            by_onset.setdefault(candidate.change.onset_ns, []).append(candidate)
    leaders: dict[int, str] = {}
    for changed in by_onset.values():
        if len(changed) < 2:
            continue
        ordered = sorted(changed, key=lambda candidate: candidate.first_ns)
        at_once = sorted(_written_at_once(ordered), key=_telling, reverse=True)
        if len(at_once) > 1 and any(_telling(at_once[0])[:2]):
            telling, runner_up = at_once[:2]
            tied = _telling(telling) == _telling(runner_up)
            named = "naming a version or a transition"
            if not _telling(telling)[0]:
                named = "quoting the most names or values"
            reason = "the first of the changes before it (of the lines its source wrote at once, "
            reason += f"the one {named})"
        else:
            telling, runner_up = ordered[:2]
            tied = telling.first_ns == runner_up.first_ns
            reason = "the first of the changes before it"
        if not tied:  # tied: neither can be said to have started it
            leaders[id(telling)] = reason
    return leaders


def _written_at_once(ordered: Sequence[Candidate]) -> list[Candidate]:
    """The first of ``ordered`` and the lines its source wrote with it, below warning level.

    One process's start, migration or reload: lines sharing a source with the first, each
    below warning level and within `BURST_NS` of it, up to the first line that is not.
    """
    first = ordered[0]
    at_once = [first]
    if first.level.rank <= Level.WARN.rank:
        return at_once
    for candidate in ordered[1:]:
        if (
            candidate.level.rank <= Level.WARN.rank
            or candidate.first_ns - first.first_ns > BURST_NS
            or not set(candidate.sources) & set(first.sources)
        ):
            break
        at_once.append(candidate)
    return at_once


def _telling(candidate: Candidate) -> tuple[int, int, int]:
    """How much a line says of what changed: its versions and transitions, quoted values, when.

    The quoted names and values count only in lines naming no version or transition
    (``Parameter »statement_timeout« auf »50ms« gesetzt`` after ``SIGHUP empfangen``). Of
    lines naming as many, the later one reports what the event left; of lines naming none, the
    first is the one that started it (``Running upgrade 3f2a -> 7d4e`` after ``Context impl
    PostgresqlImpl.``).
    """
    example = candidate.change.example if candidate.change is not None else candidate.text
    versions = len(_VERSION.findall(example)) + len(_TRANSITION.findall(example))
    quoted = 0 if versions else len(_QUOTED.findall(example))
    return versions, quoted, candidate.first_ns if versions or quoted else -candidate.first_ns
