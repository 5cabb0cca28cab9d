"""The incident seeded into the CloudWatch Logs emulator, and what the tests expect of it.

Three log groups as an AWS account holds them: an EKS application group (four pods, one
stream each), a Lambda function's group and an ECS service's group. In the EKS group, a secret
rotation leaves payments with a stale database password a tenth of the way into the window:
one JSON FATAL line and one Java stack trace say so. Then checkout logs thousands of JSON 503s
from payments, the frontend logs klog errors, cart warns in logfmt and JSON, and steady info
traffic (plain text, JSON, health checks) runs throughout. Every event carries the level the
CloudWatch level rule should find in it, so the tests can count without the code under test.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from log_analyzer.logs.levels import Level
from tests.wrapped import APP_LINES

EKS_GROUP = "/aws/containerinsights/shop/application"
LAMBDA_GROUP = "/aws/lambda/thumbnailer"
ECS_GROUP = "/ecs/orders"
DATAPLANE_GROUP = "/aws/containerinsights/shop/dataplane"
EMPTY_GROUP = "/aws/empty"
REGION = "eu-west-1"
WINDOW_MS = 30 * 60 * 1000
CAUSE = 'password authentication failed for user "payments"'
LEVELS = {
    # The level each seeded level word names, read by hand (not by the code under test).
    "fatal": Level.FATAL,
    "ERROR": Level.ERROR,
    "error": Level.ERROR,
    "Error": Level.ERROR,
    "warn": Level.WARN,
    "warning": Level.WARN,
    "info": Level.INFO,
    "INFO": Level.INFO,
    "debug": Level.DEBUG,
    "": Level.UNKNOWN,
}
STREAMS = {
    "payments": "payments-5f6d7c9b8-q8r2m",
    "checkout": "checkout-7d9c5b8f6-x2k4p",
    "frontend": "frontend-6b8d9f7c5-h3j5n",
    "cart": "cart-8c7b6d5f4-m9n2v",
}


@dataclass(frozen=True, slots=True)
class Seeded:
    """One event as it was put, with the level the count rule finds in it ("" for none)."""

    group: str
    stream: str
    ts_ms: int
    message: str
    level: str


def incident(now_ms: int, seed: int = 11) -> list[Seeded]:
    """Every seeded event, each group's events in time order."""
    rng = random.Random(seed)
    start = now_ms - WINDOW_MS
    out: list[Seeded] = []

    def at(fraction: float) -> int:
        return start + int(WINDOW_MS * fraction)

    def spread(count: int, begin: float, end: float) -> list[int]:
        return sorted(at(rng.uniform(begin, end)) for _ in range(count))

    def put(app: str, ts: int, message: str, level: str) -> None:
        out.append(Seeded(EKS_GROUP, STREAMS[app], ts, message, level))

    put("payments", at(0.1), _json("fatal", f"FATAL: {CAUSE} (orders-db:5432/payments)"), "fatal")
    put(
        "payments",
        at(0.1) + 1,
        "2026-11-23 10:03:00.412 ERROR [main] c.z.h.p.HikariPool - HikariPool-1 - Exception "
        "during pool initialization.\norg.postgresql.util.PSQLException: FATAL: "
        f"{CAUSE}\n\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication"
        "(ConnectionFactoryImpl.java:693)",
        "ERROR",
    )
    for ts in spread(150, 0.1, 1.0):
        waiting = rng.randint(3, 40)
        put(
            "payments",
            ts,
            f'level=warn msg="connection pool exhausted, request queued" waiting={waiting}',
            "warn",
        )
    for ts in spread(1900, 0.1, 0.35) + spread(400, 0.35, 1.0):
        order = f"{rng.getrandbits(32):08x}"
        put(
            "checkout",
            ts,
            _json("error", f"upstream payments returned 503 for order {order}", retries=2),
            "error",
        )
    for i, ts in enumerate(spread(380, 0.1, 0.35) + spread(90, 0.35, 1.0)):
        put(
            "frontend",
            ts,
            f"E1123 10:{i % 60:02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999999):06d}"
            f"       1 proxy.go:212] POST /api/checkout -> 502 Bad Gateway (upstream checkout)",
            "",  # a klog line names no level in words
        )
    for ts in spread(50, 0.1, 1.0):
        put("frontend", ts, "Error: upstream connect error or disconnect/reset", "Error")
    for ts in spread(60, 0.0, 1.0):
        put("cart", ts, _json("warn", "slow response from checkout"), "warn")
    put("cart", at(0.6), _json("warn", "Zahlung verzögert: Prüfung läuft ✓"), "warn")
    for ts in spread(100, 0.0, 1.0):
        put("cart", ts, _json("info", "retry budget ok, 0 errors in the last minute"), "info")
    for ts in spread(300, 0.0, 1.0):
        put("frontend", ts, _json("info", "GET /healthz 200"), "info")
    for ts in spread(200, 0.0, 1.0):
        put("cart", ts, _json("debug", "cache lookup", key=f"cart:{rng.randint(1, 999)}"), "debug")
    for app in ("checkout", "cart"):
        for ts in spread(3000, 0.0, 1.0):
            put(
                app,
                ts,
                _json("info", f"POST /api/{app} 200", duration_ms=rng.randint(3, 90)),
                "info",
            )
    for ts in spread(3000, 0.0, 1.0):
        put("payments", ts, "2026-11-23 10:00:00.000 INFO [http-1] c.s.p.Api - charge ok", "INFO")
    out.extend(_lambda(rng, start))
    out.extend(_ecs(rng, start))
    out.extend(_dataplane(rng, start))
    out.sort(key=lambda event: (event.group, event.ts_ms))
    return out


