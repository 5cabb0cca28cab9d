"""`log-analyzer patterns`: mine a log file into patterns with the service's own code.

Each input line is one log entry (JSON, logfmt or plain text). It is parsed and redacted as the
service does, exact duplicates are merged, and :func:`~log_analyzer.logs.condense.condense`
groups the rest, so the ids and templates are those the service would show for the same lines.
Blank lines are not entries and are skipped. The lines are anyone's to write, so what is printed
cannot drive the terminal (`logs.terminal_text.inert_text`, `inert_json`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from types import MappingProxyType
from typing import Literal, TextIO

from log_analyzer.logs.condense import Pattern, condense
from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import NormalizedEntry, ParsedLine, parse_line
from log_analyzer.logs.redact import redact
from log_analyzer.logs.terminal_text import inert_json, inert_text

Format = Literal["table", "jsonl"]
EXIT_INPUT = 2
MAX_LINE_CHARS = 2000
_NO_LABELS: MappingProxyType[str, str] = MappingProxyType({})


def patterns_command(lines: Iterable[str], out: TextIO, fmt: Format = "table") -> None:
    """Mine ``lines`` and write the pattern table, or one JSON object per input line."""
    entries: dict[tuple[Level, str], _Entry] = {}
    assigned: list[tuple[int, _Entry]] = []  # (line number, its entry), in input order
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        parsed = parse_line(line, _NO_LABELS, MAX_LINE_CHARS)
        message = redact(parsed.message).text
        entry = entries.get((parsed.level, message))
        if entry is None:
            entries[parsed.level, message] = entry = _Entry(len(entries), parsed, message, number)
        entry.count += 1
        entry.last = number
        assigned.append((number, entry))
    normalized = [entry.freeze() for entry in entries.values()]
    patterns = condense(normalized, examples=1, redacted=True)
    if fmt == "jsonl":
        of_entry: dict[int, Pattern] = {i: p for p in patterns for i in p.entries}
        for number, entry in assigned:
            pattern = of_entry[entry.index]
            record = {"line": number, "pattern": pattern.id, "template": pattern.template}
            out.write(inert_json(json.dumps(record, ensure_ascii=False)) + "\n")
        return
    _write_table(patterns, out)


def add_patterns_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``patterns`` sub-command to the ``log-analyzer`` parser."""
    parser = subparsers.add_parser(
        "patterns", help="group a log file's lines into patterns (one entry per line)"
    )
    parser.add_argument("file", help="log file, or - for standard input")
    parser.add_argument(
        "--format",
        choices=("table", "jsonl"),
        default="table",
        help="table of patterns (default), or one JSON object per input line",
    )


def run_patterns(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run the ``patterns`` sub-command; 0 on success, 2 when the file cannot be read."""
    out = sys.stdout if out is None else out
    if args.file == "-":
        patterns_command(sys.stdin, out, args.format)
        return 0
    try:
        with open(args.file, encoding="utf-8", errors="replace") as handle:
            patterns_command(handle, out, args.format)
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    return 0


class _Entry:
    """A distinct (level, message) of the input; line numbers stand in for timestamps."""

    __slots__ = ("count", "first", "index", "last", "message", "parsed")

    def __init__(self, index: int, parsed: ParsedLine, message: str, number: int) -> None:
        self.index = index
        self.parsed = parsed
        self.message = message
        self.count = 0
        self.first = self.last = number

    def freeze(self) -> NormalizedEntry:
        parsed = self.parsed
        return NormalizedEntry(
            self.message,
            parsed.level,
            self.count,
            self.first,
            self.last,
            (),
            parsed.truncated,
            (),
            parsed.ids,
        )


def _write_table(patterns: Iterable[Pattern], out: TextIO) -> None:
    out.write(f"{'ID':<6} {'COUNT':>8}  {'LEVEL':<7}  TEMPLATE\n")
    for pattern in patterns:
        level = pattern.level.value.upper()
        template = inert_text(pattern.template)
        out.write(f"{pattern.id:<6} {pattern.count:>8,}  {level:<7}  {template}\n")
        if pattern.examples:
            example = inert_text(" ".join(pattern.examples[0].split()))
            out.write(f"{'':<6} {'':>8}  {'':<7}  e.g. {example}\n")
