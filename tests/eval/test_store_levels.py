"""Levels as Loki 3 reads them from a line, and the golden set evaluated on those levels.

The golden incidents' store reports each line at the level it was written at. A store may
report none (Loki 2, Loki 3 with level discovery off). A real Loki 3 guesses it
(`detected_level`): a klog `E` line whose message names no level, a pino line with a numeric
level, count as `unknown`, so the counts per bucket that onsets are found in can lack some
errors. The pipeline must find the same causes either way.
"""

from __future__ import annotations

import asyncio

import pytest

from log_analyzer.eval.evaluate import Evaluation, Thresholds, evaluate
from log_analyzer.eval.golden import GOLDEN, WINDOW_START
from log_analyzer.eval.incident import generate
from log_analyzer.eval.store_levels import loki_level, no_level, relevelled
from log_analyzer.logs.levels import Level
from log_analyzer.sources.base import CountQuery, LineFilter, Selection, Window
from log_analyzer.sources.demo import MemorySource
from tests.conftest import settings_for_tests
from tests.eval.test_golden import FAILS_RANK, row


@pytest.mark.parametrize(
    ("line", "level"),
    [
        # JSON: a string value under one of Loki's level keys, at any depth.
        ('{"level":"error","msg":"boom"}', "error"),
        ('{"msg":"slow","severity":"WARNING"}', "warn"),
        ('{"log":{"level":"fatal"},"msg":"x"}', "fatal"),
        ('{"msg":"x","SeverityText":"dbg"}', "debug"),
        ('{"level":"INF","msg":"request done"}', "info"),
        # pino's numeric level is not read: the line's words decide.
        ('{"level":50,"msg":"connect ECONNREFUSED"}', "unknown"),
        ('{"level":50,"msg":"x","err":{"type":"Error"}}', "error"),
        ('{"level":40,"msg":"cache miss for user info"}', "info"),
        # A level value that names no level: the words decide.
        ('{"level":"notice","msg":"failover done"}', "unknown"),
        ('{"level":"notice","msg":"failover error"}', "error"),
        # logfmt: any "=" makes it one; the first of the keys in Loki's order wins.
        ("time=1 lvl=info level=warn msg=x", "warn"),
        ('level="error" msg="disk full"', "error"),
        ("LEVEL=Warning msg=x", "warn"),
        ("count=3 msg=retrying after fatal", "fatal"),
        # Plain: the first word of Loki's list standing alone, in its order.
        ('E0314 09:30:05.000001 1 kubelet.go:2412] "Error syncing pod"', "error"),
        ("E0314 09:30:05.000001 1 proxy.go:212] POST /api -> 502 Bad Gateway", "unknown"),
        ("F0314 09:30:05.000001 1 server.go:264] leaderelection lost", "unknown"),
        ("ERRO[0005] connection refused", "unknown"),
        ("an error and a warning", "error"),
        ("debug: an error", "debug"),
        ("terror_level reached", "unknown"),
        ("CRITICAL: disk", "critical"),
        ("", "unknown"),
    ],
)
def test_loki_reads_a_level_from_the_line(line: str, level: str) -> None:
    assert loki_level(line) == level


def test_only_the_first_occurrence_of_a_word_is_looked_at() -> None:
    # Loki looks at where the word first appears: inside "errors" it does not stand alone.
    assert loki_level("errors: 3, then error") == "unknown"


def test_relevelled_keeps_every_entry_and_changes_only_the_level() -> None:
    incident = next(i for i in GOLDEN if i.name == "etcd-slow-disk-ramp")
    start_ns = int(WINDOW_START.timestamp()) * 1_000_000_000
    generated = generate(incident, start_ns)
    again = relevelled(generated, loki_level)
    assert len(again.entries) == len(generated.entries)
    for (ts, labels, _, line), (ts2, labels2, level, line2) in zip(
        generated.entries, again.entries, strict=True
    ):
        assert (ts, labels, line) == (ts2, labels2, line2)
        assert level == loki_level(line)
    assert again.kinds == generated.kinds and again.cause_lines == generated.cause_lines
    # The point of the exercise: some lines do change level.
    changed = sum(a[2] != b[2] for a, b in zip(generated.entries, again.entries, strict=True))
    assert changed > 0


def test_the_store_counts_by_the_levels_given() -> None:
    # With every line counted as debug, the store's counts hold no error; the onset is then
    # found in every line the filter selected (`onsets.onsets_in`), where the errors were, so
    # the same queries are made and the cause still ranks first.
    settings = settings_for_tests(worker_processes=0)
    incident = next(i for i in GOLDEN if i.name == "storm-db-password")
    generated = generate(incident, int(WINDOW_START.timestamp()) * 1_000_000_000)
    store = MemorySource(relevelled(generated, lambda line: "debug").entries)
    window = Window(generated.start_ns, generated.end_ns)
    selection = Selection.of({"namespace": incident.namespace})
    totals = asyncio.run(store.totals(CountQuery(window, selection, LineFilter.default())))
    assert totals.total > 0 and {level for level, _ in totals.by_level} == {Level.DEBUG}
    written = asyncio.run(evaluate(settings, [incident], ask_model=False))
    debug = asyncio.run(
        evaluate(settings, [incident], ask_model=False, store_levels=lambda line: "debug")
    )
    assert debug.rows[0].extra_queries == written.rows[0].extra_queries
    assert debug.rows[0].ranks == written.rows[0].ranks == (1,)


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    settings = settings_for_tests(worker_processes=0)
    return asyncio.run(evaluate(settings, GOLDEN, ask_model=False, store_levels=loki_level))


def test_the_golden_set_passes_on_lokis_levels(evaluation: Evaluation) -> None:
    assert evaluation.failures(Thresholds()) == ()


@pytest.mark.parametrize("name", [i.name for i in GOLDEN if i.causes])
def test_every_cause_reaches_the_prompt_on_lokis_levels(evaluation: Evaluation, name: str) -> None:
    measured = row(evaluation, name)
    assert measured.error is None
    assert measured.cause_in_prompt is True


@pytest.mark.parametrize("name", [i.name for i in GOLDEN if i.causes and i.name not in FAILS_RANK])
def test_the_cause_is_ranked_first_on_lokis_levels(evaluation: Evaluation, name: str) -> None:
    assert row(evaluation, name).ranked_first


@pytest.fixture(scope="module")
def unlevelled() -> Evaluation:
    settings = settings_for_tests(worker_processes=0)
    return asyncio.run(evaluate(settings, GOLDEN, ask_model=False, store_levels=no_level))


def test_the_golden_set_passes_on_a_store_that_reports_no_levels(unlevelled: Evaluation) -> None:
    # Every line `unknown` to the store: onsets are found in all the lines the filter selected
    # (`changes.onset_levels`); before that, the causes of 17 of the 40 incidents were lost.
    assert unlevelled.failures(Thresholds()) == ()
    assert unlevelled.recall == 1.0
