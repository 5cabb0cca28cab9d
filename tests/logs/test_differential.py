"""The fast paths of normalize and the miner against plain reference implementations.

`normalize_rows` takes shortcuts (a level looked up once per skeleton of a line's head, one
object per message seen once, streams looked up by identity), and `PatternMiner.add` reuses
one masking per skeleton (copying the tokens masking keeps). The references below do the
obvious thing for every line; on the demo incident and on Loghub's real logs, as written and
wrapped by a runtime or a shipper, both must agree exactly. Loghub is read from
`../shared/datasets/loghub-2k` (never copied into the project); where it is absent those cases
are skipped and say why.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from log_analyzer.logs.continuations import regroup_events
from log_analyzer.logs.entries import STORE_LEVEL, Row
from log_analyzer.logs.event_lines import event_text
from log_analyzer.logs.levels import Level
from log_analyzer.logs.masking import mask_message
from log_analyzer.logs.normalize import NormalizedEntry, normalize_rows, parse_line, source_of
from log_analyzer.logs.patterns import PatternMiner
from log_analyzer.logs.redact import may_contain_secret, redact
from log_analyzer.logs.template_leaves import Cluster
from log_analyzer.logs.template_tokens import WILDCARD
from log_analyzer.sources.demo.incident import incident_lines, labels_of
from tests.wrapped import WRAPPERS

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
    """Masks every message afresh: no skeleton cache, no copied tokens; and merges a whole leaf
    whenever the miner would, never sparing a settled one (`PatternMiner._joins_any`).

    Like the miner, it places each distinct masked text once (`_index_of`), so identical masked
    texts share a template whatever was merged in between.
    """

    def _joins_any(self, cluster: Cluster, leaf: list[Cluster]) -> bool:
        return True

    def add(self, message: str, key: bytes | None = None) -> int:
        text = event_text(message) if "\n" in message else message
        if self._redact and may_contain_secret(text):
            text = redact(text).text
        index = self.resolve(self._index_of(mask_message(text)))
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


def _cri(line: str) -> str:
    return f"2026-03-14T09:30:05.000001234Z stderr F {line}"


def _docker(line: str) -> str:
    return json.dumps({"log": f"{line}\n", "stream": "stderr", "time": "2026-03-14T09:30:05Z"})


@pytest.mark.parametrize("wrap", [_cri, _docker], ids=["cri", "docker"])
@pytest.mark.parametrize("name", [None, *DATASETS], ids=["demo", *DATASETS])
def test_normalize_agrees_with_the_reference_on_wrapped_lines(
    name: str | None, wrap: Callable[[str], str]
) -> None:
    rows = [(labels, ts, wrap(line)) for labels, ts, line in rows_of(name, redraw=False)]
    assert list(normalize_rows(rows)) == reference_normalize(rows)


@pytest.mark.parametrize("wrapper", sorted(set(WRAPPERS) - {"cri-partial"}))
@pytest.mark.parametrize("name", [None, *DATASETS], ids=["demo", *DATASETS])
def test_a_wrapped_row_normalizes_as_the_line_joining_hands_on(
    name: str | None, wrapper: str
) -> None:
    # Joining reads the wrappers and hands normalizing the line inside, so that normalizing
    # does not read them a second time: it must read that line as it reads the wrapped row.
    # One stream per row, so that no row is joined to another.
    rows: list[Row] = [
        ({**labels, "pod": f"{labels.get('pod')}-{n}"}, ts, WRAPPERS[wrapper](line))
        for n, (labels, ts, line) in enumerate(rows_of(name, redraw=False))
    ]
    handed = regroup_events(rows)
    assert handed.joined == 0 and not handed.several
    assert sum(a[2] != b[2] for a, b in zip(handed.rows, rows, strict=True)) == len(rows)
    assert normalize_rows(handed.rows) == normalize_rows(rows)


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


def word_messages(count: int, seed: int) -> list[str]:
    """Messages of 4 to 8 words drawn from a few per position, with a number now and then:
    leaves where templates keep meeting, merging and loosening, at every position."""
    rng = random.Random(seed)
    vocabulary = [[f"{first}{letter}" for letter in "abcdefg"] for first in "hijklmnopqrs"]
    messages = []
    for _ in range(count):
        size = rng.randint(4, 8)
        words = [rng.choice(vocabulary[position][: rng.randint(1, 5)]) for position in range(size)]
        if rng.random() < 0.2:
            words[rng.randrange(size)] = str(rng.randrange(1000))
        messages.append(" ".join(words))
    return messages


class CheckedMiner(PatternMiner):
    """Merges a settled leaf afresh each time the miner asks `_joins_any`, and counts how often
    that merged something, by what `_joins_any` had said."""

    def __init__(self) -> None:
        super().__init__()
        self.said: dict[tuple[bool, bool], int] = {}

    def _joins_any(self, cluster: Cluster, leaf: list[Cluster]) -> bool:
        for member in leaf:  # a shape kept on a cluster is the shape of its tokens now
            fresh = [WILDCARD if t == WILDCARD or self._variable(t) else t for t in member.tokens]
            assert member.shape in (None, fresh), (member.tokens, member.shape)
        joins = super()._joins_any(cluster, leaf)
        before = list(self._alias)
        self._merge(list(leaf))
        merged = self._alias != before
        self.said[joins, merged] = self.said.get((joins, merged), 0) + 1
        return False  # merged already


@pytest.mark.parametrize("seed", range(4))
def test_a_new_template_joins_a_settled_leaf_exactly_when_merging_it_merges(seed: int) -> None:
    messages = word_messages(3000, seed)
    miner = CheckedMiner()
    mined(miner, messages)
    assert set(miner.said) == {(True, True), (False, False)}, miner.said


def test_a_template_of_the_same_shape_joins_where_either_has_a_wildcard() -> None:
    # Hand-built: the miner itself rarely leaves two templates of one shape in a leaf.
    miner = PatternMiner()
    leaf: list[Cluster] = []
    for index, word in enumerate([WILDCARD, "42"]):  # "42" is a variable: the same shape
        leaf.append(Cluster(index, ["connect", "to", word, "refused", "now"], leaf))
        miner._alias.append(index)
    assert miner._joins_any(leaf[1], leaf)
    for cluster, word in zip(leaf, ["db", "cache"], strict=True):
        cluster.tokens[2], cluster.shape = word, None
    assert not miner._joins_any(leaf[1], leaf)  # two words there: no variable yet


@pytest.mark.parametrize("seed", range(2))
def test_settled_leaves_mine_as_if_merged_afresh(seed: int) -> None:
    messages = word_messages(3000, seed)
    fast = mined(PatternMiner(), messages)
    assert fast == mined(ReferenceMiner(), messages)
    assert len(set(fast)) < len(set(messages)) * 0.8  # merges happened: the case tests something


# --- hexadecimal ids ---------------------------------------------------------------------------

_ID_TEMPLATES = (
    "request {} failed after 3 retries",
    "level=error trace_id={} span_id={} msg=timeout",
    "GET /api/v1/orders/{}/items 503",
    '{{"trace":"{}","status":500}}',
    '{{"id":{},"n":2}}',
    "dial tcp {}.orders.svc:8080: connection refused",
    "upstream svc.{}:443 unreachable",
    "{}://internal/health returned 500",
    "mail to ops+{}@example.com bounced",
    "value '{}' rejected by validator",
    "object {} of 4096 bytes evicted",
    "lease {}d expired, took {}ms",
    "digest {},{} mismatch",
    "token={} refused for client {}",
    "Authorization: Bearer {} rejected",
    "pod checkout-{}-x2x9z OOMKilled",
    "résumé {}é of café-{} parsed",
    "shard {}-{}-{} moved",
)


def _hex_id(rng: random.Random) -> str:
    """An id of a random shape: any case, digits first or letters first, UUID or bare."""
    shape = rng.randrange(6)
    if shape == 0:
        return "-".join(
            "".join(rng.choice("0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12)
        )
    if shape == 1:  # letters then digits: a word with a numeric suffix to masking
        letters = rng.randrange(1, 6)
        return "".join(rng.choice("abcdef") for _ in range(letters)) + str(
            rng.randrange(10 ** rng.randrange(7, 12))
        ).rjust(8 - letters, "1")
    alphabet = {2: "0123456789abcdef", 3: "0123456789ABCDEF", 4: "0123456789abcdefABCDEF"}.get(
        shape, "0123456789abcdef"
    )
    length = rng.choice((8, 9, 12, 16, 32, 40, 64, 70))
    return "".join(rng.choice(alphabet) for _ in range(length))


def hex_id_messages() -> list[str]:
    rng = random.Random(11)
    messages = []
    for _ in range(4000):
        template = rng.choice(_ID_TEMPLATES)
        messages.append(template.format(*(_hex_id(rng) for _ in range(template.count("{}")))))
    return messages


@pytest.mark.parametrize("redacting", [False, True], ids=["plain", "redacting"])
def test_the_miner_agrees_with_the_reference_on_hex_ids(redacting: bool) -> None:
    """Lines that differ only in their ids share a cache entry (id_skeleton.id_skeleton)."""
    messages = hex_id_messages()
    fast = mined(PatternMiner(redact=redacting), messages)
    plain = mined(ReferenceMiner(redact=redacting), messages)
    assert fast == plain


@pytest.mark.parametrize(
    "pair",
    [
        ("ab12cd34://internal/health returned 500", "aB12cD34://internal/health returned 500"),
        ("lease abcdef12 expired", "lease a9b8c7d2 expired"),
        ('{"id":1bcdef2a,"n":true}', '{"id":abcdef2a,"n":true}'),
        ('{"id":a1b2c3d4,"n":true}', '{"id":a1b2c3da,"n":true}'),
        ("upstream svc.a1b2c3d4:443 unreachable", "upstream svc.11b2c3d4:443 unreachable"),
        ("lease 1abcdef2 expired", "lease 1bcdef00-1234-5678-9abc-def012345672 expired"),
        ("chunk 1abcdef2-x lost", "chunk 1bcdef00-1234-5678-9abc-def012345672-x lost"),
    ],
    ids=["case", "suffix", "json-start", "json-end", "host-label", "uuid-or-bare", "dash"],
)
def test_ids_that_mask_differently_do_not_share_a_cache_entry(pair: tuple[str, str]) -> None:
    messages = list(pair) * 2
    assert mined(PatternMiner(), messages) == mined(ReferenceMiner(), messages)
