"""A Loki whose streams carry other labels than ``namespace``, ``pod`` and ``container``.

The filters keep their names; LogQL uses the configured labels, and the labels of Loki's
answers come back under the pipeline's ``pod`` and ``container``. The OTLP-labelled bodies are
built from the recordings (see `tests.sources.loki.otlp`); the others are replayed as recorded.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from log_analyzer.core.config import Settings
from log_analyzer.core.errors import InputError
from log_analyzer.logs.normalize import source_of
from log_analyzer.sources.base import CountQuery, EntryQuery, LineFilter, Order, Selection, Window
from log_analyzer.sources.loki.client import LokiClient
from log_analyzer.sources.loki.labels import LABELS, LabelNames
from log_analyzer.sources.loki.logql import buckets_query, log_query, totals_query
from log_analyzer.sources.loki.shapes import decode_streams, parse_vector
from log_analyzer.sources.loki.source import LokiSource
from tests.conftest import LOKI_URL, recorded, recorded_response
from tests.sources.loki.otlp import OTEL, RENAMED, empty_vector, otlp_body

pytestmark = pytest.mark.anyio
RECORDED_DEFAULT = LineFilter(pattern="(?i)(error|warn|failed|exception|panic|fatal)")
STREAMS = recorded("loki", "query_range-streams.json")
GROUPED = recorded("loki", "query-vector-by-level-pod-container.json")
BUCKETS = recorded("loki", "query_range-matrix-by-level.json")
EMPTY = recorded("loki", "query_range-empty.json")


def otlp_names(logql: str) -> str:
    """A recorded query's text with the OTLP labels in place of Promtail's."""
    for name in ("namespace", "pod", "container"):
        logql = logql.replace(f"{{{name}=", f"{{k8s_{name}_name=")
        logql = logql.replace(f", {name}", f", k8s_{name}_name")
    return logql


def window(params: dict[str, str], seconds: int = 0) -> Window:
    end = int(params.get("end", params.get("time", "0")))
    return Window(int(params["start"]) if "start" in params else end - seconds * 10**9, end)


def encoded(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()


# --- LogQL ---------------------------------------------------------------------------------------


def test_the_selector_uses_the_configured_labels_in_the_filters_order() -> None:
    selection = Selection.of(
        {"node": "node-2", "container": "checkout", "pod": "checkout-.*", "namespace": "billing"}
    )
    assert log_query(selection, LineFilter.every(), OTEL) == (
        '{k8s_namespace_name="billing", k8s_pod_name=~"checkout-.*", '
        'k8s_container_name="checkout", node="node-2"}'
    )
    assert log_query(selection, LineFilter.every()) == (
        '{namespace="billing", pod=~"checkout-.*", container="checkout", node="node-2"}'
    )


OTEL_PRESET = LabelNames.of(Settings(loki_labels="otel"))


def test_under_the_otlp_preset_the_node_is_a_structured_metadata_filter() -> None:
    # Loki does not index k8s.node.name by default (otlp_config.go): a stream matcher on it, or on
    # Promtail's ``node``, would match no stream of an OTLP-fed Loki.
    selection = Selection.of({"node": "node-2", "namespace": "billing"})
    assert log_query(selection, RECORDED_DEFAULT, OTEL_PRESET) == (
        '{k8s_namespace_name="billing"} |~ "(?i)(error|warn|failed|exception|panic|fatal)" '
        '| k8s_node_name="node-2"'
    )
    assert totals_query(selection, LineFilter.every(), 0, 60 * 10**9, labels=OTEL_PRESET) == (
        "sum by (detected_level, k8s_pod_name, k8s_container_name) "
        '(count_over_time({k8s_namespace_name="billing"} | k8s_node_name="node-2" [1m]))'
    )
    overridden = LabelNames.of(Settings(loki_pod_label="k8s_pod_name"))
    assert log_query(selection, LineFilter.every(), overridden) == (
        '{namespace="billing", node="node-2"}'
    ), "Promtail's labels: the node stays a stream label"


def test_under_the_otlp_preset_the_node_alone_selects_no_stream() -> None:
    with pytest.raises(InputError) as caught:
        log_query(Selection.of({"node": "node-2"}), LineFilter.every(), OTEL_PRESET)
    assert caught.value.details["field"] == "filters.node"
    assert "k8s_node_name" in caught.value.message


def test_the_otlp_node_in_structured_metadata_comes_back_as_the_node() -> None:
    # BUILT from the (reconstructed) categorize-labels answer: its streams labelled as an
    # OTLP-fed Loki labels them, and k8s_node_name in each entry's structured metadata, where
    # Loki keeps it.
    body = recorded("loki", "reconstructed-query_range-streams-categorized.json")["body"]
    for item in body["data"]["result"]:
        item["stream"] = {RENAMED.get(k, k): v for k, v in item["stream"].items()}
        for value in item["values"]:
            value[2]["structuredMetadata"]["k8s_node_name"] = "node-2"
    rows = decode_streams(encoded(body), 100, labels=OTEL_PRESET).rows
    assert rows
    for labels, _, _ in rows:
        assert labels["node"] == labels["k8s_node_name"] == "node-2"
        assert labels["pod"] == labels["k8s_pod_name"]


def test_one_label_renamed_leaves_the_others_alone() -> None:
    selection = Selection.of({"namespace": "billing", "pod": "api-.*"})
    labels = LabelNames(namespace="kubernetes_namespace_name")
    assert labels.renamed == (("namespace", "kubernetes_namespace_name"),)
    assert log_query(selection, LineFilter.every(), labels) == (
        '{kubernetes_namespace_name="billing", pod=~"api-.*"}'
    )


def test_the_log_query_is_the_recorded_one_with_the_otlp_labels() -> None:
    selection = Selection.of({"namespace": "billing", "container": "checkout"})
    sent = STREAMS["request"]["params"]["query"]
    assert log_query(selection, RECORDED_DEFAULT) == sent
    assert (
        log_query(selection, RECORDED_DEFAULT, OTEL)
        == otlp_names(sent)
        == (
            '{k8s_namespace_name="billing", k8s_container_name="checkout"} '
            '|~ "(?i)(error|warn|failed|exception|panic|fatal)"'
        )
    )


def test_the_totals_are_grouped_by_the_configured_pod_and_container() -> None:
    params = GROUPED["request"]["params"]
    shop = Selection.of({"namespace": "shop-cap"})
    span = window(params, 32 * 60)
    default = totals_query(shop, RECORDED_DEFAULT, span.start_ns, span.end_ns)
    otel = totals_query(shop, RECORDED_DEFAULT, span.start_ns, span.end_ns, labels=OTEL)
    assert default == params["query"]
    assert otel == otlp_names(params["query"])
    assert otel.startswith(
        "sum by (detected_level, k8s_pod_name, k8s_container_name) "
        '(count_over_time({k8s_namespace_name="shop-cap"} |~ '
    )


def test_the_buckets_select_with_the_configured_labels() -> None:
    params = BUCKETS["request"]["params"]
    shop = Selection.of({"namespace": "shop-cap"})
    assert buckets_query(shop, RECORDED_DEFAULT, 60) == params["query"]
    assert buckets_query(shop, RECORDED_DEFAULT, 60, OTEL) == otlp_names(params["query"])


# --- answers -------------------------------------------------------------------------------------


def test_streams_give_the_pipeline_pod_and_container_back() -> None:
    ours = decode_streams(encoded(otlp_body("query_range-streams.json")), 100, labels=OTEL)
    theirs = decode_streams(encoded(STREAMS["body"]), 100)
    assert len(ours.rows) == len(theirs.rows) == 5
    for (labels, ts, line), (recorded_labels, recorded_ts, recorded_line) in zip(
        ours.rows, theirs.rows, strict=True
    ):
        assert (ts, line) == (recorded_ts, recorded_line)
        for name in ("namespace", "pod", "container"):
            assert labels[name] == labels[f"k8s_{name}_name"] == recorded_labels[name]
        assert (
            source_of(labels) == source_of(recorded_labels) == ("checkout-2c386bbc4-lft7s/checkout")
        )


def test_a_streams_own_pod_label_is_kept_beside_the_configured_one() -> None:
    # BUILT: the OTLP-labelled recording (one stream) also carrying a ``pod`` label of its own
    # with another value (an attribute a shipper promoted), and a ``pod_original`` already.
    body = otlp_body("query_range-streams.json")
    (stream,) = body["data"]["result"]
    stream["stream"] |= {"pod": "sidecar-7", "pod_original": "taken"}
    rows = decode_streams(encoded(body), 100, labels=OTEL).rows
    assert len(rows) == 5
    for labels, _, _ in rows:
        assert (
            labels["pod"]
            == labels["k8s_pod_name"]
            == STREAMS["body"]["data"]["result"][0]["stream"]["pod"]
        )
        assert (labels["pod_original"], labels["pod_original_original"]) == ("taken", "sidecar-7")


def test_the_configured_label_wins_over_a_metrics_own_label() -> None:
    labels = LabelNames(pod="k8s_pod_name")
    given = {"k8s_pod_name": "api-1", "pod": "node-agent", "container": "api"}
    assert labels.canonical(dict(given)) == {**given, "pod": "api-1", "pod_original": "node-agent"}
    agreeing = {"k8s_pod_name": "api-1", "pod": "api-1"}
    assert labels.canonical(dict(agreeing)) == agreeing
    assert labels.canonical({"pod": "own"}) == {"pod": "own"}, "no configured label: kept as is"


def test_streams_cut_at_the_byte_cap_give_pod_and_container_back_too() -> None:
    content = encoded(otlp_body("query_range-streams.json"))
    cut = content[: content.index(b'"values"') + 400]  # the first stream's first entries
    decoded = decode_streams(cut, 100, complete=False, labels=OTEL)
    assert decoded.rows
    assert {source_of(labels) for labels, _, _ in decoded.rows} == {
        "checkout-2c386bbc4-lft7s/checkout"
    }


def test_without_the_setting_an_otlp_stream_has_no_pod_or_container() -> None:
    decoded = decode_streams(encoded(otlp_body("query_range-streams.json")), 100)
    (labels, _, _), *_ = decoded.rows
    assert "pod" not in labels and "container" not in labels
    assert source_of(labels) == labels["service_name"] == "checkout"


def test_totals_by_source_read_the_configured_labels() -> None:
    ours = parse_vector(otlp_body("query-vector-by-level-pod-container.json"), labels=OTEL)
    theirs = parse_vector(GROUPED["body"])
    assert ours.by_source == theirs.by_source
    assert ours.by_level == theirs.by_level
    assert ours.total == theirs.total > 0
    assert all("/" in source for source, _ in ours.by_source)


# --- the source, over HTTP ---------------------------------------------------------------------


async def test_the_source_queries_and_reads_with_the_configured_labels() -> None:
    shop = Selection.of({"namespace": "shop-cap"})
    span = window(GROUPED["request"]["params"], 32 * 60)
    step = int(BUCKETS["request"]["params"]["step"])
    with respx.mock(base_url=LOKI_URL) as loki:
        logs = loki.get("/loki/api/v1/query_range", params={"direction": "backward"}).mock(
            return_value=httpx.Response(200, json=otlp_body("query_range-streams.json"))
        )
        buckets = loki.get("/loki/api/v1/query_range", params={"step": str(step)}).mock(
            return_value=recorded_response("loki", "query_range-matrix-by-level.json")
        )
        totals_route = loki.get("/loki/api/v1/query").mock(
            return_value=httpx.Response(
                200, json=otlp_body("query-vector-by-level-pod-container.json")
            )
        )
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            source = LokiSource(LokiClient(http), OTEL)
            raw = await source.entries(
                EntryQuery(span, shop, RECORDED_DEFAULT, limit=100, order=Order.NEWEST)
            )
            totals = await source.totals(CountQuery(span, shop, RECORDED_DEFAULT))
            histogram = await source.histogram(CountQuery(span, shop, RECORDED_DEFAULT), step)
    sent = {
        "entries": logs.calls.last.request.url.params["query"],
        "totals": totals_route.calls.last.request.url.params["query"],
        "buckets": buckets.calls.last.request.url.params["query"],
    }
    assert sent == {"entries": raw.query, "totals": totals.query, "buckets": histogram.query}
    assert sent["totals"] == otlp_names(GROUPED["request"]["params"]["query"])
    assert sent["buckets"] == otlp_names(BUCKETS["request"]["params"]["query"])
    assert sent["entries"].startswith('{k8s_namespace_name="shop-cap"} |~ ')
    assert totals.by_source == parse_vector(GROUPED["body"]).by_source
    assert {source_of(labels) for labels, _, _ in raw.decoded().rows} == {
        "checkout-2c386bbc4-lft7s/checkout"
    }


# --- an empty answer says which labels it looked for ---------------------------------------------

NOTHING = Selection.of({"namespace": "does-not-exist"})
SILENT = "; Loki read no line of any stream this selector matches in the window: "


async def entries_text(labels: LabelNames, answer: httpx.Response) -> tuple[str, int]:
    """The query text of an entries answer, and how many requests Loki got."""
    with respx.mock(base_url=LOKI_URL) as loki:
        route = loki.get("/loki/api/v1/query_range").mock(return_value=answer)
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            raw = await LokiSource(LokiClient(http), labels).entries(
                EntryQuery(window(EMPTY["request"]["params"]), NOTHING, LineFilter.every(), 100)
            )
    assert raw.decoded().rows == []
    return raw.query, route.call_count


async def test_an_empty_answer_names_the_label_it_matched_and_the_otlp_one() -> None:
    shown, calls = await entries_text(LABELS, recorded_response("loki", "query_range-empty.json"))
    assert shown == (
        EMPTY["request"]["params"]["query"] + SILENT + "namespace is the label namespace "
        "(LOKI_NAMESPACE_LABEL; a Loki fed over OTLP calls it k8s_namespace_name)"
    )
    assert calls == 1, "no other request"


async def test_an_empty_answer_under_the_otlp_labels_names_them() -> None:
    shown, _ = await entries_text(OTEL, recorded_response("loki", "query_range-empty.json"))
    assert shown == (
        '{k8s_namespace_name="does-not-exist"}'
        + SILENT
        + "namespace is the label k8s_namespace_name (LOKI_NAMESPACE_LABEL)"
    )


def lines_read(count: int | None) -> httpx.Response:
    """BUILT: the recorded empty answer, its count of lines read changed or taken away."""
    body: dict[str, Any] = json.loads(json.dumps(EMPTY["body"]))
    summary = body["data"]["stats"]["summary"]
    if count is None:
        del body["data"]["stats"]
    else:
        summary["totalLinesProcessed"] = count
    return httpx.Response(200, json=body)


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(lines_read(63), id="lines-read-none-matched"),
        pytest.param(lines_read(None), id="no-stats"),
        pytest.param(recorded_response("loki", "query_range-streams.json"), id="not-empty"),
    ],
)
async def test_nothing_is_said_when_loki_read_lines_or_does_not_say(
    answer: httpx.Response,
) -> None:
    with respx.mock(base_url=LOKI_URL) as loki:
        loki.get("/loki/api/v1/query_range").mock(return_value=answer)
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            raw = await LokiSource(LokiClient(http)).entries(
                EntryQuery(window(EMPTY["request"]["params"]), NOTHING, LineFilter.every(), 100)
            )
    assert raw.query == EMPTY["request"]["params"]["query"]


async def test_empty_totals_name_the_labels_too() -> None:
    selection = Selection.of({"namespace": "shop-cap", "container": "cart", "node": "node-1"})
    span = window(GROUPED["request"]["params"], 32 * 60)
    with respx.mock(base_url=LOKI_URL) as loki:
        route = loki.get("/loki/api/v1/query").mock(
            return_value=httpx.Response(200, json=empty_vector())
        )
        async with httpx.AsyncClient(base_url=LOKI_URL) as http:
            totals = await LokiSource(LokiClient(http)).totals(
                CountQuery(span, selection, RECORDED_DEFAULT)
            )
    assert totals.total == 0
    assert route.call_count == 1
    assert totals.query == (
        route.calls.last.request.url.params["query"]
        + SILENT
        + "namespace is the label namespace (LOKI_NAMESPACE_LABEL; a Loki fed over OTLP calls "
        "it k8s_namespace_name); container is the label container (LOKI_CONTAINER_LABEL; a "
        "Loki fed over OTLP calls it k8s_container_name)"
    )
