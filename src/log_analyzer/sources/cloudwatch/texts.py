"""The texts of CloudWatch queries as the summary, the recipe tables and the spans show them.

A FilterLogEvents read names its group, prefix and filter pattern, and says what the service
decided after it (the exact line filter, in RE2); a Logs Insights query is shown as sent.
"""

from __future__ import annotations

import json

from log_analyzer.sources.base import CountQuery, Order, Selection
from log_analyzer.sources.cloudwatch.errors import CloudWatchQueryError
from log_analyzer.sources.cloudwatch.filters import LinePlan

LOG_GROUP = "log_group"
LOG_STREAM_PREFIX = "log_stream_prefix"


def events_text(
    selection: Selection,
    line_plan: LinePlan,
    *,
    order: Order | None = None,
    refused: str | None = None,
) -> str:
    """The text of a FilterLogEvents read, as the summary and the spans show it."""
    parts = [f"FilterLogEvents logGroupName={json.dumps(group_of(selection))}"]
    prefix = selection.get(LOG_STREAM_PREFIX)
    if prefix:
        parts.append(f"logStreamNamePrefix={json.dumps(prefix)}")
    if line_plan.pattern:
        parts.append(f"filterPattern={json.dumps(line_plan.pattern)}")
    if order is Order.NEWEST:
        parts.append("(newest first: time slices back from the window's end)")
    elif order is Order.OLDEST:
        parts.append("(oldest first)")
    text = " ".join(parts)
    if line_plan.service and line_plan.pattern:
        text += (
            "; the pattern only narrows what CloudWatch sends, the line filter is decided "
            f"then in the service: {line_plan.service}"
        )
        if line_plan.unsent:
            text += (
                "; the pattern holds no letter beyond ASCII, so CloudWatch sends no line whose "
                f"only level is one of {', '.join(line_plan.unsent)}"
            )
    elif line_plan.service:
        why = (
            f"CloudWatch refused {json.dumps(refused)}"
            if refused
            else "CloudWatch's cannot express this line filter"
        )
        text += (
            f"; no filter pattern ({why}): every event fetched and filtered then in the "
            f"service: {line_plan.service}"
        )
    return text


def insights_text(query: CountQuery, text: str) -> str:
    """A Logs Insights query as the summary and the spans show it: its group, then its text."""
    return f"Logs Insights logGroupName={json.dumps(group_of(query.selection))}: " + text.replace(
        "\n", " "
    )


def group_of(selection: Selection) -> str:
    """The request's log group."""
    group = selection.get(LOG_GROUP)
    if not group:  # the spec's check refuses such a request before any query
        raise CloudWatchQueryError("no log group (filters.log_group)", field="filters.log_group")
    return group
