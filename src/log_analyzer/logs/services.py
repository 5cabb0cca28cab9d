"""The names of services: the service a source belongs to, and the names a log text holds.

A suspect is about a service when other services' errors name it (``upstream payments returned
503``), so the words of log texts are compared with the services of the window's sources.
"""

from __future__ import annotations

import re

_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*")
_HASHY = re.compile(r"^[a-z0-9]{5,10}$")


def names_in(text: str) -> frozenset[str]:
    """The names ``text`` holds, lower case (``orders-db``, ``api``, ``v2`` is not one)."""
    return frozenset(_NAME.findall(text.lower()))


def with_parts(words: frozenset[str], most_parts: int) -> set[str]:
    """``words``, and each run of at most ``most_parts`` of the parts of a hyphenated one.

    A flag, a key or a resource is often named after the service it concerns: the flag
    ``new-tax-engine`` is about ``tax``, ``orders-db-backup`` about ``orders`` and ``orders-db``.
    Runs are as long as the longest name looked for: every run of a word of hundreds of parts
    (one log line of ``a-b-c-...``) would be a quadratic number of strings, each long.
    """
    found = set(words)
    for word in words:
        parts = word.split("-")
        found.update(
            "-".join(parts[start:end])
            for start in range(len(parts))
            for end in range(start + 1, min(start + most_parts, len(parts)) + 1)
        )
    return found


def service_names(source: str) -> tuple[str, ...]:
    """The service a ``pod/container`` source belongs to, as the words other logs would use.

    ``payments-5f6d7c9b8-q8r2m/payments`` gives ``payments``: the container, and the pod name
    without its ReplicaSet and pod hashes.
    """
    pod, _, container = source.partition("/")
    parts = pod.split("-")
    if len(parts) > 1 and parts[-1].isdigit():
        parts.pop()  # a StatefulSet's ordinal
    while len(parts) > 1 and (_HASHY.match(parts[-1]) and any(c.isdigit() for c in parts[-1])):
        parts.pop()
    while len(parts) > 1 and _HASHY.match(parts[-1]) and len(parts[-1]) == 5:
        parts.pop()
    names = [name for name in (container, "-".join(parts)) if name]
    return tuple(dict.fromkeys(names))
