"""A golden incident: a compact description, the lines it generates, and its truth.

An incident is a few `Kind`s of line (who writes it, at what level, in which format, how often
and when); generating it is seeded, so the same description always gives the same lines. Each
kind that matters carries a *marker*, a literal part of its message that no other kind's lines
contain: the kinds that share a marker are one template (the same failure written by two pods in
two formats is one template). A shape may write the message inside a trace (the root exception
of a chained one, a start line after its banner), so a marker is in every *event* its kinds
write, a line and the trace written with it, rather than in its first line. The truth follows
from the description: the cause kinds' lines, and every template at warning level or above,
which an analysis should show the model.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from log_analyzer.eval.shapes import Shape, Written, access_time

SEVERE_LEVELS = frozenset({"warn", "error", "fatal"})
_NS = 1_000_000_000
_WRITE_GAP_NS = 1_000
"""Between the entries of one split event: a runtime writes them at once."""
_FIELD = re.compile(r"\{(\w+)\}")
_SYLLABLES = ("ac", "bel", "cor", "dun", "el", "fer", "gal", "hol", "ir", "jun", "kel", "lor")
_SUFFIXES = ("corp", "labs", "retail", "media", "bank", "travel")
_BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of line: who writes it, how, how often and when."""

    app: str
    level: str
    """The level the store reports for the line (the first line of a split event)."""
    text: str
    """The message, with ``{field}``s filled per line (see `fill`)."""
    shape: Shape
    count: int
    span: tuple[float, float]
    """When, as shares of the window: lines are spread at random between the two. A share
    below 0 is before the window (a store holds those minutes too)."""
    marker: str | None = None
    """Literal text that names this template; required at warning level and above, and for a
    cause. Kinds without one are background (their templates are not part of the truth)."""
    cause: bool = False
    replica: int = 0
    """Which of the app's pods writes it (two pods of one app may write in two formats)."""
    stateful: bool = False
    """A StatefulSet's pod (``orders-db-0``) rather than a Deployment's."""
    container: str | None = None
    """The container that writes it, when not the app's own: a sidecar (``istio-proxy``) or an
    init container in the same pod as the app's other kinds."""

    def __post_init__(self) -> None:
        if self.marker is None and (self.cause or self.level in SEVERE_LEVELS):
            raise ValueError(f"{self.app}: a cause or a {self.level} kind needs a marker")
        if self.marker is not None and self.marker not in self.text:
            raise ValueError(f"{self.app}: marker {self.marker!r} is not in its text")
        if self.marker is not None and _FIELD.search(self.marker):
            raise ValueError(f"{self.app}: marker {self.marker!r} must be literal")


@dataclass(frozen=True, slots=True)
class Incident:
    """A named incident, its story and its kinds of line."""

    name: str
    story: str
    """What happened, in one or two sentences, as a postmortem would say it."""
    namespace: str
    seed: int
    kinds: tuple[Kind, ...]
    minutes: int = 30

    @property
    def causes(self) -> tuple[str, ...]:
        """The markers of the cause kinds, in the order described (none: nothing is wrong)."""
        return tuple(dict.fromkeys(k.marker for k in self.kinds if k.cause and k.marker))

    @property
    def templates(self) -> tuple[str, ...]:
        """The markers of the templates at warning level or above: what should be shown."""
        return tuple(
            dict.fromkeys(k.marker for k in self.kinds if k.marker and k.level in SEVERE_LEVELS)
        )


@dataclass(frozen=True, slots=True)
class Generated:
    """Every entry of an incident, oldest first, and which kind wrote each."""

    incident: Incident
    start_ns: int
    end_ns: int
    entries: tuple[tuple[int, Mapping[str, str], str, str], ...]
    """``(timestamp ns, stream labels, store level, raw line)``, as `MemorySource` takes them."""
    kinds: tuple[int, ...]
    """``kinds[i]`` is the index in ``incident.kinds`` of the kind that wrote ``entries[i]``."""
    heads: tuple[bool, ...]
    """``heads[i]``: ``entries[i]`` is the first line of what was written (not a trace line)."""
    events: tuple[int, ...]
    """``events[i]``: which event, numbered as written, ``entries[i]`` belongs to (a line and
    the trace written with it are one event)."""
    cause_lines: tuple[str, ...] = field(default=())
    """Per event of a cause kind, its first raw line that holds the marker (the first line,
    unless the marker is deeper in the trace)."""


