"""Mutation-test the tables of the ``logs/redact/`` package, which mutmut never changes.

mutmut 3 mutates function bodies only; most of what the redactor knows sits in module-level
tables: vendor token patterns and their hints, key words, issuer ranges, the values that are no
secret. Each mutant here takes one thing out of one table (a vendor, a hint, a shape, one
alternative of a regex group, one entry of a set, map or list) or moves the entropy threshold,
rebuilds the rules, and runs the redaction tests in a forked child; a mutant the tests pass is
a survivor. Not part of CI: ``uv run python scripts/mutate_redact_tables.py [--workers N]``.

A table lives in one module of the package, and the modules that use it import it by name
(``from ...key_names import _SECRET_KEY_WORDS``), which binds the same object under the same
name in each of them: a mutant replaces it in every module that binds it, so that it reaches
every place the table is read from (the rules are built in ``rules``, run by ``engine``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import re
import sys
import time
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from log_analyzer.logs import redact as package
from log_analyzer.logs.redact import engine, rules

TESTS = [
    "tests/logs/test_redact.py",
    "tests/logs/redaction",
    "tests/analysis/test_redact_pipeline.py",
]
PYTEST_ARGS = ["-x", "-q", "--no-cov", "-p", "no:randomly", "-p", "no:cacheprovider"]

# Compiled regexes read when a rule runs, or when the rules are built.
PATTERNS = (
    "_WEBHOOK",
    "_REFERENCE",
    "_PLACEHOLDERS",
    "_WORDLIKE",
    "_KEY_WORD",
    "_OPAQUE",
    "_CARD",
    "_AFTER_NUMBER",
    "_LAST_GROUP",
    "_CARD_GROUP",
    "_FILE_EXTENSION",
    "_EMAIL",
    "_IP",
    "_SHORT_FLAG_PASSWORD",
    "_NAMED_VALUE",
    "_DIGEST_RESPONSE",
    "_SQL_PASSWORD",
    "_SQL_ACCOUNT",
    "_COMMAND_PASSWORD",
    "_XML_SECRET",
    "_PASSWORD_HASH",
    "_OAUTH_CODE",
    "_OAUTH_CONTEXT",
    "_ENCODED_PAIR",
    "_ENCODED_SEPARATOR",
    "_ENCODED_SEPARATOR_START",
    "_SPACED_SECRET",
    "_BASE64_PRIVATE_KEY",
    "_VAULT_KEY",
    "_ESCAPE_BEFORE",
    "_LIST_ITEM",
    "_BLOCK_LIST_ITEM",
    "_OBJECT_VALUE",
    "_VALUE_MEMBER",
    "_HEX_KEY",
    "_TRACE_ID_KEY",
)
# Regex sources read when the rules are built (those inlined in a compiled pattern above are
# mutated there: _SASL in _COMMAND_PASSWORD).
REGEX_STRINGS = (
    "_SEPARATOR",
    "_VALUE",
    "_CARD_SHAPE",
    "_ENCODED_PAIR_SHAPE",
    "_KEY_SUFFIX",
    "_CONTAINER",
    "_CREDENTIAL",
)
COLLECTIONS = (
    "_NOT_SECRET",
    "_SHORT_KEYWORDS",
    "_KEY_KINDS",
    "_VENDOR_WORDS",
    "_VENDOR_KEY_KINDS",
    "_ISSUERS",
    "_IP_SHAPES",
    "_GENERIC_KEY_WORDS",
    "_SECRET_KEY_WORDS",
    "_SCHEME_KINDS",
    "_SECRET_NAME_WORDS",
    "_RANDOM_PART",
    "_SASL_HINTS",
    "_SQL_SHAPES",
    "_XML_SHAPES",
    "_PASSWORD_HASH_SHAPES",
    "_SECRET_KEY_NAMES",
    "_PUBLIC",
    "_ENCODED_VALUE_END",
    "_LOGIN_PROSE",
    "_STARTS_A_FIELD",
    "_OPENS_A_STRING",
    "_ID_KEY_NAMES",
    "_HEX_KEY_WORDS",
    "_PAIR_KEY_WORDS",
)
CHARACTER_SETS = {"_TOKEN_CHARS": "_-0", "_KEY_CHARS": "_.-0"}

Mutant = tuple[str, Callable[[], None]]
MODULES = tuple(
    importlib.import_module(f"{package.__name__}.{info.name}")
    for info in pkgutil.iter_modules(package.__path__)
)


def _homes(name: str) -> list[ModuleType]:
    """The package's modules that bind `name`: where it is defined, and where it is imported."""
    homes = [module for module in MODULES if name in vars(module)]
    if not homes:
        raise LookupError(f"no module of {package.__name__} binds {name}")
    if any(getattr(home, name) is not getattr(homes[0], name) for home in homes):
        raise LookupError(f"{name} names different things in {[h.__name__ for h in homes]}")
    return homes


