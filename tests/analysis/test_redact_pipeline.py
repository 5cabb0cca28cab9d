"""Redaction inside `analysis.fetch.process_body`, whose check runs once per skeleton.

(It belongs with `tests/analysis/`; it lives here next to the redactor whose contract it uses.)
"""

from __future__ import annotations

from typing import Any

import pytest

from log_analyzer.analysis.fetch import process_body

T0 = 1_795_457_333_000_000_000


def body(*lines: str) -> dict[str, Any]:
    values = [[str(T0 + i), line] for i, line in enumerate(lines)]
    return {
        "status": "success",
        "data": {
            "resultType": "streams",
            "result": [{"stream": {"pod": "api-1", "container": "api"}, "values": values[::-1]}],
        },
    }


def run(*lines: str) -> tuple[list[str], int, str]:
    done = process_body(
        body(*lines), max_line_chars=2000, window_start_ns=T0, window_end_ns=T0 + 10**12
    )
    shown = " ".join(
        [p.template for p in done.patterns] + [e for p in done.patterns for e in p.examples]
    )
    return [entry.message for entry in done.entries], done.redactions, shown


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
            ("login ok token=abcdefgh1 for bob", "login ok token=abcdefgh2 for bob"),
            "abcdefgh2",
            id="key-value-twins",
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
