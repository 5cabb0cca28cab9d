"""A multi-pod incident as Fluent Bit's Kubernetes output writes it into OpenSearch.

Each document carries ``@timestamp``, ``log`` (the line as the container wrote it),
``message`` (the text Fluent Bit's parser took from it), ``level`` where the application wrote
one, and ``kubernetes.{namespace_name,pod_name,container_name,host}``. Over the hour before
``now`` the ``shop`` namespace serves traffic; 40 minutes in, the payments database refuses new
connections (the cause), payments fails, checkout times out on it and the frontend answers 502.
A sidecar writes lines without a level field (some of them errors), levels come in several
casings, and a second namespace (``ops``) has errors of its own, so every filter has something
to exclude. Built from a fixed random seed: the same documents on every run.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

INDEX = "fluent-bit"
EMPTY_INDEX = "fluent-bit-empty"
WINDOW_MS = 60 * 60 * 1000
ONSET_MS = 40 * 60 * 1000
CAUSE = "FATAL: sorry, too many clients already"
"""The payments database's refusal, as payments logs it: the incident's cause."""


@dataclass(frozen=True, slots=True)
class Doc:
    """One seeded document, and what the tests count of it."""

    ts_ms: int
    namespace: str
    pod: str
    container: str
    node: str
    message: str
    level: str | None

    def source(self) -> dict[str, Any]:
        """The document as Fluent Bit sends it."""
        stamp = datetime.fromtimestamp(self.ts_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
        raw: dict[str, Any] = {"msg": self.message}
        if self.level is not None:
            raw["level"] = self.level
        doc: dict[str, Any] = {
            "@timestamp": stamp[:-3] + "Z",
            "log": json.dumps(raw) if self.level is not None else self.message,
            "message": self.message,
            "stream": "stderr" if self.level in ("error", "ERROR", "Error") else "stdout",
            "kubernetes": {
                "namespace_name": self.namespace,
                "pod_name": self.pod,
                "container_name": self.container,
                "host": self.node,
                "labels": {"app": self.pod.rsplit("-", 2)[0]},
            },
        }
        if self.level is not None:
            doc["level"] = self.level
        return doc


PODS = {
    "frontend-6c9f7b-x2k4p": ("frontend", "node-a"),
    "frontend-6c9f7b-q8m3z": ("frontend", "node-b"),
    "checkout-5d8b9c-h7t2w": ("checkout", "node-a"),
    "checkout-5d8b9c-p4n6v": ("checkout", "node-c"),
    "payments-7f6d5e-k9r1s": ("payments", "node-b"),
    "payments-7f6d5e-m3j8d": ("payments", "node-c"),
}


def incident(now_ms: int) -> list[Doc]:
    """The documents of the incident, oldest first."""
    rng = random.Random(12)
    start = now_ms - WINDOW_MS
    onset = start + ONSET_MS
    docs: list[Doc] = []

    def add(ts: int, pod: str, message: str, level: str | None, ns: str = "shop") -> None:
        container, node = PODS.get(pod, ("cronjob", "node-c"))
        docs.append(Doc(ts, ns, pod, container, node, message, level))

    for second in range(0, WINDOW_MS // 1000, 2):
        ts = start + second * 1000
        failing = ts >= onset
        for pod in ("frontend-6c9f7b-x2k4p", "frontend-6c9f7b-q8m3z"):
            at = ts + rng.randrange(2000)
            if failing and rng.random() < 0.6:
                add(
                    at,
                    pod,
                    "POST /api/checkout 502 upstream checkout failed",
                    rng.choice(("error", "ERROR", "Error")),
                )
            else:
                add(
                    at,
                    pod,
                    f"GET /api/cart 200 in {rng.randrange(5, 40)}ms",
                    rng.choice(("info", "INFO")),
                )
        for pod in ("checkout-5d8b9c-h7t2w", "checkout-5d8b9c-p4n6v"):
            at = ts + rng.randrange(2000)
            if failing and rng.random() < 0.5:
                add(
                    at,
                    pod,
                    "calling payments: context deadline exceeded after 5s",
                    rng.choice(("warn", "WARNING", "Warning")),
                )
            elif second % 10 == 0:
                add(at, pod, f"cart {rng.randrange(10_000)} priced", "debug")
        if second % 6 == 0:
            pod = rng.choice(("payments-7f6d5e-k9r1s", "payments-7f6d5e-m3j8d"))
            add(ts + rng.randrange(2000), pod, "charge authorised", "info")
        if failing and second % 4 == 0:
            pod = rng.choice(("payments-7f6d5e-k9r1s", "payments-7f6d5e-m3j8d"))
            add(ts + rng.randrange(2000), pod, f"pq: {CAUSE}", rng.choice(("fatal", "CRITICAL")))
        if second % 20 == 0:
            # The mesh sidecar writes plain lines and no level field.
            failing_proxy = failing and rng.random() < 0.5
            line = (
                "upstream connect error or disconnect/reset before headers, ERROR 503"
                if failing_proxy
                else '[2026-01-01T00:00:00.000Z] "GET /healthz HTTP/1.1" 200 - 0 2 1'
            )
            at = ts + rng.randrange(2000)
            docs.append(
                Doc(at, "shop", "payments-7f6d5e-k9r1s", "istio-proxy", "node-b", line, None)
            )
        if second % 30 == 0:
            add(
                ts + rng.randrange(2000),
                "backup-28937410-zzq8k",
                "backup failed: disk quota exceeded",
                "error",
                ns="ops",
            )
    docs.sort(key=lambda doc: doc.ts_ms)
    return docs


def bulk_body(index: str, docs: list[Doc]) -> bytes:
    """The ``_bulk`` request indexing ``docs`` into ``index``."""
    lines = []
    for doc in docs:
        lines.append(json.dumps({"index": {"_index": index}}))
        lines.append(json.dumps(doc.source()))
    return ("\n".join(lines) + "\n").encode()


SEVERE_WORDS = frozenset({"error", "warn", "warning", "fatal", "critical"})
LEVELS = {
    "error": "error",
    "warn": "warn",
    "warning": "warn",
    "fatal": "fatal",
    "critical": "fatal",
    "info": "info",
    "debug": "debug",
}


def level_name(doc: Doc) -> str:
    """The level the service reports for a document (``unknown`` without a level field)."""
    return LEVELS[doc.level.lower()] if doc.level is not None else "unknown"


def by_level(docs: list[Doc]) -> dict[str, int]:
    """Documents per reported level."""
    return dict(Counter(level_name(doc) for doc in docs))


MONTH_INDEX = "fluent-bit-month"
DAY_MS = 86_400_000


def month(now_ms: int) -> list[Doc]:
    """Thirty days to ``now``: 1 to 7 errors a day in a weekly rhythm, and a nightly info line."""
    docs = []
    first_day = now_ms // DAY_MS - 29
    for n in range(30):
        day = (first_day + n) * DAY_MS
        for k in range(n % 7 + 1):
            at = day + k * 3 * 3_600_000 + 17 * 60_000
            if at < now_ms:
                docs.append(
                    Doc(at, "shop", "api-0", "api", "node-a", f"request {k} failed", "error")
                )
        night = day + DAY_MS - 1000
        if night < now_ms:
            docs.append(Doc(night, "shop", "api-0", "api", "node-a", "nightly job done", "INFO"))
    return docs
