"""Noisy Loki bodies: thousands of distinct lines in every format pods write, one root cause."""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

from log_analyzer.logs.levels import Level
from log_analyzer.logs.totals import Histogram, Totals, histogram_of, level_of, totals_of
from log_analyzer.sources.base import CountQuery
from tests.fakes import RecordedLogSource

ROOT_CAUSE = "FATAL: password authentication failed for user payments"
T0 = 1_795_458_000_000_000_000


def noisy_body(lines: int, seed: int = 3) -> dict[str, Any]:
    """A `query_range` streams body (the recorded shape) with `lines` distinct entries."""
    rng = random.Random(seed)
    pods = [f"checkout-7d9c5b8f6-{rng.getrandbits(20):05x}" for _ in range(3)] + [
        "payments-5f6d7c9b8-q8r2m"
    ]
    streams: dict[str, list[list[str]]] = {pod: [] for pod in pods}
    for i in range(lines):
        pod = pods[i % 3]
        ts = T0 + i * 7_000_000
        kind = i % 5
        if kind == 0:
            line = json.dumps(
                {
                    "level": "error",
                    "msg": f"upstream payments returned 503 for order "
                    f"{rng.getrandbits(64):016x} after {rng.randint(1, 5)} retries",
                    "trace_id": f"{rng.getrandbits(128):032x}",
                }
            )
        elif kind == 1:
            line = (
                f'level=warn msg="slow query" table=orders_{rng.randint(1, 99)} '
                f"duration={rng.randint(100, 9000)}ms rows={rng.randint(1, 10**6)}"
            )
        elif kind == 2:
            line = (
                f"E1123 14:{i % 60:02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 10**6):06d} "
                f"1 reflector.go:{rng.randint(100, 999)}] watch of *v1.Pod ended with: "
                f"too old resource version: {rng.getrandbits(40)} ({rng.getrandbits(40)})"
            )
        elif kind == 3:
            depth = rng.randint(2, 12)
            frames = "".join(
                f"\n\tat com.shop.Svc{j}.call(Svc{j}.java:{rng.randint(1, 400)})"
                for j in range(depth)
            )
            line = f"ERROR java.net.SocketTimeoutException: Read timed out after {i}ms{frames}"
        else:
            word = "".join(rng.choice("αβγδεζηθ日本語кириллица") for _ in range(rng.randint(5, 40)))
            line = f"WARN cache miss for key {word}-{rng.getrandbits(48):x} " + "x" * rng.randint(
                0, 600
            )
        streams[pod].append([str(ts), line])
    streams[pods[3]].append([str(T0 + 5_000_000), ROOT_CAUSE])
    result = [
        {
            "stream": {
                "app": pod.split("-")[0],
                "container": pod.split("-")[0],
                "detected_level": "error",
                "namespace": "shop",
                "node": "node-1",
                "pod": pod,
                "service_name": pod.split("-")[0],
            },
            "values": sorted(values, reverse=True),
        }
        for pod, values in streams.items()
    ]
    return {
        "status": "success",
        "data": {
            "resultType": "streams",
            "result": result,
            "stats": {"summary": {"totalEntriesReturned": lines + 1}},
        },
    }


class NoisySource(RecordedLogSource):
    """Serves a noisy body and counts its lines for the count queries, as Loki would."""

    def __init__(self, lines: int, seed: int = 3) -> None:
        body = noisy_body(lines, seed)
        super().__init__(body)
        self.lines = [
            (int(ts), stream["stream"])
            for stream in body["data"]["result"]
            for ts, _ in stream["values"]
        ]

    async def totals(self, query: CountQuery) -> Totals:
        window = query.window
        counts = Counter(
            (labels["detected_level"], f"{labels['pod']}/{labels['container']}")
            for ts, labels in self.lines
            if window.start_ns <= ts < window.end_ns
        )
        found = [(level_of(level), source, n) for (level, source), n in counts.items()]
        return totals_of(found, query="noisy totals")

    async def histogram(self, query: CountQuery, step_seconds: int) -> Histogram:
        window = query.window
        sums: dict[int, dict[Level, float]] = {}
        for ts, labels in self.lines:
            if window.start_ns <= ts < window.end_ns:
                end = -(-ts // 10**9 // step_seconds) * step_seconds
                level = level_of(labels["detected_level"])
                sums.setdefault(end, {})[level] = sums.get(end, {}).get(level, 0.0) + 1
        return histogram_of(sums, start_ns=window.start_ns, end_ns=window.end_ns,
                            step_seconds=step_seconds, query="noisy buckets")  # fmt: skip
