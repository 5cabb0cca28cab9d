"""A number every line of a wording held alike before the onset, changed just before it."""

from __future__ import annotations

from log_analyzer.logs.changed_values import MIN_SAME_LINES, changed_value
from log_analyzer.logs.changes import changes_before
from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import NormalizedEntry

S = 1_000_000_000
ONSET = 10_000 * S
SOURCE = "ratelimit-0/ratelimit"


def entry(message: str, at: float, count: int = 1) -> NormalizedEntry:
    ts = int(ONSET + at * S)
    return NormalizedEntry(message, Level.INFO, count, ts, ts, (SOURCE,), False, ((SOURCE, count),))


def applied(revision: int, limit: int, at: float) -> NormalizedEntry:
    return entry(f"applied config revision {revision}: requests_per_unit={limit} unit=second", at)


def periodic(first: int, at: range) -> list[NormalizedEntry]:
    return [applied(first + i, 500, -t) for i, t in enumerate(at)]


def test_a_settled_number_that_differs_is_the_change_a_varying_one_is_not() -> None:
    baseline = periodic(100, range(700, 120, -40))
    same = applied(200, 500, -30)
    cut = applied(201, 5, -10)
    assert changed_value([same], baseline) is None  # only the revision moved: it always does
    assert changed_value([same, cut], baseline) == cut


def test_a_wording_seen_too_seldom_before_is_never_settled() -> None:
    baseline = periodic(100, range(700, 700 - 40 * (MIN_SAME_LINES - 1), -40))
    assert changed_value([applied(200, 5, -10)], baseline) is None
    baseline = periodic(100, range(700, 700 - 40 * MIN_SAME_LINES, -40))
    assert changed_value([applied(200, 5, -10)], baseline) is not None


def test_a_number_that_varied_before_says_nothing() -> None:
    baseline = [applied(100 + i, limit, -700 + 40 * i) for i, limit in enumerate((500, 400, 500))]
    assert changed_value([applied(200, 5, -10)], baseline) is None


def test_the_change_is_reported_with_its_changed_line() -> None:
    baseline = periodic(100, range(700, 120, -40))
    recent = [applied(200, 500, -50), applied(201, 5, -20), applied(202, 5, -5)]
    [change] = changes_before(ONSET, recent, baseline, recent_seconds=120, baseline_seconds=600)
    assert change.kind == "changed"
    assert change.example == "applied config revision 201: requests_per_unit=5 unit=second"
    assert change.offset_seconds == -20.0
    assert (change.recent, change.baseline) == (3, len(baseline))
