"""Redaction in the worker's processing, whose check runs once per skeleton."""

from __future__ import annotations

import pytest

from log_analyzer.analysis.processing import Gathered, SummaryWork, redact_entries, summarize_window
from log_analyzer.logs.normalize import normalize_rows
from log_analyzer.sources.base import RawEntries, Window, decode_rows

T0 = 1_795_457_333_000_000_000
LABELS = {"pod": "api-1", "container": "api"}


def run(*lines: str) -> tuple[list[str], int, str]:
    rows = [(LABELS, T0 + i, line) for i, line in enumerate(lines)]
    entries, redactions, _ = redact_entries(normalize_rows(rows))
    raw = RawEntries("q", (rows, False), decode_rows, 5000)
    work = SummaryWork("rows", Gathered(raw, None, None, None, None, None),
                       Window(T0, T0 + 10**12), 5000, 2000)  # fmt: skip
    summary = summarize_window(work).summary
    assert summary.redactions == redactions
    shown = " ".join(
        [p.template for p in summary.patterns]
        + [e for p in summary.patterns for e in p.examples]
        + [m.message for m in summary.top_messages]
    )
    return [entry.message for entry in entries], redactions, shown


@pytest.mark.parametrize(
    ("lines", "secret"),
    [
        pytest.param(
            # Same skeleton; only the second decodes to user:password ("u0;p0" vs "u0:p0").
            ("retry Basic dTA7cDA= now", "retry Basic dTA6cDA= now"),
            "dTA6cDA=",
            id="basic-credential-after-a-clean-twin",
        ),
        pytest.param(
            # Same skeleton; "%4D" is an "M", "%3D" an "=": only the second is a pair.
            ("GET /a?next=token%4DQx7vLm2pRk now", "GET /a?next=token%3DQx7vLm2pRk now"),
            "%3DQx7vLm2pRk",
            id="percent-encoded-pair-after-a-clean-twin",
        ),
        pytest.param(
            ("login ok token=abcdefgh1 for bob", "login ok token=abcdefgh2 for bob"),
            "abcdefgh2",
            id="key-value-twins",
        ),
        pytest.param(
            # Same id_skeleton (two hex ids of one shape), which the hints' check is cached by;
            # only the second value is random enough for a secret.
            ("got key=1111111a ok", "got key=0a0a0a0a0a0a0a0a ok"),
            "0a0a0a0a0a0a0a0a",
            id="hex-id-twins",
        ),
        pytest.param(
            ("user 1 passed checks", "user 2 passed checks", "db password=hunter22 in use"),
            "hunter22",
            id="false-positive-hint-then-secret",
        ),
    ],
)
def test_every_message_is_redacted(lines: tuple[str, ...], secret: str) -> None:
    messages, redactions, shown = run(*lines)
    assert all(secret not in message for message in messages)
    assert secret not in shown
    assert redactions >= 1


def test_messages_without_secrets_stay_as_they_are() -> None:
    lines = ("monkey 1 passed high 2", "monkey 3 passed high 4", "retry Basic dTA7cDA= now")
    messages, redactions, _ = run(*lines)
    assert messages == list(lines)
    assert redactions == 0


def test_redactions_are_counted_per_line() -> None:
    _, redactions, _ = run("login token=abcdefgh1", "login token=abcdefgh1", "login token=zz9")
    assert redactions == 3


def test_messages_that_differ_in_their_ids_share_one_key() -> None:
    rows = [
        (LABELS, T0, "order 61859b96-f08e-047d-6b84-fb24c79952d8 failed"),
        (LABELS, T0 + 1, "order 7027bb22-ef41-c2c4-00fc-bbfa76dd4b83 failed"),
        (LABELS, T0 + 2, "order 42 failed"),
    ]
    entries, _, keys = redact_entries(normalize_rows(rows))
    assert len(entries) == 3
    assert keys[0] is keys[1]
    assert keys[2] != keys[0]