def _read(name: str) -> Any:
    return getattr(_homes(name)[0], name)


def _group_start(pattern: str, index: int) -> int:
    """Where the content of the group opened at `index` starts (after ``(?:``, ``(?P<x>``...)."""
    if pattern[index + 1 : index + 2] != "?":
        return index + 1
    rest = pattern[index + 2 :]
    if rest.startswith("P<"):
        return pattern.index(">", index) + 1
    if rest.startswith("P="):  # a back-reference: no alternatives inside
        return pattern.index(")", index)
    if rest.startswith(("<!", "<=")):
        return index + 4
    if rest.startswith(("!", "=")):
        return index + 3
    return pattern.index(":", index) + 1


def alternatives_dropped(pattern: str) -> Iterator[tuple[str, str]]:
    """Every `pattern` with one alternative of one group (or of the whole) taken out."""
    groups: list[tuple[int, list[int]]] = [(0, [])]
    spans: list[tuple[int, int, list[int]]] = []
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[index + 1 : index + 2] == "]":
                index += 1
        elif char == "(":
            groups.append((_group_start(pattern, index), []))
        elif char == ")":
            start, bars = groups.pop()
            spans.append((start, index, bars))
        elif char == "|":
            groups[-1][1].append(index)
        index += 1
    start, bars = groups.pop()
    spans.append((start, len(pattern), bars))
    for start, end, bars in spans:
        if not bars:
            continue  # a group of one alternative
        edges = [start - 1, *bars, end]
        for number in range(len(bars) + 1):
            left, right = edges[number] + 1, edges[number + 1]
            # Take out the alternative and one bar next to it.
            cut = (left, right + 1) if number == 0 else (edges[number], right)
            yield pattern[left:right], pattern[: cut[0]] + pattern[cut[1] :]


def _setter(name: str, value: Any) -> Callable[[], None]:
    homes = _homes(name)

    def mutate() -> None:
        for home in homes:
            setattr(home, name, value)

    return mutate


def _without(items: Any, drop: Any) -> Any:
    """`items` (tuple, frozenset or dict) without the element or key `drop`."""
    if isinstance(items, dict):
        return {key: value for key, value in items.items() if key != drop}
    kept = [item for item in items if item != drop]
    return type(items)(kept)


