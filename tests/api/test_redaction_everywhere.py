"""No secret from a log line, a label or the question reaches the client, the model, a span or
a log line of the service; personal data goes as REDACT_PII says.

The log store is the recording of a real Loki 3 with its lines and one pod label replaced by
lines that carry secrets (the shape is the recording's, the text is made up here).
"""

from __future__ import annotations

import copy
import io
import json
import logging
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from log_analyzer.core.logging import configure_logging
from log_analyzer.service.runs import scrubber
from tests.conftest import recorded, running_app, settings_for_tests
from tests.fakes import FakeLLM, RecordedLogSource

pytestmark = pytest.mark.anyio

GITHUB = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
PASSWORD = "Tr0ub4dor-3xyzzy"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
    "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)
EMAIL = "jane.doe@example.com"
IP = "203.0.113.77"
SECRETS = (GITHUB, PASSWORD, JWT)
LINES = (
    f'{{"level":"error","msg":"db login failed","error":"password={PASSWORD} rejected"}}',
    f'level=error msg="push refused for {EMAIL} from {IP}" token={GITHUB}',
    "ERROR auth: bearer " + JWT + " expired " + "x" * 3000,  # cut at MAX_LINE_CHARS after it
)
QUESTION = f"why did the deploy with {GITHUB} fail?"


def body_with_secrets() -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(recorded("loki", "query_range-streams.json")["body"])
    stream = body["data"]["result"][0]
    ts = int(stream["values"][0][0])
    stream["values"] = [[str(ts - i), line] for i, line in enumerate(LINES)]
    stream["stream"]["pod"] = f"api token={GITHUB}"  # a label holding a secret, however unlikely
    return body


async def analyse(spans: InMemorySpanExporter, llm: FakeLLM, **settings: Any) -> httpx.Response:
    request = {
        "filters": {"namespace": "billing"},
        "time_range": {"since": "1h"},
        "question": QUESTION,
        # Typed by the user, and so in the store's query text: the spans and the summary show it.
        "log_filter": f"error|password={PASSWORD}",
    }
    async with running_app(
        spans,
        settings=settings_for_tests(max_line_chars=200, **settings),
        log_source=RecordedLogSource(body_with_secrets()),
        llm=llm,
    ) as (_, client):
        return await client.post(
            "/v1/analyze/stream", json=request, headers={"accept": "application/x-ndjson"}
        )


def everything_sent(response: httpx.Response, llm: FakeLLM, spans: InMemorySpanExporter) -> str:
    prompts = [m["content"] for prompt in llm.prompts for m in prompt]
    span_texts = [
        json.dumps(
            {
                "attributes": dict(span.attributes or {}),
                "events": [dict(e.attributes or {}) for e in span.events],
                "status": span.status.description,
            },
            default=str,
        )
        for span in spans.get_finished_spans()
    ]
    return "\n".join([response.text, *prompts, *span_texts])


async def test_secrets_reach_no_one(spans: InMemorySpanExporter) -> None:
    llm = FakeLLM()
    response = await analyse(spans, llm)
    events = [json.loads(line) for line in response.text.splitlines()]
    assert events[-1]["type"] == "done"
    sent = everything_sent(response, llm, spans)
    for secret in SECRETS:
        assert secret not in sent
        assert secret[:16] not in sent  # nor the half a cut would have left
    assert EMAIL not in sent  # e-mail is redacted by default
    assert IP in sent  # IP addresses are not, unless asked
    summary = events[0]["summary"]
    assert summary["redactions"] >= 3  # password, e-mail, JWT (the token field is not shown)
    assert "[REDACTED:" in llm.prompts[0][-1]["content"]


async def test_ip_addresses_and_no_emails_when_asked(spans: InMemorySpanExporter) -> None:
    llm = FakeLLM()
    response = await analyse(spans, llm, redact_pii="ip")
    sent = everything_sent(response, llm, spans)
    assert IP not in sent
    assert EMAIL in sent
    assert GITHUB not in sent


async def test_the_service_logs_carry_no_secret() -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    configure_logging("INFO", stream=stream, scrub=scrubber(settings_for_tests()))
    try:
        logging.getLogger("test").error(
            "Loki rejected the query %s",
            f'{{namespace="x"}} |= "{PASSWORD}" token={GITHUB}',
            extra={"error": {"message": f"bearer {JWT}", "user": EMAIL}},
        )
        stream.flush()
        line = stream.buffer.getvalue().decode()
    finally:
        configure_logging("INFO")
    record = json.loads(line)  # still one valid JSON line
    assert record["level"] == "ERROR"
    for secret in (GITHUB, JWT, EMAIL):
        assert secret not in line


def test_the_scrubber_of_spans_and_logs_replaces_lone_surrogates() -> None:
    # The OTLP exporter's protobuf refuses a batch holding one; the log line would not encode.
    scrub = scrubber(settings_for_tests())
    assert (
        scrub("disk \udc80 full password=hunter22")
        == "disk \ufffd full password=[REDACTED:password]"
    )
