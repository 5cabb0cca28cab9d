"""Time to first byte of ``POST /v1/analyze/stream`` over CloudWatch Logs (moto's server).

    uv run python bench/bench_ttfb_cloudwatch.py            # 20 timed runs after 2 warm-ups
    uv run python bench/bench_ttfb_cloudwatch.py --runs 50 --events 5000

Starts two processes on free loopback ports, each in its own process group, and stops both
however it ends: moto's server, seeded through boto3 with one log group of ``--events`` events
(four streams, JSON and plain lines, a third of them errors or warnings) spread over the last
30 minutes; and the service (``uvicorn log_analyzer.main:app``) with ``LOG_SOURCE=cloudwatch``
and ``CLOUDWATCH_ENDPOINT_URL`` pointing at moto. Each run posts one analysis with ``"llm":
false`` and ``Accept: application/x-ndjson``, and takes the time from sending the request to
the first byte of the body (the summary event: every store query of the analysis, the
entries newest and oldest, the counts, and the processing, done) and to the end of the body.
Printed as a Markdown table of median and p95.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import boto3
import httpx

ROOT = Path(__file__).resolve().parents[1]
GROUP = "/aws/containerinsights/bench/application"
REGION = "eu-west-1"
WINDOW_MS = 30 * 60 * 1000
STREAMS = ("checkout-7d9c5b8f6-x2k4p", "payments-5f6d7c9b8-q8r2m", "cart-8c7b6d5f4-m9n2v",
           "frontend-6b8d9f7c5-h3j5n")  # fmt: skip
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def started(
    argv: Sequence[str], url: str, env: Mapping[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """``argv`` in its own process group, once ``url`` answers 200; stopped on exit."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            list(argv),
            cwd=ROOT,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{argv[0]} exited with {process.returncode}; see {log}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{argv[0]} did not answer {url} within 60 s; see {log}")
            time.sleep(0.1)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def events(count: int, now_ms: int, seed: int = 7) -> dict[str, list[tuple[int, str]]]:
    """``count`` events by stream, each stream's in time order."""
    rng = random.Random(seed)
    by_stream: dict[str, list[tuple[int, str]]] = {stream: [] for stream in STREAMS}
    for n in range(count):
        stream = STREAMS[n % len(STREAMS)]
        ts = now_ms - rng.randrange(WINDOW_MS)
        roll = rng.random()
        if roll < 0.2:
            order = f"{rng.getrandbits(32):08x}"
            message = json.dumps({"level": "error", "msg": f"upstream returned 503 for {order}"})
        elif roll < 0.3:
            message = f'level=warn msg="pool exhausted" waiting={rng.randint(1, 40)}'
        elif roll < 0.33:
            message = f"E1123 10:00:{n % 60:02d}.000000 1 proxy.go:212] POST /api -> 502"
        elif roll < 0.66:
            message = json.dumps({"level": "info", "msg": "POST /api/checkout 200",
                                  "duration_ms": rng.randint(3, 90)})  # fmt: skip
        else:
            message = f"2026-11-23 10:00:00.000 INFO [http-{n % 8}] c.s.Api - charge ok {n}"
        by_stream[stream].append((ts, message))
    for stream_events in by_stream.values():
        stream_events.sort()
    return by_stream


def seed(url: str, count: int, now_ms: int) -> None:
    """One log group of ``count`` events in moto, through boto3."""
    logs = boto3.client(
        "logs",
        region_name=REGION,
        endpoint_url=url,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    logs.create_log_group(logGroupName=GROUP)
    for stream, stream_events in events(count, now_ms).items():
        logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
        for first in range(0, len(stream_events), 1000):
            batch = stream_events[first : first + 1000]
            logs.put_log_events(
                logGroupName=GROUP,
                logStreamName=stream,
                logEvents=[{"timestamp": ts, "message": text} for ts, text in batch],
            )
    logs.close()


def one_run(client: httpx.Client, body: Mapping[str, object]) -> tuple[float, float]:
    """Seconds to the first byte of the body and to its end."""
    began = time.perf_counter()
    with client.stream(
        "POST", "/v1/analyze/stream", json=body, headers={"accept": "application/x-ndjson"}
    ) as response:
        chunks = response.iter_bytes()
        first = next(chunks, b"")
        ttfb = time.perf_counter() - began
        rest = b"".join(chunks)
    if response.status_code != 200:
        raise SystemExit(f"HTTP {response.status_code}: {(first + rest)[:500]!r}")
    last = json.loads((first + rest).splitlines()[-1])
    if last.get("type") != "done":
        raise SystemExit(f"the stream did not end with done: {last}")
    return ttfb, time.perf_counter() - began


def p95(values: Sequence[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmups", type=int, default=2)
    parser.add_argument("--limit", type=int, default=1000)
    args = parser.parse_args(argv)
    bin_dir = Path(sys.executable).parent
    moto_port, service_port = free_port(), free_port()
    moto_url = f"http://127.0.0.1:{moto_port}"
    service_url = f"http://127.0.0.1:{service_port}"
    with tempfile.TemporaryDirectory(prefix="bench-cloudwatch-") as tmp:
        logs_dir = Path(tmp)
        moto = [str(bin_dir / "moto_server"), "-H", "127.0.0.1", "-p", str(moto_port)]
        with started(moto, f"{moto_url}/moto-api/", {}, logs_dir / "moto.log"):
            now_ms = int(time.time() * 1000)
            seed(moto_url, args.events, now_ms)
            env = {
                **CREDENTIALS,
                "LOG_SOURCE": "cloudwatch",
                "AWS_REGION": REGION,
                "CLOUDWATCH_ENDPOINT_URL": moto_url,
                "OTEL_ENABLED": "false",
                "LOG_LEVEL": "WARNING",
                "LLM_MAX_CONCURRENCY": "1",
                "LLAMA_URL": f"http://127.0.0.1:{free_port()}",  # never asked: "llm": false
            }
            service = [str(bin_dir / "python"), "-m", "uvicorn", "log_analyzer.main:app",
                       "--host", "127.0.0.1", "--port", str(service_port)]  # fmt: skip
            with (
                started(service, f"{service_url}/health", env, logs_dir / "service.log"),
                httpx.Client(base_url=service_url, timeout=120) as client,
            ):
                body = {
                    "source": "cloudwatch",
                    "filters": {"log_group": GROUP},
                    "time_range": {"since": "30m"},
                    "limit": args.limit,
                    "llm": False,
                }
                for _ in range(args.warmups):
                    one_run(client, body)
                timings = [one_run(client, body) for _ in range(args.runs)]
    ttfb = [t for t, _ in timings]
    total = [t for _, t in timings]
    print(f"CloudWatch Logs (moto_server {REGION}), one group of {args.events:,} events over "
          f"30 minutes, limit {args.limit:,}, \"llm\": false; {args.runs} runs after "
          f"{args.warmups} warm-ups\n")  # fmt: skip
    print("| measure | median | p95 |")
    print("| --- | --- | --- |")
    for name, values in (("time to first byte", ttfb), ("whole response", total)):
        median_ms, p95_ms = statistics.median(values) * 1000, p95(values) * 1000
        print(f"| {name} | {median_ms:.0f} ms | {p95_ms:.0f} ms |")


if __name__ == "__main__":
    main()
