"""The evaluation as a text table: one row per incident, then the set's shares and verdict."""

from __future__ import annotations

from log_analyzer.eval.evaluate import Evaluation, Thresholds
from log_analyzer.eval.measure import Measured


def render(evaluation: Evaluation, thresholds: Thresholds) -> str:
    """The table, the shares against the thresholds, and what fell short."""
    tokens = "prompt tokens" if evaluation.live else "prompt tokens (est.)"
    header = [
        "incident",
        "cause in prompt",
        "templates shown",
        "coverage stmt true",
        tokens,
        "extra queries",
        "cause rank",
    ]
    if evaluation.live:
        header.append("answer cites cause")
    rows = [_cells(row, evaluation.live) for row in evaluation.rows]
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in [header, ["-" * width for width in widths], *rows]
    ]
    shown = sum(row.templates_shown for row in evaluation.rows)
    truth = sum(row.templates for row in evaluation.rows)
    lines += [
        "",
        f"model: {evaluation.model_note}",
        f"cause recall (cause in prompt): {evaluation.recall:.0%} "
        f"(threshold {thresholds.recall:.0%})",
        f"cause ranked first: {evaluation.first:.0%} of {len(evaluation.rows)} incidents "
        f"(threshold {thresholds.first:.0%}; quiet window: no suspect claimed as a cause)",
        f"template coverage: {evaluation.templates:.0%}, {shown} of {truth} truth templates "
        f"(threshold {thresholds.templates:.0%})",
        "coverage statements true: "
        f"{sum(row.statement_true for row in evaluation.rows)} of {len(evaluation.rows)}",
    ]
    failures = evaluation.failures(thresholds)
    lines += [f"FAIL: {failure}" for failure in failures] or ["PASS"]
    return "\n".join(lines) + "\n"


def _cells(row: Measured, live: bool) -> list[str]:
    if row.quiet_ok is not None:
        cause, rank = "n/a (quiet)", "none claimed" if row.quiet_ok else "cause claimed"
    else:
        cause = _yes(bool(row.cause_in_prompt))
        rank = ", ".join("-" if r is None else str(r) for r in row.ranks)
    cells = [
        row.name,
        cause,
        f"{row.templates_shown}/{row.templates}",
        _yes(row.statement_true),
        "-" if row.prompt_tokens is None else f"{row.prompt_tokens:,}",
        str(row.extra_queries),
        rank,
    ]
    if live:
        cells.append("n/a" if row.cited is None else _yes(row.cited))
    return cells


def _yes(value: bool) -> str:
    return "yes" if value else "no"
