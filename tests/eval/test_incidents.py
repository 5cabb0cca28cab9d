"""The golden incidents' truth holds in the lines they generate, and they cover what they claim."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from log_analyzer.eval.golden import GOLDEN, WINDOW_START, golden
from log_analyzer.eval.incident import SEVERE_LEVELS, Generated, Incident, Kind, generate
from log_analyzer.eval.shapes import json_shape, spring_chain_shape
from log_analyzer.eval.unleveled import UNLEVELED
from log_analyzer.logs.regex import compile_re2
from log_analyzer.sources.base import SEVERE_PATTERN

START_NS = int(WINDOW_START.timestamp()) * 1_000_000_000
_GENERATED: dict[str, Generated] = {}


def generated(incident: Incident) -> Generated:
    if incident.name not in _GENERATED:
        _GENERATED[incident.name] = generate(incident, START_NS)
    return _GENERATED[incident.name]


def in_window(g: Generated) -> list[int]:
    return [i for i, entry in enumerate(g.entries) if g.start_ns <= entry[0] < g.end_ns]


def test_at_least_twelve_incidents_with_distinct_names() -> None:
    assert len(GOLDEN) >= 12
    assert len({incident.name for incident in GOLDEN}) == len(GOLDEN)


def test_generation_is_repeatable() -> None:
    incident = golden("mixed-formats")
    assert generate(incident, START_NS) == generate(incident, START_NS)
    assert generate(incident, START_NS).entries != generate(incident, START_NS + 10**9).entries


@pytest.mark.parametrize("incident", GOLDEN, ids=lambda i: i.name)
def test_each_marker_is_in_exactly_the_events_of_its_template(incident: Incident) -> None:
    g = generated(incident)
    for marker in {kind.marker for kind in incident.kinds if kind.marker}:
        owners = {i for i, kind in enumerate(incident.kinds) if kind.marker == marker}
        holding = {g.events[i] for i, entry in enumerate(g.entries) if marker in entry[3]}
        written = {g.events[i] for i, kind in enumerate(g.kinds) if kind in owners}
        assert holding == written, marker
        assert written, f"no line of {marker!r}"


def test_a_marker_deep_in_a_trace_names_its_events_and_their_cause_lines() -> None:
    chained = spring_chain_shape("main", "c.s.Orders", ("java.lang.RuntimeException: failed",))
    cause = Kind("orders", "error", "request failed\nCaused by: PoolClosed: pool {n} closed",
                 chained, 2, (0.5, 0.6), marker="PoolClosed", cause=True)  # fmt: skip
    g = generate(Incident("deep", "A cause deep in a trace.", "shop", 1, (cause,)), START_NS)
    assert len(g.entries) == 6 and sorted(set(g.events)) == [0, 1]
    heads = [entry[3] for entry, head in zip(g.entries, g.heads, strict=True) if head]
    assert all(line.endswith(" : request failed") for line in heads)
    assert len(g.cause_lines) == 2
    assert all(line.startswith("Caused by: PoolClosed: pool ") for line in g.cause_lines)


@pytest.mark.parametrize("incident", GOLDEN, ids=lambda i: i.name)
def test_the_cause_lines_are_in_the_window_and_hold_the_causes_markers(
    incident: Incident,
) -> None:
    g = generated(incident)
    window = [g.entries[i][3] for i in in_window(g)]
    assert len(g.cause_lines) == sum(k.count for k in incident.kinds if k.cause)
    for line in g.cause_lines:
        assert line in window
    for marker in incident.causes:
        assert any(marker in line for line in g.cause_lines)


def test_a_severe_kind_or_a_cause_without_a_marker_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a marker"):
        Kind("api", "error", "boom", json_shape("api"), 1, (0.1, 0.1))
    with pytest.raises(ValueError, match="not in its text"):
        Kind("api", "error", "boom", json_shape("api"), 1, (0.1, 0.1), marker="bang")
    with pytest.raises(ValueError, match="literal"):
        Kind("api", "error", "boom {n}", json_shape("api"), 1, (0.1, 0.1), marker="boom {n}")


def severe_lines(g: Generated) -> list[int]:
    test = compile_re2(SEVERE_PATTERN).search
    return [i for i in in_window(g) if test(g.entries[i][3])]


def test_the_storm_hides_one_fatal_line_under_thirty_thousand_errors() -> None:
    g = generated(golden("storm-db-password"))
    levels = Counter(g.entries[i][2] for i in in_window(g))
    assert levels["fatal"] == 1 and levels["error"] >= 30_000
    assert len(g.cause_lines) == 1


def test_the_busy_windows_cause_is_neither_among_the_newest_nor_the_oldest_lines() -> None:
    g = generated(golden("busy-window-disk-full"))
    matching = severe_lines(g)
    assert len(matching) > 5 * 1000
    (cause,) = [i for i in matching if g.entries[i][3] == g.cause_lines[0]]
    position = matching.index(cause)
    assert 200 < position < len(matching) - 1000  # the oldest 200 and the newest 1,000 fetched


def test_a_change_caused_incident_has_an_info_cause_the_error_filter_drops() -> None:
    incident = golden("config-change-timeouts")
    g = generated(incident)
    (cause,) = g.cause_lines
    assert [k.level for k in incident.kinds if k.cause] == ["info"]
    assert compile_re2(SEVERE_PATTERN).search(cause) is None
    assert len(severe_lines(g)) > 5_000


def test_two_incidents_have_two_causes_in_two_apps_at_two_onsets() -> None:
    incident = golden("two-incidents")
    causes = [k for k in incident.kinds if k.cause]
    assert len(incident.causes) == 2
    assert len({k.app for k in causes}) == 2
    assert abs(causes[0].span[0] - causes[1].span[0]) > 0.3


@pytest.mark.parametrize(
    ("name", "continuation"),
    [
        pytest.param("java-split-trace", re.compile(r"^\tat |^Caused by: |^\t\.\.\. \d+ more"),
                     id="java"),
        pytest.param("python-split-trace", re.compile(r'^Traceback|^  File "'), id="python"),
        pytest.param("oomkilled-restart-loop", re.compile(r"^goroutine \d+|^\t/usr/local/go/"),
                     id="go"),
        pytest.param("python-chained-expired-token",
                     re.compile(r"^During handling of the above exception|^botocore\."),
                     id="python-chained"),
        pytest.param("java-nested-caused-by-acl",
                     re.compile(r"^Caused by: org\.apache\.kafka\.common\.errors\."),
                     id="java-nested"),
    ],
)  # fmt: skip
def test_stack_traces_are_split_one_entry_per_line(
    name: str, continuation: re.Pattern[str]
) -> None:
    g = generated(golden(name))
    split = [e for e, head in zip(g.entries, g.heads, strict=True) if not head]
    assert any(continuation.search(entry[3]) for entry in split)
    assert all(entry[2] == "unknown" for entry in split)


def test_mixed_formats_write_one_failure_as_json_and_as_prefixed_text() -> None:
    g = generated(golden("mixed-formats"))
    lines = [e for e in g.entries if "failed to reserve stock for sku" in e[3]]
    as_json = [e for e in lines if e[3].startswith("{")]
    as_text = [e for e in lines if re.match(r"^\S+Z ERROR \[cart\] failed to reserve", e[3])]
    assert as_json and as_text and len(as_json) + len(as_text) == len(lines)
    assert {e[1]["pod"] for e in as_json}.isdisjoint({e[1]["pod"] for e in as_text})
    assert json.loads(as_json[0][3])["level"] == "error"


def test_the_quiet_window_has_no_cause_and_only_scattered_warnings() -> None:
    incident = golden("quiet-window")
    g = generated(incident)
    assert incident.causes == () and g.cause_lines == ()
    levels = Counter(g.entries[i][2] for i in in_window(g))
    assert levels["error"] == levels["fatal"] == 0 and 0 < levels["warn"] < 50


def test_the_set_writes_the_formats_pods_write() -> None:
    lines = [entry[3] for incident in GOLDEN for entry in generated(incident).entries[::7]]
    formats = {
        "json": r"^\{",
        "logfmt": r"^time=\S+ level=",
        "klog": r"^[EWFI]\d{4} \d\d:\d\d:\d\d\.\d{6} ",
        "spring": r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} +[A-Z]+ 1 --- \[",
        "access log": r'^\S+ - - \[\d\d/\w{3}/\d{4}:[\d:]+ \+0000\] "GET ',
        "coredns": r"^\[(INFO|ERROR|WARNING)\] ",
        "postgres": r"^\d{4}-\d\d-\d\d [\d:.]+ UTC \[\d+\] [A-Z]+: ",
        "pgbouncer": r"^\d{4}-\d\d-\d\d [\d:.]+ UTC \[\d+\] (LOG|WARNING) ",
        "nginx error log": r"^\d{4}/\d\d/\d\d [\d:]+ \[(warn|error|alert)\] \d+#\d+: ",
        "zap": r'^\{"level": "\w+", "ts": "[^"]+", "caller": ',
        "kafka log4j": r"^\[\d{4}-\d\d-\d\d [\d:]+,\d{3}\] [A-Z]+ .* \([\w.]+\)$",
        "celery": r"^\[\d{4}-\d\d-\d\d [\d:]+,\d{3}: [A-Z]+/\w+(-\d+)?\] ",
        "istio-proxy": r"^\S+Z\t(info|warning)\t[\w ]+\t",
        "redis": r"^1:M \d\d \w{3} \d{4} [\d:.]+ [#*] ",
    }
    for name, shape in formats.items():
        assert any(re.search(shape, line) for line in lines), name


def test_every_truth_template_is_at_warning_level_or_above() -> None:
    for incident in GOLDEN:
        levels = {k.level for k in incident.kinds if k.marker in incident.templates}
        assert levels <= SEVERE_LEVELS, incident.name


def test_the_cri_trace_is_wrapped_with_both_pipes_of_its_pod_in_one_stream() -> None:
    g = generated(golden("java-trace-in-cri-lines"))
    ledger = [e for e in g.entries if e[1]["app"] == "ledger-api"]
    cri = re.compile(r"^\S+Z (stdout|stderr) F ")
    pipes = Counter(match[1] for e in ledger if (match := cri.match(e[3])))
    assert pipes["stdout"] and pipes["stderr"] and sum(pipes.values()) == len(ledger)
    assert len({id(e[1]) for e in ledger}) == 1  # one pod: its pipes share the store's stream
    split = [e for e, head in zip(g.entries, g.heads, strict=True) if not head]
    assert any(re.match(r"^\S+Z stderr F Caused by: org\.postgresql\.", e[3]) for e in split)


def test_a_sidecar_writes_in_its_app_s_pod_as_a_container_of_its_own() -> None:
    g = generated(golden("istio-sidecar-rejects-listener"))
    checkout = [labels for _, labels, _, _ in g.entries if labels["app"] == "checkout"]
    assert {labels["container"] for labels in checkout} == {"checkout", "istio-proxy"}
    assert len({labels["pod"] for labels in checkout}) == 1


def test_a_masked_cause_shares_its_template_with_the_harmless_lines_before_it() -> None:
    incident = golden("rate-cut-in-a-masked-number")
    g = generated(incident)
    applied = [line for _, _, _, line in g.entries if "applied config revision" in line]
    shapes = {re.sub(r"\d+", "#", line.split("msg=")[1]) for line in applied}
    assert len(shapes) == 1  # one wording: only the numbers tell the cut from the usual
    assert g.cause_lines[0] in applied and "requests_per_unit=5 " in g.cause_lines[0]


@pytest.mark.parametrize("incident", UNLEVELED, ids=lambda i: i.name)
def test_unleveled_failures_are_fetched_by_the_default_filter_and_their_causes_are_not(
    incident: Incident,
) -> None:
    g = generated(incident)
    test = compile_re2(SEVERE_PATTERN).search
    unleveled = {
        i for i, kind in enumerate(incident.kinds) if kind.level == "unknown" and kind.marker
    }
    assert unleveled
    markers = {incident.kinds[i].marker or "" for i in unleveled}
    lines = [g.entries[i][3] for i in in_window(g) if g.kinds[i] in unleveled]
    # the line of each failure that holds its marker has no level word, yet it is fetched
    telling = [line for line in lines if any(marker in line for marker in markers)]
    assert telling and all(test(line) for line in telling)
    assert not any(test(line) for line in g.cause_lines)
