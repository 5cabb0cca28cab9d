"""Redaction over a corpus of realistic log lines: every secret caught, clean lines left alone.

``positive.jsonl`` holds log lines (JSON, logfmt, plain, YAML-ish, access logs, stack traces)
with a ``{secret}`` slot and the name of the fake maker that fills it (``fakes.py``: made from a
seeded RNG at test time, never stored), the kind it must be counted as, and ``also``: other
kinds the line holds. ``negative.jsonl`` holds lines that must come out as they went in: ids,
hashes, digests, trace ids, numbers that fail the Luhn check, URLs without passwords, secrets
named but not given. ``pii`` in a record is the personal data asked for (default: e-mail).
"""

from __future__ import annotations

import importlib
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from log_analyzer.logs.redact import (
    DEFAULT_PII,
    engine,
    may_contain_secret,
    redact,
    same_for_all_digits,
)
from tests.logs.redaction.fakes import make

HERE = Path(__file__).parent
OTHER = re.compile(r"\{other:(\w+)\}")


@dataclass(frozen=True)
class Positive:
    id: str
    kind: str
    line: str
    secret: str
    counts: dict[str, int]
    pii: frozenset[str]


def load(name: str) -> list[dict[str, Any]]:
    with (HERE / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def positive(record: dict[str, Any], seed: int) -> Positive:
    secret = make(record["make"], seed)
    template: str = record["template"]
    assert "{secret}" in template, record["id"]
    line = OTHER.sub(lambda m: make(m.group(1), seed), template).replace("{secret}", secret)
    counts = {record["kind"]: record.get("count", 1), **record.get("also", {})}
    pii = frozenset(record.get("pii", DEFAULT_PII))
    return Positive(record["id"], record["kind"], line, secret, counts, pii)


POSITIVE = [positive(record, seed) for seed, record in enumerate(load("positive.jsonl"))]
NEGATIVE = load("negative.jsonl")


def negative_pii(record: dict[str, Any]) -> frozenset[str]:
    return frozenset(record.get("pii", DEFAULT_PII))


def test_the_corpus_is_large_and_varied() -> None:
    assert len(POSITIVE) >= 100
    assert len({sample.kind for sample in POSITIVE}) >= 40
    assert len(NEGATIVE) >= 200
    assert len({sample.id for sample in POSITIVE}) == len(POSITIVE)


@pytest.mark.parametrize("sample", POSITIVE, ids=[sample.id for sample in POSITIVE])
def test_every_secret_is_caught(sample: Positive) -> None:
    result = redact(sample.line, pii=sample.pii)

    assert sample.secret not in result.text
    assert dict(result.counts) == sample.counts
    assert may_contain_secret(sample.line, pii=sample.pii)
    again = redact(result.text, pii=sample.pii)
    assert again.text == result.text
    assert again.total == 0


def test_at_most_one_percent_of_clean_lines_change() -> None:
    changed = []
    for record in NEGATIVE:
        result = redact(record["line"], pii=negative_pii(record))
        if result.text != record["line"] or result.total:
            changed.append(f"{record['line']!r} -> {result.text!r}")

    assert len(changed) <= len(NEGATIVE) // 100, "\n".join(changed)


def every_line() -> list[tuple[str, frozenset[str]]]:
    return [(sample.line, sample.pii) for sample in POSITIVE] + [
        (record["line"], negative_pii(record)) for record in NEGATIVE
    ]


def redact_with_every_rule(text: str, pii: frozenset[str]) -> str:
    """Every rule tried on the text, hints or not: what the hints must never change."""
    counts: dict[str, int] = {}
    for rule in engine._RULES:
        if rule.pii is None or rule.pii in pii:
            text = rule.pattern.sub(partial(engine._substitute, rule.replace, counts), text)
    return text


@pytest.mark.parametrize(("text", "pii"), every_line())
def test_hints_never_hide_a_secret(text: str, pii: frozenset[str]) -> None:
    assert redact(text, pii=pii).text == redact_with_every_rule(text, pii)
    if not may_contain_secret(text, pii=pii):
        assert redact(text, pii=pii).text == text


@pytest.mark.parametrize(("text", "pii"), every_line())
def test_the_alternation_finds_what_the_set_of_hints_finds(text: str, pii: frozenset[str]) -> None:
    # The alternation leaves out literals holding another one and the narrowing shapes: it must
    # still tell a text with a hint exactly as the set of every hint apart does.
    plan = engine._plan(pii)
    folded = engine._folded(text)
    assert (plan.hint.search(folded) is not None) == bool(plan.hints.Match(folded))


_DIGIT = re.compile(r"[0-9]")


def redraw_digits(text: str, rng: random.Random) -> str:
    return _DIGIT.sub(lambda _: str(rng.randrange(10)), text)


@pytest.mark.parametrize(("text", "pii"), every_line())
def test_digit_values_change_no_verdict_unless_said(text: str, pii: frozenset[str]) -> None:
    # Callers key verdicts by skeleton (every digit "1"): texts alike but for their digits
    # must get one answer from may_contain_secret, and one from redact unless
    # same_for_all_digits says otherwise.
    rng = random.Random(text)
    expected = redact(text, pii=pii)
    for _ in range(5):
        twin = redraw_digits(text, rng)
        assert may_contain_secret(twin, pii=pii) == may_contain_secret(text, pii=pii)
        if same_for_all_digits(text, pii=pii):
            assert same_for_all_digits(twin, pii=pii)
            assert redact(twin, pii=pii).counts == expected.counts


def test_detect_secrets_finds_nothing_we_leave() -> None:
    """detect-secrets as an oracle: what its plugins flag in a positive line, we redact too.

    Its entropy plugins are left out: on log lines they flag every quoted id and hash (the
    negative corpus), which must stay. Its findings that are identifiers, not credentials,
    are listed in ``NOT_SECRETS`` with the reason.
    """
    pytest.importorskip(
        "detect_secrets",
        reason="detect-secrets is not installed (add it to the dev dependency group to run this)",
    )
    # Imported by name: the type checker must pass whether it is installed or not.
    util = importlib.import_module("detect_secrets.core.plugins.util")
    scan = importlib.import_module("detect_secrets.core.scan")
    settings = importlib.import_module("detect_secrets.settings")

    plugins = [
        {"name": plugin.__name__}
        for plugin in util.get_mapping_from_secret_type_to_class().values()
        if "HighEntropy" not in plugin.__name__
    ]
    missed = []
    with settings.transient_settings({"plugins_used": plugins}):
        for sample in POSITIVE:
            redacted = redact(sample.line, pii=sample.pii).text
            for found in scan.scan_line(sample.line):
                value = found.secret_value or ""
                if value in redacted and not NOT_SECRETS.search(value):
                    missed.append(f"{sample.id}: {found.type} {value!r}")
    assert missed == []


# Found by detect-secrets' Twilio plugin, kept: an account SID names the account (it is in every
# API URL); the auth token next to it is the secret.
NOT_SECRETS = re.compile(r"^AC[0-9a-f]{32}$")


def test_kinds_of_the_corpus_match_the_rules_output() -> None:
    kinds = Counter(kind for sample in POSITIVE for kind in sample.counts)
    assert all(re.fullmatch(r"[a-z_]+", kind) for kind in kinds)
