"""Measure the service against a real llama.cpp server: time to first token, tokens/s, budget use.

    uv run python bench/bench_llama.py [--runs 3] [--lines 5000] [--max-tokens 128]

Starts llama-server (scripts/llama-server.sh install must have run) with one slot of 512, 1024 and
2048 tokens in turn, sends the same noisy 5,000-line window through the whole pipeline in-process
(Loki replaced by a body of the recorded response shape), timing each event as the pipeline
yields it. Time to first token includes parsing, normalizing, pricing the evidence with the
server's tokenizer and the server's prompt processing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from opentelemetry.sdk.trace import TracerProvider

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.llama.conftest import _locate, launch, wait_healthy  # noqa: E402
from tests.llama.noise import T0, NoisySource  # noqa: E402

from log_analyzer.analysis.analyze import AnalysisJob  # noqa: E402
from log_analyzer.analysis.events import ContextEvent, ContextFit, ErrorEvent, TokenEvent  # noqa: E402
from log_analyzer.analysis.request import AnalysisRequest  # noqa: E402
from log_analyzer.analysis.run import Run  # noqa: E402
from log_analyzer.analysis.run_deps import RunDeps, RunOptions  # noqa: E402
from log_analyzer.clients.llm import LlamaClient  # noqa: E402
from log_analyzer.core.workers import WorkerPool  # noqa: E402
from log_analyzer.sources.base import LineFilter, Selection, Window  # noqa: E402


def start_server(ctx: int) -> tuple[subprocess.Popen[bytes], str]:
    found = _locate()
    if found is None:
        raise SystemExit("llama-server is not installed: run scripts/llama-server.sh install")
    log = Path(tempfile.mkdtemp(prefix="bench-llama-")) / "server.log"
    process, url = launch(*found, ctx, 1, log)
    wait_healthy(process, url, log)
    return process, url


async def one_run(url: str, body: NoisySource, max_tokens: int) -> dict[str, float]:
    """One analysis through the pipeline, timed per event."""
    options = RunOptions(
        model_name="smollm2-135m",
        max_tokens=max_tokens,
        temperature=0.2,
        context_tokens=None,
        max_line_chars=2000,
    )
    request = AnalysisRequest(
        source="loki",
        window=Window(T0, T0 + 3600 * 10**9),
        selection=Selection.of({"namespace": "shop"}),
        line_filter=LineFilter.every(),
        limit=5000,
    )
    tracer = TracerProvider().get_tracer("bench")
    async with httpx.AsyncClient(base_url=url, timeout=600) as http:
        workers = WorkerPool(0)
        deps = RunDeps(body, LlamaClient(http), None, workers, tracer, options)
        started = time.perf_counter()
        first = last = 0.0
        tokens = 0
        fit: ContextFit | None = None
        async with Run(AnalysisJob(request), deps) as run:
            events = run.events(await run.prepare())
            async for event in events:
                now = time.perf_counter()
                if isinstance(event, ContextEvent):
                    fit = event.fit
                elif isinstance(event, TokenEvent):
                    tokens += 1
                    first = first or now
                    last = now
                elif isinstance(event, ErrorEvent):
                    raise SystemExit(f"analysis failed: {event.error}")
        await workers.close()
    assert fit is not None
    return {
        "ttft": first - started,
        "tokens_per_s": (tokens - 1) / (last - first) if tokens > 1 else 0.0,
        "total": time.perf_counter() - started,
        "prompt": fit.prompt_tokens,
        "budget": fit.n_ctx - fit.max_tokens,
        "utilisation": fit.utilisation,
        "included": fit.included,
        "distinct": fit.included + fit.omitted,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--max-tokens", type=int, default=128)
    args = parser.parse_args()
    body = NoisySource(args.lines)
    print(
        f"{args.lines:,} noisy lines, answer budget {args.max_tokens} tokens, "
        f"median of {args.runs} runs\n"
    )
    print(
        "| slot context | prompt tokens | utilisation | patterns in prompt | "
        "time to first token | tokens/s | total |"
    )
    print("|---|---|---|---|---|---|---|")
    for ctx in (512, 1024, 2048):
        process, url = start_server(ctx)
        try:
            rows = [asyncio.run(one_run(url, body, args.max_tokens)) for _ in range(args.runs)]
        finally:
            process.kill()
            process.wait()

        def median(key: str, rows: list[dict[str, float]] = rows) -> float:
            return statistics.median(r[key] for r in rows)

        print(
            f"| {ctx} | {median('prompt'):.0f} of {median('budget'):.0f} | "
            f"{median('utilisation'):.1%} | {median('included'):.0f} of "
            f"{median('distinct'):.0f} | {median('ttft'):.2f} s | "
            f"{median('tokens_per_s'):.0f} | {median('total'):.2f} s |"
        )


if __name__ == "__main__":
    main()
