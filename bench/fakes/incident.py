"""The log lines the fake Loki serves: one seeded incident in a small shop namespace.

Seven pods of five apps (checkout runs an istio-proxy sidecar) write JSON, logfmt, klog, Java
and access-log lines from the 42 templates of `templates.tsv`, with ids, hashes, durations and
addresses re-drawn for every line, so the pattern miner has real work. A few templates are
loud and most are quiet (weights fall off as 1/rank). Background templates are spread over the
whole window, incident templates start at 55% of it. Every template names one of the words of
the service's default line filter (error, warn, failed, exception, panic, fatal), so all the
generated lines reach it.

A line has no absolute time: it has a position in `[0, 1)` of whatever window is queried, which
the fake turns into a timestamp per query. Times written inside the lines follow that position
in a fixed 30-minute window, so they are in order but not equal to the served timestamps.
"""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from log_analyzer.sources.base import SEVERE_PATTERN

NAMESPACE = "shop"
INCIDENT_ONSET = 0.55
"""Position in the window where the incident templates start."""
_TEXT_BASE = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
_TEXT_WINDOW = timedelta(minutes=30)
# The service's default line filter: every generated line must pass it.
_SERVICE_FILTER = re.compile(SEVERE_PATTERN)
_PLACEHOLDER = re.compile(r"\$\{(\w+)(?::([^}]*))?\}")

TEMPLATE_FILE = Path(__file__).with_name("templates.tsv")


@dataclass(frozen=True, slots=True)
class Template:
    """One kind of line: who writes it, at which level, when, and its text with placeholders."""

    app: str
    container: str
    level: str
    phase: str
    """`background` (the whole window) or `incident` (from `INCIDENT_ONSET` on)."""
    text: str


def load_templates(path: Path = TEMPLATE_FILE) -> tuple[Template, ...]:
    """The templates of `path`, loudest first."""
    rows = path.read_text().splitlines()
    return tuple(Template(*row.split("\t")) for row in rows if row and not row.startswith("#"))


@dataclass(frozen=True, slots=True)
class Stream:
    """The labels of one Loki stream, as Loki 3 sets them (recorded order)."""

    app: str
    container: str
    detected_level: str
    namespace: str
    node: str
    pod: str

    def labels(self) -> dict[str, str]:
        """The stream's label set, `service_name` included."""
        return {
            "app": self.app,
            "container": self.container,
            "detected_level": self.detected_level,
            "namespace": self.namespace,
            "node": self.node,
            "pod": self.pod,
            "service_name": self.app,
        }


@dataclass(frozen=True, slots=True)
class Line:
    """One log line: where it lies in the window, its stream and its text."""

    position: float
    stream: int
    text: str


@dataclass(frozen=True, slots=True)
class Incident:
    """The generated lines, oldest first, and the streams they belong to."""

    streams: tuple[Stream, ...]
    lines: tuple[Line, ...]


def generate(count: int, seed: int = 20260314) -> Incident:
    """`count` lines over the templates, the same for the same seed."""
    rng = random.Random(seed)
    replicas = {"checkout": 2, "payments": 1, "cart": 1, "inventory": 1, "frontend": 2}
    pods = {
        app: [
            (f"{app}-{rng.getrandbits(36):09x}-{_suffix(rng)}", f"node-{rng.randint(1, 3)}")
            for _ in range(n)
        ]
        for app, n in replicas.items()
    }
    streams: dict[Stream, int] = {}
    templates = load_templates()
    weights = [1 / rank for rank in range(1, len(templates) + 1)]
    lines: list[Line] = []
    for _ in range(count):
        template = rng.choices(templates, weights)[0]
        pod, node = rng.choice(pods[template.app])
        stream = Stream(template.app, template.container, template.level, NAMESPACE, node, pod)
        index = streams.setdefault(stream, len(streams))
        low = INCIDENT_ONSET if template.phase == "incident" else 0.0
        position = rng.uniform(low, 1.0)
        text = render(template.text, rng, position)
        if not _SERVICE_FILTER.search(text):
            raise ValueError(f"template misses the service's line filter: {template.text[:60]}")
        lines.append(Line(position, index, text))
    lines.sort(key=lambda line: line.position)
    return Incident(tuple(streams), tuple(lines))


def render(template: str, rng: random.Random, position: float) -> str:
    """Fill each `${kind[:args]}` placeholder of `template` with a fresh value."""
    moment = _TEXT_BASE + position * _TEXT_WINDOW

    def value(match: re.Match[str]) -> str:
        kind: str = match.group(1)
        args: str = match.group(2) or ""
        if kind == "int":
            low, high = args.split(":")
            return str(rng.randint(int(low), int(high)))
        if kind == "hex":
            digits = int(args)
            return f"{rng.getrandbits(4 * digits):0{digits}x}"
        if kind == "pick":
            return rng.choice(args.split("|"))
        if kind == "uuid":
            return str(uuid.UUID(int=rng.getrandbits(128)))
        if kind == "iso":
            return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        if kind == "clf":
            return moment.strftime("%d/%b/%Y:%H:%M:%S +0000")
        if kind == "klog":
            return f"{args}{moment:%m%d %H:%M:%S.%f}"
        if kind == "secs":
            return f"{rng.uniform(0.2, 30.0):.3f}"
        if kind == "ip":
            return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        if kind == "sku":
            return f"SKU-{rng.randint(10000, 99999)}"
        if kind == "user":
            return f"user-{rng.randint(1000, 99999)}"
        raise ValueError(f"unknown placeholder {match.group()}")

    return _PLACEHOLDER.sub(value, template)


def _suffix(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
