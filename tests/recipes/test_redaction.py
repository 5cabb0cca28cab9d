"""No secret in a raw line reaches a recipe's tables."""

from __future__ import annotations

import json

import pytest

from log_analyzer.recipes.aggregations import TopUsers
from log_analyzer.recipes.slow import SlowRequests
from log_analyzer.sources.base import LineFilter
from tests.recipes.support import T0, run, source

pytestmark = pytest.mark.anyio
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaGVja291dCJ9.c2lnbmF0dXJlLWRlbW8"
LINES = [
    (
        T0 + 1,
        "api-0",
        json.dumps({"user": JWT, "method": "GET", "path": "/a", "status": 200, "duration_ms": 12}),
    ),
    (T0 + 2, "api-0", 'level=info msg="query done password=hunter22" took 1500ms'),
]


async def test_users_and_operations_are_redacted() -> None:
    users = await run(TopUsers(), source(LINES), line_filter=LineFilter.every())
    slow = await run(SlowRequests(), source(LINES), line_filter=LineFilter.every())

    text = json.dumps([t.rows for t in users.tables + slow.tables])
    assert JWT not in text and "hunter22" not in text
    assert "[REDACTED:jwt]" in text
