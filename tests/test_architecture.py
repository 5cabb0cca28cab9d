"""The shape of the code: layers and cycles (import-linter), and a seam free of Loki's words."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "log_analyzer"
LOKI_WORDS = re.compile(r"logql|detected_level|query_range|resultType|X-Scope-OrgID", re.I)
"""Vocabulary only Loki's package should need: its query language, labels, paths and shapes."""
NEUTRAL = ("analysis", "recipes", "logs", "api", "service", "cli", "clients", "core")


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([lint], capture_output=True, text=True, cwd=SRC.parents[1])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("room", [*NEUTRAL, "sources/base.py", "sources/registry.py"])
def test_no_loki_words_outside_the_loki_package(room: str) -> None:
    path = SRC / room
    files = [path] if path.is_file() else sorted(path.rglob("*.py"))
    found = [
        f"{file.relative_to(SRC)}:{number}: {line.strip()}"
        for file in files
        for number, line in enumerate(file.read_text().splitlines(), start=1)
        if LOKI_WORDS.search(line)
    ]
    assert found == []
