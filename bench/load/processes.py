"""The benchmark's subprocesses: each on a free loopback port, each in its own process group.

`Children` is a context manager: whichever way the benchmark ends (done, an error, Ctrl-C, or
SIGTERM turned into `SystemExit`), every process group it started gets SIGTERM, then SIGKILL.
A group takes the workers a service may fork along with it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[2]
_STOP_GRACE_SECONDS = 5.0


class HarnessError(Exception):
    """The benchmark itself could not run (as opposed to the service missing a target)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class Child:
    """One started process: what it is, where it answers, where it writes."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def rss(self) -> tuple[int, int]:
        """Memory in bytes: the process's resident set, and the proportional set size of it
        with all its descendants.

        Worker processes forked from one fork server share its pages; summing their RSS would
        count those pages once per worker. PSS charges each shared page to its sharers in
        parts, so the sum over the tree is the memory the service really holds.
        """
        try:
            parent = psutil.Process(self.process.pid)
            own = parent.memory_info().rss
            tree = [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0, 0
        total = 0
        for process in tree:
            # A worker may end between listing and reading.
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                total += process.memory_full_info().pss
        return own, total

    def log_tail(self, lines: int = 15) -> str:
        """The end of the process's output, for error messages."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


class Children:
    """Starts processes, waits until they answer, and stops every one of them on exit."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self._started: list[Child] = []

    def __enter__(self) -> Children:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for child in reversed(self._started):
            self.stop(child)

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        port: int,
        ready_path: str,
        env: Mapping[str, str] | None = None,
        timeout: float = 60.0,
    ) -> Child:
        """Start `argv` from the repository root and return once `ready_path` answers 200."""
        log = self.log_dir / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                list(argv),
                cwd=ROOT,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, out of reach of our Ctrl-C
            )
        child = Child(name, process, f"http://127.0.0.1:{port}", log)
        self._started.append(child)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise HarnessError(
                    f"{name} exited with code {process.returncode} before answering; "
                    f"end of {log}:\n{child.log_tail()}"
                )
            try:
                if httpx.get(child.url + ready_path, timeout=2.0).status_code == 200:
                    return child
            except httpx.HTTPError:
                pass  # not listening yet
            time.sleep(0.1)
        raise HarnessError(f"{name} did not answer {ready_path} within {timeout:g} s; see {log}")

    def stop(self, child: Child) -> None:
        """SIGTERM to the child's process group, SIGKILL if it is still there after a grace."""
        if child not in self._started:
            return
        self._started.remove(child)
        group = child.process.pid  # start_new_session: the child leads its own group
        _signal_group(group, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(_STOP_GRACE_SECONDS)
        _signal_group(group, signal.SIGKILL)  # whatever is left of the group, workers included
        child.process.wait()


def _signal_group(group: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
        os.killpg(group, sig)
