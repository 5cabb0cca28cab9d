"""The fast paths of normalize and the miner against plain reference implementations.

`normalize_rows` takes shortcuts (a level looked up once per skeleton of a line's head, one
object per message seen once, streams looked up by identity), and `PatternMiner.add` reuses
one masking per skeleton (copying the tokens masking keeps). The references below do the
obvious thing for every line; on the demo incident and on Loghub's real logs both must agree
exactly. Loghub is read from `../shared/datasets/loghub-2k` (never copied into the project);
where it is absent those cases are skipped and say why.
"""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from log_analyzer.logs.entries import STORE_LEVEL, Row
from log_analyzer.logs.masking import event_text, mask_message
from log_analyzer.logs.normalize import (
    Level,
    NormalizedEntry,
    normalize_rows,
    parse_line,
    source_of,
)
from log_analyzer.logs.patterns import PatternMiner
from log_analyzer.logs.redact import may_contain_secret, redact
from log_analyzer.sources.demo.incident import incident_lines, labels_of

LOGHUB = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "loghub-2k"
DATASETS = ("Apache", "BGL", "HDFS", "HPC", "Linux", "OpenSSH", "Proxifier", "Zookeeper")
T0 = 1_795_457_333_000_000_000


# --- the references ------------------------------------------------------------------------------


@dataclass
class _Seen:
    message: str
    level: Level
    truncated: bool
    first_ns: int
    last_ns: int
    ids: Mapping[str, str]
    sources: dict[str, int] = field(default_factory=dict)


def reference_normalize(rows: Iterable[Row], max_chars: int = 2000) -> list[NormalizedEntry]:
    """Parse every line on its own, then merge (level, message) duplicates, in first-met order."""
    seen: dict[tuple[Level, str], _Seen] = {}
    for labels, ts, line in rows:
        parsed = parse_line(line, labels, max_chars)
        key = (parsed.level, parsed.message)
        if key not in seen:
            seen[key] = _Seen(parsed.message, parsed.level, parsed.truncated, ts, ts, parsed.ids)
        item = seen[key]
        item.first_ns = min(item.first_ns, ts)
        if ts >= item.last_ns:
            item.last_ns = ts
            if parsed.ids:
                item.ids = parsed.ids
        source = source_of(labels)
        item.sources[source] = item.sources.get(source, 0) + 1
    return [
        NormalizedEntry(
            item.message,
            item.level,
            sum(item.sources.values()),
            item.first_ns,
            item.last_ns,
            tuple(sorted(item.sources)),
            item.truncated,
            tuple(sorted(item.sources.items())),
            item.ids,
        )
        for item in seen.values()
    ]


class ReferenceMiner(PatternMiner):
    """Masks every message afresh and places it: no skeleton cache, no copied tokens."""

    def add(self, message: str, key: bytes | None = None) -> int:
        text = event_text(message) if "\n" in message else message
        if self._redact and may_contain_secret(text):
            text = redact(text).text
        index = self._place(mask_message(text))
        self._clusters[index].count += 1
        return index


def mined(miner: PatternMiner, messages: list[str]) -> list[str]:
    """The final template of every message."""
    keys = [miner.add(message) for message in messages]
    templates = {t.index: t.template for t in miner.templates()}
    return [templates[miner.resolve(key)] for key in keys]


# --- the inputs --------------------------------------------------------------------------------


def demo_rows() -> list[Row]:
    lines = incident_lines(T0, T0 + 1800 * 10**9)
    labels = {(app, lv): {**labels_of(app), STORE_LEVEL: lv} for _, app, lv, _ in lines}
    return [(labels[app, level], ts, line) for ts, app, level, line in lines]


def loghub_contents(name: str) -> list[str]:
    path = LOGHUB / name / f"{name}_2k.log_structured_corrected.csv"
    if not path.exists():
        pytest.skip(f"Loghub-2k is not at {LOGHUB} (it is read from there, never copied)")
    with path.open(newline="", encoding="utf-8") as handle:
        return [row["Content"] for row in csv.DictReader(handle)]


_NUMBER = re.compile(r"(?<!\w)[0-9]+(?!\w)")


def loghub_rows(name: str, redraw: bool) -> list[Row]:
    """A dataset's lines as rows of three pods; with ``redraw``, standalone numbers re-drawn,
    so lines repeat less (as ids and counts would in a real window)."""
    rng = random.Random(7)
    pods = [{"pod": f"{name.lower()}-{i}", "container": name.lower()} for i in range(3)]
    rows: list[Row] = []
    for position, content in enumerate(loghub_contents(name) * (3 if redraw else 1)):
        if redraw:
            content = _NUMBER.sub(lambda m: str(rng.randrange(10 ** len(m.group()))), content)
        rows.append((pods[position % 3], T0 + position * 1_000_000, content))
    return rows


CASES = [pytest.param(None, False, id="demo")] + [
    pytest.param(name, redraw, id=f"{name}{'-redrawn' if redraw else ''}")
    for name in DATASETS
    for redraw in (False, True)
]


def rows_of(name: str | None, redraw: bool) -> list[Row]:
    return demo_rows() if name is None else loghub_rows(name, redraw)


# --- the comparisons ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "redraw"), CASES)
def test_normalize_agrees_with_the_reference(name: str | None, redraw: bool) -> None:
    rows = rows_of(name, redraw)
    assert list(normalize_rows(rows)) == reference_normalize(rows)


@pytest.mark.parametrize("max_chars", [40, 2000])
def test_normalize_agrees_with_the_reference_when_lines_are_cut(max_chars: int) -> None:
    rows = demo_rows()
    assert list(normalize_rows(rows, max_chars)) == reference_normalize(rows, max_chars)


@pytest.mark.parametrize(("name", "redraw"), CASES)
@pytest.mark.parametrize("redacting", [False, True], ids=["plain", "redacting"])
def test_the_miner_agrees_with_the_reference(
    name: str | None, redraw: bool, redacting: bool
) -> None:
    messages = [entry.message for entry in normalize_rows(rows_of(name, redraw))]
    fast = mined(PatternMiner(redact=redacting), messages)
    plain = mined(ReferenceMiner(redact=redacting), messages)
    assert fast == plain
