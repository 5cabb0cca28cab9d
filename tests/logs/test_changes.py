"""What changed before an onset, and where the onset is."""

from __future__ import annotations

import math
import random

import pytest

from log_analyzer.logs.changes import MAX_CHANGES, changes_before
from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import NormalizedEntry
from log_analyzer.logs.onsets import (
    STEP_UP_FACTOR,
    _steps_between_levels,
    coarse_onsets,
    first_rise,
    onset_levels,
    onsets_in,
    step_up,
)
from log_analyzer.logs.totals import Histogram

S = 1_000_000_000
ONSET = 10_000 * S


def entry(message: str, at: float, level: Level = Level.INFO, count: int = 1) -> NormalizedEntry:
    ts = int(ONSET + at * S)
    return NormalizedEntry(
        message, level, count, ts, ts, ("api-0/api",), False, (("api-0/api", count),)
    )


def test_a_new_info_line_before_the_onset_is_a_change_with_its_offset() -> None:
    recent = [
        entry("config reloaded: pool_size changed from 20 to 2", -40),
        entry("GET /health 200", -30, count=12),
    ]
    baseline = [entry("GET /health 200", -400, count=60)]
    [change] = changes_before(ONSET, recent, baseline, recent_seconds=120, baseline_seconds=600)
    assert change.kind == "new"
    assert change.template.startswith("config reloaded: pool_size changed")
    assert change.level is Level.INFO
    assert (change.recent, change.baseline) == (1, 0)
    assert change.offset_seconds == -40.0
    assert change.sources == ("api-0/api",)


@pytest.mark.parametrize(
    ("recent", "baseline", "louder"),
    [
        (6, 5, True),  # 6 in 120 s against 5 in 600 s: 6x the rate
        (12, 20, True),  # 12 / 120 against 20 / 600: 3x, the least that counts
        (30, 60, False),  # 2.5x
        (2, 1, False),  # 10x, but two lines are noise
        (3, 5, False),  # 3x, but 1 expected: 3 is within 3 standard deviations
        (4, 6, False),  # a line once a minute, 4 times in two minutes: chance
    ],
    ids=["6x", "3x", "2.5x", "too-few", "3x-within-noise", "once-a-minute"],
)
def test_a_template_much_louder_before_the_onset_is_a_change(
    recent: int, baseline: int, louder: bool
) -> None:
    found = changes_before(
        ONSET,
        [entry("retrying connection to db-0", -10, Level.WARN, recent)],
        [entry("retrying connection to db-0", -300, Level.WARN, baseline)],
        recent_seconds=120,
        baseline_seconds=600,
    )
    assert [c.kind for c in found] == (["louder"] if louder else [])


def test_the_first_new_changes_lead_then_the_most_severe_then_the_closest_to_the_onset() -> None:
    recent = [
        entry("leader election lost by node-2", -90),
        entry("certificate rotated for api", -20),
        entry("disk full on /var/lib/data", -60, Level.ERROR),
        entry("queue depth high", -5, Level.WARN, count=30),
    ]
    baseline = [entry("queue depth high", -300, Level.WARN, count=5)]
    found = changes_before(ONSET, recent, baseline, recent_seconds=120, baseline_seconds=600)
    assert [c.template for c in found] == [
        "leader election lost by node-<*>",  # the two seen first, in the order they came
        "disk full on /var/lib/data",
        "certificate rotated for api",
        "queue depth high",
    ]
    assert [c.kind for c in found] == ["new", "new", "new", "louder"]


def test_a_change_at_info_level_is_kept_before_a_dozen_new_errors_after_it() -> None:
    reload = entry("route table reloaded: zero upstreams for /api", -60)
    # Twelve new errors of twelve templates (one more word each, so none merge).
    errors = [entry("no upstream for " + " ".join(["route"] * i), -i, Level.ERROR)
              for i in range(1, 13)]  # fmt: skip
    found = changes_before(ONSET, [*errors, reload], [], recent_seconds=120, baseline_seconds=600)
    assert len(found) == MAX_CHANGES
    assert found[0].template == reload.message
    # Then the second seen, then the rest closest to the onset first.
    assert [c.offset_text for c in found[1:3]] == ["-12 s", "-1 s"]


