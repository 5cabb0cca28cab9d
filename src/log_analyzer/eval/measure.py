"""Run one golden incident through the real analysis and measure what reached the model.

The incident's lines are served by the in-memory store, behind the same service layer, run and
worker code as the HTTP route (`service.runs.analysis_run`); only the store and the model are
stand-ins (`eval.stand_ins`). What is measured:

* **cause in the prompt**: every cause's marker is in the messages the model was sent (the
  prompt fitted to the model's context; with no model, to the default slot, counted by the
  token estimate);
* **template coverage**: the share of the truth's templates found among the patterns the
  fitted prompt shows (a pattern shows a template when its template or an example holds the
  template's marker);
* **coverage statement true**: the summary's coverage numbers agree with the store's own count
  of the lines the request matches (all of them seen when it says "all"; the true total when
  it says "sampled");
* **extra queries**: store calls beyond the basic analysis (the newest entries, the oldest,
  totals, buckets);
* **rank**: where each cause stands among the suspects; a quiet window is right when no
  suspect is claimed as a cause, i.e. no onset was found and no change reported;
* **cited**: with a live model, whether its answer names the cause's pattern id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from log_analyzer.analysis.events import ContextEvent, ErrorEvent, SummaryEvent, TokenEvent
from log_analyzer.core.errors import ServiceError
from log_analyzer.eval.incident import Generated
from log_analyzer.eval.stand_ins import CountingSource, RecordingModel
from log_analyzer.logs.condense import Pattern
from log_analyzer.logs.summary import LogSummary, coverage_of
from log_analyzer.service.requests import AnalyzeRequest
from log_analyzer.service.runs import Services, analysis_run
from log_analyzer.sources.base import CountQuery, EntryQuery, LineFilter, Order, Selection, Window
from log_analyzer.sources.demo import MemorySource

BASIC_QUERIES = 4
"""Store calls of the basic analysis: newest entries, oldest entries, totals, buckets."""
SOURCE = "demo"
"""The request's store: the in-memory one is the demo's."""


@dataclass(frozen=True, slots=True)
class Measured:
    """What one incident's analysis got right, and what it cost."""

    name: str
    causes: int
    """Cause lines in the truth (0: a quiet window)."""
    cause_in_prompt: bool | None
    """Every cause reached the prompt; None for a quiet window."""
    templates: int
    templates_shown: int
    statement_true: bool
    statement: str
    prompt_tokens: int | None
    """None when no prompt was built (the run failed before)."""
    extra_queries: int
    ranks: tuple[int | None, ...]
    """Each cause's rank among the suspects (None: not a suspect)."""
    quiet_ok: bool | None
    """A quiet window with no suspect claimed as a cause; None for an incident."""
    cited: bool | None
    """The model's answer names every cause's pattern id; None without a model's answer, or
    when a cause has no pattern (a change the error filter does not fetch)."""
    error: str | None = None

    @classmethod
    def failed(cls, generated: Generated, error: str) -> Measured:
        """An incident whose analysis failed before any number: nothing right, ``error`` why."""
        incident = generated.incident
        causes = incident.causes
        return cls(
            name=incident.name,
            causes=len(causes),
            cause_in_prompt=False if causes else None,
            templates=len(incident.templates),
            templates_shown=0,
            statement_true=False,
            statement="",
            prompt_tokens=None,
            extra_queries=0,
            ranks=tuple(None for _ in causes),
            quiet_ok=None if causes else False,
            cited=None,
            error=error,
        )

    @property
    def ranked_first(self) -> bool:
        """The causes hold the first ranks (a quiet window: nothing claimed as a cause)."""
        if self.quiet_ok is not None:
            return self.quiet_ok
        return sorted(r for r in self.ranks if r is not None) == list(range(1, len(self.ranks) + 1))


