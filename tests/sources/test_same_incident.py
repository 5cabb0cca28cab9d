"""The same incident in Loki, CloudWatch Logs and OpenSearch: the same answers, end to end.

One generator (`same_incident`) writes one hour of a multi-pod incident; its lines go into
moto's server (one log stream per ``pod/container``), into osmem-server (one document per
line, shaped as Fluent Bit writes them) and into a fake of Loki's API that answers in the
recorded shapes (`loki_fake`; no Loki binary exists here). The service then runs through its
HTTP API with ``"llm": false``, and every expectation is counted from the generated lines,
never from the code under test, the same way for every store. Where a store legitimately
reports otherwise, the expectation says how, in one place (`same_incident.level_in` and
`same_incident.severe_in`):

- Loki's ``detected_level`` is ``unknown`` for a plain-text ``[FATAL]`` line (Loki has no
  plain-text rule for it), so Loki counts the three cause lines under ``unknown``;
- OpenSearch selects errors and warnings by the level field, so checkout's ``info`` lines
  that say "0 errors" are not selected there, while the regex of Loki and CloudWatch selects
  them: OpenSearch's selection, totals and patterns lack exactly those lines.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import respx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.core.config import Settings
from tests.conftest import LOKI_URL, running_app, settings_for_tests
from tests.sources.cloudwatch.conftest import Emulator, aws_environment
from tests.sources.cloudwatch.seed import REGION
from tests.sources.loki_fake import FakeLoki
from tests.sources.opensearch.conftest import Cluster, free_port, seed
from tests.sources.opensearch.seed import Doc
from tests.sources.same_incident import (
    CAUSE,
    NAMESPACE,
    NO_ERRORS,
    ONSET_MS,
    WINDOW_MS,
    Line,
    Store,
    by_level,
    incident,
    level_in,
    severe_in,
)

pytestmark = pytest.mark.anyio
__all__ = ["aws_environment"]  # autouse here too: CloudWatch credentials from the environment
STORES: tuple[Store, ...] = ("loki", "cloudwatch", "opensearch")
GROUP = "/e2e/shop"
INDEX = "e2e-shop"
SAMPLED = 1000
"""A limit below the 2,613 selected lines: the newest are a sample, the cause is older."""
EVERY = 5000
"""A limit above them: every selected line is fetched, so pattern counts are totals."""
ERROR_KINDS = ("upstream payments returned", "Bad Gateway", "password authentication failed")
"""A text each kind of error/fatal line holds, which its pattern's template keeps."""


@dataclass(frozen=True, slots=True)
class Incident:
    """The generated lines, where each store holds them, and the request window."""

    lines: tuple[Line, ...]
    start_ms: int
    cloudwatch_url: str
    opensearch_url: str

    def time_range(self) -> dict[str, str]:
        return {"start": _iso(self.start_ms), "end": _iso(self.start_ms + WINDOW_MS)}


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


@pytest.fixture(scope="module")
def same(emulator: Emulator, cluster: Cluster) -> Iterator[Incident]:
    """The incident of the last whole hour, written into moto's server and osmem-server."""
    end_ms = int(datetime.now(UTC).timestamp()) // 60 * 60_000
    start_ms = end_ms - WINDOW_MS
    lines = incident(start_ms)
    _put_events(emulator.url, lines)
    docs = [Doc(ln.ts_ms, NAMESPACE, ln.pod, ln.container, ln.node, ln.text, ln.field)
            for ln in lines]  # fmt: skip
    seed(cluster.url, INDEX, docs)
    yield Incident(tuple(lines), start_ms, emulator.url, cluster.url)


