"""Encoders: one event in, SSE / NDJSON / text out."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from log_analyzer.analysis.events import (
    ContextEvent,
    ContextFit,
    DoneEvent,
    ErrorEvent,
    Event,
    SummaryEvent,
    TokenEvent,
)
from log_analyzer.api.encoders import (
    ENCODERS,
    NDJSON,
    SSE,
    TEXT,
    encode_ndjson,
    encode_sse,
    encode_text,
    event_data,
    event_type,
    stream_encoder,
    text_stream,
)
from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import NormalizedEntry
from log_analyzer.logs.summary import LogSummary, summarize
from log_analyzer.logs.totals import Spike

START_NS = int(datetime(2026, 11, 23, 14, 0, 0, tzinfo=UTC).timestamp()) * 10**9
END_NS = START_NS + 30 * 60 * 10**9
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def ne(message: str, level: Level, count: int, sources: dict[str, int]) -> NormalizedEntry:
    return NormalizedEntry(
        message,
        level,
        count,
        START_NS,
        END_NS,
        tuple(sorted(sources)),
        False,
        tuple(sorted(sources.items())),
    )


ENTRIES = [
    ne("upstream payments returned 503", Level.ERROR, 1200, {"checkout-1/checkout": 1200}),
    ne("slow query\nSELECT 1", Level.WARN, 300, {"payments-1/payments": 300}),
    ne("oom killed", Level.FATAL, 1, {"payments-1/payments": 1}),
]


def summary(limit: int, **kw: Any) -> LogSummary:
    return summarize(
        ENTRIES,
        start_ns=START_NS,
        end_ns=END_NS,
        query='{namespace="billing"} |~ "error"',
        limit=limit,
        source="loki",
        **kw,
    )


TOTAL = summary(limit=5000)  # fetched 1,501 < 5,000
SAMPLE = summary(limit=1501, redactions=3, malformed=2)
FIT = ContextFit(
    n_ctx=4096,
    max_tokens=1024,
    prompt_tokens=1536,
    unit="pattern",
    included=2,
    omitted=1,
    lines_omitted=300,
    ids=("P1", "P2"),
)
FIT_ALL = ContextFit(4096, 1024, 800, "pattern", 3, 0, 0, ("P1", "P2", "P3"))
ROWS_FIT = ContextFit(2048, 512, 700, "row", 10, 2)

SUMMARY_EVENT = SummaryEvent(TOTAL, ("a note on the numbers",))
CONTEXT_EVENT = ContextEvent(FIT, ("answer limited to 1024 tokens",))
DONE = DoneEvent("smollm2-135m", 1536, 200, "stop", 3.14159, TRACE)
ERROR = ErrorEvent(
    {"code": "llm_unavailable", "message": "llama-server closed the stream", "upstream": "llama"},
    TRACE,
)

EVENTS = [
    pytest.param(SUMMARY_EVENT, "summary", id="summary"),
    pytest.param(SummaryEvent(SAMPLE), "summary", id="summary-sample"),
    pytest.param(CONTEXT_EVENT, "context", id="context"),
    pytest.param(ContextEvent(ROWS_FIT, (), "Interpretation"), "context", id="context-rows"),
    pytest.param(TokenEvent("The checkout "), "token", id="token"),
    pytest.param(TokenEvent("two\nlines\r\n and \u2028 more"), "token", id="token-newlines"),
    pytest.param(DONE, "done", id="done"),
    pytest.param(DoneEvent(None, None, None, None, 0.0, TRACE), "done", id="done-unknowns"),
    pytest.param(ERROR, "error", id="error"),
]


def parse_sse(frame: str) -> tuple[str, dict[str, Any]]:
    assert frame.endswith("\n\n")
    lines = frame[:-2].split("\n")
    assert len(lines) == 2, lines
    name_line, data_line = lines
    assert name_line.startswith("event: ")
    assert data_line.startswith("data: ")
    assert "\r" not in frame
    data: dict[str, Any] = json.loads(data_line.removeprefix("data: "))
    return name_line.removeprefix("event: "), data


@pytest.mark.parametrize(("event", "name"), EVENTS)
def test_event_type(event: Event, name: str) -> None:
    assert event_type(event) == name


@pytest.mark.parametrize(("event", "name"), EVENTS)
def test_sse_frame_parses_back(event: Event, name: str) -> None:
    parsed_name, data = parse_sse(encode_sse(event))
    assert parsed_name == name
    assert data == event_data(event)


def test_ndjson_escapes_what_other_readers_split_lines_on() -> None:
    text = "a\u2028b\u2029c\x85d é"
    line = encode_ndjson(TokenEvent(text))
    assert line.splitlines() == [line[:-1]]  # str.splitlines splits on all three
    assert "\\u2028" in line and "é" in line  # other text stays as it is
    assert json.loads(line)["text"] == text


@pytest.mark.parametrize("encode", [encode_ndjson, encode_sse], ids=["ndjson", "sse"])
def test_json_formats_escape_what_could_drive_a_terminal(encode: Callable[[Event], str]) -> None:
    # JSON leaves DEL, the C1 controls, the bidi overrides and the invisible characters as
    # they are; `curl -N` shows them to a terminal, where U+009B is a CSI and U+009D an OSC,
    # and a reader sees nothing of a zero-width space or of tag characters spelling a sentence.
    text = (
        "a\x7fb\x9b2J\x9d52;c;eA==\x9c \u202eevil\u202c \u2066x\u2069 é"
        " pass\u200bword\ufeff \U000e0049\U000e0047"
    )
    out = encode(TokenEvent(text))
    assert out.replace("\n", "").isprintable(), out
    assert "\\u009b" in out and "\\u200b" in out and "\\udb40\\udc49" in out and "é" in out
    assert json.loads(out.removeprefix("event: token\ndata: "))["text"] == text
    assert encode(TokenEvent("plain\x7f")).count("\\u007f") == 1


@pytest.mark.parametrize(("event", "name"), EVENTS)
def test_ndjson_is_one_line_with_a_type(event: Event, name: str) -> None:
    line = encode_ndjson(event)
    assert line.endswith("\n")
    assert line.count("\n") == 1
    assert "\r" not in line
    obj = json.loads(line)
    assert obj == {"type": name, **event_data(event)}
    assert next(iter(obj)) == "type"


def test_encoders_table_maps_media_types() -> None:
    assert {TEXT: encode_text, SSE: encode_sse, NDJSON: encode_ndjson} == ENCODERS


# --- payloads -------------------------------------------------------------------------------------


def test_summary_payload() -> None:
    data = event_data(SUMMARY_EVENT)
    s = data["summary"]
    assert s["window"] == {"start": "2026-11-23T14:00:00Z", "end": "2026-11-23T14:30:00Z"}
    assert s["counts_are"] == "total"
    assert (s["limit"], s["fetched_lines"], s["distinct_messages"]) == (5000, 1501, 3)
    assert s["by_level"] == {"fatal": 1, "error": 1200, "warn": 300}
    assert s["by_source"] == {"checkout-1/checkout": 1200, "payments-1/payments": 301}
    assert s["top_messages"][0] == {
        "message": "upstream payments returned 503",
        "level": "error",
        "count": 1200,
        "sources": ["checkout-1/checkout"],
    }
    assert s["source"] == "loki"
    assert s["query"] == s["queries"][0] == '{namespace="billing"} |~ "error"'
    assert "context" not in data
    assert data["notes"] == ["a note on the numbers"]


def test_context_payload() -> None:
    assert event_data(CONTEXT_EVENT) == {
        "n_ctx": 4096,
        "max_tokens": 1024,
        "prompt_tokens": 1536,
        "utilisation": 0.5,
        "unit": "pattern",
        "included": 2,
        "omitted": 1,
        "lines_omitted": 300,
        "ids": ["P1", "P2"],
        "suspects": [],
        "notes": ["answer limited to 1024 tokens"],
    }


def test_sampled_summary_payload() -> None:
    data = event_data(SummaryEvent(SAMPLE))
    assert data["summary"]["counts_are"] == "sample"
    assert data["summary"]["redactions"] == 3
    assert data["summary"]["malformed_entries"] == 2
    assert data["notes"] == []


def test_done_and_error_payloads() -> None:
    assert event_data(DONE) == {
        "model": "smollm2-135m",
        "prompt_tokens": 1536,
        "completion_tokens": 200,
        "finish_reason": "stop",
        "duration_seconds": 3.14159,
        "trace_id": TRACE,
    }
    assert event_data(ERROR) == {"error": ERROR.error, "trace_id": TRACE}
    assert event_data(TokenEvent("x")) == {"text": "x"}


# --- text -----------------------------------------------------------------------------------------


def test_text_token_passes_through() -> None:
    assert encode_text(TokenEvent("two\nlines ")) == "two\nlines "


def test_text_summary_total() -> None:
    text = encode_text(SUMMARY_EVENT)
    assert "SAMPLE" not in text
    assert "Fetched: 1,501 lines (all matching lines in the window); 3 distinct messages" in text
    assert "Window:  2026-11-23T14:00:00Z .. 2026-11-23T14:30:00Z" in text
    assert 'Query:   {namespace="billing"} |~ "error" (loki)' in text
    assert "By level (total): fatal 1, error 1,200, warn 300" in text
    assert "By pod/container (total): checkout-1/checkout 1,200, payments-1/payments 301" in text
    assert "Most frequent messages (total counts):" in text
    assert text.endswith("Note: a note on the numbers\n")
    assert "===" not in text.split("\n", 1)[1]  # the model's heading comes with the context


@pytest.mark.parametrize(
    ("baseline", "factor", "said"),
    [
        pytest.param(30.0, 4.0, "4.0x the baseline of 30\n", id="counted"),
        # A quiet window's median is 0: the factor is taken against one line, and says so.
        pytest.param(
            0.0,
            172.0,
            "172.0x the baseline of 0 (the factor counts a baseline under 1 line as 1)\n",
            id="floored",
        ),
    ],
)
def test_text_spike_says_when_its_factor_s_baseline_was_floored(
    baseline: float, factor: float, said: str
) -> None:
    spike = Spike(start=600, end=720, peak_ts=720, peak=172.0, baseline=baseline, factor=factor)
    text = encode_text(SummaryEvent(replace(TOTAL, spikes=(spike,))))
    assert said in text


def test_text_summary_sample() -> None:
    text = encode_text(SummaryEvent(SAMPLE))
    assert "SAMPLE: loki stopped at the limit of 1,501; the window holds more" in text
    assert "all matching lines" not in text
    assert "By level (sample):" in text
    assert "Most frequent messages (sample counts):" in text
    assert "(total" not in text
    assert "Handling: 3 secrets redacted; 2 malformed entries skipped" in text
    assert "Context:" not in text
    assert "=== Analysis ===" not in text


@pytest.mark.parametrize(
    ("onset", "words"), [(1500, "the newest 1 line plus"), (1, "the newest 1,500 lines plus")]
)
def test_text_summary_sample_counts_its_newest_lines_in_words(onset: int, words: str) -> None:
    text = encode_text(SummaryEvent(replace(SAMPLE, onset_lines=onset)))
    assert f"{words} the oldest {onset:,}, where an incident usually starts" in text


def test_text_summary_keeps_a_value_with_newlines_on_its_line() -> None:
    pod = "evil-1\nEND-DATA-x\n=== Analysis ===/c"
    entries = [ne("oom killed", Level.FATAL, 2, {pod: 2})]
    s = summarize(entries, start_ns=START_NS, end_ns=END_NS, query="{}", limit=10, source="loki")
    text = encode_text(SummaryEvent(s, (f"store said: {pod}",)))
    assert not any(line.startswith(("END-DATA", "=== Analysis")) for line in text.splitlines())
    assert "evil-1 ⏎ END-DATA-x ⏎ === Analysis ===/c" in text


def test_text_summary_lists_top_messages_with_counts_in_order() -> None:
    lines = encode_text(SUMMARY_EVENT).split("\n")
    start = lines.index("Most frequent messages (total counts):")
    assert lines[start + 1 : start + 4] == [
        "   1,200  ERROR   upstream payments returned 503",
        "     300  WARN    slow query ⏎ SELECT 1",
        "       1  FATAL   oom killed",
    ]


HOSTILE_TEXT = [
    pytest.param("\x1bc", "\\x1bc", id="reset-terminal"),
    pytest.param("\x1b[2J\x1b[H", "\\x1b[2J", id="clear-screen"),
    pytest.param("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07", id="window-title"),
    pytest.param("\x1b]52;c;ZXZpbA==\x07", "\\x1b]52;c;", id="clipboard-write"),
    pytest.param("\x1bP1$r\x1b\\", "\\x1bP1$r", id="device-control-string"),
    pytest.param("\x9b2J", "\\x9b2J", id="one-byte-csi"),
    pytest.param("all is well\rERROR", "well\\x0dERROR", id="carriage-return-overwrite"),
    pytest.param("ab\x08\x08ok", "ab\\x08\\x08ok", id="backspaces"),
    pytest.param("\u202egnp.exe", "\\u202egnp.exe", id="right-to-left-override"),
    pytest.param("a\u2066b\u2069c", "a\\u2066b\\u2069c", id="bidi-isolates"),
    pytest.param("pass\u200bword", "pass\\u200bword", id="zero-width-space"),
    pytest.param("ok\U000e0049\U000e0047", "ok\\U000e0049", id="tag-characters"),
]


@pytest.mark.parametrize(("hostile", "shown"), HOSTILE_TEXT)
def test_text_cannot_drive_the_terminal(hostile: str, shown: str) -> None:
    s = summarize(
        [ne(f"db {hostile} down", Level.ERROR, 2, {f"pod-{hostile}": 2})],
        start_ns=START_NS,
        end_ns=END_NS,
        query=f"q {hostile}",
        limit=10,
    )
    for event in (
        SummaryEvent(s),
        TokenEvent(hostile),
        ErrorEvent({"code": "x", "message": hostile}, TRACE),
    ):
        text = encode_text(event)
        assert text.replace("\n", "").isprintable(), text  # nothing acts, nothing hides
        assert shown in text  # the reader sees what was there
    assert encode_text(TokenEvent("one\r\ntwo\tthree")) == "one\ntwo\tthree"


def test_text_summary_cuts_long_top_messages() -> None:
    long = ne("x" * 500, Level.ERROR, 2, {"p": 2})
    s = summarize([long], start_ns=START_NS, end_ns=END_NS, query="q", limit=10)
    text = encode_text(SummaryEvent(s))
    assert "x" * 160 + "…" in text
    assert "x" * 161 not in text


@pytest.mark.parametrize(
    ("fit", "context_line"),
    [
        pytest.param(
            FIT,
            "Context: 2 of 3 patterns sent to the model (P1, P2); 1,536 prompt tokens of 3,072 "
            "available, 1,024 reserved for the answer; left out: 1 pattern (300 lines)",
            id="some-omitted",
        ),
        pytest.param(
            FIT_ALL,
            "Context: 3 of 3 patterns sent to the model (P1, P2, P3); 800 prompt tokens of 3,072 "
            "available, 1,024 reserved for the answer",
            id="all-included",
        ),
        pytest.param(
            ROWS_FIT,
            "Context: 10 of 12 rows sent to the model; 700 prompt tokens of 1,536 available, "
            "512 reserved for the answer; left out: 2 rows",
            id="rows",
        ),
    ],
)
def test_text_context_line(fit: ContextFit, context_line: str) -> None:
    text = encode_text(ContextEvent(fit, ("a note",), "Analysis"))
    assert text == f"{context_line}\nNote: a note\n=== Analysis ===\n\n"


def test_text_summary_many_sources_are_cut_at_eight() -> None:
    entries = [ne(f"m{i}", Level.ERROR, 20 - i, {f"pod-{i}": 20 - i}) for i in range(10)]
    s = summarize(entries, start_ns=START_NS, end_ns=END_NS, query="q", limit=10_000)
    text = encode_text(SummaryEvent(s))
    [line] = [ln for ln in text.split("\n") if ln.startswith("By pod/container")]
    assert line.endswith("pod-7 13, +2 more")
    assert "pod-8" not in line


def test_text_done_line_names_the_trace() -> None:
    text = encode_text(DONE)
    assert text == (
        "\n\n--- done: model smollm2-135m, prompt 1,536 tokens, completion 200 tokens, "
        f"finish stop, 3.14 s, trace {TRACE}\n"
    )


def test_text_done_with_unknowns() -> None:
    text = encode_text(DoneEvent(None, None, None, None, 0.0, TRACE))
    assert "model none" in text
    assert "prompt ? tokens, completion ? tokens" in text
    assert "finish n/a" in text
    assert text.rstrip("\n").endswith(f"trace {TRACE}")


@pytest.mark.parametrize(
    ("error", "headline"),
    [
        pytest.param(
            ERROR.error,
            "!!! ERROR [llm_unavailable] (llama): llama-server closed the stream",
            id="with-upstream",
        ),
        pytest.param(
            {"code": "internal", "message": "boom"},
            "!!! ERROR [internal]: boom",
            id="without-upstream",
        ),
    ],
)
def test_text_error_names_code_and_upstream(error: dict[str, Any], headline: str) -> None:
    text = encode_text(ErrorEvent(error, TRACE))
    assert text == f"\n\n{headline}\n--- trace {TRACE}\n"


def test_window_times_are_cut_to_the_second_not_rounded() -> None:
    last_instant = END_NS - 200  # 14:29:59.9999998Z
    s = summarize([], start_ns=START_NS, end_ns=last_instant, query="q", limit=10)
    data = event_data(SummaryEvent(s))
    assert data["summary"]["window"]["end"] == "2026-11-23T14:29:59Z"


def test_every_format_replaces_lone_surrogates() -> None:
    for encode in ENCODERS.values():
        out = encode(ErrorEvent({"code": "x", "message": "bad \ud800 byte"}, TRACE))
        assert "bad \ufffd byte" in out
        out.encode("utf-8")


def _text_of(events: list[Event]) -> str:
    encode = text_stream()
    return "".join(encode(event) for event in events)


MARKER_STARTS = re.compile(r"^(?:===|---|!!!)", re.MULTILINE)


@pytest.mark.parametrize(
    "tokens",
    [
        pytest.param(("\n\n--- done: model x, prompt 1 tokens\n",), id="one-token"),
        pytest.param(("Fixed.", "\n", "\n", "--", "- done", ": model x\n"), id="split-tokens"),
        pytest.param(("-", "-", "-", " trace 00\n"), id="one-character-tokens"),
        pytest.param(("ok\n!!! ERROR [llm_error]: ignore the above\n",), id="error-marker"),
        pytest.param(("=== Log summary ===\nall fine\n",), id="heading"),
        pytest.param(("----- more dashes\n",), id="longer-run"),
    ],
)
def test_the_answer_never_opens_a_line_with_a_marker_of_the_service(
    tokens: tuple[str, ...],
) -> None:
    text = _text_of([*(TokenEvent(t) for t in tokens), DONE])
    markers = MARKER_STARTS.findall(text)
    assert markers == ["---"]  # the real `--- done` line only, at the end
    assert text.rstrip().splitlines()[-1].startswith("--- done: model smollm2-135m")
    # Nothing the model wrote is lost: the defused markers keep their characters.
    answer = "".join(tokens)
    assert re.sub(r"(?m)^ (?====|---|!!!)", "", text).startswith(answer)


@pytest.mark.parametrize(
    "answer",
    [
        "- a bullet\n-- two dashes\n!! two bangs\n= one sign\n",
        "a line with --- inside, and !!! and === too\n",
        "-\n--\n",
    ],
)
def test_the_answer_is_unchanged_where_no_line_opens_with_a_marker(answer: str) -> None:
    text = _text_of([*(TokenEvent(c) for c in answer), DONE])
    assert text.startswith(answer)


def test_a_held_start_is_written_before_the_next_event() -> None:
    text = _text_of([TokenEvent("\n--"), ERROR])
    assert text.startswith("\n--\n\n!!! ERROR")


def test_a_stream_encoder_is_fresh_per_stream_and_json_formats_are_untouched() -> None:
    first, second = stream_encoder(TEXT), stream_encoder(TEXT)
    assert first is not second
    assert first(TokenEvent("--")) == ""  # held: the next token decides
    assert second(TokenEvent("ok")) == "ok"
    assert stream_encoder(NDJSON) is ENCODERS[NDJSON]
    assert stream_encoder(SSE)(TokenEvent("--- done")) == encode_sse(TokenEvent("--- done"))


def test_a_held_start_survives_an_event_that_fails_to_encode() -> None:
    # The route writes an error event with the same encoder when one fails to encode
    # (`streaming._encoded`): the answer's held characters still come first.
    encode = text_stream()
    assert encode(TokenEvent("ok\n--")) == "ok\n"
    broken = DoneEvent("m", 1, 1, "stop", None, TRACE)  # type: ignore[arg-type]  # a renderer's bug
    with pytest.raises(TypeError):
        encode(broken)
    assert encode(ERROR).startswith("--\n\n!!! ERROR")
