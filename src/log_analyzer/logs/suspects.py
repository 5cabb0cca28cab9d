"""Name the likely causes with code, with the reasons, before any model is asked.

A local model as small as the default one cannot be trusted to reason its way from a storm of
consequences to the line that started it. So the candidates (every pattern, and every change
seen just before an onset) are scored here on what distinguishes a cause from its effects:

* it was there at or before the onset (an effect cannot precede its cause);
* it changed just before the onset (new, or much louder), at whatever level, and it did so
  first: of the changes at one onset, the one seen first started it (a configuration reload,
  an expired certificate) and the others, seen after it, are its effects; when one process
  wrote several lines at once (a start-up's options, banner and start line; a migration's
  connection, plan and result), the one naming a version or a transition speaks for them;
* it is not a process's own shutdown after a change about its service (an eviction event,
  then the evicted database's ``FATAL: terminating connection``): that is being stopped;
* it is new in the window rather than ongoing;
* it is severe;
* it is rare against the storm it precedes (one fatal line under thousands of timeouts);
* other sources' errors point at its source (``upstream payments returned 503`` in checkout
  names payments), or, for a change below error level, at the service it is about (an
  autoscaler's ``Successful rescale: new size 1 ... (api)`` when the gateway's errors name api).

Each suspect carries the reasons it got its score; the model is asked to confirm or refute the
ranking, and ``llm: false`` still shows it. The weights are deliberately few and plain.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from log_analyzer.logs.changes import Change
from log_analyzer.logs.clock import TIME, utc
from log_analyzer.logs.condense import Pattern
from log_analyzer.logs.levels import Level
from log_analyzer.logs.services import names_in, service_names, with_parts
from log_analyzer.logs.tables import named, quoted

MAX_SUSPECTS = 5
ONSET_SLACK_NS = 10 * 1_000_000_000
"""A candidate first seen up to this long after an onset still counts as there at the onset."""
FIRST_CHANGE_BONUS = 1.0
"""Added for being the first of the changes at an onset: enough to come before an error that
changed a moment after it, not to outweigh a change against a pattern that never changed."""
BURST_NS = 5 * 1_000_000_000
"""The lines one process writes at once (a start, a migration, a reload) come within this."""
_SEVERITY = {Level.FATAL: 3.0, Level.ERROR: 2.0, Level.WARN: 1.0}
# A placeholder with what masking may leave stuck to it: the letters before it (an id's hex
# letters, ``c<NUM>``) and the punctuation after it (``<HEX>:``), but not a key (``uid=<NUM>``).
_VALUE = re.compile(r"[A-Za-z0-9]*<(?:\*|[A-Z]+(?::[A-Z]+)?)>[^\s=]*")
# A process saying it is being stopped: ``terminating connection``, ``shutting down``, ``SIGTERM``.
_STOPPING = re.compile(
    r"\b(?:terminat\w*|shut(?:ting)? ?down|stopp\w*|sig(?:term|kill)|exiting)\b", re.IGNORECASE
)
# A version: ``version 88`` or ``version: 3.7.0``, ``v88`` or ``v4.1.0``, or three dotted numbers
# (``21.0.3``); two (``4.5``, ``75.0``) are as often a duration or a share.
_VERSION = re.compile(
    r"\bversion\W{0,3}v?\d[\w.-]*|\bv\d+(?:\.\d+)*\b|(?<![\w.])\d+\.\d+\.\d+(?![\w.])",
    re.IGNORECASE,
)
# A transition: ``3f2a1b9c -> 7d4e5f6a``, ``a => b``, ``from 2,1,3 to 2``: what a change left
# beside what it was, as an upgrade, a failover or a resize writes it.
_TRANSITION = re.compile(r"\S\s*(?:->|=>|\u2192)\s*\S|\bfrom\s+\S+\s+to\s+\S", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Suspect:
    """A likely cause, its place in the ranking and why."""

    rank: int
    pattern: str | None
    """The id (``P3``) of the pattern it is, or None for a change no pattern holds."""
    text: str
    """Its template."""
    level: Level
    sources: tuple[str, ...]
    first_ns: int
    score: float
    reasons: tuple[str, ...]


@dataclass
class _Candidate:
    pattern: str | None
    text: str
    level: Level
    sources: tuple[str, ...]
    first_ns: int
    count: int
    new: bool
    change: Change | None = None
    words: frozenset[str] = frozenset()
    """The names its text holds, lower case (what `_pointed_at_by` looks for)."""
    services: tuple[tuple[str, ...], ...] = ()
    """`service_names` of each of its sources."""

    def __post_init__(self) -> None:
        self.words = names_in(self.text)
        self.services = tuple(service_names(source) for source in self.sources)


def rank_suspects(
    patterns: Sequence[Pattern],
    changes: Sequence[Change],
    onsets_ns: Sequence[int],
) -> tuple[Suspect, ...]:
    """The `MAX_SUSPECTS` most likely causes, most likely first (see the module docstring)."""
    candidates = _candidates(patterns, changes)
    if not candidates:
        return ()
    loudest = max(candidate.count for candidate in candidates)
    total = sum(candidate.count for candidate in candidates) or 1
    leaders = _first_changes(candidates)
    scores: dict[int, tuple[float, tuple[str, ...]]] = {}
    for candidate in candidates:
        score, reasons = _score(candidate, candidates, onsets_ns, loudest, total)
        lead = leaders.get(id(candidate))
        if lead is not None:
            score += FIRST_CHANGE_BONUS
            reasons += (lead,)
        scores[id(candidate)] = (score, reasons)
    # A likely effect ranks no higher than the change it follows; the earliest are settled first,
    # so the score it is held to is final.
    for candidate in sorted(candidates, key=lambda candidate: candidate.first_ns):
        score, reasons = scores[id(candidate)]
        causes = _causes_of(candidate, candidates)
        if causes:
            cause, why = min(causes, key=lambda found: scores[id(found[0])][0])
            held = scores[id(cause)][0]
            if score > held:
                reasons += (f"follows {_quoted(cause.text)} ({why}): likely its effect",)
                scores[id(candidate)] = (held, reasons)
    scored = [(*scores[id(c)], c.first_ns, c) for c in candidates]
    scored.sort(key=lambda item: (-item[0], item[2]))
    return tuple(
        Suspect(
            rank=rank,
            pattern=candidate.pattern,
            text=candidate.text,
            level=candidate.level,
            sources=candidate.sources,
            first_ns=candidate.first_ns,
            score=round(score, 2),
            reasons=reasons,
        )
        for rank, (score, reasons, _, candidate) in enumerate(scored[:MAX_SUSPECTS], start=1)
    )


def _candidates(patterns: Sequence[Pattern], changes: Sequence[Change]) -> list[_Candidate]:
    by_template = {pattern.template: pattern for pattern in patterns}
    # The changes are mined from other lines than the patterns, so one message may be masked
    # differently there (``<HEX>`` where the window's miner widened it to ``<*>``).
    by_shape: dict[str, Pattern] = {}
    for each in patterns:
        by_shape.setdefault(_shape(each.template), each)
    found = [
        _Candidate(p.id, p.template, p.level, p.sources, p.first_ns, p.count, p.new)
        for p in patterns
    ]
    index = {candidate.pattern: candidate for candidate in found}
    for change in changes:
        pattern = by_template.get(change.template) or by_shape.get(_shape(change.template))
        if pattern is not None:
            candidate = index[pattern.id]
            candidate.change = change
            candidate.first_ns = min(candidate.first_ns, change.first_ns)
        else:
            found.append(
                _Candidate(
                    None,
                    change.template,
                    change.level,
                    change.sources,
                    change.first_ns,
                    change.recent,
                    True,
                    change,
                )
            )
    return found


def _first_changes(candidates: Sequence[_Candidate]) -> dict[int, str]:
    """Per onset with two changes or more, the one that started it, and the reason why.

    That is the one seen first, if no other was seen as early; unless its source wrote more
    lines below warning level at once (a start, a migration): of those, the one naming the most
    versions or transitions, the latest of them if several (``now at version v88`` after
    ``Migrating to version 88``), since a banner or a connection line comes first and says
    nothing of what changed. Keyed by ``id``.
    """
    by_onset: dict[int, list[_Candidate]] = {}
    for candidate in candidates:
        if candidate.change is not None:
            by_onset.setdefault(candidate.change.onset_ns, []).append(candidate)
    leaders: dict[int, str] = {}
    for changed in by_onset.values():
        if len(changed) < 2:
            continue
        ordered = sorted(changed, key=lambda candidate: candidate.first_ns)
        at_once = sorted(_written_at_once(ordered), key=_telling, reverse=True)
        if len(at_once) > 1 and _telling(at_once[0])[0]:
            telling, runner_up = at_once[:2]
            tied = _telling(telling) == _telling(runner_up)
            reason = "the first of the changes before it (of the lines its source wrote at once, "
            reason += "the one naming a version or a transition)"
        else:
            telling, runner_up = ordered[:2]
            tied = telling.first_ns == runner_up.first_ns
            reason = "the first of the changes before it"
        if not tied:  # tied: neither can be said to have started it
            leaders[id(telling)] = reason
    return leaders


def _written_at_once(ordered: Sequence[_Candidate]) -> list[_Candidate]:
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


def _telling(candidate: _Candidate) -> tuple[int, int]:
    """How much a line says of what changed: the versions and transitions it names, then when.

    Of lines naming as many, the later one reports what the event left; of lines naming none,
    the first is the one that started it (``Running upgrade 3f2a -> 7d4e`` after ``Context impl
    PostgresqlImpl.``).
    """
    example = candidate.change.example if candidate.change is not None else candidate.text
    versions = len(_VERSION.findall(example)) + len(_TRANSITION.findall(example))
    return versions, candidate.first_ns if versions else -candidate.first_ns


def _causes_of(
    candidate: _Candidate, candidates: Sequence[_Candidate]
) -> list[tuple[_Candidate, str]]:
    """The changes at ``candidate``'s onset it is the effect of: the ones that stopped it.

    ``candidate`` says its own service is stopping (`_STOPPING`: Postgres's ``terminating
    connection due to administrator command``, ``Fatal error during KafkaServer shutdown``),
    and a change below error level about that service came before it (an eviction event, a
    node drain): a process's own shutdown line, however severe, is what being stopped looks
    like. Any other line after such a change is left alone: a service scaled up, then out of
    memory, failed on its own.
    """
    change = candidate.change
    if change is None or _STOPPING.search(candidate.text) is None:
        return []
    own = {name for services in candidate.services for name in services}
    found = []
    for other in candidates:
        if (
            other is candidate
            or other.change is None
            or other.change.onset_ns != change.onset_ns
            or other.first_ns >= candidate.first_ns
        ):
            continue
        about = [service for service, _ in _services_about(other, candidates) if service in own]
        if about:
            found.append((other, f"about {about[0]}"))
    return found


def _quoted(text: str, width: int = 40) -> str:
    """Log text in a reason, clipped, in JSON's quotes: it cannot pass for the reason's words."""
    return quoted(text if len(text) <= width else text[: width - 1] + "\u2026")


def _names(sources: Sequence[str]) -> str:
    return ", ".join(named(source) for source in sources)


def _shape(template: str) -> str:
    """``template`` with every value alike: the same message, however it was masked.

    The window's miner may have widened a value to ``<*>`` where the lines before an onset
    kept ``<HEX>:`` or ``c<NUM>:`` (a hex id's letters and the colon after it).
    """
    return _VALUE.sub("<*>", template)


def _score(
    candidate: _Candidate,
    candidates: Sequence[_Candidate],
    onsets_ns: Sequence[int],
    loudest: int,
    total: int,
) -> tuple[float, tuple[str, ...]]:
    score = 0.0
    reasons: list[str] = []
    onset = next((o for o in sorted(onsets_ns) if candidate.first_ns <= o + ONSET_SLACK_NS), None)
    if onset is not None:
        lead = (onset - candidate.first_ns) / 1e9
        score += 3.0
        # Up to ONSET_SLACK_NS after the onset's start is still its first bucket: "at".
        when = "at" if lead < 1 else f"{lead:.0f} s before"
        reasons.append(f"seen {when} the onset ({utc(onset, TIME)})")
    change = candidate.change
    if change is not None:
        score += 3.0 if change.kind == "new" else 2.0
        reasons.append(
            f"{change.kind} just before it ({change.recent:,} vs {change.baseline:,} lines)"
        )
    if candidate.new and change is None:
        score += 1.0
        reasons.append("new in the window")
    severity = _SEVERITY.get(candidate.level, 0.0)
    if severity:
        score += severity
        reasons.append(candidate.level.value)
    if candidate.count < loudest:
        rarity = min(2.0, math.log10(loudest / candidate.count))
        if rarity >= 0.5:
            score += rarity
            reasons.append(f"rare ({candidate.count:,} vs {loudest:,} lines)")
    elif candidate.count >= 0.3 * total and len(candidates) > 1:
        score -= 1.0
        reasons.append(f"loudest ({candidate.count:,} of {total:,} lines): likely an effect")
    pointers = _pointed_at_by(candidate, candidates)
    if pointers:
        score += 2.0
        reasons.append(f"named in errors of {_names(pointers)}")
    else:
        about = _services_about(candidate, candidates)
        if about:
            service, pointers = about[0]
            score += 2.0
            reasons.append(f"about {named(service)}, named in errors of {_names(pointers)}")
    return score, tuple(reasons)


def _pointed_at_by(candidate: _Candidate, candidates: Sequence[_Candidate]) -> list[str]:
    """Other sources whose error templates name one of the candidate's services."""
    names = {name for services in candidate.services for name in services}
    return _naming(names, candidate, candidates, candidate.sources)


def _naming(
    names: set[str],
    candidate: _Candidate,
    candidates: Sequence[_Candidate],
    own_sources: Sequence[str] = (),
) -> list[str]:
    """The services whose error or warning templates, not ``candidate``'s, name one of ``names``.

    A source of ``own_sources``, or of a named service, does not count.
    """
    if not names:
        return []
    pointers: set[str] = set()
    for other in candidates:
        if other is candidate or other.level.rank > Level.WARN.rank or not names & other.words:
            continue
        for source, services in zip(other.sources, other.services, strict=True):
            if source in own_sources or names & set(services):
                continue  # the candidate's own source, or the same service writing about itself
            pointers.add(services[0] if services else source)
    return sorted(pointers)


def _services_about(
    candidate: _Candidate, candidates: Sequence[_Candidate]
) -> list[tuple[str, list[str]]]:
    """The services of the window that a change below error level names, and who else names them.

    A controller or operator writes what it changed about another service (``Successful
    rescale: new size 1 ... (api)``, ``deployment api rolled back``): when other sources' errors
    name that service too, the change concerns what is failing. Errors themselves are left
    out: the effects of one failure all name the service that failed.
    """
    if candidate.change is None or candidate.level.rank <= Level.ERROR.rank:
        return []
    own = {name for services in candidate.services for name in services}
    in_window = {name for other in candidates for services in other.services for name in services}
    found = []
    most_parts = max((name.count("-") + 1 for name in in_window), default=1)
    for service in sorted((with_parts(candidate.words, most_parts) & in_window) - own):
        pointers = _naming({service}, candidate, candidates)
        if pointers:
            found.append((service, pointers))
    return found
