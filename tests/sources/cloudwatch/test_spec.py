"""CloudWatch's filters, its settings, and the line filter in its terms (pure: no emulator)."""

from __future__ import annotations

import re

import pytest

from log_analyzer.core.errors import InputError
from log_analyzer.sources.base import SEVERE_PATTERN, LineFilter, Selection
from log_analyzer.sources.cloudwatch import SPEC
from log_analyzer.sources.cloudwatch.filters import (
    FILTER_PATTERN_MAX_CHARS,
    filter_pattern,
    insights_regex,
    pattern_regex,
    plan,
)
from log_analyzer.sources.cloudwatch.insights import bin_of
from log_analyzer.sources.cloudwatch.levels import line_level
from log_analyzer.sources.cloudwatch.texts import events_text
from tests.conftest import settings_for_tests


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        pytest.param({}, "filters.log_group", id="no-group"),
        pytest.param({"log_stream_prefix": "api"}, "filters.log_group", id="prefix-only"),
        pytest.param({"log_group": "bad group name"}, "filters.log_group", id="bad-group"),
        pytest.param({"log_group": "/g", "namespace": "shop"}, "filters.namespace", id="loki's"),
        pytest.param({"log_group": "/g", "log_stream_prefix": "a*"}, "filters.log_stream_prefix",
                     id="wildcard-prefix"),
    ],
)  # fmt: skip
def test_bad_filters_name_the_field(filters: dict[str, str], field: str) -> None:
    with pytest.raises(InputError) as raised:
        SPEC.check(Selection.of(filters))
    assert raised.value.field == field


def test_a_group_and_a_prefix_pass() -> None:
    SPEC.check(Selection.of({"log_group": "/aws/lambda/fn-1", "log_stream_prefix": "2026/11/"}))


def test_no_region_means_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    reason = SPEC.unconfigured(settings_for_tests())
    assert reason is not None and "AWS_REGION" in reason
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-2")  # the AWS configuration's own region
    assert SPEC.unconfigured(settings_for_tests()) is None
    assert SPEC.where(settings_for_tests()) == "CloudWatch Logs in us-east-2"
    settings = settings_for_tests(aws_region="eu-west-1", cloudwatch_endpoint_url="http://vpce:443")
    assert SPEC.where(settings) == "CloudWatch Logs at http://vpce:443/ (eu-west-1)"


@pytest.mark.parametrize(
    ("regex", "sent"),
    [
        ("HikariPool", "HikariPool"),
        (r"status=5\d\d", r"status=5\d\d"),
        ("timeout|refused", "timeout|refused"),
        ("(?i)timeout", None),  # a flag: CloudWatch has none
        ("a(b|c)", None),  # a group
        ("[^a]", None),  # a negated class
        (r"\bword\b", None),  # an escape CloudWatch does not read
        ("connection reset", None),  # a space
        ("naïve", None),  # not ASCII
    ],
)
def test_only_regexes_both_engines_read_alike_are_sent(regex: str, sent: str | None) -> None:
    assert pattern_regex(regex) == sent
    line_filter = LineFilter(pattern=regex)
    assert filter_pattern(line_filter) == (f"%{sent}%" if sent else None)


def test_the_severe_narrowing_passes_every_line_the_severe_regex_keeps() -> None:
    pattern = filter_pattern(LineFilter.default())
    assert pattern is not None and pattern.startswith("%") and pattern.endswith("%")
    narrowing = re.compile(pattern[1:-1])
    exact = re.compile(SEVERE_PATTERN)
    lines = [
        "ERROR boom",
        "an Exception here",
        '{"level":"warn"}',
        "E1123 10:00:00.000000 1 proxy.go:1] x",
        "W0101 x",
        "PANIC",
        "crit",
        "all good",
        "errorless? still error",
    ]
    for line in lines:
        if exact.search(line):
            assert narrowing.search(line), line


def test_exclusion_terms_are_sent_while_they_fit_and_the_service_leaves_out_every_text() -> None:
    # A coverage pass can name a hundred texts; CloudWatch refuses a pattern over 1,024 chars.
    texts = tuple(f"upstream-{n:03d}.example:connect=refused" for n in range(100))
    line_filter = LineFilter(exclude=texts)
    pattern = filter_pattern(line_filter)
    assert pattern is not None and len(pattern) <= FILTER_PATTERN_MAX_CHARS
    sent = re.findall(r'-"([^"]+)"', pattern)
    assert sent == list(texts[: len(sent)]) and 10 < len(sent) < len(texts)
    keep = plan(line_filter).keep
    assert keep is not None
    assert not keep(f"GET {texts[-1]} 502")  # not in the pattern: the service leaves it out
    assert keep("GET upstream-999.example:connect=refused 502")


def test_a_regex_too_long_for_a_filter_pattern_is_not_sent() -> None:
    regex = "|".join(f"code{n:04d}" for n in range(200))
    assert pattern_regex(regex) == regex and len(regex) > FILTER_PATTERN_MAX_CHARS
    assert filter_pattern(LineFilter(pattern=regex)) is None
    # The error selection still narrows when the request also asks for it.
    both = filter_pattern(LineFilter(pattern=regex, severe=True))
    assert both is not None and both == filter_pattern(LineFilter.default())


def test_insights_regex_escapes_the_slash_and_line_breaks() -> None:
    assert insights_regex("a/b") == r"/a\/b/"
    assert insights_regex("a\nb") == r"/a\nb/"
    assert insights_regex(r"a\/b") == r"/a\/b/"


@pytest.mark.parametrize(
    ("step", "text"),
    [(1, "bin(1s)"), (90, "bin(90s)"), (300, "bin(5m)"), (7200, "bin(2h)"), (86_400, "bin(1d)")],
)
def test_bins_in_the_largest_whole_unit(step: int, text: str) -> None:
    assert bin_of(step) == text


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ('{"level": "warn", "msg": "an error word"}', "warn"),
        ('{"log": {"level": "ERROR"}, "msg": "x"}', "ERROR"),
        ('{"severity": 3}', "3"),
        ('{"level": true, "msg": "fatal"}', "fatal"),  # a bool is no level: the word counts
        ('{"level": "", "msg": "info"}', "info"),
        ("{not json} WARNING: disk", "WARNING"),
        ("2026-11-23 INFO [main] done", "INFO"),
        ("E1123 10:00:00 proxy.go:1] refused", ""),
    ],
)
def test_the_level_rule_of_the_paging_counts(line: str, level: str) -> None:
    assert line_level(line) == level


def test_the_level_of_json_nested_too_deep_is_read_from_its_words() -> None:
    line = '{"level":"error","a":' * 5_000 + "1" + "}" * 5_000
    assert line_level(line) == "error"


def test_the_query_text_names_the_localized_words_the_narrowing_cannot_pass() -> None:
    # CloudWatch's regex takes ASCII only: ``ОШИБКА:`` cannot be in the pattern, and the
    # query text says that CloudWatch sends no such line rather than leaving it out silently.
    narrowed = plan(LineFilter.default())
    assert narrowed.pattern is not None
    assert {"ОШИБКА", "错误", "エラー"} <= set(narrowed.unsent)
    assert not {"FEHLER", "ERREUR", "WARNUNG"} & set(narrowed.unsent)
    text = events_text(Selection.of({"log_group": "/app"}), narrowed)
    assert "sends no line whose only level is one of" in text and "ОШИБКА" in text
    # Without the narrowing every event is fetched and the service decides: nothing is missed.
    assert plan(LineFilter.default(), narrow=False).unsent == ()
    assert plan(LineFilter(pattern="timeout", severe=True)).unsent == ()
