"""The `patterns` command: table and JSON lines over a small file and standard input."""

from __future__ import annotations

import argparse
import io
import json
import re
from pathlib import Path
from typing import Literal

import pytest

from log_analyzer.cli.patterns import add_patterns_parser, patterns_command, run_patterns

LINES = [
    "ERROR payment 41 declined by 10.0.0.7:443 after 120ms",
    '{"level":"info","msg":"cache warmed in 3s","trace_id":"t-1"}',
    "",
    "ERROR payment 97 declined by 10.0.0.9:443 after 35ms",
    'level=warn msg="slow query" duration=2s token=hunter2hunter2',
    "ERROR payment 12 declined by 10.0.0.8:443 after 7ms",
]


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_patterns_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_table_lists_patterns_by_priority_with_an_example() -> None:
    out = io.StringIO()
    patterns_command(LINES, out, "table")
    rows = out.getvalue().splitlines()
    assert rows[0].split() == ["ID", "COUNT", "LEVEL", "TEMPLATE"]
    assert rows[1].split()[:3] == ["P1", "3", "ERROR"]
    assert "payment <NUM> declined by <IP:PORT> after <DURATION>" in rows[1]
    assert rows[2].strip() == "e.g. payment 12 declined by 10.0.0.8:443 after 7ms"
    assert rows[3].split()[:3] == ["P2", "1", "WARN"]
    assert "hunter2" not in out.getvalue()


def test_jsonl_has_one_object_per_entry_line_in_order() -> None:
    out = io.StringIO()
    patterns_command(LINES, out, "jsonl")
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["line"] for r in records] == [1, 2, 4, 5, 6]  # the blank line 3 is no entry
    assert [r["pattern"] for r in records] == ["P1", "P3", "P1", "P2", "P1"]
    assert records[0]["template"] == "payment <NUM> declined by <IP:PORT> after <DURATION>"
    assert records[1]["template"] == "cache warmed in <DURATION>"


@pytest.mark.parametrize(
    "fmt", [pytest.param("table", id="table"), pytest.param("jsonl", id="jsonl")]
)
def test_run_patterns_reads_a_file(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "app.log"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    out = io.StringIO()
    assert run_patterns(parse(["patterns", str(path), "--format", fmt]), out) == 0
    expected = io.StringIO()
    patterns_command(LINES, expected, "table" if fmt == "table" else "jsonl")
    assert out.getvalue() == expected.getvalue()


def test_run_patterns_reads_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(LINES)))
    out = io.StringIO()
    assert run_patterns(parse(["patterns", "-", "--format", "jsonl"]), out) == 0
    assert len(out.getvalue().splitlines()) == 5


def test_run_patterns_writes_to_stdout_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "one.log"
    path.write_text("disk full\n", encoding="utf-8")
    assert run_patterns(parse(["patterns", str(path)])) == 0
    assert "P1" in capsys.readouterr().out


def test_a_missing_file_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_patterns(parse(["patterns", str(tmp_path / "nope.log")])) == 2
    assert "cannot read" in capsys.readouterr().err


def test_empty_input_prints_only_the_header() -> None:
    out = io.StringIO()
    patterns_command([], out, "table")
    assert out.getvalue().splitlines() == ["ID        COUNT  LEVEL    TEMPLATE"]


TERMINAL_ATTACKS = [
    "ERROR a \x1b]52;c;ZXZpbA==\x07 clipboard",
    "ERROR b \x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\ hyperlink",
    "ERROR c \x9b2J \x9d52;c;eA==\x9c one-byte controls",
    "ERROR d \x1bP+q544e\x1b\\ \x1b_apc\x1b\\ \x1bc device strings and a reset",
    "ERROR e all is well\rOVERWRITE\x08\x07 \u202eevil",
]


@pytest.mark.parametrize("fmt", ["table", "jsonl"])
def test_log_lines_cannot_drive_the_terminal(fmt: Literal["table", "jsonl"]) -> None:
    out = io.StringIO()
    patterns_command(TERMINAL_ATTACKS, out, fmt)
    text = out.getvalue()
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text), text
    if fmt == "jsonl":
        assert [json.loads(line)["line"] for line in text.splitlines()] == [1, 2, 3, 4, 5]
