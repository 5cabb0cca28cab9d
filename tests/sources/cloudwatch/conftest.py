"""A CloudWatch Logs emulator (moto's server) for the session, seeded with an incident.

The emulator runs as its own process on a free local port, is seeded once through boto3, and is
stopped when the session ends. Tests talk to it through the real aiobotocore client, with
credentials from the environment as in production (set per test, never left behind).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

from log_analyzer.sources.base import Window
from log_analyzer.sources.cloudwatch.client import CloudWatchClient
from log_analyzer.sources.cloudwatch.source import CloudWatchSource
from tests.sources.cloudwatch.seed import (
    DATAPLANE_GROUP,
    ECS_GROUP,
    EKS_GROUP,
    EMPTY_GROUP,
    LAMBDA_GROUP,
    REGION,
    WINDOW_MS,
    Seeded,
    incident,
)

if TYPE_CHECKING:
    from types_aiobotocore_logs.client import CloudWatchLogsClient

_START_SECONDS = 30.0
_BATCH = 1000


@dataclass(frozen=True, slots=True)
class Emulator:
    """The running emulator and what was put into it."""

    url: str
    now_ms: int
    events: tuple[Seeded, ...]

    def window(self) -> Window:
        """A window holding every seeded event, with a minute to spare at each end."""
        return Window(
            (self.now_ms - WINDOW_MS - 60_000) * 1_000_000, (self.now_ms + 60_000) * 1_000_000
        )

    def of(self, group: str) -> list[Seeded]:
        """The events of one group, oldest first."""
        return [event for event in self.events if event.group == group]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"moto_server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    raise RuntimeError(f"moto_server did not answer within {_START_SECONDS:g} s")


def _seed(url: str, events: list[Seeded]) -> None:
    logs = boto3.client(
        "logs",
        region_name=REGION,
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    by_stream: dict[tuple[str, str], list[Seeded]] = defaultdict(list)
    for event in events:
        by_stream[event.group, event.stream].append(event)
    for group in (EKS_GROUP, LAMBDA_GROUP, ECS_GROUP, DATAPLANE_GROUP, EMPTY_GROUP):
        logs.create_log_group(logGroupName=group)
    for (group, stream), stream_events in by_stream.items():
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        stream_events.sort(key=lambda event: event.ts_ms)
        for first in range(0, len(stream_events), _BATCH):
            batch = stream_events[first : first + _BATCH]
            logs.put_log_events(
                logGroupName=group,
                logStreamName=stream,
                logEvents=[{"timestamp": e.ts_ms, "message": e.message} for e in batch],
            )
    logs.close()


def run_emulator() -> Iterator[Emulator]:
    """moto's server on a free port of 127.0.0.1, seeded, while the generator runs.

    The session's `emulator` fixture (``tests/sources/conftest.py``) runs it once for every
    test of ``tests/sources/``.
    """
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(url, server)
        now_ms = int(time.time() * 1000)
        events = incident(now_ms)
        _seed(url, events)
        yield Emulator(url, now_ms, tuple(events))
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Credentials from the environment, as the standard chain reads them; no real AWS config."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@asynccontextmanager
async def logs_client(url: str | None = None) -> AsyncIterator[CloudWatchLogsClient]:
    """An aiobotocore ``logs`` client as the spec makes one (one attempt, no botocore retries)."""
    async with get_session().create_client(
        "logs",
        region_name=REGION,
        endpoint_url=url or "http://127.0.0.1:9",  # stubbed clients never connect
        config=AioConfig(retries={"total_max_attempts": 1}),
    ) as logs:
        yield logs


@asynccontextmanager
async def emulated_source(emulator: Emulator, **options: Any) -> AsyncIterator[CloudWatchSource]:
    """A `CloudWatchSource` reading the emulator; ``options`` go to its constructor."""
    async with logs_client(emulator.url) as logs:
        yield CloudWatchSource(CloudWatchClient(logs, deadline_seconds=30), **options)
