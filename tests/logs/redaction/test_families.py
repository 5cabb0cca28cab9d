"""Edge cases of the secret families closed after a red-team round (2026-12-05).

The corpus holds a representative line of each family; these pin where a value ends or which
near miss stays.
"""

from __future__ import annotations

import pytest

from log_analyzer.logs.redact import redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            '["password"]=> string(7) "a"b[c] d" ["x"]=> int(1)',
            '["password"]=> string(7) "[REDACTED:password]" ["x"]=> int(1)',
            id="var_dump-quote-inside",
        ),
        pytest.param(
            '["password"]=> string(11) "Xk9#qL2mPz7',
            '["password"]=> string(11) "[REDACTED:password]',
            id="var_dump-cut-short",
        ),
        pytest.param(
            '["password"]=>\n  string(0) ""\n["token"]=>\n  NULL',
            '["password"]=>\n  string(0) ""\n["token"]=>\n  NULL',
            id="var_dump-empty-and-null",
        ),
    ],
)
def test_php_var_dump_values(text: str, expected: str) -> None:
    assert redact(text).text == expected
