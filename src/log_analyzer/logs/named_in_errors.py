"""Which other services' errors name a candidate's service, or the service a change is about.

A cause's service is named in the errors of the services it breaks (``upstream payments
returned 503`` in checkout names payments); a controller's change below error level names the
service it changed (``Successful rescale: new size 1 ... (api)``). :mod:`log_analyzer.logs.suspects`
scores both.
"""

from __future__ import annotations

from collections.abc import Sequence

from log_analyzer.logs.levels import Level
from log_analyzer.logs.services import with_parts
from log_analyzer.logs.suspect_candidates import Candidate


def pointed_at_by(candidate: Candidate, candidates: Sequence[Candidate]) -> list[str]:
    """Other sources whose error templates name one of the candidate's services."""
    names = {name for services in candidate.services for name in services}
    return _naming(names, candidate, candidates, candidate.sources)


def _naming(
    names: set[str],
    candidate: Candidate,
    candidates: Sequence[Candidate],
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


def services_about(
    candidate: Candidate, candidates: Sequence[Candidate]
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
