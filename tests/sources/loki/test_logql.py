"""LogQL building: every value escaped so it parses back to itself and cannot change the query."""

from __future__ import annotations

import re

import pytest
import re2

from log_analyzer.logs.regex import re2_error
from log_analyzer.sources.base import SEVERE_PATTERN, LineFilter, Selection
from log_analyzer.sources.loki.logql import (
    LabelMatcher,
    MatchOp,
    count_query,
    log_query,
    matchers,
    quote,
    regex_literal,
    selector,
    totals_query,
)
from tests.conftest import SEVERE_LOGQL, recorded

DEFAULT_LINE_FILTER = "(?i)(error|warn|failed|exception|panic|fatal)"
"""The default line filter the recordings were made with."""


def lines(regex: str | None) -> LineFilter:
    return LineFilter(pattern=regex) if regex else LineFilter.every()


EQ, NE, RE, NRE = MatchOp.EQ, MatchOp.NE, MatchOp.RE, MatchOp.NRE

# --- a tiny reader for the subset of LogQL these functions produce ------------------------------

_SIMPLE_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "r": "\r", "t": "\t"}
_HEX = set("0123456789abcdefABCDEF")


def go_unquote(literal: str) -> str:
    """Decode a Go interpreted string literal (the escapes `quote()` may emit).

    Raises ValueError on anything Go would reject: a missing quote, a raw newline, an unknown
    escape, or an unescaped double quote before the end.
    """
    if len(literal) < 2 or literal[0] != '"' or literal[-1] != '"':
        raise ValueError(f"not a double-quoted literal: {literal!r}")
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        char = body[i]
        if char == "\n":
            raise ValueError("raw newline inside a string literal")
        if char == '"':
            raise ValueError("unescaped double quote inside a string literal")
        if char != "\\":
            out.append(char)
            i += 1
            continue
        if i + 1 >= len(body):
            raise ValueError("dangling backslash")
        esc = body[i + 1]
        if esc in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[esc])
            i += 2
        elif esc == "x":
            digits = body[i + 2 : i + 4]
            if len(digits) != 2 or not set(digits) <= _HEX:
                raise ValueError(f"bad \\x escape: {body[i : i + 4]!r}")
            # Go's \xNN is one byte; quote() only uses it below 0x80, where byte == code point.
            code = int(digits, 16)
            if code >= 0x80:
                raise ValueError("\\x escape above 0x7f would not be valid UTF-8 on its own")
            out.append(chr(code))
            i += 4
        else:
            raise ValueError(f"unknown escape \\{esc}")
    return "".join(out)


_TOKEN = re.compile(
    r'\s+|(?P<str>"(?:[^"\\\n]|\\.)*")|(?P<op>=~|!~|!=|\|~|\|=|=)|(?P<punct>[{},])'
    r"|(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)",
    re.DOTALL,
)


