"""Condensing normalized entries into prioritized patterns."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from log_analyzer.logs.condense import Pattern, condense
from log_analyzer.logs.levels import Level
from log_analyzer.logs.masking import skeleton
from log_analyzer.logs.normalize import NormalizedEntry, normalize
from log_analyzer.logs.redact import redact
from tests.conftest import recorded_entries

S = 10**9
T0 = 1_795_457_333 * S


def ne(
    message: str,
    level: Level = Level.ERROR,
    count: int = 1,
    at: int = 0,
    source: str = "pod-a/app",
    ids: dict[str, str] | None = None,
) -> NormalizedEntry:
    ts = T0 + at * S
    return NormalizedEntry(
        message,
        level,
        count,
        ts,
        ts,
        (source,),
        source_counts=((source, count),),
        ids=MappingProxyType(ids or {}),
    )


def by_template(patterns: tuple[Pattern, ...]) -> dict[str, Pattern]:
    return {p.template: p for p in patterns}


def test_counts_are_weighted_and_sources_merged() -> None:
    patterns = condense(
        [
            ne("timeout after 3 retries on 10.0.0.1", count=5, at=1),
            ne("timeout after 9 retries on 10.0.0.2", count=2, at=9, source="pod-b/app"),
            ne("cache warmed", Level.INFO, count=40, at=5),
        ]
    )
    timeout = by_template(patterns)["timeout after <NUM> retries on <IP>"]
    assert timeout.count == 7
    assert timeout.first_ns == T0 + S
    assert timeout.last_ns == T0 + 9 * S
    assert timeout.sources == ("pod-a/app", "pod-b/app")
    assert timeout.source_counts == (("pod-a/app", 5), ("pod-b/app", 2))
    assert timeout.entries == (0, 1)


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        pytest.param(
            [ne("noisy warning", Level.WARN, count=1000), ne("dead", Level.FATAL)],
            ["dead", "noisy warning"],
            id="severity-beats-count",
        ),
        pytest.param(
            [ne("rare failure", count=2), ne("common failure", count=30)],
            ["common failure", "rare failure"],
            id="count-within-a-level",
        ),
        pytest.param(
            [ne("old failure", count=3, at=0), ne("fresh failure", count=3, at=50)],
            ["fresh failure", "old failure"],
            id="new-beats-ongoing-at-equal-count",
        ),
        pytest.param(
            [ne("earlier failure", count=3, at=20), ne("later failure", count=3, at=30)],
            ["later failure", "earlier failure"],
            id="recency-breaks-the-last-tie",
        ),
    ],
)
def test_ids_follow_priority(entries: list[NormalizedEntry], expected: list[str]) -> None:
    patterns = condense(entries, window_start_ns=T0, window_end_ns=T0 + 100 * S)
    assert [p.template for p in patterns] == expected
    assert [p.id for p in patterns] == [f"P{i}" for i in range(1, len(expected) + 1)]


@pytest.mark.parametrize(
    ("at", "new"),
    [
        pytest.param(0, False, id="at-window-start"),
        pytest.param(4, False, id="inside-first-5-percent"),
        pytest.param(6, True, id="after-first-5-percent"),
    ],
)
def test_novelty_is_judged_against_the_window(at: int, new: bool) -> None:
    [pattern] = condense([ne("x failed", at=at)], window_start_ns=T0, window_end_ns=T0 + 100 * S)
    assert pattern.new is new


def test_level_is_the_most_severe_seen() -> None:
    [pattern] = condense(
        [ne("disk 1 failing", Level.WARN, count=9), ne("disk 2 failing", Level.FATAL)]
    )
    assert pattern.level is Level.FATAL


def test_examples_are_recent_distinct_redacted_with_their_ids() -> None:
    entries = [
        ne(f"login failed for user {i} password=s3cret{i}", at=i, ids={"trace_id": f"t{i}"})
        for i in range(6)
    ]
    [pattern] = condense(entries, examples=2)
    assert pattern.examples == (
        "login failed for user 5 password=[REDACTED:password]",
        "login failed for user 4 password=[REDACTED:password]",
    )
    assert pattern.ids == (("trace_id", "t5"), ("trace_id", "t4"))
    assert pattern.count == 6


def test_no_examples_when_none_asked() -> None:
    [pattern] = condense([ne("boom")], examples=0)
    assert pattern.examples == ()
    assert pattern.ids == ()


def test_stack_traces_of_different_depth_are_one_pattern() -> None:
    frames = "".join(f"\n\tat com.x.C{i}.run(C{i}.java:{i})" for i in range(7))
    patterns = condense(
        [
            ne("java.lang.IllegalStateException: order 7 stuck\n\tat com.x.A.f(A.java:1)"),
            ne("java.lang.IllegalStateException: order 8 stuck" + frames, at=3),
        ]
    )
    assert len(patterns) == 1
    assert patterns[0].template == "java.lang.IllegalStateException: order <NUM> stuck"


def test_empty_input() -> None:
    assert condense([]) == ()


def test_recorded_streams_condense_to_one_pattern_with_trace_ids() -> None:
    entries = normalize(recorded_entries("query_range-streams.json"))
    [pattern] = condense(entries)
    assert pattern.count == 5
    assert pattern.level is Level.ERROR
    assert pattern.sources == ("checkout-2c386bbc4-lft7s/checkout",)
    assert "upstream payments returned <NUM> for order <UUID>" in pattern.template
    assert len(pattern.examples) == 3
    assert [key for key, _ in pattern.ids] == ["trace_id"] * 3


_SECRETS = {
    "password": "hunter-two",
    "token": "abcdefghijklmnop",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N",
    "basic": "dTA6cDA=",
}


def test_no_secret_reaches_a_template_or_an_example() -> None:
    # Each event repeats with other digits (one skeleton) and with other secrets; the first
    # line of a skeleton is the one redaction is judged on, and later ones must not slip by.
    entries = (
        [ne(f"login {i} failed password={_SECRETS['password']}{i}", at=i) for i in range(5)]
        + [ne(f"call {i} with token={_SECRETS['token']} ok", at=i) for i in range(5)]
        + [ne(f"auth {i} bearer {_SECRETS['jwt']}{i} rejected", at=i) for i in range(5)]
        + [
            ne("retry 1 Basic dTA7cDA= now", at=1),  # same skeleton, not a credential
            ne(f"retry 2 Basic {_SECRETS['basic']} now", at=2),
            ne("cache warmed in 5 ms", Level.INFO, at=3),
        ]
    )
    patterns = condense(entries, examples=10)
    shown = [p.template for p in patterns] + [e for p in patterns for e in p.examples]
    for text in shown:
        for secret in _SECRETS.values():
            assert secret[:12] not in text, text
    assert sum(p.count for p in patterns) == len(entries)
    assert any("[REDACTED:password]" in p.template for p in patterns)


def test_lines_without_secrets_keep_their_words_in_templates() -> None:
    [pattern] = condense([ne(f"Failed password for root from 10.0.0.{i} port 22") for i in (1, 2)])
    assert pattern.template == "Failed password for root from <IP> port <NUM>"


def test_skeletons_given_upstream_change_nothing() -> None:
    entries = [
        ne("lock at 0x7ffe1234 held by 7", at=1),
        ne("lock at 0x7ffe9934 held by 8", at=2),
        ne("db login failed password=[REDACTED:password]", at=3),
        ne("worker 3 failed\n  at Foo.bar(Foo.java:12)\nCaused by: IOError: disk 2", at=4),
        ne("peer 10.0.0.7 up", level=Level.INFO, at=5),
        ne("peer 10.0.0.9 up", level=Level.INFO, at=6),
    ]
    keys = [skeleton(entry.message) for entry in entries]
    assert condense(entries, skeletons=keys) == condense(entries)


def test_skeletons_must_match_the_entries() -> None:
    with pytest.raises(ValueError):
        condense([ne("a 1"), ne("b 2")], skeletons=[skeleton("a 1")])


def test_entries_redacted_upstream_condense_as_raw_ones_do() -> None:
    """`redacted=True` skips the miner's own redaction; redacting is idempotent, so the
    patterns of redacted entries are those of the raw entries."""
    raw = [ne(f"login {i} failed password={_SECRETS['password']}{i}", at=i) for i in range(3)] + [
        ne(f"call {i} with token={_SECRETS['token']} ok trace_id={i:x}e3b0c44298fc1c14", at=i)
        for i in range(3)
    ]
    redacted = [entry._replace(message=redact(entry.message).text) for entry in raw]
    assert condense(redacted, redacted=True) == condense(raw)
