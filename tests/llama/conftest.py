"""Real llama.cpp servers for the `llama` tier, started and stopped by the tests themselves.

The binary and model come from `scripts/llama-server.sh install` (or LLAMA_SERVER_BIN and
LLAMA_MODEL). Without them the tier is skipped, except in CI (CI=true), where `.ci/run` installs
them and a missing server is a failure, so the tier can never pass by not running.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _locate() -> tuple[Path, Path] | None:
    binary, model = os.environ.get("LLAMA_SERVER_BIN"), os.environ.get("LLAMA_MODEL")
    if binary and model:
        return Path(binary), Path(model)
    script = ROOT / "scripts" / "llama-server.sh"
    try:
        out = subprocess.run(
            ["bash", str(script), "paths"], capture_output=True, text=True, check=True, timeout=30
        ).stdout.split()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, FileNotFoundError):
        return None
    return (Path(out[0]), Path(out[1])) if len(out) == 2 else None


@dataclass
class LlamaServer:
    """One running llama-server process."""

    url: str
    ctx: int
    slots: int
    process: subprocess.Popen[bytes]
    log: Path
    stopped: bool = field(default=False)

    def stop(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        if not self.stopped:
            self.stopped = True
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def busy_slots(self) -> int:
        """Slots `/slots` reports as processing."""
        slots = httpx.get(f"{self.url}/slots", timeout=5).json()
        return sum(1 for slot in slots if slot.get("is_processing"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


StartServer = Callable[..., LlamaServer]


def launch(
    binary: Path, model: Path, ctx: int, slots: int, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """Start llama-server on a free loopback port, its output in `log`; returns it and its URL."""
    port = _free_port()
    command = [str(binary), "-m", str(model), "-c", str(ctx), "-np", str(slots),
               "--host", "127.0.0.1", "--port", str(port), "-t", "2"]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}"


def wait_healthy(
    process: subprocess.Popen[bytes], url: str, log: Path, seconds: float = 120
) -> None:
    """Return when `/health` answers 200; raise with the server's log when it dies or stalls."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama-server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"llama-server did not become healthy: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def llama_binaries() -> tuple[Path, Path]:
    found = _locate()
    if found is None or not found[0].exists() or not found[1].exists():
        if os.environ.get("CI"):
            pytest.fail("llama-server is not installed; .ci/run must install it first")
        pytest.skip("no llama-server installed (run `just llm-install`)")
    return found


@pytest.fixture(scope="session")
def start_llama(
    llama_binaries: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StartServer]:
    """Start servers on free loopback ports; every one is killed at the end of the session."""
    binary, model = llama_binaries
    started: list[LlamaServer] = []

    def start(ctx: int = 2048, slots: int = 1, wait: bool = True) -> LlamaServer:
        log = tmp_path_factory.mktemp("llama") / "server.log"
        process, url = launch(binary, model, ctx, slots, log)
        server = LlamaServer(url, ctx, slots, process, log)
        started.append(server)
        if wait:
            wait_healthy(process, url, log)
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
            try:
                server.process.wait(10)
            except subprocess.TimeoutExpired:
                server.process.kill()


@pytest.fixture(scope="session")
def shared_llama(start_llama: StartServer) -> LlamaServer:
    """One server (2 slots of 1024 tokens) for the tests that do not stop or reshape it."""
    return start_llama(ctx=2048, slots=2)