def tokenize(query: str) -> list[tuple[str, str]]:
    """Split a query into (kind, text) tokens; anything unexpected is an error."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(query):
        match = _TOKEN.match(query, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"unexpected character at {pos}: {query[pos:]!r}")
        if match.lastgroup is not None:
            tokens.append((match.lastgroup, match.group()))
        pos = match.end()
    return tokens


def parse_log_query(query: str) -> tuple[list[tuple[str, str, str]], str | None]:
    """Parse `{name op "v", ...}` plus an optional `|~ "regex"`; return matchers and the regex."""
    tokens = tokenize(query)
    assert tokens[0] == ("punct", "{"), query
    matchers: list[tuple[str, str, str]] = []
    i = 1
    while True:
        (k1, name), (k2, op), (k3, lit) = tokens[i : i + 3]
        assert (k1, k2, k3) == ("name", "op", "str"), tokens[i : i + 3]
        assert op in {"=", "!=", "=~", "!~"}
        matchers.append((name, op, go_unquote(lit)))
        i += 3
        if tokens[i] == ("punct", ","):
            i += 1
            continue
        assert tokens[i] == ("punct", "}"), tokens[i]
        i += 1
        break
    rest = tokens[i:]
    if not rest:
        return matchers, None
    assert len(rest) == 2, rest
    assert rest[0] == ("op", "|~")
    assert rest[1][0] == "str"
    return matchers, go_unquote(rest[1][1])


# --- quote() ----------------------------------------------------------------------------------

HOSTILE = [
    pytest.param("", id="empty"),
    pytest.param("plain-value_1", id="plain"),
    pytest.param('say "hi"', id="double-quotes"),
    pytest.param('"', id="lone-double-quote"),
    pytest.param("C:\\path\\to", id="backslashes"),
    pytest.param("\\", id="lone-backslash"),
    pytest.param('\\"', id="backslash-then-quote"),
    pytest.param("ends with backslash\\", id="trailing-backslash"),
    pytest.param("\\x41\\n", id="escape-lookalikes"),
    pytest.param("`backticks` and `more`", id="backticks"),
    pytest.param("line1\nline2", id="newline"),
    pytest.param("cr\rhere", id="carriage-return"),
    pytest.param("crlf\r\n", id="crlf"),
    pytest.param("tab\there", id="tab"),
    pytest.param("nul\x00byte", id="nul"),
    pytest.param("\x01\x07\x08\x0b\x0c\x0e\x1b\x1f", id="control-chars"),
    pytest.param("del\x7f", id="del"),
    pytest.param("ünïcødé ✓ 日本語 🚀", id="unicode"),
    pytest.param("sep\u2028para\u2029nel\x85", id="unicode-line-separators"),
    pytest.param('"} |= "x', id="selector-breakout"),
    pytest.param('billing"} or {namespace=~".*', id="selector-breakout-regex"),
    pytest.param('{a="b"}', id="nested-selector"),
    pytest.param(".*+?()[]{}|^$", id="regex-metacharacters"),
    pytest.param('"\n} |~ ".*"\n', id="breakout-with-newlines"),
]


@pytest.mark.parametrize("value", HOSTILE)
def test_quote_round_trips_through_go_unquote(value: str) -> None:
    literal = quote(value)
    assert go_unquote(literal) == value
    assert "\n" not in literal
    assert "\r" not in literal
    assert not any(ord(c) < 0x20 or ord(c) == 0x7F for c in literal)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("", '""', id="empty"),
        pytest.param("billing", '"billing"', id="plain"),
        pytest.param('a"b', '"a\\"b"', id="quote"),
        pytest.param("a\\b", '"a\\\\b"', id="backslash"),
        pytest.param("a\nb\rc\td", '"a\\nb\\rc\\td"', id="newline-cr-tab"),
        pytest.param("\x00\x1f\x7f", '"\\x00\\x1f\\x7f"', id="control-as-hex"),
        pytest.param("`", '"`"', id="backtick-left-alone"),
        pytest.param("é", '"é"', id="unicode-left-alone"),
    ],
)
def test_quote_exact_literal(value: str, expected: str) -> None:
    assert quote(value) == expected


@pytest.mark.parametrize("value", HOSTILE)
def test_selector_keeps_every_value_inside_its_quotes(value: str) -> None:
    matchers = [
        LabelMatcher("namespace", EQ, "billing"),
        LabelMatcher("container", NE, value),
        LabelMatcher("pod", NRE, value),
        LabelMatcher("app", EQ, value or "x"),
    ]
    query = selector(matchers)
    assert "\n" not in query
    parsed, line_filter = parse_log_query(query)
    assert line_filter is None
    assert parsed == [(m.name, m.op.value, m.value) for m in matchers]
    # exactly one top-level brace pair: the rest of the braces live inside string literals
    tokens = tokenize(query)
    assert [t for t in tokens if t[0] == "punct" and t[1] in "{}"] == [
        ("punct", "{"),
        ("punct", "}"),
    ]
    assert tokens[0] == ("punct", "{")
    assert tokens[-1] == ("punct", "}")


@pytest.mark.parametrize("value", HOSTILE)
def test_log_query_line_filter_round_trips(value: str) -> None:
    query = log_query(Selection.of({"namespace": "billing"}), lines("x" + value))
    matchers, line_filter = parse_log_query(query)
    assert matchers == [("namespace", "=", "billing")]
    assert line_filter == "x" + value


# --- regex_literal() ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "near_misses"),
    [
        pytest.param("a.b", ["axb", "a.bb", "a."], id="dot"),
        pytest.param("a|b", ["a", "b", "a|"], id="alternation"),
        pytest.param("(x)+", ["x", "xx", "(x)(x)"], id="group-plus"),
        pytest.param("[abc]", ["a", "b", "[ab]"], id="class"),
        pytest.param("^start$", ["start", "^start"], id="anchors"),
        pytest.param("1+1=2?", ["11=2", "1+1=", "111=2"], id="quantifiers"),
        pytest.param("{2,3}", ["{2}", "2,3"], id="braces"),
        pytest.param("back\\slash\\d", ["back\\slash1", "backslash\\d"], id="backslash"),
        pytest.param("a b\tc\nd", ["a bc\nd", "a b\tc d"], id="whitespace"),
        pytest.param("ünï-cødé #&~", ["unicode #&~", "ünï-cødé"], id="unicode-and-punct"),
        pytest.param(".*", ["", "anything"], id="match-all"),
    ],
)
def test_regex_literal_matches_only_the_value(value: str, near_misses: list[str]) -> None:
    pattern = regex_literal(value)
    assert re2_error(pattern) is None
    assert re2.fullmatch(pattern, value) is not None
    for other in near_misses:
        assert re2.fullmatch(pattern, other) is None, other
    # the escaped pattern still survives quoting intact
    assert go_unquote(quote(pattern)) == pattern


def test_regex_literal_in_a_selector_is_anchored_literal() -> None:
    value = "api-(v1).*"
    query = selector([LabelMatcher("pod", RE, regex_literal(value))])
    [(_, op, pattern)], _ = parse_log_query(query)
    assert op == "=~"
    assert re2.fullmatch(pattern, value) is not None
    assert re2.fullmatch(pattern, "api-v1-xyz") is None


# --- selector() ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "matchers",
    [
        pytest.param([], id="empty-selector"),
        pytest.param([LabelMatcher("namespace", NE, "billing")], id="only-not-equal"),
        pytest.param([LabelMatcher("namespace", NRE, "billing")], id="only-not-regex"),
        pytest.param([LabelMatcher("namespace", RE, ".*")], id="regex-dot-star"),
        pytest.param([LabelMatcher("namespace", RE, "a|")], id="regex-empty-alternative"),
        pytest.param([LabelMatcher("namespace", RE, "x*")], id="regex-star"),
        pytest.param([LabelMatcher("namespace", EQ, "")], id="equals-empty"),
        pytest.param(
            [LabelMatcher("namespace", EQ, ""), LabelMatcher("pod", NE, "x")],
            id="equals-empty-plus-not-equal",
        ),
    ],
)
def test_selector_refuses_empty_compatible_matchers(matchers: list[LabelMatcher]) -> None:
    with pytest.raises(ValueError) as caught:
        selector(matchers)
    assert str(caught.value) == (
        "a selector needs at least one matcher that cannot match an empty value"
    )


def test_selector_refuses_a_regex_re2_cannot_compile() -> None:
    with pytest.raises(ValueError) as caught:
        selector([LabelMatcher("pod", RE, "api-(")])
    assert str(caught.value) == "invalid RE2 regular expression for 'pod'"


@pytest.mark.parametrize(
    ("matchers", "expected"),
    [
        pytest.param([LabelMatcher("namespace", RE, ".+")], '{namespace=~".+"}', id="dot-plus"),
        pytest.param(
            [LabelMatcher("namespace", EQ, "billing"), LabelMatcher("pod", NE, "")],
            '{namespace="billing", pod!=""}',
            id="equals-plus-not-equal",
        ),
        pytest.param(
            [LabelMatcher("namespace", RE, ".*"), LabelMatcher("app", EQ, "checkout")],
            '{namespace=~".*", app="checkout"}',
            id="one-good-matcher-is-enough",
        ),
        pytest.param(
            [LabelMatcher("pod", RE, "api-.*"), LabelMatcher("container", NRE, "istio.*")],
            '{pod=~"api-.*", container!~"istio.*"}',
            id="regex-operators",
        ),
    ],
)
def test_selector_accepts(matchers: list[LabelMatcher], expected: str) -> None:
    assert selector(matchers) == expected


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("", id="empty"),
        pytest.param("1abc", id="leading-digit"),
        pytest.param("a-b", id="dash"),
        pytest.param("a b", id="space"),
        pytest.param("a\n", id="trailing-newline"),
        pytest.param('ns="x"}', id="injection"),
        pytest.param("né", id="non-ascii"),
        pytest.param("a.b", id="dot"),
    ],
)
def test_selector_rejects_invalid_label_names(name: str) -> None:
    matchers = [LabelMatcher("namespace", EQ, "billing"), LabelMatcher(name, EQ, "x")]
    with pytest.raises(ValueError, match="invalid label name"):
        selector(matchers)


# --- log_query() / count_query() ------------------------------------------------------------------

BILLING = Selection.of({"namespace": "billing"})


@pytest.mark.parametrize(
    ("selection", "line_filter", "expected"),
    [
        pytest.param(BILLING, lines(None), '{namespace="billing"}', id="no-filter"),
        pytest.param(BILLING, lines(""), '{namespace="billing"}', id="empty-filter-is-none"),
        pytest.param(
            BILLING, lines("(?i)timeout"), '{namespace="billing"} |~ "(?i)timeout"', id="filter"
        ),
        pytest.param(
            BILLING,
            lines('\\d+ "ms"'),
            '{namespace="billing"} |~ "\\\\d+ \\"ms\\""',
            id="filter-escaped",
        ),
        pytest.param(
            Selection.of({"pod": "checkout-.*", "namespace": "billing"}),
            LineFilter.default(),
            '{namespace="billing", pod=~"checkout-.*"} ' + SEVERE_LOGQL,
            id="default-filter",
        ),
        pytest.param(
            BILLING,
            LineFilter(severe=True, pattern="db", exclude=('say "hi"', "a\\b")),
            '{namespace="billing"} ' + SEVERE_LOGQL + ' |~ "db" != "say \\"hi\\"" != "a\\\\b"',
            id="severe-pattern-and-exclusions",
        ),
    ],
)
def test_log_query_exact(selection: Selection, line_filter: LineFilter, expected: str) -> None:
    assert log_query(selection, line_filter) == expected


def test_selection_renders_pod_as_a_regex_and_the_rest_exact_in_a_fixed_order() -> None:
    selection = Selection.of({"node": "n1", "pod": "api-.*", "container": "c", "namespace": "ns"})
    assert selector(matchers(selection)) == (
        '{namespace="ns", pod=~"api-.*", container="c", node="n1"}'
    )


def test_labels_of_no_fixed_rank_come_last_by_name() -> None:
    selection = Selection((("zone", "eu-1"), ("pod", "api-.*"), ("app", "checkout")))
    assert selector(matchers(selection)) == '{pod=~"api-.*", app="checkout", zone="eu-1"}'


@pytest.mark.parametrize(
    ("line_regex", "range_", "by", "expected"),
    [
        pytest.param(
            None, "5m", (), 'sum (count_over_time({namespace="billing"} [5m]))', id="plain"
        ),
        pytest.param(
            "oom",
            "1h",
            ("pod",),
            'sum by (pod) (count_over_time({namespace="billing"} |~ "oom" [1h]))',
            id="by-pod",
        ),
        pytest.param(
            None,
            "250ms",
            ("pod", "container"),
            'sum by (pod, container) (count_over_time({namespace="billing"} [250ms]))',
            id="by-two-labels",
        ),
        pytest.param(
            None, "7d", (), 'sum (count_over_time({namespace="billing"} [7d]))', id="days"
        ),
    ],
)
def test_count_query_exact(
    line_regex: str | None, range_: str, by: tuple[str, ...], expected: str
) -> None:
    assert count_query(BILLING, lines(line_regex), range_, by) == expected


@pytest.mark.parametrize(
    "range_",
    [
        pytest.param("", id="empty"),
        pytest.param("5", id="no-unit"),
        pytest.param("0m", id="zero"),
        pytest.param("05m", id="leading-zero"),
        pytest.param("-5m", id="negative"),
        pytest.param("5 m", id="space"),
        pytest.param("5M", id="uppercase-unit"),
        pytest.param("5mm", id="double-unit"),
        pytest.param("5m\n", id="trailing-newline"),
        pytest.param("5m]) or vector(1", id="injection"),
        pytest.param("1.5h", id="fraction"),
    ],
)
def test_count_query_rejects_invalid_range(range_: str) -> None:
    with pytest.raises(ValueError, match="invalid LogQL range"):
        count_query(BILLING, lines(None), range_)


@pytest.mark.parametrize(
    "label",
    [
        pytest.param("", id="empty"),
        pytest.param("pod)", id="paren"),
        pytest.param("a-b", id="dash"),
        pytest.param("pod, container", id="list-in-one"),
    ],
)
def test_count_query_rejects_invalid_by_label(label: str) -> None:
    with pytest.raises(ValueError, match="invalid label name"):
        count_query(BILLING, lines(None), "5m", ("pod", label))


S = 10**9
T0 = 1_800_000_000 * S


@pytest.mark.parametrize(
    ("start_ns", "end_ns", "range_"),
    [
        pytest.param(T0, T0 + 1800 * S, "30m", id="half-hour"),
        pytest.param(T0, T0 + 90 * S + 1, "91s", id="a-part-second-counts-whole"),
        pytest.param(T0, T0 + 2 * 3600 * S, "2h", id="hours"),
        pytest.param(T0, T0, "1s", id="empty-window-floors-at-one-second"),
        pytest.param(T0, T0 - S, "1s", id="end-before-start"),
    ],
)
def test_totals_query_counts_the_window_by_level_and_source(
    start_ns: int, end_ns: int, range_: str
) -> None:
    assert totals_query(BILLING, lines(None), start_ns, end_ns) == (
        "sum by (detected_level, pod, container) "
        f'(count_over_time({{namespace="billing"}} [{range_}]))'
    )


# --- re2_error() --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param("(unclosed", id="unclosed-group"),
        pytest.param("(?<=a)b", id="lookbehind"),
        pytest.param("(?=a)", id="lookahead"),
        pytest.param("(a)\\1", id="backreference"),
        pytest.param("[z-a]", id="bad-range"),
        pytest.param("a**", id="double-star"),
    ],
)
def test_re2_error_explains_rejections(pattern: str) -> None:
    reason = re2_error(pattern)
    assert isinstance(reason, str)
    assert reason


def test_re2_error_catches_what_python_accepts() -> None:
    re.compile("(?<=a)b")  # valid for Python's engine...
    assert re2_error("(?<=a)b") is not None  # ...but not for the one Loki runs


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param("", id="empty"),
        pytest.param(".+", id="dot-plus"),
        pytest.param(DEFAULT_LINE_FILTER, id="recorded-default-line-filter"),
        pytest.param(SEVERE_PATTERN, id="severe-pattern"),
        pytest.param("(?i)^api-[a-z0-9]{5}$", id="anchored-class"),
        pytest.param(regex_literal(".*+?()[]{}|^$"), id="escaped-metacharacters"),
    ],
)
def test_re2_error_none_for_valid_patterns(pattern: str) -> None:
    assert re2_error(pattern) is None


# --- recorded queries -----------------------------------------------------------------------------


def test_log_query_equals_the_recorded_query_range_request() -> None:
    rec = recorded("loki", "query_range-streams.json")
    built = log_query(
        Selection.of({"namespace": "billing", "container": "checkout"}), lines(DEFAULT_LINE_FILTER)
    )
    assert built == rec["request"]["params"]["query"]


def test_count_query_equals_the_recorded_instant_query_request() -> None:
    rec = recorded("loki", "query-vector.json")
    built = count_query(BILLING, lines(DEFAULT_LINE_FILTER), "30m", by=("pod",))
    assert built == rec["request"]["params"]["query"]
