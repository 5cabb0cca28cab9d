"""A fake Grafana Loki 3 for the load benchmark: recorded response shapes, filled per query.

Serves `GET /ready`, `/loki/api/v1/query_range` (a log query, or a metric range query when `step`
is given) and `/loki/api/v1/query` (an instant metric query), by GET or form-encoded POST, over
the lines of `incident.generate`. Each body is a recording of a real Loki 3
(`shared/contracts/loki-captured/`) with its `result` replaced; its envelope and `stats` stay.
Lines are placed inside whatever window is asked, so the metric answers count exactly the lines
a log query without a limit would return.

`GET /_bench/stats` lists every query with the time from receiving it to handing its last byte
to the socket (`--latency` included); `POST /_bench/reset` clears the list.

    python -m bench.fakes.loki --port 3100 [--lines 5000] [--latency 0.0]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import math
import re
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl

from bench.fakes.incident import Incident, generate
from bench.fakes.logql import LogQLError, Query, parse
from bench.fakes.recorded import CONTRACTS, BodyTemplate, recording, serve
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

MAX_ENTRIES = 5000
"""Loki's default `max_entries_limit_per_query`."""
_NS = 1_000_000_000


@dataclass(slots=True)
class QueryRecord:
    """What one query asked and how long the fake took to answer it."""

    kind: str
    """`log`, `matrix` or `vector`."""
    direction: str | None
    limit: int | None
    returned: int
    bytes: int
    received_at: float
    """Unix time the request reached the handler."""
    seconds: float
    """From reaching the handler to the last byte handed to the socket."""


class TimedResponse(Response):
    """A response that records, once sent, how long its query took in all."""

    def __init__(self, body: bytes, media_type: str, record: QueryRecord, started: float) -> None:
        super().__init__(body, media_type=media_type)
        self._record = record
        self._started = started

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send, then complete the record."""
        await super().__call__(scope, receive, send)
        self._record.seconds = time.perf_counter() - self._started


class FakeLoki:
    """The lines, the recorded shapes, and the record of queries."""

    def __init__(self, incident: Incident, contracts: Path, latency: float) -> None:
        captured = contracts / "loki-captured"

        self.streams_body = BodyTemplate(
            recording(captured / "query_range-streams.json"), "streams"
        )
        self.matrix_body = BodyTemplate(
            recording(captured / "query_range-matrix-by-level.json"), "matrix"
        )
        self.vector_body = BodyTemplate(
            recording(captured / "query-vector-by-level-pod-container.json"), "vector"
        )
        self.incident = incident
        self.latency = latency
        self.records: list[QueryRecord] = []
        self._labels = [stream.labels() for stream in incident.streams]
        self._stream_json = [json.dumps(labels, separators=(",", ":")) for labels in self._labels]
        self._line_json = [json.dumps(line.text) for line in incident.lines]
        self._positions = [line.position for line in incident.lines]
        self._selected: dict[str, list[int]] = {}

    def selected(self, query: Query) -> list[int]:
        """Indexes of the lines the query's selector and filters keep, oldest first."""
        found = self._selected.get(query.key)
        if found is None:
            streams = [query.selects(labels) for labels in self._labels]
            found = [
                index
                for index, line in enumerate(self.incident.lines)
                if streams[line.stream] and query.keeps(line.text)
            ]
            self._selected[query.key] = found
        return found

    def streams(self, indexes: Iterable[int], start_ns: int, end_ns: int) -> tuple[str, int]:
        """The `result` of a log query, each stream's values in the order given, and its size."""
        span = end_ns - start_ns
        lines = self.incident.lines
        values: dict[int, list[str]] = {}
        count = 0
        for index in indexes:
            ts = start_ns + int(self._positions[index] * span)
            values.setdefault(lines[index].stream, []).append(f'["{ts}",{self._line_json[index]}]')
            count += 1
        result = ",".join(
            f'{{"stream":{self._stream_json[stream]},"values":[{",".join(entries)}]}}'
            for stream, entries in values.items()
        )
        return f"[{result}]", count

    def series_key(self, query: Query, index: int) -> tuple[tuple[str, str], ...]:
        """The labels a metric query keeps of a line's stream (`sum by`, or all of them)."""
        labels = self._labels[self.incident.lines[index].stream]
        names = query.by if query.by is not None else tuple(labels)
        return tuple(sorted((name, labels[name]) for name in names if name in labels))

    def matrix(
        self, query: Query, indexes: list[int], start_ns: int, end_ns: int, step: float
    ) -> tuple[str, int]:
        """Counts over `(t - range, t]` at every step `t`, as Loki aligns them; zeros left out."""
        window = query.range_seconds or step
        span = end_ns - start_ns
        by_series: dict[tuple[tuple[str, str], ...], list[float]] = {}
        for index in indexes:
            seconds = (start_ns + int(self._positions[index] * span)) / _NS
            by_series.setdefault(self.series_key(query, index), []).append(seconds)
        first = math.floor(start_ns / _NS / step) * step
        last = math.ceil(end_ns / _NS / step) * step
        grid = [first + i * step for i in range(int((last - first) / step) + 1)]
        result = []
        for key in sorted(by_series):
            times = sorted(by_series[key])
            points = []
            for t in grid:
                n = bisect.bisect_right(times, t) - bisect.bisect_right(times, t - window)
                if n:
                    points.append([_number(t), str(n)])
            if points:
                result.append({"metric": dict(key), "values": points})
        return json.dumps(result, separators=(",", ":")), len(result)

    def vector(self, query: Query, indexes: list[int], time_ns: int) -> tuple[str, int]:
        """Counts of the lines of `(time - range, time]`, that is all of them, per series."""
        counts: dict[tuple[tuple[str, str], ...], int] = {}
        for index in indexes:
            key = self.series_key(query, index)
            counts[key] = counts.get(key, 0) + 1
        at = _number(time_ns / _NS)
        result = [{"metric": dict(key), "value": [at, str(counts[key])]} for key in sorted(counts)]
        return json.dumps(result, separators=(",", ":")), len(result)


