"""A bundled incident, served in Loki's `query_range` response format.

Shop namespace, four pods. At the start of the window a secret rotation left the payments service
with a stale database password: one FATAL line says so. From then on payments cannot open
connections, checkout sees thousands of 503s from payments, and the frontend answers 502. The rare
line that explains the incident is drowned by its consequences, exactly what the pipeline must
not lose. Lines come in the formats real pods write: JSON, logfmt, klog, plain text with ANSI
colours, and a multi-line Java stack trace. Generation is seeded, so the demo is repeatable.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from typing import Any

from log_analyzer.clients.loki import LogQuery

NAMESPACE = "shop"
_PODS = {
    "checkout": ("checkout-7d9c5b8f6-x2k4p", "node-2"),
    "payments": ("payments-5f6d7c9b8-q8r2m", "node-1"),
    "frontend": ("frontend-6b8d9f7c5-h3j5n", "node-3"),
    "cart": ("cart-8c7b6d5f4-m9n2v", "node-2"),
}


def incident_body(query: LogQuery, seed: int = 7) -> dict[str, Any]:
    """A Loki `streams` response holding the incident, spread over the query's window."""
    rng = random.Random(seed)
    span = query.end_ns - query.start_ns
    t0 = query.start_ns + span // 10  # the incident begins a tenth into the window

    def at(fraction: float) -> int:
        return t0 + int((query.end_ns - t0) * fraction)

    streams: dict[tuple[str, str], list[tuple[int, str]]] = {}

    def emit(app: str, level: str, ts: int, line: str) -> None:
        streams.setdefault((app, level), []).append((ts, line))

    emit(
        "payments",
        "fatal",
        at(0.0),
        _json(
            "fatal",
            "payments",
            'FATAL: password authentication failed for user "payments" '
            "(dsn=postgres://payments:Wint3r-2025!@orders-db.shop.svc:5432/payments)",
        ),
    )
    emit(
        "payments",
        "error",
        at(0.001),
        (
            "\x1b[31mERROR\x1b[0m HikariPool-1 - Exception during pool initialization.\n"
            "org.postgresql.util.PSQLException: FATAL: password authentication failed for user "
            '"payments"\n\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication('
            "ConnectionFactoryImpl.java:693)\n\tat com.zaxxer.hikari.pool.HikariPool."
            "checkFailFast(HikariPool.java:596)"
        ),
    )
    for i in range(rng.randint(55, 65)):
        emit(
            "payments",
            "warn",
            at(i / 65),
            _logfmt(
                "warn",
                "connection pool exhausted, request queued",
                f"pool=primary active=20 idle=0 waiting={rng.randint(3, 40)}",
            ),
        )
    for i in range(rng.randint(610, 640)):
        order = f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}"
        emit(
            "checkout",
            "error",
            at(i / 640),
            _json(
                "error",
                "checkout",
                f"upstream payments returned 503 for order {order} "
                f"after {rng.randint(1, 3)} retries",
                trace_id=f"{rng.getrandbits(128):032x}",
            ),
        )
    for i in range(rng.randint(140, 160)):
        emit(
            "frontend",
            "error",
            at(i / 160),
            f"E1123 14:{i % 60:02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999999):06d}"
            f"       1 proxy.go:212] POST /api/checkout -> 502 Bad Gateway "
            f"(upstream checkout) in {rng.randint(900, 3000)}ms",
        )
    for i in range(rng.randint(25, 35)):
        emit(
            "cart",
            "warn",
            at(i / 35),
            _json(
                "warn", "cart", "slow response from checkout", duration_ms=rng.randint(800, 2500)
            ),
        )
    emit(
        "checkout",
        "warn",
        at(0.3),
        _logfmt(
            "warn",
            "retrying payment with Authorization: Bearer "
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaGVja291dCJ9.c2lnbmF0dXJlLWRlbW8",
            "attempt=2",
        ),
    )
    emit("frontend", "info", at(0.5), _json("info", "frontend", "health check ok"))

    # Like Loki with direction=backward: the newest `limit` entries over all streams.
    newest = sorted(
        ((ts, key, line) for key, values in streams.items() for ts, line in values), reverse=True
    )[: query.limit]
    kept: dict[tuple[str, str], list[list[str]]] = {}
    for ts, key, line in newest:
        kept.setdefault(key, []).append([str(ts), line])
    result: list[dict[str, Any]] = []
    for (app, level), values in kept.items():
        pod, node = _PODS[app]
        result.append(
            {
                "stream": {
                    "app": app,
                    "container": app,
                    "detected_level": level,
                    "namespace": NAMESPACE,
                    "node": node,
                    "pod": pod,
                    "service_name": app,
                },
                "values": values,
            }
        )
    return _envelope(result)


def _json(level: str, service: str, msg: str, **extra: Any) -> str:
    return json.dumps({"level": level, "msg": msg, "service": service, **extra})


def _logfmt(level: str, msg: str, extra: str) -> str:
    return f'level={level} msg="{msg}" {extra}'


def _envelope(result: list[dict[str, Any]]) -> dict[str, Any]:
    lines = sum(len(s["values"]) for s in result)
    summary = {"totalEntriesReturned": lines, "totalLinesProcessed": lines, "execTime": 0.004}
    return {
        "status": "success",
        "data": {"resultType": "streams", "result": result, "stats": {"summary": summary}},
    }


class DemoLogSource:
    """A `LogSource` that answers every log query with the bundled incident."""

    async def query_logs(self, query: LogQuery) -> Mapping[str, Any]:
        """The incident, shifted into the query's window."""
        return incident_body(query)

    async def ready(self) -> None:
        """Always ready."""
