"""A bundled incident: every line of it, generated from a seed.

Shop namespace, four pods, a 30-minute window. A tenth of the way in, a secret rotation leaves the
payments service with a stale database password: one FATAL line and one stack trace say so. Then
payments cannot open connections, checkout logs thousands of 503s from payments (a burst that
calms down after a while), and the frontend answers 502. The rare line that explains the incident
is drowned by its consequences, exactly what the pipeline must not lose. Lines come in the formats
real pods write: JSON, logfmt, klog, plain text with ANSI colours, a multi-line Java stack trace,
and two leaked secrets. Generation is seeded, so the demo is repeatable; counts are computed from
the same lines, so totals and spikes agree with the entries.
"""

from __future__ import annotations

import json
import random
from typing import Any

NAMESPACE = "shop"
_PODS = {
    "checkout": ("checkout-7d9c5b8f6-x2k4p", "node-2"),
    "payments": ("payments-5f6d7c9b8-q8r2m", "node-1"),
    "frontend": ("frontend-6b8d9f7c5-h3j5n", "node-3"),
    "cart": ("cart-8c7b6d5f4-m9n2v", "node-2"),
}

Line = tuple[int, str, str, str]
"""(timestamp ns, app, level, raw line)"""


def incident_lines(start_ns: int, end_ns: int, seed: int = 7) -> list[Line]:
    """Every line of the incident inside `[start_ns, end_ns)`, oldest first."""
    rng = random.Random(seed)
    span = end_ns - start_ns
    out: list[Line] = []

    def at(fraction: float) -> int:
        return start_ns + int(span * fraction)

    def spread(count: int, begin: float, end: float) -> list[int]:
        return sorted(at(rng.uniform(begin, end)) for _ in range(count))

    out.append(
        (
            at(0.1),
            "payments",
            "fatal",
            _json(
                "fatal",
                "payments",
                'FATAL: password authentication failed for user "payments" '
                "(dsn=postgres://payments:Wint3r-2025!@orders-db.shop.svc:5432/payments)",
            ),
        )
    )
    out.append(
        (
            at(0.1001),
            "payments",
            "error",
            (
                "\x1b[31mERROR\x1b[0m HikariPool-1 - Exception during pool initialization.\n"
                "org.postgresql.util.PSQLException: FATAL: password authentication failed for user "
                '"payments"\n\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication('
                "ConnectionFactoryImpl.java:693)\n\tat com.zaxxer.hikari.pool.HikariPool."
                "checkFailFast(HikariPool.java:596)"
            ),
        )
    )
    for ts in spread(150, 0.1, 1.0):
        out.append(
            (
                ts,
                "payments",
                "warn",
                _logfmt(
                    "warn",
                    "connection pool exhausted, request queued",
                    f"pool=primary active=20 idle=0 waiting={rng.randint(3, 40)}",
                ),
            )
        )
    # The burst while payments is fully down, then a calmer tail once retries back off.
    for ts in spread(1900, 0.1, 0.35) + spread(400, 0.35, 1.0):
        order = f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}"
        out.append(
            (
                ts,
                "checkout",
                "error",
                _json(
                    "error",
                    "checkout",
                    f"upstream payments returned 503 for order {order} "
                    f"after {rng.randint(1, 3)} retries",
                    trace_id=f"{rng.getrandbits(128):032x}",
                ),
            )
        )
    for i, ts in enumerate(spread(380, 0.1, 0.35) + spread(90, 0.35, 1.0)):
        out.append(
            (
                ts,
                "frontend",
                "error",
                f"E1123 14:{i % 60:02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999999):06d}"
                f"       1 proxy.go:212] POST /api/checkout -> 502 Bad Gateway "
                f"(upstream checkout) in {rng.randint(900, 3000)}ms",
            )
        )
    for ts in spread(60, 0.0, 1.0):
        out.append(
            (
                ts,
                "cart",
                "warn",
                _json(
                    "warn",
                    "cart",
                    "slow response from checkout",
                    duration_ms=rng.randint(800, 2500),
                ),
            )
        )
    out.append(
        (
            at(0.3),
            "checkout",
            "warn",
            _logfmt(
                "warn",
                "retrying payment with Authorization: Bearer "
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaGVja291dCJ9.c2lnbmF0dXJlLWRlbW8",
                "attempt=2",
            ),
        )
    )
    out.append(
        (
            at(0.5),
            "frontend",
            "error",
            _json("error", "frontend", "health check failed", error="context deadline exceeded"),
        )
    )
    out.sort()
    return [line for line in out if start_ns <= line[0] < end_ns]


def labels_of(app: str) -> dict[str, str]:
    """The Kubernetes labels of the pod that runs ``app``."""
    pod, node = _PODS[app]
    return {
        "app": app,
        "container": app,
        "namespace": NAMESPACE,
        "node": node,
        "pod": pod,
        "service_name": app,
    }


def _json(level: str, service: str, msg: str, **extra: Any) -> str:
    return json.dumps({"level": level, "msg": msg, "service": service, **extra})


def _logfmt(level: str, msg: str, extra: str) -> str:
    return f'level={level} msg="{msg}" {extra}'
