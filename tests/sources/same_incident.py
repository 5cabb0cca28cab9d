"""One multi-pod incident, written into every store, and what each store should report of it.

An hour of the ``shop`` namespace: checkout serves JSON traffic, the frontend writes plain
access-log lines, payments writes plain ``[INFO]`` lines and JSON debug lines. 24 minutes in,
a secret rotation leaves payments with a stale database password: three plain-text
``[FATAL]`` lines say so (the cause), then checkout logs 2,000 JSON 503s from payments (1,400
in the first four minutes), the frontend 400 plain ``[ERROR]`` 502s and payments 150 logfmt
warnings. Checkout's JSON
``info`` lines that say "0 errors" match the default error/warning regex though their level
is info. Over 11,000 lines, so FilterLogEvents pages past 10,000 events and OpenSearch
pages past 2,000 hits. Built from a fixed random seed; every timestamp is distinct and off a
whole second, so no line sits on a bucket's edge.

Each line carries, written by hand per kind of line (never computed by the code under test):

- ``level``: the level it was written at, which CloudWatch's rule (the JSON level field, else
  the first level word) and OpenSearch's level field both give;
- ``field``: the level field Fluent Bit's parser lifts into the OpenSearch document (none for
  access-log lines, which have no level);
- ``loki``: the ``detected_level`` Loki 3 gives it at ingest. Loki reads a JSON or logfmt
  level field, and in plain text only ``info``/``INFO`` anywhere, or bracketed or colon-ended
  ``[ERROR]``, ``err:``, ``warn:``, ``critical:``, ``debug``... (grafana/loki,
  ``pkg/distributor/field_detection.go``, ``detectLevelFromLogLine``). It has no rule for a
  plain ``[FATAL]``, so the cause lines are ``unknown`` to Loki: the one place where the
  stores' levels legitimately differ here.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from log_analyzer.logs.levels import Level
from log_analyzer.sources.base import SEVERE_PATTERN

Store = Literal["loki", "cloudwatch", "opensearch"]
NAMESPACE = "shop"
WINDOW_MS = 60 * 60 * 1000
ONSET_MS = 24 * 60 * 1000
CAUSE = 'pq: password authentication failed for user "payments"'
NO_ERRORS = "retry budget ok, 0 errors in the last minute"
"""An info line the default regex selects (it says "errors"); OpenSearch's level field does not."""
PODS = {
    "checkout-5d8b9c-h7t2w": ("checkout", "node-a"),
    "checkout-5d8b9c-p4n6v": ("checkout", "node-b"),
    "frontend-6c9f7b-x2k4p": ("frontend", "node-a"),
    "payments-7f6d5e-k9r1s": ("payments", "node-b"),
}
_SEVERE = re.compile(SEVERE_PATTERN)
_OPENSEARCH_SEVERE = frozenset(("error", "warn", "warning", "fatal", "critical"))


@dataclass(frozen=True, slots=True)
class Line:
    """One line as a container wrote it, and the levels each store gives it (see above)."""

    ts_ms: int
    pod: str
    text: str
    level: Level
    field: str | None
    loki: Level

    @property
    def container(self) -> str:
        return PODS[self.pod][0]

    @property
    def node(self) -> str:
        return PODS[self.pod][1]

    @property
    def source(self) -> str:
        """``pod/container``, as every store's entries name their source here."""
        return f"{self.pod}/{self.container}"


