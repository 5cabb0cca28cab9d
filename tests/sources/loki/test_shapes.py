"""Reading recorded Loki `streams` responses into the pipeline's entries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from log_analyzer.logs.entries import STORE_LEVEL, LogEntry
from log_analyzer.sources.loki.errors import LokiBadResponse
from log_analyzer.sources.loki.shapes import decode_streams, parse_json, stream_rows
from tests.conftest import recorded

UnexpectedShape = LokiBadResponse


@dataclass(frozen=True)
class FlattenedLogs:
    """The decoded rows as entries, oldest first (test view)."""

    entries: tuple[LogEntry, ...]
    stream_count: int
    malformed: int


def flatten_streams(body: dict[str, Any], limit: int = 5000) -> FlattenedLogs:
    decoded = stream_rows(body, limit)
    entries = sorted((LogEntry(ts, line, labels) for labels, ts, line in decoded.rows),
                     key=lambda e: e.timestamp_ns)  # fmt: skip
    streams = len({id(labels) for labels, _, _ in decoded.rows})
    return FlattenedLogs(tuple(entries), streams, decoded.malformed)


def body_of(name: str) -> dict[str, Any]:
    body: dict[str, Any] = recorded("loki", name)["body"]
    return body


def test_recorded_streams_flatten_to_every_value_oldest_first() -> None:
    body = body_of("query_range-streams.json")
    result = body["data"]["result"]
    flat = flatten_streams(body)

    assert flat.stream_count == len(result)
    assert flat.malformed == 0
    assert len(flat.entries) == sum(len(s["values"]) for s in result) > 0
    timestamps = [e.timestamp_ns for e in flat.entries]
    assert all(type(ts) is int for ts in timestamps)
    assert timestamps == sorted(timestamps)
    # Loki answered backward (newest first); flattening turns it around.
    assert timestamps[0] == min(int(v[0]) for s in result for v in s["values"])
    assert timestamps[0] < timestamps[-1]
    assert {e.line for e in flat.entries} == {v[1] for s in result for v in s["values"]}


def test_recorded_streams_keep_their_labels() -> None:
    body = body_of("query_range-streams.json")
    stream_labels = {int(v[0]): s["stream"] for s in body["data"]["result"] for v in s["values"]}
    flat = flatten_streams(body)
    for entry in flat.entries:
        labels = stream_labels[entry.timestamp_ns]
        assert dict(entry.labels) == {**labels, STORE_LEVEL: labels["detected_level"]}
        assert entry.labels["detected_level"] == "error"
        assert entry.labels["service_name"] == "checkout"
        assert entry.labels["namespace"] == "billing"


def test_recorded_empty_result_has_no_entries() -> None:
    flat = flatten_streams(body_of("query_range-empty.json"))
    assert flat == FlattenedLogs((), 0, 0)


def test_recorded_categorized_labels_are_merged() -> None:
    body = body_of("reconstructed-query_range-streams-categorized.json")
    result = body["data"]["result"]
    flat = flatten_streams(body)

    assert len(flat.entries) == sum(len(s["values"]) for s in result)
    assert flat.malformed == 0
    assert [e.timestamp_ns for e in flat.entries] == sorted(e.timestamp_ns for e in flat.entries)
    for stream in result:
        for ts, line, extra in stream["values"]:
            [entry] = [e for e in flat.entries if e.timestamp_ns == int(ts)]
            assert entry.line == line
            expected = {**stream["stream"], **extra["structuredMetadata"], **extra["parsed"]}
            assert dict(entry.labels) == {**expected, STORE_LEVEL: expected["detected_level"]}
            assert entry.labels["detected_level"] == "error"
            assert entry.labels["msg"] == extra["parsed"]["msg"]


def test_categorized_parsed_wins_over_structured_metadata_and_stream() -> None:
    body = {
        "data": {
            "resultType": "streams",
            "result": [
                {
                    "stream": {"level": "info", "pod": "p"},
                    "values": [
                        ["1", "x", {"structuredMetadata": {"level": "warn"}, "parsed": {"n": 3}}],
                        ["2", "y", {"parsed": {"level": "error"}}],
                        ["3", "z", {}],
                    ],
                }
            ],
        }
    }
    flat = flatten_streams(body)
    assert [dict(e.labels) for e in flat.entries] == [
        {"level": "warn", "pod": "p", "n": "3"},
        {"level": "error", "pod": "p"},
        {"level": "info", "pod": "p"},
    ]


@pytest.mark.parametrize(
    ("values", "kept", "malformed"),
    [
        pytest.param([["1", "ok"]], ["ok"], 0, id="well-formed"),
        pytest.param([["x", "bad ts"], ["2", "ok"]], ["ok"], 1, id="non-numeric-ts"),
        pytest.param([["3"], ["2", "ok"]], ["ok"], 1, id="missing-line"),
        pytest.param([[], ["2", "ok"]], ["ok"], 1, id="empty-value"),
        pytest.param([None, ["2", "ok"]], ["ok"], 1, id="null-value"),
        pytest.param([["1", 42], ["2", "ok"]], ["ok"], 1, id="line-not-a-string"),
        pytest.param([[None, "x"], ["1", None]], [], 2, id="all-bad"),
    ],
)
def test_malformed_values_are_counted_not_silently_dropped(
    values: list[Any], kept: list[str], malformed: int
) -> None:
    body = {"data": {"resultType": "streams", "result": [{"stream": {}, "values": values}]}}
    flat = flatten_streams(body)
    assert [e.line for e in flat.entries] == kept
    assert flat.malformed == malformed
    assert len(flat.entries) + flat.malformed == len(values)


def test_entries_from_several_streams_interleave_by_time() -> None:
    body = {
        "data": {
            "resultType": "streams",
            "result": [
                {"stream": {"pod": "a"}, "values": [["30", "a3"], ["10", "a1"]]},
                {"stream": {"pod": "b"}, "values": [["20", "b2"], ["40", "b4"]]},
            ],
        }
    }
    flat = flatten_streams(body)
    assert [(e.timestamp_ns, e.line, e.labels["pod"]) for e in flat.entries] == [
        (10, "a1", "a"),
        (20, "b2", "b"),
        (30, "a3", "a"),
        (40, "b4", "b"),
    ]
    assert flat.stream_count == 2


def test_recorded_matrix_is_the_wrong_shape() -> None:
    with pytest.raises(UnexpectedShape, match="matrix"):
        flatten_streams(body_of("query_range-matrix.json"))


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="no-data"),
        pytest.param({"data": []}, id="data-not-object"),
        pytest.param({"data": {"resultType": "vector", "result": []}}, id="vector"),
        pytest.param({"data": {"resultType": "streams"}}, id="no-result"),
        pytest.param({"data": {"resultType": "streams", "result": 3}}, id="result-not-list"),
    ],
)
def test_unexpected_shapes_raise(body: dict[str, Any]) -> None:
    with pytest.raises(UnexpectedShape):
        flatten_streams(body)


def test_recorded_vector_is_the_wrong_shape() -> None:
    with pytest.raises(UnexpectedShape, match="vector"):
        flatten_streams(body_of("query-vector.json"))


@pytest.mark.parametrize(
    "result",
    [
        pytest.param([["1795458290777414005", "line"]], id="stream-is-a-list"),
        pytest.param("streams", id="result-is-a-string"),
    ],
)
def test_non_object_streams_raise_unexpected_shape(result: Any) -> None:
    with pytest.raises(UnexpectedShape):
        flatten_streams({"data": {"resultType": "streams", "result": result}})


def test_a_body_of_limit_entries_may_leave_more_in_the_window() -> None:
    content = json.dumps(body_of("query_range-streams.json")).encode()
    returned = len(decode_streams(content, 5000).rows)
    assert decode_streams(content, returned).more
    assert not decode_streams(content, returned + 1).more


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(b"<html>proxy error</html>", "not JSON", id="html"),
        pytest.param(b'{"status": "error"}', "status", id="not-success"),
        pytest.param(b"[1, 2]", "status", id="array"),
    ],
)
def test_unreadable_bodies_are_bad_responses(content: bytes, reason: str) -> None:
    with pytest.raises(LokiBadResponse, match=reason):
        decode_streams(content, 10)


@pytest.mark.parametrize(
    ("stream", "reason"),
    [
        pytest.param({"stream": "abc", "values": []}, "labels", id="labels-a-string"),
        pytest.param({"stream": {}, "values": 5}, "values", id="values-a-number"),
    ],
)
def test_malformed_streams_are_bad_responses(stream: dict[str, Any], reason: str) -> None:
    body = {"data": {"resultType": "streams", "result": [stream]}}
    with pytest.raises(LokiBadResponse, match=reason):
        stream_rows(body, 10)


def test_timestamps_past_year_9999_are_malformed() -> None:
    values = [["99999999999999999999999", "far"], ["1", "ok"]]
    body = {"data": {"resultType": "streams", "result": [{"stream": {}, "values": values}]}}
    flat = flatten_streams(body)
    assert [e.line for e in flat.entries] == ["ok"] and flat.malformed == 1


@pytest.mark.parametrize(
    "name",
    [
        "query_range-streams.json",
        "reconstructed-query_range-streams-categorized.json",
        "query_range-streams-unfiltered-onset.json",
    ],
)
def test_a_body_cut_anywhere_yields_the_entries_that_arrived_whole(name: str) -> None:
    content = json.dumps(body_of(name)).encode()
    whole = decode_streams(content, 5000).rows
    assert whole
    previous = 0
    for cut in range(len(content) // 3, len(content), 7):
        decoded = decode_streams(content[:cut], 5000, complete=False)
        rows = decoded.rows
        # In order, and a prefix of the whole answer: nothing invented, nothing reordered.
        assert rows == whole[: len(rows)], cut
        assert len(rows) >= previous
        previous = len(rows)
        assert decoded.more and decoded.cut_at_bytes == cut
    assert previous >= len(whole) - 1  # a cut just before the end loses at most the last one


def test_a_cut_body_that_is_not_loki_json_is_a_bad_response() -> None:
    with pytest.raises(UnexpectedShape, match="not JSON"):
        decode_streams(b"<html><body>502 Bad Gateway", 10, complete=False)
    with pytest.raises(UnexpectedShape, match="status 'success'"):
        decode_streams(b'{"status": "error", "data": {"result": [', 10, complete=False)


def _stream(pod: str, timestamps: range) -> dict[str, Any]:
    return {"stream": {"pod": pod}, "values": [[str(ts), f"line {ts}"] for ts in timestamps]}


@pytest.mark.parametrize(("newest_first", "kept"), [(True, range(60, 100)), (False, range(0, 40))])
def test_entries_past_the_limit_are_dropped_and_counted(newest_first: bool, kept: range) -> None:
    body = {
        "status": "success",
        "data": {
            "resultType": "streams",
            "result": [_stream("a", range(0, 100, 2)), _stream("b", range(1, 100, 2))],
        },
    }
    decoded = decode_streams(json.dumps(body).encode(), 40, newest_first=newest_first)
    assert decoded.over_limit == 60
    assert decoded.more
    assert sorted(ts for _, ts, _ in decoded.rows) == list(kept)


def test_an_answer_within_the_limit_is_kept_as_sent() -> None:
    body = {
        "status": "success",
        "data": {"resultType": "streams", "result": [_stream("a", range(5))]},
    }
    decoded = decode_streams(json.dumps(body).encode(), 5)
    assert decoded.over_limit == 0
    assert [ts for _, ts, _ in decoded.rows] == [0, 1, 2, 3, 4]


def test_a_metric_answer_nested_past_the_recursion_limit_is_a_bad_response() -> None:
    with pytest.raises(LokiBadResponse, match="not JSON"):
        parse_json(b"[" * 60_000)  # json raises RecursionError for it, not ValueError
