"""Lines as container runtimes and log shippers wrap them before a store keeps them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import NamedTuple

from log_analyzer.logs.levels import Level

TIME = "2026-03-14T09:30:05.000001234Z"


def cri(line: str, stream: str = "stderr", tag: str = "F", time: str = TIME) -> str:
    """What containerd and CRI-O write to the node's file."""
    return f"{time} {stream} {tag} {line}"


def docker(
    line: str, stream: str = "stderr", time: str = "2026-03-14T09:30:05.000001Z", end: str = "\n"
) -> str:
    """Docker's json-file record, as Go writes it: ``<``, ``>`` and ``&`` escaped.

    ``end`` is empty for a part of a line longer than Docker's buffer, save the last.
    """
    record = {"log": f"{line}{end}", "stream": stream, "time": time}
    text = json.dumps(record, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def fluent_bit(line: str, pod: str = "api-7c9") -> str:
    """Fluent Bit's record of a Docker line, Kubernetes metadata beside it (Container Insights)."""
    kubernetes = {
        "pod_name": pod,
        "namespace_name": "shop",
        "container_name": "api",
        "pod_id": "5e0f1c2d-7a44-4b1e-9f3a-0c8d2e6b1a90",
        "docker_id": "3f1e9a0b7c2d4e5f60718293a4b5c6d7e8f9012345678901234567890abcdef1",
    }
    return json.dumps(
        {"log": f"{line}\n", "stream": "stderr", "time": TIME, "kubernetes": kubernetes}
    )


def tailed_cri(line: str) -> str:
    """A tailer without the CRI parser: the runtime's whole line in ``log``."""
    return json.dumps({"log": cri(line), "kubernetes": {"pod_name": "api-7c9"}})


WRAPPERS: dict[str, Callable[[str], str]] = {
    "cri": cri,
    "cri-partial": lambda line: cri(line, "stdout", "P"),
    "docker": docker,
    "fluent-bit": fluent_bit,
    "tailed-cri": tailed_cri,
    "docker-in-fluent-bit": lambda line: fluent_bit(docker(line)),
}
"""Each wrapper by name: a function of the application's line."""


class AppLine(NamedTuple):
    """An application's own line, with its level and message read by hand."""

    line: str
    level: Level
    message: str

    @property
    def severe(self) -> bool:
        """Whether the default selection should fetch it (a warning or worse)."""
        return self.level.rank <= Level.WARN.rank


APP_LINES = (
    # No line names a level in words: each is found by its prefix or its JSON level alone.
    AppLine(
        'E1123 10:00:00.123456    2412 kubelet.go:2412] "Unable to attach or mount volumes"'
        ' pod="shop/cart-0"',
        Level.ERROR,
        '"Unable to attach or mount volumes" pod="shop/cart-0"',
    ),
    AppLine(
        'I1123 10:00:00.123456    2412 kubelet.go:2290] "SyncLoop UPDATE" source="api"',
        Level.INFO,
        '"SyncLoop UPDATE" source="api"',
    ),
    AppLine(
        "1:M 23 Nov 2026 10:00:00.123 # Connection with replica 10.0.0.7:6379 lost.",
        Level.WARN,
        "Connection with replica 10.0.0.7:6379 lost.",
    ),
    AppLine(
        "1:M 23 Nov 2026 10:00:00.123 * Background saving started by pid 42",
        Level.INFO,
        "Background saving started by pid 42",
    ),
    AppLine("<3>disk quota exceeded on /data", Level.ERROR, "disk quota exceeded on /data"),
    AppLine("<6>volume mounted on /var/lib/data", Level.INFO, "volume mounted on /var/lib/data"),
    AppLine(
        '{"level":50,"time":1795000000000,"pid":1,"msg":"connect ECONNREFUSED 10.0.0.7:5432"}',
        Level.ERROR,
        "connect ECONNREFUSED 10.0.0.7:5432",
    ),
    AppLine(
        '{"level":30,"time":1795000000000,"pid":1,"msg":"request completed"}',
        Level.INFO,
        "request completed",
    ),
)
"""Lines of real formats as the applications write them, before any wrapper."""
