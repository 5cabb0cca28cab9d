"""Spike detection over bucket series: the median baseline, its robust deviation, and each bar."""

from __future__ import annotations

import pytest

from log_analyzer.logs.totals import Series, Spike, find_spikes

T0 = 1_800_000_000  # unix seconds
STEP = 60


def flat(values: list[float], step: int = STEP, t0: int = T0) -> Series:
    return Series(step, tuple((t0 + i * step, v) for i, v in enumerate(values)))


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param([10.0] * 30, [], id="flat"),
        pytest.param([0.0] * 29 + [3.0], [], id="near-zero-with-a-blip"),
        pytest.param([0.0] * 30, [], id="empty"),
        pytest.param(
            [10, 12, 9, 11, 8, 13, 10, 12, 9, 11, 14, 7, 10, 12, 9, 11, 10, 13, 8, 12],
            [],
            id="noisy",
        ),
        pytest.param([100, 130, 80, 120, 90, 110, 140, 95, 105, 125], [], id="noisy-high"),
        pytest.param([5] * 10 + [80] + [5] * 10, [(10, 10, 10, 80.0)], id="single-spike"),
        pytest.param([5] * 10 + [60, 90, 70] + [5] * 10, [(10, 12, 11, 90.0)], id="merged-run"),
        pytest.param(
            [2] * 5 + [50] + [2] * 5 + [40] + [2] * 5,
            [(5, 5, 5, 50.0), (11, 11, 11, 40.0)],
            id="two-spikes",
        ),
        pytest.param([0] * 20 + [30], [(20, 20, 20, 30.0)], id="from-nothing"),
        pytest.param([0] * 20 + [8], [], id="below-min-count"),
    ],
)
def test_find_spikes(values: list[float], expected: list[tuple[int, int, int, float]]) -> None:
    series = flat([float(v) for v in values])
    spikes = find_spikes(series)
    t0, step = series.points[0][0], series.step_seconds
    got = [
        ((s.start - t0) // step + 1, (s.end - t0) // step, (s.peak_ts - t0) // step, s.peak)
        for s in spikes
    ]
    assert got == expected


def test_spike_fields() -> None:
    [spike] = find_spikes(flat([4.0] * 10 + [100.0] + [4.0] * 9))
    assert spike == Spike(
        start=T0 + 9 * 60,
        end=T0 + 10 * 60,
        peak_ts=T0 + 10 * 60,
        peak=100.0,
        baseline=4.0,
        factor=25.0,
    )


def test_too_few_buckets_have_no_spikes() -> None:
    assert find_spikes(flat([0.0, 500.0])) == ()


# --- each bar at its edge ------------------------------------------------------------------------
# A bucket is a spike when it holds at least min_count (10) lines, at least min_factor (3) times the
# baseline floored at one line, and more than threshold (5) deviations above the baseline; the
# deviation is max(1.4826 x MAD, sqrt(baseline), 1). Each pair below moves one value across one bar
# while the other two bars are met, so the numbers pin the defaults, the comparisons and the sign.


def last_bucket(values: list[float], baseline: float, floor: float) -> Spike:
    """The spike of the last bucket of `flat(values)` alone."""
    end = T0 + (len(values) - 1) * STEP
    return Spike(end - STEP, end, end, values[-1], baseline, values[-1] / floor)


# Median 20 and MAD 10 (ten 10s, one 20, nine 30s and the probe): the deviation is 1.4826 x 10,
# above sqrt(20) and 1, so the bar is 20 + 5 x 14.826 = 94.13 lines.
MAD_WINDOW = [10.0] * 10 + [20.0] + [30.0] * 9

EDGES = [
    # baseline 0, MAD 0: the deviation is its one-line floor; 10 - 0 > 5 x 1, and 10 >= 3 x 1
    pytest.param([0.0] * 20 + [10.0], 0.0, 1.0, id="count-exactly-min-count"),
    pytest.param([0.0] * 20 + [9.0], None, None, id="count-one-below-min-count"),
    # baseline 10, MAD 0: deviation sqrt(10) = 3.16, bar 10 + 15.8; the factor bar is 30
    pytest.param([10.0] * 20 + [30.0], 10.0, 10.0, id="factor-exactly-three"),
    pytest.param([10.0] * 20 + [29.0], None, None, id="factor-below-three"),
    # baseline 4, MAD 0: deviation sqrt(4) = 2, bar 4 + 5 x 2 = 14, strictly above; factor bar 12
    pytest.param([4.0] * 20 + [14.0], None, None, id="deviation-exactly-at-the-bar"),
    pytest.param([4.0] * 20 + [15.0], 4.0, 4.0, id="deviation-above-the-bar"),
    # the MAD constant: 1.4826 puts the bar at 94.13; 1.4825 or 1.4827 would move it past a probe
    pytest.param([*MAD_WINDOW, 94.1275], None, None, id="mad-just-below"),
    pytest.param([*MAD_WINDOW, 94.1325], 20.0, 20.0, id="mad-just-above"),
    # three buckets are enough for a median
    pytest.param([0.0, 0.0, 30.0], 0.0, 1.0, id="three-buckets"),
]


@pytest.mark.parametrize(("values", "baseline", "floor"), EDGES)
def test_each_bar_at_its_edge(
    values: list[float], baseline: float | None, floor: float | None
) -> None:
    expected = () if baseline is None or floor is None else (last_bucket(values, baseline, floor),)
    assert find_spikes(flat(values)) == expected


def test_a_dip_below_the_baseline_is_not_a_spike() -> None:
    # 40 lies 60 lines from a baseline of 100, more than 5 x sqrt(100) = 50, and holds more than
    # min_count lines; with the factor bar off, only the direction keeps it from being a spike.
    values = [100.0] * 10 + [40.0] + [100.0] * 10
    assert find_spikes(flat(values), min_factor=0.0) == ()


def test_the_deviation_is_floored_at_one_line() -> None:
    # An empty window with min_count lowered: the deviation is 1 line, so 0 + 5 x 1 is the bar.
    assert find_spikes(flat([0.0] * 20 + [5.0]), min_count=1.0) == ()
    assert find_spikes(flat([0.0] * 20 + [6.0]), min_count=1.0) == (
        last_bucket([0.0] * 20 + [6.0], 0.0, 1.0),
    )


def test_the_bars_are_parameters() -> None:
    values = [4.0] * 20 + [15.0]  # a spike with the defaults (deviation-above-the-bar)
    assert find_spikes(flat(values), threshold=5.5) == ()  # 11 > 5.5 x 2 fails
    assert find_spikes(flat(values), min_factor=3.8) == ()  # 15 >= 3.8 x 4 fails
    assert find_spikes(flat(values), min_count=16.0) == ()
    assert find_spikes(flat(values), threshold=5.4, min_factor=3.7, min_count=15.0) == (
        last_bucket(values, 4.0, 4.0),
    )


def test_an_even_window_takes_the_middle_two_as_its_baseline() -> None:
    # 22 buckets: eleven hold 10 or 11 lines, eleven 12 or more, so the baseline is (11 + 12) / 2.
    values = [10.0] * 2 + [11.0] * 9 + [12.0] * 10 + [60.0]
    [spike] = find_spikes(flat(values))
    assert spike.baseline == 11.5
    assert spike.factor == 60.0 / 11.5
