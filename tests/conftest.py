"""Shared fixtures: recorded upstream payloads, respx routers, span capture and app factory."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import stamina
from fastapi import FastAPI
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.clients.protocols import LLMBackend
from log_analyzer.core.config import Settings, get_settings
from log_analyzer.core.workers import WorkerPool, prepare_worker
from log_analyzer.logs.entries import LogEntry
from log_analyzer.main import create_app
from log_analyzer.service.runs import WORKER_MODULES
from log_analyzer.sources.base import LogSource
from log_analyzer.sources.loki.shapes import stream_rows

FIXTURES = Path(__file__).parent / "fixtures"
LOKI_URL = "http://loki.test:3100"
# The default selection (SEVERE_PATTERN) as a LogQL line filter, written out rather than built
# with logql.quote, so that every test comparing a query's text checks the quoting too.
SEVERE_LOGQL = (
    '|~ "(?i)(error|eror|warn|fail|exception|panic|fatal|crit|emerg|alert\\\\])'
    "|(?-i:[Uu]ncaught|[Uu]nhandled|[Ss]egmentation fault|core dumped"
    "|\\\\bSIG(?:SEGV|ABRT|BUS|ILL|KILL)\\\\b|\\\\b[Kk]illed\\\\b|(?:OOM|oom).?[Kk]ill"
    "|[Oo]ut of memory|terminate called"
    "|[Ee]xit(?:ed)?(?: with)?[ _]?(?:[Ss]tatus|[Cc]ode)\\\\W{0,3}[1-9]"
    "|BackOff|ErrImagePull"
    "|[Tt]imed out|deadline exceeded|i/o timeout|[Cc]onnection (?:refused|reset)"
    "|[Nn]o space left|[Tt]oo many open files|[Pp]ermission denied|[Rr]ead-only file system"
    "|[Cc]annot allocate memory|[Nn]o route to host|[Nn]etwork is unreachable|x509: )"
    '|\\"level\\\\\\\\{0,3}\\" ?: ?[4-9]\\\\d[,} ]'
    '|\\"s\\\\\\\\{0,3}\\" ?: ?\\\\\\\\{0,3}\\"[EFW]\\\\\\\\{0,3}\\"'
    "|[\\\\dCZ\\\\]] \\\\[[EWFC]\\\\] "
    '|(?:^|\\"log\\\\\\\\{0,3}\\" ?: ?\\\\\\\\{0,3}\\")'
    "(?:\\\\d{4}-\\\\d\\\\d-\\\\d\\\\dT[\\\\d:.]+(?:Z|[+-]\\\\d\\\\d:\\\\d\\\\d) "
    "std(?:out|err) [FP] )?"
    "(?:[EWF]\\\\d{4} "
    "|\\\\d+:[XCSM] (?:\\\\d\\\\d \\\\w{3} (?:\\\\d{4} )?)?[\\\\d:.T+-]+ # "
    "|\\\\d+:signal-handler \\\\(\\\\d+\\\\) "
    "|\\\\[\\\\d+\\\\] \\\\d\\\\d \\\\w{3} [\\\\d:.]+ # "
    "|\\\\d{4}-\\\\d\\\\d-\\\\d\\\\dT[\\\\d:.]+(?:Z|[+-]\\\\d\\\\d:?\\\\d\\\\d) [EWF] "
    "|(?:<|\\\\\\\\{1,3}u003c)(?:[0-489]|[159][0-26-9]|[26][04-8]|[37][2-6]|[48][0-489]"
    "|1(?:[048][04-8]|[15][2-6]|[26][0-489]|[37][0-26-9]))(?:>|\\\\\\\\{1,3}u003e)"
    "|\\\\[[EWC] \\\\d"
    "|(?:ERRO|FATA|PANI)\\\\[\\\\d+\\\\] "
    "|\\\\d[\\\\d/:.TZ+ -]{3,34}(?:[AP]M)? (?:ERRO|FATA|PANI|ERR|WRN|FTL|PNC) "
    '|(?-i:(?:[a-z_][a-z0-9_]*\\\\.)+[A-Z]\\\\w*(?:: |:?(?:$|\\\\\\\\+n|\\\\\\\\*\\"))'
    '|[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:[A-Z][a-z]+(?:$|\\\\\\\\+n|\\\\\\\\*\\")'
    "|(?:Exit|Interrupt|Iteration): )))"
    "|(?-i:(?:^|\\\\W)(?:FEHLER|WARNUNG|SCHWER(?:WIEGEND)?|PANIKA?|ERREUR|ATTEN(?:TION|ZIONE)"
    "|AVERTISSEMENT|GRAVE|FATAL[ET]|ERRO|AVISO|ADVERT[EÊ]NCIA|P[AÂ]NICO|AVVERTENZA|FEL|VARNING"
    "|ALLVARLIG|BŁĄD|OSTRZEŻENIE|KATASTROFALNY|HATA|UYARI|CHYBA|VAROVÁNÍ|FATÁLNÍ|ОШИБКА"
    "|ПРЕДУПРЕЖДЕНИЕ|ВАЖНО|ПАНИКА|ПОМИЛКА|ПОПЕРЕДЖЕННЯ|ФАТАЛЬНО|ПАНІКА|错误|致命错误|警告|严重"
    '|エラー|致命的エラー|重大|오류|경고|심각|치명적오류)[:\uff1a])"'
)
LLAMA_URL = "http://llama.test:8080"
METRIC_RANGE = r"/loki/api/v1/query_range\?(.*&)?step="
"""A range query with a step is a metric query; without one it is the log query."""


def recorded(kind: str, name: str) -> dict[str, Any]:
    """A recorded `{request, status, content_type, body}` envelope."""
    data: dict[str, Any] = json.loads((FIXTURES / kind / name).read_text())
    return data


def recorded_response(kind: str, name: str) -> httpx.Response:
    """The recorded response as httpx would have received it."""
    rec = recorded(kind, name)
    if "body" not in rec:  # a few recordings hold only the body of a 200 response
        rec = {"status": 200, "body": rec}
    body = rec["body"]
    content_type = rec.get("content_type", "application/json")
    if isinstance(body, str):
        return httpx.Response(rec["status"], text=body, headers={"content-type": content_type})
    return httpx.Response(rec["status"], json=body, headers={"content-type": content_type})


def recorded_entries(name: str) -> list[LogEntry]:
    """The entries of a recorded Loki `streams` body, oldest first, as the Loki code reads them."""
    decoded = stream_rows(recorded("loki", name)["body"], limit=1_000_000)
    entries = [LogEntry(ts, line, labels) for labels, ts, line in decoded.rows]
    return sorted(entries, key=lambda entry: entry.timestamp_ns)


def sse_bytes(name: str) -> bytes:
    """The exact bytes of a recorded SSE stream."""
    return (FIXTURES / "llama" / name).read_bytes()


def settings_for_tests(**overrides: Any) -> Settings:
    """Settings pointing at the mocked upstreams, with export off."""
    values: dict[str, Any] = {
        "loki_url": LOKI_URL,
        "llama_url": LLAMA_URL,
        "otel_enabled": False,
        "model_name": "smollm2-135m",
        "llm_max_concurrency": 4,  # limiter tests override it; others need no /props for it
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


_EXECUTOR: list[ProcessPoolExecutor] = []
WORKER_PROCESSES = 2


def shared_workers() -> WorkerPool:
    """Two real worker processes, started once per test session and shared by every app.

    Real processes, not threads, so every API test pickles what crosses to a worker and back.
    """
    if not _EXECUTOR:
        _EXECUTOR.append(
            ProcessPoolExecutor(
                WORKER_PROCESSES,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=prepare_worker,
                initargs=(WORKER_MODULES,),
            )
        )
    return WorkerPool(WORKER_PROCESSES, executor=_EXECUTOR[0])


@pytest.fixture(scope="session", autouse=True)
def _stop_test_workers() -> Iterator[None]:
    yield
    for executor in _EXECUTOR:
        executor.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(autouse=True)
def fast_retries() -> Iterator[None]:
    """Retries happen (up to 3 tries) but without waiting."""
    with stamina.set_testing(True, attempts=3, cap=True):
        yield


@pytest.fixture
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def loki_mock() -> Iterator[respx.MockRouter]:
    """Loki; the metric queries answer with the recordings unless a test replaces the routes
    named `loki_vector` and `loki_matrix`."""
    with respx.mock(base_url=LOKI_URL, assert_all_called=False) as router:
        router.get(url__regex=METRIC_RANGE, name="loki_matrix").mock(
            return_value=recorded_response("loki", "query_range-matrix-by-level.json")
        )
        router.get("/loki/api/v1/query", name="loki_vector").mock(
            return_value=recorded_response("loki", "query-vector-by-level-pod-container.json")
        )
        yield router


@pytest.fixture
def llama_mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=LLAMA_URL, assert_all_called=False) as router:
        yield router


@asynccontextmanager
async def running_app(
    exporter: InMemorySpanExporter,
    *,
    settings: Settings | None = None,
    log_source: LogSource | None = None,
    llm: LLMBackend | None = None,
    workers: WorkerPool | None = None,
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """An app with its lifespan running, and a client that talks to it in-process."""
    app = create_app(
        settings or settings_for_tests(),
        span_exporter=exporter,
        log_source=log_source,
        llm=llm,
        workers=workers or shared_workers(),
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield app, client


@pytest.fixture
def cli_without_llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings read afresh from the environment, with no model to reach (for CLI runs)."""
    monkeypatch.setenv("LLAMA_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("LLAMA_CONNECT_TIMEOUT_SECONDS", "0.5")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