def mutants() -> Iterator[Mutant]:
    """Every mutant of the tables, named for what it changes."""
    for name in PATTERNS:
        compiled = _read(name)
        for alternative, source in alternatives_dropped(compiled.pattern):
            yield (
                f"{name} without /{alternative}/",
                _setter(name, re.compile(source, compiled.flags)),
            )
    for name in REGEX_STRINGS:
        for alternative, source in alternatives_dropped(_read(name)):
            yield f"{name} without /{alternative}/", _setter(name, source)
    for name in COLLECTIONS:
        items = _read(name)
        for item in items:
            yield f"{name} without {item!r}", _setter(name, _without(items, item))
    for name in ("_SECRET_KEY_WORDS", "_GENERIC_KEY_WORDS"):
        words = _read(name)
        for first, rest in words.items():
            for alternative, source in alternatives_dropped(rest):
                yield (
                    f"{name}[{first!r}] without /{alternative}/",
                    _setter(name, {**words, first: source}),
                )
    for name in ("_VENDORS", "_TAIL_TOKENS", "_DISCORD_TOKENS"):
        vendors = _read(name)
        for index, vendor in enumerate(vendors):
            label = f"{name} {vendor.kind}"

            def replaced(new: Any, name: str = name, index: int = index) -> Callable[[], None]:
                table = _read(name)
                return _setter(name, (*table[:index], new, *table[index + 1 :]))

            yield f"{label} taken out", _setter(name, vendors[:index] + vendors[index + 1 :])
            for hint in vendor.hints:
                hints = _without(vendor.hints, hint)
                yield f"{label} without hint {hint!r}", replaced(vendor._replace(hints=hints))
            for shape in vendor.shapes:
                shapes = _without(vendor.shapes, shape)
                yield f"{label} without shape {shape!r}", replaced(vendor._replace(shapes=shapes))
            for alternative, source in alternatives_dropped(vendor.pattern):
                yield (
                    f"{label} without /{alternative}/",
                    replaced(vendor._replace(pattern=source)),
                )
    for name, chars in CHARACTER_SETS.items():
        for char in chars:
            drop = "0123456789" if char == "0" else char
            value = "".join(c for c in _read(name) if c not in drop)
            described = "digits" if char == "0" else repr(char)
            original = _read(name)
            changed = value if isinstance(original, str) else frozenset(value)
            yield f"{name} without {described}", _setter(name, changed)
    for change in (-0.25, 0.25):
        bits = _read("_ENTROPY_BITS") + change
        yield f"_ENTROPY_BITS = {bits}", _setter("_ENTROPY_BITS", bits)


INVALID = 98
"""The exit status of a child whose mutant does not build (a regex that no longer compiles)."""


def rebuild() -> None:
    """Build the rules again from the tables, where the engine reads them, and forget its plans."""
    engine._RULES = rules._rules()
    engine._PLANS.clear()


def run(mutate: Callable[[], None]) -> int:
    """In a forked child: apply `mutate`, rebuild the rules, run the tests; their exit status."""
    try:
        mutate()
        rebuild()
    except Exception:
        return INVALID
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (the child exits)
    return int(pytest.main([*TESTS, *PYTEST_ARGS]))


def main() -> int:
    """Run every mutant; print the survivors and the score."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=1, help="children at a time (default 1)")
    parser.add_argument("--match", default="", help="run only mutants whose name this regex finds")
    options = parser.parse_args()
    todo = [mutant for mutant in mutants() if re.search(options.match, mutant[0])]
    baseline = os.fork()
    if baseline == 0:
        os._exit(run(lambda: None))
    if os.waitstatus_to_exitcode(os.waitpid(baseline, 0)[1]) != 0:
        print("the tests fail without any mutant: fix them first", file=sys.stderr)
        return 1
    began = time.monotonic()
    survivors, killed, invalid = [], 0, 0
    running: dict[int, str] = {}

    def reap() -> None:
        nonlocal killed, invalid
        pid, status = os.wait()
        label = running.pop(pid)
        code = os.waitstatus_to_exitcode(status)
        if code == INVALID:
            invalid += 1
            print(f"invalid   {label}", flush=True)
        elif code == 0:
            survivors.append(label)
            print(f"survived  {label}", flush=True)
        else:
            killed += 1

    for label, mutate in todo:
        while len(running) >= options.workers:
            reap()
        pid = os.fork()
        if pid == 0:
            os._exit(run(mutate))
        running[pid] = label
    while running:
        reap()
    took = time.monotonic() - began
    total = len(todo) - invalid
    print(
        f"{killed} killed / {total} mutants = {100 * killed / total:.1f}% in {took:.0f}s"
        f" ({invalid} that do not build left out)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
