"""Name the likely causes with code, with the reasons, before any model is asked.

A local model as small as the default one cannot be trusted to reason its way from a storm of
consequences to the line that started it. So the candidates (every pattern, and every change
seen just before an onset) are scored here on what distinguishes a cause from its effects:

* it was there at or before the onset (an effect cannot precede its cause);
* it changed just before the onset (new, or much louder), at whatever level, and it did so
  first: of the changes at one onset, the one seen first started it (a configuration reload,
  an expired certificate) and the others, seen after it, are its effects; when one process
  wrote several lines at once (a start-up's options, banner and start line; a migration's
  connection, plan and result; a reload and the setting it changed), the one naming a version or
  a transition, else quoting a setting or a value, speaks for them;
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

The candidates are built in :mod:`~log_analyzer.logs.suspect_candidates`, the first change at
an onset is found in :mod:`~log_analyzer.logs.first_changes`, and who names whom in
:mod:`~log_analyzer.logs.named_in_errors`; the scoring and the ranking are here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from log_analyzer.logs.changes import Change
from log_analyzer.logs.clock import TIME, utc
from log_analyzer.logs.condense import Pattern
from log_analyzer.logs.first_changes import first_changes
from log_analyzer.logs.levels import Level
from log_analyzer.logs.named_in_errors import pointed_at_by, services_about
from log_analyzer.logs.suspect_candidates import Candidate, candidates_of
from log_analyzer.logs.tables import named, quoted

MAX_SUSPECTS = 5
ONSET_SLACK_NS = 10 * 1_000_000_000
"""A candidate first seen up to this long after an onset still counts as there at the onset."""
MIN_RATE_LINES = 3
"""A severe change no pattern holds, with this many lines just before its onset, is a rate: its
rarity is judged at the window's scale (see `rank_suspects`)."""
FIRST_CHANGE_BONUS = 1.0
"""Added for being the first of the changes at an onset: enough to come before an error that
changed a moment after it, not to outweigh a change against a pattern that never changed."""
_SEVERITY = {Level.FATAL: 3.0, Level.ERROR: 2.0, Level.WARN: 1.0}
# A process saying it is being stopped: ``terminating connection``, ``shutting down``, ``SIGTERM``.
_STOPPING = re.compile(
    r"\b(?:terminat\w*|shut(?:ting)? ?down|stopp\w*|sig(?:term|kill)|exiting)\b", re.IGNORECASE
)


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


def rank_suspects(
    patterns: Sequence[Pattern],
    changes: Sequence[Change],
    onsets_ns: Sequence[int],
) -> tuple[Suspect, ...]:
    """The `MAX_SUSPECTS` most likely causes, most likely first (see the module docstring)."""
    candidates = candidates_of(patterns, changes)
    if not candidates:
        return ()
    loudest = max(candidate.count for candidate in candidates)
    total = sum(candidate.count for candidate in candidates) or 1
    # A change no pattern holds counts only its lines just before the onset. One at warning level
    # or above is a severe line the window's line filter missed (German ``FEHLER:``), and when
    # its lines are many (a rate, not an event) they are weighed as the loudest change with a
    # pattern weighs its own there against its window's count: a storm must not pass for rare.
    storm = max((c for c in candidates if c.pattern and c.change), key=_count, default=None)
    scale = storm.count / storm.change.recent if storm and storm.change else 1.0
    leaders = first_changes(candidates)
    scores: dict[int, tuple[float, tuple[str, ...]]] = {}
    for candidate in candidates:
        against = loudest
        if (
            candidate.pattern is None
            and candidate.level.rank <= Level.WARN.rank
            and candidate.count >= MIN_RATE_LINES
        ):
            against = max(1, round(loudest / scale))
        score, reasons = _score(candidate, candidates, onsets_ns, against, total)
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


def _count(candidate: Candidate) -> int:
    return candidate.count


def _causes_of(
    candidate: Candidate, candidates: Sequence[Candidate]
) -> list[tuple[Candidate, str]]:
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
        about = [service for service, _ in services_about(other, candidates) if service in own]
        if about:
            found.append((other, f"about {about[0]}"))
    return found


def _quoted(text: str, width: int = 40) -> str:
    """Log text in a reason, clipped, in JSON's quotes: it cannot pass for the reason's words."""
    return quoted(text if len(text) <= width else text[: width - 1] + "\u2026")


def _names(sources: Sequence[str]) -> str:
    return ", ".join(named(source) for source in sources)


def _score(
    candidate: Candidate,
    candidates: Sequence[Candidate],
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
        score += 2.0 if change.kind == "louder" else 3.0
        if change.kind == "changed":
            held = f"its {change.baseline:,} lines before held it alike"
            reasons.append(f"a number changed just before it ({held})")
        else:
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
    pointers = pointed_at_by(candidate, candidates)
    if pointers:
        score += 2.0
        reasons.append(f"named in errors of {_names(pointers)}")
    else:
        about = services_about(candidate, candidates)
        if about:
            service, pointers = about[0]
            score += 2.0
            reasons.append(f"about {named(service)}, named in errors of {_names(pointers)}")
    return score, tuple(reasons)