def test_lines_that_say_nothing_are_no_change_however_new() -> None:
    recent = [
        entry("", -3.3),
        entry("  .   ____          _            __ _ _", -3.2),
        entry(" =========|_|==============|___/=/_/_/_/", -3.1),
        entry("-----", -3.05),
        entry("Starting OrdersApplication using Java 21.0.3", -3),
    ]
    found = changes_before(ONSET, recent, [], recent_seconds=120, baseline_seconds=600)
    assert [change.example for change in found] == [recent[-1].message]


def test_at_most_a_few_changes_and_none_without_recent_lines() -> None:
    recent = [entry(f"event {word} happened", -i) for i, word in enumerate("abcdefghijklm")]
    found = changes_before(ONSET, recent, [], recent_seconds=120, baseline_seconds=600)
    assert len(found) == MAX_CHANGES
    assert changes_before(ONSET, [], recent, recent_seconds=120, baseline_seconds=600) == ()


def test_the_onset_is_the_first_spike_or_the_first_errors_after_a_quiet_start() -> None:
    points = [(60, 0.0), (120, 0.0), (180, 4.0), (240, 50.0), (300, 3.0), (360, 90.0)]
    assert coarse_onsets(points, 60, [(180, 50.0)]) == (180,)
    assert coarse_onsets(points, 60, [(180, 50.0), (300, 90.0)]) == (180, 300)
    assert coarse_onsets(points, 60, [(300, 90.0), (180, 50.0)]) == (180, 300)
    assert coarse_onsets(points, 60, []) == (120,)  # the first bucket with errors starts at 120
    assert coarse_onsets([(60, 2.0), (120, 2.0)], 60, []) == ()  # errors from the start
    assert coarse_onsets([(60, 0.0), (120, 0.0)], 60, []) == ()  # no errors at all


def test_the_precise_onset_is_the_first_fine_bucket_well_above_the_usual() -> None:
    fine = [(10, 1.0), (20, 2.0), (30, 9.0), (40, 30.0)]
    assert first_rise(fine, 10, usual=4.0) == 30  # 4 + 3 x 2 = 10: the bucket ending at 40
    assert first_rise(fine, 10, usual=1.0) == 20  # 1 + 3 x 1 = 4: ends at 30
    assert first_rise(fine, 10, usual=0.0) == 10  # at least two lines: ends at 20
    assert first_rise(fine, 10, usual=16.0) == 30  # 1.5 x 16 = 24 (more than 16 + 3 x 4)
    assert first_rise(fine, 10, usual=21.0) is None
    # Old errors at 1.7 per bucket put 3 in one now and then: noise, not the onset.
    noisy = [(10, 1.0), (20, 3.0), (30, 2.0), (40, 41.0)]
    assert first_rise(noisy, 10, usual=1.7) == 30


def test_a_second_incident_on_top_of_a_first_is_a_step_up_and_a_second_onset() -> None:
    # Errors from 120 on at ~100 per bucket (no spike: they set the median), then a second
    # failure doubles them from 600 on.
    points = [(60, 0.0), (120, 0.0)] + [(t, 100.0) for t in range(180, 600, 60)]
    points += [(t, 210.0) for t in range(660, 1200, 60)]
    assert step_up(points, 60) == 600
    assert coarse_onsets(points, 60, []) == (120, 600)


def test_with_old_errors_from_the_first_bucket_the_step_up_is_the_onset() -> None:
    # An error every 10 s all along (6 per bucket), then an incident from 900 on that fills the
    # rest of the window: it holds half the buckets, so it sets the median and is no spike.
    points = [(t, 6.0) for t in range(60, 960, 60)] + [(t, 140.0) for t in range(960, 1860, 60)]
    assert coarse_onsets(points, 60, []) == (900,)
    steady = [(t, 100.0 + (t % 7)) for t in range(60, 1200, 60)]
    assert coarse_onsets(steady, 60, []) == ()  # opened inside a steady storm: no onset


def test_noise_is_no_step_up() -> None:
    points = [(t, 100.0 + (t % 7)) for t in range(60, 1200, 60)]
    assert step_up(points, 60) is None
    small = [(t, 4.0) for t in range(60, 600, 60)] + [(660, 12.0)]  # 3x, but 8 lines
    assert step_up(small, 60) is None


