"""The shared HTTP client of the stores: how it reads a Retry-After."""

from __future__ import annotations

import httpx
import pytest

from log_analyzer.sources.http import RetryPolicy, _retry_or_wait, _RetryableStatus


@pytest.mark.parametrize(
    ("header", "wait"),
    [
        pytest.param("2", 2.0, id="seconds"),
        pytest.param("120", 5.0, id="capped"),
        pytest.param("Wed, 21 Oct 2026 07:28:00 GMT", True, id="a-date-backs-off-as-usual"),
        pytest.param("\u00b2", True, id="superscript-two-is-no-number"),
        pytest.param("", True, id="absent"),
    ],
)
def test_retry_after_is_honoured_in_seconds_only(header: str, wait: bool | float) -> None:
    headers = [(b"Retry-After", header.encode())] if header else []
    response = httpx.Response(503, headers=headers)
    decide = _retry_or_wait(RetryPolicy(max_wait_seconds=5.0))
    assert decide(_RetryableStatus(response)) == wait