def generate(incident: Incident, start_ns: int) -> Generated:
    """The incident's entries in the window starting at ``start_ns`` (seeded: repeatable)."""
    rng = random.Random(incident.seed)
    span_ns = incident.minutes * 60 * _NS
    pods: dict[tuple[str, int], Mapping[str, str]] = {}
    containers: dict[tuple[str, int, str], Mapping[str, str]] = {}
    rows: list[_Row] = []
    event = 0
    for index, kind in enumerate(incident.kinds):
        labels = pods.get((kind.app, kind.replica))
        if labels is None:
            labels = pods[kind.app, kind.replica] = _labels(incident.namespace, kind, rng)
        if kind.container is not None:  # the same pod, another container: another stream
            key = (kind.app, kind.replica, kind.container)
            labels = containers.setdefault(key, {**labels, "container": kind.container})
        begin, end = kind.span
        for _ in range(kind.count):
            ts = start_ns + int(span_ns * rng.uniform(begin, end))
            written = kind.shape(ts, kind.level, fill(kind.text, rng, ts))
            says = _saying(kind, written) if kind.cause else None
            for part, (level, line) in enumerate(written):
                gap = part * _WRITE_GAP_NS
                rows.append(_Row(ts + gap, index, part, labels, level, line, event, part == says))
            event += 1
    end_ns = start_ns + span_ns
    rows = [row for row in rows if row.ts < end_ns]
    rows.sort(key=lambda row: (row.ts, row.kind, row.part))
    return Generated(
        incident,
        start_ns,
        end_ns,
        tuple((row.ts, row.labels, row.level, row.line) for row in rows),
        tuple(row.kind for row in rows),
        tuple(row.part == 0 for row in rows),
        tuple(row.event for row in rows),
        tuple(row.line for row in rows if row.says_cause),
    )


class _Row(NamedTuple):
    ts: int
    kind: int
    part: int
    labels: Mapping[str, str]
    level: str
    line: str
    event: int
    says_cause: bool


def _saying(kind: Kind, written: Written) -> int:
    """The part of ``written`` that holds the kind's marker.

    The first line, unless the marker is deeper in what was written (a chained trace's root).
    """
    marker = kind.marker or ""
    return next((part for part, (_, line) in enumerate(written) if marker in line), 0)


def fill(text: str, rng: random.Random, ts_ns: int) -> str:
    """``text`` with each ``{field}`` replaced by a fresh random value of its kind."""
    return _FIELD.sub(lambda match: _value(match.group(1), rng, ts_ns), text)


def _value(name: str, rng: random.Random, ts_ns: int) -> str:
    if name == "n":
        return str(rng.randint(1, 99_999))
    if name == "ms":
        return str(rng.randint(3, 30_000))
    if name == "hex":
        return f"{rng.getrandbits(32):08x}"
    if name == "trace":
        return f"{rng.getrandbits(128):032x}"
    if name == "ip":
        return f"10.244.{rng.randint(0, 7)}.{rng.randint(2, 254)}"
    if name == "port":
        return str(rng.randint(32768, 60999))
    if name == "uuid":
        bits = f"{rng.getrandbits(128):032x}"
        return f"{bits[:8]}-{bits[8:12]}-{bits[12:16]}-{bits[16:20]}-{bits[20:]}"
    if name == "clock":
        return access_time(ts_ns)
    if name == "bytes":
        return str(rng.randint(120, 48_000))
    if name == "tenant":  # a customer's slug: letters only, nothing a masker takes for an id
        return f"{rng.choice(_SYLLABLES)}{rng.choice(_SYLLABLES)}-{rng.choice(_SUFFIXES)}"
    if name == "b62":  # a mixed-case token (a session key, a Stripe-like request id)
        return "".join(rng.choice(_BASE62) for _ in range(12))
    raise ValueError(f"unknown field {{{name}}}")


def _labels(namespace: str, kind: Kind, rng: random.Random) -> Mapping[str, str]:
    if kind.stateful:
        pod = f"{kind.app}-{kind.replica}"
    else:
        alphabet = "bcdfghjklmnpqrstvwxz2456789"
        template = "".join(rng.choice(alphabet) for _ in range(9))
        suffix = "".join(rng.choice(alphabet) for _ in range(5))
        pod = f"{kind.app}-{template}-{suffix}"
    return {
        "namespace": namespace,
        "app": kind.app,
        "container": kind.app,
        "pod": pod,
        "node": f"node-{rng.randint(1, 4)}",
    }