def counted(means: list[float], seed: int) -> list[tuple[int, float]]:
    """Error lines per 60 s bucket around ``means``, varying by the square root of each mean."""
    rng = random.Random(seed)
    return [
        (60 * (i + 1), float(max(0, round(rng.gauss(mean, math.sqrt(mean))))))
        for i, mean in enumerate(means)
    ]


def test_a_second_incident_adding_less_than_half_to_a_storm_is_a_step_between_levels() -> None:
    # A storm of 185 errors a minute; from bucket 15 on a second failure adds 81 a minute: 1.44
    # times, under STEP_UP_FACTOR, but a step from one level to another all the same.
    assert STEP_UP_FACTOR > 266 / 185
    found = 0
    for seed in range(50):
        points = counted([185.0] * 15 + [266.0] * 15, seed)
        # Its start, or the bucket after it when noise makes that one's own rise the largest
        # (the precise onset is then looked for from the bucket before, `onsets._precise`).
        found += step_up(points, 60) in (900, 960)
    assert found >= 45  # the rise is about 6 standard deviations: seldom lost in the noise


def test_a_storm_that_ramps_up_smoothly_is_no_step_between_levels() -> None:
    ramp = [100.0 + 300.0 * i / 29 for i in range(30)]
    smooth = [(60 * (i + 1), mean) for i, mean in enumerate(ramp)]
    assert not any(_steps_between_levels(smooth, i) for i in range(30))
    # With noise, a dip before and a burst after can look like a step now and then.
    stepped = sum(
        any(_steps_between_levels(counted(ramp, seed), i) for i in range(30)) for seed in range(200)
    )
    assert stepped <= 20


def test_a_steady_storm_has_no_step_between_levels() -> None:
    for mean in (30.0, 185.0, 2000.0):
        for seed in range(100):
            points = counted([mean] * 30, seed)
            assert not any(_steps_between_levels(points, i) for i in range(30))


def test_a_step_between_levels_needs_five_buckets_after_it_and_enough_lines() -> None:
    late = [(60 * (i + 1), 185.0 if i < 26 else 266.0) for i in range(30)]
    assert not any(_steps_between_levels(late, i) for i in range(30))
    assert _steps_between_levels(late[:24] + [(t, 266.0) for t in range(1500, 1860, 60)], 24)
    # From 2 to 14 errors a minute is far above the noise, but 12 lines are no incident.
    few = [(60 * (i + 1), 2.0 if i < 15 else 14.0) for i in range(30)]
    assert not _steps_between_levels(few, 15)


def test_onsets_are_found_in_errors_unless_the_store_gave_no_line_a_level() -> None:
    known = Histogram(60, ((60, {Level.UNKNOWN: 40.0, Level.WARN: 2.0}), (120, {})))
    assert onset_levels(known) == (Level.FATAL, Level.ERROR)  # warnings only: still errors
    unlevelled = Histogram(60, ((60, {Level.UNKNOWN: 40.0}), (120, {Level.ERROR: 0.0})))
    assert onset_levels(unlevelled) is None
    assert onset_levels(Histogram(60, ())) is None


def histogram(errors: list[float], others: list[float], other: Level = Level.WARN) -> Histogram:
    """Lines per 60 s bucket: ``errors`` at error level, ``others`` at ``other``."""
    return Histogram(
        60,
        tuple(
            (60 * (i + 1), {Level.ERROR: e, other: o})
            for i, (e, o) in enumerate(zip(errors, others, strict=True))
        ),
    )


def test_a_storm_of_warnings_over_a_few_old_errors_is_an_onset_too() -> None:
    # An error now and then all along (the first in bucket 3), then 330 warnings a minute from
    # bucket 15 on, and three errors a minute: the errors rise nowhere sharply.
    errors = [0.0, 0.0] + [1.0] * 13 + [3.0] * 15
    warnings = [4.0] * 15 + [330.0] * 15
    found = onsets_in(histogram(errors, warnings))
    assert found == ((120, (Level.FATAL, Level.ERROR)), (900, None))
    # The same warnings with no error at all: the warnings' step up alone.
    assert onsets_in(histogram([0.0] * 30, warnings)) == ((900, None),)


