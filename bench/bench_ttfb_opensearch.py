"""Time to first byte of ``POST /v1/analyze/stream`` over OpenSearch (osmem-server).

    uv run python bench/bench_ttfb_opensearch.py [--runs 20] [--docs 5000]

Starts osmem-server (the binary of the ``osmem-server`` wheel) on a free loopback port, seeds
it with ``--docs`` documents of the test suite's Fluent Bit incident (the newest ones of
``tests/sources/opensearch/seed.py``), starts the service as deployed (``uvicorn
log_analyzer.main:app``, ``LOG_SOURCE=opensearch``) on another, and posts analyses one at a
time with ``"llm": false``. Measured per run, on the client's side of a real socket: the time
from sending the request to the first byte of the response body (the summary event: entries
searched and decoded, totals and buckets aggregated, patterns mined) and to the end of the
body. Two requests: the default selection (a filter on the level field) and a ``log_filter``
(RE2 in the service, so every document of the namespace is read). Warm-up runs are not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.sources.opensearch.conftest import free_port, running  # noqa: E402
from tests.sources.opensearch.seed import incident  # noqa: E402

WARM_UP = 2
BODIES: dict[str, dict[str, Any]] = {
    "default selection (level field)": {},
    "log_filter (RE2 in the service)": {"log_filter": "(?i)deadline|too many|refused"},
}


async def one(client: httpx.AsyncClient, body: dict[str, Any]) -> tuple[float, float]:
    """Seconds to the first body byte and to the end of the body."""
    started = time.perf_counter()
    first = None
    async with client.stream(
        "POST", "/v1/analyze/stream", json=body, headers={"accept": "application/x-ndjson"}
    ) as response:
        if response.status_code != 200:
            text = (await response.aread()).decode("utf-8", "replace")
            raise SystemExit(f"the service answered {response.status_code}: {text}")
        async for chunk in response.aiter_raw():
            if first is None and chunk:
                first = time.perf_counter() - started
    total = time.perf_counter() - started
    return (first if first is not None else total), total


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def measure(url: str, runs: int) -> None:
    base = {
        "source": "opensearch",
        "filters": {"namespace": "shop"},
        "time_range": {"since": "2h"},
        "llm": False,
    }
    print("| request | runs | TTFB median | TTFB p95 | total median | total p95 |")
    print("|---|---|---|---|---|---|")
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        for name, extra in BODIES.items():
            body = {**base, **extra}
            for _ in range(WARM_UP):
                await one(client, body)
            firsts, totals = [], []
            for _ in range(runs):
                first, total = await one(client, body)
                firsts.append(first)
                totals.append(total)
            ms = [1000 * statistics.median(firsts), 1000 * p95(firsts),
                  1000 * statistics.median(totals), 1000 * p95(totals)]  # fmt: skip
            print(f"| {name} | {runs} | " + " | ".join(f"{v:.0f} ms" for v in ms) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--docs", type=int, default=5000)
    args = parser.parse_args()
    log = Path(tempfile.mkdtemp(prefix="bench-ttfb-opensearch-")) / "service.log"
    docs = incident(int(time.time() * 1000))[-args.docs :]
    with running(docs) as cluster, log.open("ab") as out:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        service = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "log_analyzer.main:app", "--host", "127.0.0.1",
             "--port", str(port), "--timeout-graceful-shutdown", "2"],
            cwd=ROOT,
            env={**os.environ, "OPENSEARCH_URL": cluster, "LOG_SOURCE": "opensearch",
                 "OTEL_ENABLED": "false", "LOG_LEVEL": "WARNING"},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_healthy(url, service, log)
            print(f"{len(docs):,} documents in osmem-server at {cluster}; service log: {log}")
            asyncio.run(measure(url, args.runs))
        finally:
            service.terminate()
            try:
                service.wait(10)
            except subprocess.TimeoutExpired:
                service.kill()
                service.wait()


def wait_healthy(url: str, service: subprocess.Popen[bytes], log: Path) -> None:
    """Return once the service answers ``/health``."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if service.poll() is not None:
            raise SystemExit(f"the service exited with {service.returncode}; see {log}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass  # not listening yet
        time.sleep(0.1)
    raise SystemExit(f"the service did not answer /health within 60 s; see {log}")


if __name__ == "__main__":
    main()