def incident(start_ms: int, seed: int = 12) -> list[Line]:
    """Every line of the hour from ``start_ms``, oldest first."""
    rng = random.Random(seed)
    onset = start_ms + ONSET_MS
    used: set[int] = set()
    lines: list[Line] = []

    def at(begin: int, end: int) -> int:
        while True:
            ts = rng.randrange(begin, end)
            if ts % 1000 and ts not in used:
                used.add(ts)
                return ts

    def spread(count: int, begin: int, end: int) -> list[int]:
        return [at(begin, end) for _ in range(count)]

    def add(ts: int, pod: str, text: str, level: Level, field: str | None, loki: Level) -> None:
        lines.append(Line(ts, pod, text, level, field, loki))

    first, last = start_ms + 30_000, start_ms + WINDOW_MS - 60_000
    for pod in ("checkout-5d8b9c-h7t2w", "checkout-5d8b9c-p4n6v"):
        for ts in spread(2500, first, last):
            text = _json("info", "POST /api/checkout 200", duration_ms=rng.randint(3, 90))
            add(ts, pod, text, Level.INFO, "info", Level.INFO)
        for ts in spread(30, first, last):
            add(ts, pod, _json("info", NO_ERRORS), Level.INFO, "info", Level.INFO)
    for ts in spread(2500, first, last):
        text = (
            f'10.0.{rng.randint(0, 9)}.{rng.randint(2, 250)} - - "GET /api/cart HTTP/1.1" '
            f"200 {rng.randint(200, 900)}"
        )
        add(ts, "frontend-6c9f7b-x2k4p", text, Level.UNKNOWN, None, Level.UNKNOWN)
    for ts in spread(1200, first, last):
        text = f"[INFO] charge authorised in {rng.randint(5, 80)}ms"
        add(ts, "payments-7f6d5e-k9r1s", text, Level.INFO, "INFO", Level.INFO)
    for ts in spread(300, first, last):
        text = _json("debug", "pool stats", idle=rng.randint(0, 8))
        add(ts, "payments-7f6d5e-k9r1s", text, Level.DEBUG, "debug", Level.DEBUG)
    for ts in (onset - 41_250, onset - 14_870, onset - 2_330):
        add(ts, "payments-7f6d5e-k9r1s", f"[FATAL] {CAUSE}", Level.FATAL, "FATAL", Level.UNKNOWN)
    storm = spread(1400, onset, onset + 4 * 60_000) + spread(600, onset + 4 * 60_000, last)
    for n, ts in enumerate(storm):
        pod = "checkout-5d8b9c-h7t2w" if n % 2 else "checkout-5d8b9c-p4n6v"
        order = f"{rng.getrandbits(32):08x}"
        text = _json("error", f"upstream payments returned 503 for order {order}", retries=2)
        add(ts, pod, text, Level.ERROR, "error", Level.ERROR)
    for ts in spread(400, onset, last):
        text = "[ERROR] POST /api/checkout -> 502 Bad Gateway (upstream checkout)"
        add(ts, "frontend-6c9f7b-x2k4p", text, Level.ERROR, "ERROR", Level.ERROR)
    for ts in spread(150, onset, last):
        waiting = rng.randint(3, 40)
        text = f'level=warn msg="connection pool exhausted, request queued" waiting={waiting}'
        add(ts, "payments-7f6d5e-k9r1s", text, Level.WARN, "warn", Level.WARN)
    lines.sort(key=lambda line: line.ts_ms)
    return lines


def _json(level: str, msg: str, **extra: object) -> str:
    return json.dumps({"level": level, "msg": msg, **extra})


def level_in(store: Store, line: Line) -> Level:
    """The level ``store`` counts ``line`` at."""
    if store == "loki":
        return line.loki
    if store == "opensearch" and line.field is None:
        return Level.UNKNOWN  # no level field: unknown, whatever the text says
    return line.level


def severe_in(store: Store, line: Line) -> bool:
    """Whether the default error/warning selection of ``store`` keeps ``line``.

    Loki (``|~``) and CloudWatch (RE2 in the service) match `SEVERE_PATTERN` against the text;
    OpenSearch selects by the level field, and matches the text only of documents without one.
    """
    if store == "opensearch" and line.field is not None:
        return line.field.lower() in _OPENSEARCH_SEVERE
    return _SEVERE.search(line.text) is not None


def by_level(store: Store, lines: Iterable[Line]) -> dict[str, int]:
    """Lines per level, as ``store`` counts them."""
    return dict(Counter(level_in(store, line).value for line in lines))
