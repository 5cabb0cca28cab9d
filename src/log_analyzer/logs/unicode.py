r"""Text that every encoder takes: lone UTF-16 surrogates replaced.

A Python str can hold a surrogate on its own (a JSON ``\ud800`` escape with no pair decodes to
one, and a store may send one); no UTF-8 encoder takes it, so such text could not be written to
the client, the logs, the spans or the model. U+FFFD shows where it was.
"""

from __future__ import annotations

import re
from typing import Any

LONE_SURROGATE = re.compile("[\ud800-\udfff]")
"""A surrogate on its own (in a str, a valid pair is one character already)."""


def valid_unicode(value: Any) -> Any:
    """``value`` (a str or a JSON value) with every lone surrogate in its strings made U+FFFD."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {valid_unicode(k): valid_unicode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [valid_unicode(item) for item in value]
    return value
