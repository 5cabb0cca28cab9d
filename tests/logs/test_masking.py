"""Skeletons: the cache key that lets lines differing only in their digits share masking work."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from log_analyzer.core.runtime import forget_task_caches
from log_analyzer.logs.masking import (
    _DIGIT_TOKEN,
    _mask_token,
    digit_shape,
    mask_message,
    mask_token,
    skeleton,
)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("port 2031 closed", "port 2931 closed", id="zero-is-a-digit-like-any"),
        pytest.param("at 09:05:03 on 2005-06-09", "at 17:45:22 on 1999-12-31", id="times"),
        pytest.param("lock 0x7ff0 by 10.0.0.7:443", "lock 0x1ff9 by 92.1.8.3:808", id="hex"),
        pytest.param("via ssh2 from node-17", "via ssh7 from node-90", id="kept-digits"),
    ],
)
def test_lines_differing_only_in_digit_values_share_a_skeleton(first: str, second: str) -> None:
    assert skeleton(first) == skeleton(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("lock 0x1f held", "lock 5x1f held", id="the-zero-of-0x-is-kept"),
        pytest.param("lock 0X1f held", "lock 1X1f held", id="upper-case-0X"),
    ],
)
def test_skeleton_keeps_the_zero_masking_looks_at(first: str, second: str) -> None:
    assert mask_message(first) != mask_message(second)
    assert skeleton(first) != skeleton(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("retry 12 of 3", "retry 1 of 23", id="digit-count-and-place"),
        pytest.param("took 5ms", "took 5µs", id="non-ascii-text"),
        pytest.param("id ٣ done", "id 3 done", id="non-ascii-digits-are-text"),
    ],
)
def test_skeleton_keeps_everything_but_ascii_digit_values(first: str, second: str) -> None:
    assert skeleton(first) != skeleton(second)


def test_skeleton_is_never_coarser_than_masking_on_digit_values() -> None:
    # Every digit value may change; masking gives the same result up to the digits it keeps.
    line = "child 6748 in slot 10 at 12:04:55, lock 0x7ffe1234 by 10.0.0.7:443, blk_-38865 ok"
    other = line.translate(str.maketrans("0123456789", "5678901234"))
    other = other.replace("5x", "0x")  # keep the 0x prefix, as any hex value has it
    assert skeleton(line) == skeleton(other)
    assert mask_message(line) == mask_message(other)
    assert digit_shape(line) != digit_shape(other)  # the older, finer key would not share


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        pytest.param("node-17", "node-<NUM>", id="word-id"),
        pytest.param("ssh2", "ssh2", id="code-word"),
        # a hex id that opens with letters is an id, not a word and a number
        pytest.param("fdbd9461", "<HEX>", id="hex-id-opening-with-letters"),
        pytest.param("(abcdefa1)", "(<HEX>)", id="hex-id-one-digit-in-brackets"),
        pytest.param("cafe12", "cafe<NUM>", id="short-hex-letters-and-a-number"),
        pytest.param("node1234", "node<NUM>", id="a-word-not-hex"),
        pytest.param("/data/rand4/part-00541.", "/data/rand4/part-<NUM>.", id="path-in-part"),
        pytest.param("(10.0.0.1)", "(<IP>)", id="ip-in-brackets"),
    ],
)
def test_mask_token_masks_as_mask_message_does(token: str, expected: str) -> None:
    assert mask_token(token) == expected
    assert mask_message(f"a {token} b") == f"a {expected} b"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(
            "id=61859b96-f08e-047d-6b84-fb24c79952d8",
            "id=7027bb22-ef41-c2c4-00fc-bbfa76dd4b83",
            id="uuid",
        ),
        pytest.param("(704d29d19babbb505b7da8bec5093595)", "(a1b2c3d4e5f60718)", id="hex-id"),
        pytest.param("abcdef12.svc:8080", "12abcdef.svc:8080", id="host-label-first-character"),
        pytest.param("svc.abcdef12:8080", "svc.12abcdef:8080", id="last-label-first-character"),
        pytest.param("req-deadbeef42", "req-d1adbeef42", id="letters-then-digits"),
        pytest.param("kid=1c23d4d5", "kid=1C23D4D5", id="case"),
        pytest.param("kid=1c23d4d", "kid=1c2ed4d", id="seven-characters"),
        pytest.param("/x/0a1b2c3d4e/y5", "/x/9f8e7d6c5b/y5", id="path"),
    ],
)
def test_tokens_that_differ_in_hex_ids_mask_as_the_rules_do(first: str, second: str) -> None:
    # The second token may be answered from what the first taught the cache (mask_token).
    forget_task_caches()
    assert mask_token(first) == _mask_token.__wrapped__(first)
    assert mask_token(second) == _mask_token.__wrapped__(second)


_HEX_CHARACTERS = st.sampled_from("0123456789abcdefABCDEF")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(_HEX_CHARACTERS, min_size=6, max_size=40), min_size=2, max_size=4),
    st.sampled_from(["id={}", "({})", "/a/{}/b1", "x-{}", "{}_z", "a.{}.io:443", "[{}],"]),
)
def test_any_hex_ids_mask_as_the_rules_do(ids: list[str], form: str) -> None:
    forget_task_caches()
    for value in ids:
        token = form.format(value)
        assert mask_token(token) == _mask_token.__wrapped__(token)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("a1٣ \t\n\u00a0x-_.:/=\"'"), max_size=60))
def test_digit_tokens_are_the_whole_tokens_that_hold_a_digit(text: str) -> None:
    # The plain form of the rule, which tries every position; the module's starts at tokens.
    plain = re.compile(r"\S*\d\S*")
    assert _DIGIT_TOKEN.findall(text) == plain.findall(text)


def test_a_url_ending_in_a_long_run_of_closers_is_masked_in_linear_time() -> None:
    # A 256 KiB line (Loki's default longest) of a URL then ")." pairs: each closer is looked
    # up once, not by scanning the URL before it again (which took seconds).
    line = "see http://x.example/a" + ")." * 131_072
    started = time.perf_counter()
    masked = mask_message(line)
    assert time.perf_counter() - started < 0.5
    assert masked == "see <URL>" + ")." * 131_072