async def measure(
    generated: Generated, services: Services, model: RecordingModel, *, live: bool, limit: int
) -> Measured:
    """Analyse the incident as the service would and measure the result."""
    incident = generated.incident
    store = MemorySource(generated.entries, name=SOURCE, title=f"golden incident {incident.name}")
    counted = CountingSource(store)
    run_services = replace(services, sources={SOURCE: counted}, llm=model)
    body = AnalyzeRequest.model_validate(
        {
            "source": SOURCE,
            "filters": {"namespace": incident.namespace},
            "time_range": {
                "start": _rfc3339(generated.start_ns),
                "end": _rfc3339(generated.end_ns),
            },
            "limit": limit,
        }
    )
    asked = len(model.chats)
    summary: LogSummary | None = None
    fit = None
    answer: list[str] = []
    error = None
    try:
        run = analysis_run(run_services, body)
    except ServiceError as exc:
        return Measured.failed(generated, f"[{exc.code}] {exc.message}")
    async with run:
        try:
            head = await run.prepare()
        except ServiceError as exc:
            return Measured.failed(generated, f"[{exc.code}] {exc.message}")
        async for event in run.events(head):
            if isinstance(event, SummaryEvent):
                summary = event.summary
            elif isinstance(event, ContextEvent):
                fit = event.fit
            elif isinstance(event, TokenEvent):
                answer.append(event.text)
            elif isinstance(event, ErrorEvent):
                error = str(event.error.get("message", event.error))
    assert summary is not None  # an analysis' first event is its summary
    # The last chat is the prompt the model got (a prompt refused as too long is sent again).
    sent = model.chats[-1] if len(model.chats) > asked else []
    prompt = "\n".join(message["content"] for message in sent)
    shown_ids = set(fit.ids) if fit is not None else set()
    shown = [p for p in summary.patterns if p.id in shown_ids]
    window = Window(generated.start_ns, generated.end_ns)
    selection = Selection.of({"namespace": incident.namespace})
    true_total = (await store.totals(CountQuery(window, selection, LineFilter.default()))).total
    every = await store.entries(
        EntryQuery(window, selection, LineFilter.default(), true_total + 1, Order.NEWEST)
    )
    matching = [line for _, _, line in every.decoded().rows]
    # The templates among the matching lines: a complete coverage says each is a pattern.
    present = [m for m in incident.templates if any(m in line for line in matching)]
    statement_true, statement = _statement_check(summary, true_total, present)
    causes = incident.causes
    return Measured(
        name=incident.name,
        causes=len(causes),
        cause_in_prompt=all(marker in prompt for marker in causes) if causes else None,
        templates=len(incident.templates),
        templates_shown=sum(any(_holds(p, m) for p in shown) for m in incident.templates),
        statement_true=statement_true,
        statement=statement,
        prompt_tokens=fit.prompt_tokens if fit is not None else None,
        extra_queries=sum(counted.calls.values()) - BASIC_QUERIES,
        ranks=tuple(_rank(summary, marker) for marker in causes),
        quiet_ok=(not summary.onsets_ns and not summary.changes) if not causes else None,
        cited=_cited(summary, causes, "".join(answer)) if live and answer else None,
        error=error,
    )


def _statement_check(
    summary: LogSummary, true_total: int, present: Sequence[str]
) -> tuple[bool, str]:
    """Whether the coverage statement is true of the store: ``(true, the statement)``.

    Its numbers must be the store's; a complete coverage must also hold every template of the
    matching lines (``present``, by marker) among its patterns, read or left out by text.
    """
    covered = coverage_of(summary)
    says = covered.statement
    numbers_shown = f"{covered.lines_seen:,}" in says and f"{covered.patterns:,}" in says
    if covered.complete:
        every_template = all(any(_holds(p, m) for p in summary.patterns) for m in present)
        if covered.lines_seen == true_total:
            right = every_template
        else:  # coverage passes left the known patterns' lines out, by text
            right = (
                covered.lines_total == true_total
                and covered.lines_seen < true_total
                and every_template
                and f"{true_total:,}" in says
            )
    else:
        right = covered.lines_total == true_total and covered.lines_seen < true_total
        numbers_shown = numbers_shown and f"{true_total:,}" in says
    return right and numbers_shown and covered.patterns == len(summary.patterns), says


def _holds(pattern: Pattern, marker: str) -> bool:
    return marker in pattern.template or any(marker in example for example in pattern.examples)


def _rank(summary: LogSummary, marker: str) -> int | None:
    return next((s.rank for s in summary.suspects if marker in s.text), None)


def _cited(summary: LogSummary, causes: tuple[str, ...], answer: str) -> bool | None:
    ids = [next((p.id for p in summary.patterns if _holds(p, m)), None) for m in causes]
    if not ids or None in ids:
        return None
    return all(re.search(rf"\b{pattern_id}\b", answer) for pattern_id in ids if pattern_id)


def _rfc3339(ts_ns: int) -> str:
    seconds, _ = divmod(ts_ns, 1_000_000_000)
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")
