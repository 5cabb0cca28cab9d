"""A bundled incident, served in Loki's response formats (streams, vector, matrix).

Shop namespace, four pods, a 30-minute window. A tenth of the way in, a secret rotation leaves the
payments service with a stale database password: one FATAL line and one stack trace say so. Then
payments cannot open connections, checkout logs thousands of 503s from payments (a burst that
calms down after a while), and the frontend answers 502. The rare line that explains the incident
is drowned by its consequences, exactly what the pipeline must not lose. Lines come in the formats
real pods write: JSON, logfmt, klog, plain text with ANSI colours, a multi-line Java stack trace,
and two leaked secrets. Generation is seeded, so the demo is repeatable; metric queries are
answered from the same lines, so totals and spikes agree with the log query.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
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
_NS = 1_000_000_000
_RANGE = re.compile(r"\[(\d+)([smhd])\]")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}

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


def incident_body(query: LogQuery, seed: int = 7) -> dict[str, Any]:
    """A `streams` response: like Loki, the newest `limit` entries (`backward`), or the oldest."""
    lines = incident_lines(query.start_ns, query.end_ns, seed)
    newest = (lines if query.direction == "forward" else lines[::-1])[: query.limit]
    kept: dict[tuple[str, str], list[list[str]]] = {}
    for ts, app, level, line in newest:
        kept.setdefault((app, level), []).append([str(ts), line])
    result: list[dict[str, Any]] = [
        {"stream": {**_labels(app), "detected_level": level}, "values": values}
        for (app, level), values in kept.items()
    ]
    return _envelope("streams", result, len(newest))


def totals_body(logql: str, time_ns: int, seed: int = 7) -> dict[str, Any]:
    """A `vector` response: lines per level, pod and container over the query's range."""
    start_ns = time_ns - _range_seconds(logql) * _NS
    counts = Counter((level, app) for _, app, level, _ in incident_lines(start_ns, time_ns, seed))
    result = [
        {
            "metric": {"container": app, "detected_level": level, "pod": _PODS[app][0]},
            "value": [time_ns // _NS, str(n)],
        }
        for (level, app), n in sorted(counts.items())
    ]
    return _envelope("vector", result, len(result))


def buckets_body(start_ns: int, end_ns: int, step: int, seed: int = 7) -> dict[str, Any]:
    """A `matrix` response: lines per level per step, steps without lines left out (as Loki)."""
    counts: Counter[tuple[str, int]] = Counter()
    for ts, _, level, _ in incident_lines(start_ns, end_ns, seed):
        # A point at t counts the lines in (t - step, t]; t is aligned to the step, as in Loki.
        counts[level, -(-ts // _NS // step) * step] += 1
    levels = sorted({level for level, _ in counts})
    result = [
        {
            "metric": {"detected_level": level},
            "values": [[t, str(n)] for (lv, t), n in sorted(counts.items()) if lv == level],
        }
        for level in levels
    ]
    return _envelope("matrix", result, len(result))


class DemoLogSource:
    """A `LogSource` that answers every query from the bundled incident."""

    async def query_logs(self, query: LogQuery) -> Mapping[str, Any]:
        """The incident, placed in the query's window."""
        return incident_body(query)

    async def query_metric_instant(self, logql: str, time_ns: int) -> Mapping[str, Any]:
        """Totals of the incident's lines over the query's range."""
        return totals_body(logql, time_ns)

    async def query_metric_range(
        self, logql: str, start_ns: int, end_ns: int, step_seconds: int
    ) -> Mapping[str, Any]:
        """The incident's lines per step."""
        return buckets_body(start_ns, end_ns, step_seconds)

    async def ready(self) -> None:
        """Always ready."""


def _range_seconds(logql: str) -> int:
    match = _RANGE.search(logql)
    if match is None:
        raise ValueError(f"no range in {logql!r}")
    return int(match.group(1)) * _UNIT[match.group(2)]


def _labels(app: str) -> dict[str, str]:
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


def _envelope(kind: str, result: list[dict[str, Any]], entries: int) -> dict[str, Any]:
    summary = {"totalEntriesReturned": entries, "execTime": 0.004}
    return {
        "status": "success",
        "data": {"resultType": kind, "result": result, "stats": {"summary": summary}},
    }
