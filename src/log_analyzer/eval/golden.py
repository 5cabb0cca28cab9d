"""The bundled golden incidents, in the order `log-analyzer eval` runs them."""

from __future__ import annotations

from datetime import UTC, datetime

from log_analyzer.eval.buried import BURIED
from log_analyzer.eval.changes import CHANGES
from log_analyzer.eval.disguised import DISGUISED
from log_analyzer.eval.elsewhere import ELSEWHERE
from log_analyzer.eval.failures import FAILURES
from log_analyzer.eval.hidden import HIDDEN
from log_analyzer.eval.incident import Incident
from log_analyzer.eval.outshone import OUTSHONE
from log_analyzer.eval.unleveled import UNLEVELED
from log_analyzer.eval.wrapped import WRAPPED

GOLDEN: tuple[Incident, ...] = (
    *FAILURES,
    *CHANGES,
    *BURIED,
    *OUTSHONE,
    *HIDDEN,
    *WRAPPED,
    *ELSEWHERE,
    *DISGUISED,
    *UNLEVELED,
)
WINDOW_START = datetime(2025, 6, 2, 14, 0, tzinfo=UTC)
"""Where every golden window starts: a fixed past moment, so that runs are repeatable."""


def golden(name: str) -> Incident:
    """The bundled incident called ``name``; `KeyError` listing the names otherwise."""
    for incident in GOLDEN:
        if incident.name == name:
            return incident
    raise KeyError(f"no golden incident {name!r}; known: {', '.join(i.name for i in GOLDEN)}")