def _put_events(url: str, lines: list[Line]) -> None:
    logs = boto3.client("logs", region_name=REGION, endpoint_url=url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    logs.create_log_group(logGroupName=GROUP)
    streams: dict[str, list[Line]] = {}
    for line in lines:
        streams.setdefault(line.source, []).append(line)
    for stream, events in streams.items():
        logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
        for first in range(0, len(events), 1000):
            page = events[first : first + 1000]
            logs.put_log_events(
                logGroupName=GROUP,
                logStreamName=stream,
                logEvents=[{"timestamp": e.ts_ms, "message": e.text} for e in page],
            )
    logs.close()


def _settings(store: Store, same: Incident) -> Settings:
    if store == "cloudwatch":
        return settings_for_tests(log_source="cloudwatch", aws_region=REGION,
                                  cloudwatch_endpoint_url=same.cloudwatch_url)  # fmt: skip
    if store == "opensearch":
        return settings_for_tests(log_source="opensearch", opensearch_url=same.opensearch_url,
                                  loki_url=f"http://127.0.0.1:{free_port()}")  # fmt: skip
    return settings_for_tests(log_source="loki")


def _filters(store: Store) -> dict[str, str]:
    if store == "cloudwatch":
        return {"log_group": GROUP}
    if store == "opensearch":
        return {"index": INDEX, "namespace": NAMESPACE}
    return {"namespace": NAMESPACE}


_ANSWERS: dict[tuple[int, Store, str, int], dict[str, Any]] = {}
"""Each run's first event, once per store, path and limit: the tests share the runs."""


async def first_event(same: Incident, store: Store, path: str, limit: int = SAMPLED) -> Any:
    """The first event of ``path`` over ``store`` (the summary, or the recipe's tables)."""
    key = (same.start_ms, store, path, limit)
    if key not in _ANSWERS:
        body = {"source": store, "filters": _filters(store), "time_range": same.time_range(),
                "limit": limit, "llm": False}  # fmt: skip
        loki = respx.mock(base_url=LOKI_URL, assert_all_called=False)
        loki.route(path__startswith="/loki/api/v1/query").mock(side_effect=FakeLoki(same.lines))
        # Only Loki is faked: the other stores' clients reach their servers.
        with loki if store == "loki" else nullcontext():
            async with running_app(InMemorySpanExporter(), settings=_settings(store, same)) as (
                _,
                client,
            ):
                response = await client.post(
                    path, json=body, headers={"accept": "application/x-ndjson"}
                )
        assert response.status_code == 200, response.text
        _ANSWERS[key] = json.loads(response.text.splitlines()[0])
    return _ANSWERS[key]


def selected(same: Incident, store: Store) -> list[Line]:
    """The lines the default error/warning selection of ``store`` keeps."""
    return [line for line in same.lines if severe_in(store, line)]


@pytest.mark.parametrize("store", STORES)
async def test_the_cause_reaches_the_patterns_and_leads_the_suspects(
    same: Incident, store: Store
) -> None:
    summary = (await first_event(same, store, "/v1/analyze/stream"))["summary"]
    assert summary["source"] == store
    assert summary["counts_are"] == "sample"  # the newest 1,000 of 2,613 (2,553) lines
    cause = [p for p in summary["patterns"] if CAUSE in p["template"]]
    assert [(p["level"], p["count"], p["sources"]) for p in cause] == [
        ("fatal", 3, {"payments-7f6d5e-k9r1s/payments": 3})
    ]
    assert CAUSE in summary["suspects"][0]["text"], summary["suspects"]


@pytest.mark.parametrize("store", STORES)
async def test_the_true_totals_match_the_lines(same: Incident, store: Store) -> None:
    summary = (await first_event(same, store, "/v1/analyze/stream"))["summary"]
    chosen = selected(same, store)
    totals = summary["totals"]
    assert summary["totals_error"] is None
    assert totals["counts_are"] == "total"
    assert totals["lines"] == len(chosen)
    assert totals["by_level"] == by_level(store, chosen)
    assert totals["by_source"] == dict(Counter(line.source for line in chosen))


def _per_period(table: dict[str, Any]) -> dict[str, dict[str, int]]:
    levels = table["columns"][1:-1]
    return {
        row[0]: {level: n for level, n in zip(levels, row[1:-1], strict=True) if n}
        for row in table["rows"]
        if row[-1]
    }


def _expected_per_period(store: Store, lines: tuple[Line, ...], fmt: str) -> dict[str, Any]:
    periods: dict[str, Counter[str]] = {}
    for line in lines:
        label = datetime.fromtimestamp(line.ts_ms / 1000, UTC).strftime(fmt)
        periods.setdefault(label, Counter())[level_in(store, line).value] += 1
    return {label: dict(counts) for label, counts in periods.items()}


@pytest.mark.parametrize("store", STORES)
async def test_logs_per_level_matches_the_lines(same: Incident, store: Store) -> None:
    result = await first_event(same, store, "/v1/recipes/logs_per_level/stream")
    [table] = result["tables"]
    assert table["counts_are"] == "total"
    assert {row[0]: row[1] for row in table["rows"]} == by_level(store, same.lines)


@pytest.mark.parametrize(
    ("store", "recipe", "fmt"),
    [
        pytest.param(store, recipe, fmt, id=f"{store}-{recipe}")
        for store in STORES
        for recipe, fmt in (("logs_per_hour", "%Y-%m-%dT%H:00:00Z"), ("logs_per_day", "%Y-%m-%d"))
    ],
)
async def test_lines_per_period_match_the_lines(
    same: Incident, store: Store, recipe: str, fmt: str
) -> None:
    result = await first_event(same, store, f"/v1/recipes/{recipe}/stream")
    [table] = result["tables"]
    assert table["counts_are"] == "total"
    assert _per_period(table) == _expected_per_period(store, same.lines, fmt)


@pytest.mark.parametrize("store", STORES)
async def test_top_errors_match_the_lines(same: Incident, store: Store) -> None:
    result = await first_event(same, store, "/v1/recipes/top_errors/stream", limit=EVERY)
    top = result["tables"][0]
    assert top["counts_are"] == "total"  # every selected line was fetched
    got = {}
    for _, level, template, lines, sources, *_ in top["rows"]:
        [marker] = [m for m in ERROR_KINDS if m in template]
        got[marker] = (level, lines, sources)
    want = {}
    for marker in ERROR_KINDS:
        members = [ln for ln in selected(same, store) if marker in ln.text]
        counts = Counter(ln.source for ln in members).most_common()
        sources = ", ".join(f"{source} ({n:,})" for source, n in counts)
        want[marker] = (members[0].level.value, len(members), sources)
    assert got == want


async def test_the_stores_find_the_same_patterns(same: Incident) -> None:
    """Every selected line fetched: the same templates from each store, but for OpenSearch's
    level-field selection, which leaves out the "0 errors" info lines and their template."""
    templates = {}
    for store in STORES:
        summary = (await first_event(same, store, "/v1/analyze/stream", limit=EVERY))["summary"]
        assert summary["patterns_not_listed"] == 0
        templates[store] = {p["template"] for p in summary["patterns"]}
    assert templates["cloudwatch"] == templates["loki"]
    [quiet] = [t for t in templates["loki"] if NO_ERRORS.split(", ")[0] in t]
    assert templates["opensearch"] == templates["loki"] - {quiet}


async def test_the_stores_find_the_same_onset_and_spike(same: Incident) -> None:
    """The storm's first four minutes are one spike, at the same buckets in every store; its
    peak is the selected lines of its bucket (OpenSearch's lacks the "0 errors" lines)."""
    found = {}
    for store in STORES:
        summary = (await first_event(same, store, "/v1/analyze/stream"))["summary"]
        [spike] = summary["spikes"]
        step = summary["buckets"]["step_seconds"] * 1000
        peak_ms = int(datetime.fromisoformat(spike["peak_at"]).timestamp()) * 1000
        in_peak = [ln for ln in selected(same, store) if peak_ms - step < ln.ts_ms <= peak_ms]
        assert spike["peak"] == len(in_peak)
        found[store] = (summary["onsets"], spike["start"], spike["end"], spike["peak_at"])
    assert found["cloudwatch"] == found["loki"] and found["opensearch"] == found["loki"]
    # The spike starts at the bucket holding the onset, or at the next one when the storm
    # fills too little of that bucket (where the minute-aligned window puts the bucket edges).
    onset_ms = same.start_ms + ONSET_MS
    start, end = (int(datetime.fromisoformat(t).timestamp()) * 1000 for t in found["loki"][1:3])
    assert start - step <= onset_ms < end