def test_errors_the_store_could_not_level_make_an_onset_in_a_levelled_store() -> None:
    # Loki 3 levels a CoreDNS ``[INFO]`` line, not a klog ``E0602`` one: the errors of the
    # controllers are ``unknown``, beside a few levelled lines.
    unlevelled = [2.0] * 10 + [120.0] * 5 + [3.0] * 15
    counted = histogram([0.0] * 30, unlevelled, Level.UNKNOWN)
    levelled = Histogram(60, tuple((end, {**n, Level.INFO: 2.0}) for end, n in counted.points))
    assert onset_levels(levelled) == (Level.FATAL, Level.ERROR)
    assert onsets_in(levelled) == ((600, None),)


def test_no_onset_of_every_line_where_the_errors_rose_or_nothing_did() -> None:
    # Errors and warnings rise together: the errors' onset stands for both.
    errors = [0.0] * 12 + [60.0] * 18
    warnings = [4.0] * 12 + [300.0] * 18
    assert onsets_in(histogram(errors, warnings)) == ((720, (Level.FATAL, Level.ERROR)),)
    # Errors spike: their spike is the onset, whatever the warnings do.
    spiking = [0.0] * 20 + [90.0, 80.0] + [0.0] * 8
    assert onsets_in(histogram(spiking, warnings)) == ((1200, (Level.FATAL, Level.ERROR)),)
    # Steady warnings, no error: a quiet window.
    assert onsets_in(histogram([0.0] * 30, [40.0 + i % 3 for i in range(30)])) == ()
    # A few errors start where the warnings storm: the errors' onset, once, not a second one.
    few = [0.0] * 20 + [3.0] * 10
    storm = [2.0] * 20 + [300.0] * 10
    assert onsets_in(histogram(few, storm)) == ((1200, (Level.FATAL, Level.ERROR)),)


def test_an_old_error_logged_now_and_then_is_no_onset_where_its_first_line_falls() -> None:
    # An error every three minutes since before the window: its first two buckets are empty
    # by chance, and its first line is no onset (a third of a line a bucket x 2 buckets is
    # less than the 3 lines QUIET_START_LINES wants).
    trickle = [(60, 0.0), (120, 0.0)] + [(60 * i, float(i % 3 == 0)) for i in range(3, 31)]
    assert coarse_onsets(trickle, 60, []) == ()
    # The same after ten quiet minutes is where it began (1 a bucket x 10 buckets: 10 expected).
    late = [(60 * i, 0.0) for i in range(1, 11)] + [(60 * i, 1.0) for i in range(11, 31)]
    assert coarse_onsets(late, 60, []) == (600,)
    # And a storm two minutes in: 2 x 80 lines were to be expected before it.
    storm = [(60, 0.0), (120, 0.0)] + [(60 * i, 80.0) for i in range(3, 31)]
    assert coarse_onsets(storm, 60, []) == (120,)


def test_a_periodic_burst_as_loud_as_one_in_its_baseline_is_no_change() -> None:
    # A backup job writes 200 warnings in its first minute every ten minutes; one run starts
    # just before the onset. Its rate there is 5 times the baseline's average, not its busiest.
    def burst(start: float) -> list[NormalizedEntry]:
        return [entry(f"pg_dump: warning: circular constraints on order_items_{i}", start + i * 0.3,
                      Level.WARN) for i in range(200)]  # fmt: skip

    usual = [entry("GET /health 200", -t, count=1) for t in range(700, 0, -5)]
    recent = [*burst(-60), *(e for e in usual if e.first_ns >= ONSET - 120 * S)]
    baseline = [*burst(-660), *(e for e in usual if e.first_ns < ONSET - 120 * S)]
    assert changes_before(ONSET, recent, baseline, recent_seconds=120, baseline_seconds=600) == ()
    # The same lines, rising just before the baseline's end (a leak's GC pauses growing), are.
    baseline = [*burst(-170), *(e for e in usual if e.first_ns < ONSET - 120 * S)]
    recent = [*burst(-60), *burst(-100), *(e for e in usual if e.first_ns >= ONSET - 120 * S)]
    [change] = changes_before(ONSET, recent, baseline, recent_seconds=120, baseline_seconds=600)
    assert change.kind == "louder"