def _lambda(rng: random.Random, start: int) -> Iterable[Seeded]:
    stream = "2026/11/23/[$LATEST]0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    for n in range(100):
        ts = start + n * 17_000 + rng.randint(0, 500)
        request = f"{rng.getrandbits(64):016x}"
        yield Seeded(LAMBDA_GROUP, stream, ts, f"START RequestId: {request} Version: $LATEST", "")
        if n % 10 == 0:
            yield Seeded(
                LAMBDA_GROUP,
                stream,
                ts + 40,
                f"[ERROR] Runtime.ImportModuleError: Unable to import module 'app' ({request})",
                "ERROR",
            )
        yield Seeded(LAMBDA_GROUP, stream, ts + 50, f"END RequestId: {request}", "")


def _ecs(rng: random.Random, start: int) -> Iterable[Seeded]:
    for task in ("orders/api/0f3c9a7e", "orders/worker/9a7e0f3c"):
        for n in range(150):
            ts = start + n * 11_000 + rng.randint(0, 900)
            level = "warning" if n % 15 == 0 else "info"
            yield Seeded(ECS_GROUP, task, ts, _json(level, f"order batch {n} processed"), level)


def dataplane_record(line: str, ts: int) -> str:
    """Fluent Bit's record of a container's line, as Container Insights stores it."""
    stamp = f"{ts // 1000}.{ts % 1000:03d}"
    kubernetes = {
        "pod_name": "cart-0",
        "namespace_name": "shop",
        "container_name": "cart",
        "docker_id": "5e0f1c2d7a444b1e9f3a0c8d2e6b1a905e0f1c2d7a444b1e9f3a0c8d2e6b1a90",
    }
    record = {"time": stamp, "stream": "stderr", "_p": "F", "log": line, "kubernetes": kubernetes}
    return json.dumps(record, separators=(",", ":"))


def dataplane_cri(line: str) -> str:
    """A CRI runtime's line, as a file tailer without the CRI parser keeps it."""
    return f"2026-11-23T10:00:00.123456789Z stderr F {line}"


def _dataplane(rng: random.Random, start: int) -> Iterable[Seeded]:
    # Container Insights' Fluent Bit records and a file tailer's CRI lines around the
    # applications' own lines; none names a level in words, so the level rule finds none ("").
    for n in range(40):
        line = APP_LINES[n % len(APP_LINES)].line
        ts = start + n * 31_000 + rng.randint(0, 900)
        yield Seeded(DATAPLANE_GROUP, "fluent-bit", ts, dataplane_record(line, ts), "")
        yield Seeded(DATAPLANE_GROUP, "node-tailer", ts + 7, dataplane_cri(line), "")


def _json(level: str, msg: str, **extra: Any) -> str:
    return json.dumps({"level": level, "msg": msg, **extra}, ensure_ascii=False)