def create_app(fake: FakeLoki) -> Starlette:
    """The HTTP face of `fake`."""

    async def ready(_: Request) -> Response:
        return PlainTextResponse("ready\n")

    async def query_range(request: Request) -> Response:
        started, received_at = time.perf_counter(), time.time()
        params = await _params(request)
        try:
            query = parse(params.get("query", ""))
            now = time.time_ns()
            start_ns = _timestamp(params.get("start"), now - 3600 * _NS)
            end_ns = _timestamp(params.get("end"), now)
            step = _duration(params["step"]) if "step" in params else None
            limit = int(params.get("limit", "100"))
        except (LogQLError, ValueError) as exc:
            return _bad_request(str(exc))
        if end_ns <= start_ns:
            return _bad_request("end timestamp must not be before or equal to start time")
        if step is not None:
            result, count = fake.matrix(query, fake.selected(query), start_ns, end_ns, step)
            body = fake.matrix_body.render(result=result, count=str(count))
            record = QueryRecord("matrix", None, None, count, len(body), received_at, 0.0)
            return _answer(fake, body, fake.matrix_body.content_type, record, started)
        if limit > MAX_ENTRIES:
            return _bad_request(
                "max entries limit per query exceeded, limit > max_entries_limit_per_query "
                f"({limit} > {MAX_ENTRIES})"
            )
        direction = params.get("direction", "backward").lower()
        if fake.latency > 0:
            await asyncio.sleep(fake.latency)
        indexes = fake.selected(query)
        chosen = reversed(indexes[-limit:]) if direction == "backward" else indexes[:limit]
        result, count = fake.streams(chosen, start_ns, end_ns)
        body = fake.streams_body.render(result=result, count=str(count))
        record = QueryRecord("log", direction, limit, count, len(body), received_at, 0.0)
        return _answer(fake, body, fake.streams_body.content_type, record, started)

    async def instant(request: Request) -> Response:
        started, received_at = time.perf_counter(), time.time()
        params = await _params(request)
        try:
            query = parse(params.get("query", ""))
            time_ns = _timestamp(params.get("time"), time.time_ns())
        except (LogQLError, ValueError) as exc:
            return _bad_request(str(exc))
        if query.range_seconds is None:
            return _bad_request("log queries are not supported as an instant query type")
        result, count = fake.vector(query, fake.selected(query), time_ns)
        body = fake.vector_body.render(result=result, count=str(count))
        record = QueryRecord("vector", None, None, count, len(body), received_at, 0.0)
        return _answer(fake, body, fake.vector_body.content_type, record, started)

    async def stats(_: Request) -> Response:
        return JSONResponse({"queries": [asdict(record) for record in fake.records]})

    async def reset(_: Request) -> Response:
        fake.records.clear()
        return JSONResponse({"queries": []})

    return Starlette(
        routes=[
            Route("/ready", ready),
            Route("/loki/api/v1/query_range", query_range, methods=["GET", "POST"]),
            Route("/loki/api/v1/query", instant, methods=["GET", "POST"]),
            Route("/_bench/stats", stats),
            Route("/_bench/reset", reset, methods=["POST"]),
        ]
    )


def _answer(
    fake: FakeLoki, body: bytes, media_type: str, record: QueryRecord, started: float
) -> Response:
    fake.records.append(record)
    return TimedResponse(body, media_type, record, started)


async def _params(request: Request) -> dict[str, str]:
    """Query-string parameters, overridden by a form-encoded body (Loki reads both)."""
    params = dict(request.query_params)
    if request.method == "POST":
        params.update(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    return params


def _bad_request(message: str) -> Response:
    return PlainTextResponse(message, status_code=400)


def _timestamp(value: str | None, default: int) -> int:
    """Nanoseconds from Loki's accepted forms: float seconds, epoch s or ns, RFC3339."""
    if not value:
        return default
    if "." in value and value.replace(".", "", 1).isdigit():
        return int(float(value) * _NS)
    if value.isdigit():
        return int(value) * _NS if len(value) <= 10 else int(value)
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * _NS)


def _duration(value: str) -> float:
    """A step in seconds: a number of seconds or a Prometheus-style duration such as `60s`."""
    try:
        return float(value)
    except ValueError:
        pass
    unit = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    matched = re.fullmatch(r"(\d+)(ms|s|m|h)", value)
    if matched is None:
        raise ValueError(f"invalid step {value!r}")
    return int(matched.group(1)) * unit[matched.group(2)]


def _number(seconds: float) -> float | int:
    """Whole seconds as an integer, as Loki writes sample times."""
    return int(seconds) if float(seconds).is_integer() else round(seconds, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake Loki 3 serving one seeded incident.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20260314)
    parser.add_argument("--latency", type=float, default=0.0, help="added to each log query (s)")
    parser.add_argument("--contracts", type=Path, default=CONTRACTS)
    args = parser.parse_args()
    fake = FakeLoki(generate(args.lines, args.seed), args.contracts, args.latency)
    serve(create_app(fake), args.port)


if __name__ == "__main__":
    main()
