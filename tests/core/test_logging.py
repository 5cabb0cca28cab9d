"""The JSON log formatter writes every record, whatever text it carries."""

from __future__ import annotations

import io
import json
import logging

from log_analyzer.core.logging import configure_logging


def test_a_lone_surrogate_is_written_as_an_escape_not_dropped() -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    configure_logging("INFO", stream=stream)
    try:
        logging.getLogger("test").warning(
            "bad filter %s", "shop\ud800", extra={"error": {"message": "x\udcff"}}
        )
        stream.flush()
        line = stream.buffer.getvalue().decode("utf-8")
    finally:
        configure_logging("INFO")
    record = json.loads(line)
    assert record["message"] == "bad filter shop\ud800"
    assert record["error"] == {"message": "x\udcff"}
    assert record["level"] == "WARNING"
