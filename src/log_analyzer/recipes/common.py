"""What the recipes share: typed parameters, labelled sources, fields of raw lines, times.

Every table says where its numbers come from. A store's count query counts every line of the
window (``total``); fetched entries are a ``sample`` when the store stopped at the limit, else
every matching line (``total``). The ``source`` strings built here say which, in words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from log_analyzer.logs.durations import inline_fields
from log_analyzer.logs.entries import Row
from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import parse_line, strip_ansi
from log_analyzer.logs.patterns import PatternMiner
from log_analyzer.logs.redact import DEFAULT_PII, redact
from log_analyzer.logs.tables import CountsAre
from log_analyzer.recipes.params import Param

if TYPE_CHECKING:
    from log_analyzer.recipes.context import RecipeContext

_TEMPLATE_CHARS = 160


def param_value(ctx: RecipeContext, params: Sequence[Param], name: str) -> int | float | str:
    """The parsed value of parameter `name` (its default when the context lacks it)."""
    spec = next(p for p in params if p.name == name)
    return spec.parse(ctx.params.get(name, spec.default))


def int_param(ctx: RecipeContext, params: Sequence[Param], name: str) -> int:
    """An `int` parameter, validated against its bounds."""
    value = param_value(ctx, params, name)
    if not isinstance(value, int):
        raise TypeError(f"parameter {name} is not an int")
    return value


def float_param(ctx: RecipeContext, params: Sequence[Param], name: str) -> float:
    """A `float` parameter, validated against its bounds."""
    value = param_value(ctx, params, name)
    if isinstance(value, str):
        raise TypeError(f"parameter {name} is not a number")
    return float(value)


def str_param(ctx: RecipeContext, params: Sequence[Param], name: str) -> str:
    """A `str` parameter, validated against its choices."""
    value = param_value(ctx, params, name)
    if not isinstance(value, str):
        raise TypeError(f"parameter {name} is not a string")
    return value


def fetched_label(entries: int, limit: int, sampled: bool) -> tuple[CountsAre, str]:
    """`counts_are` and `source` of a table computed from fetched entries."""
    if sampled:
        return "sample", (
            f"{entries:,} fetched entries (the limit was reached: a sample of the window)"
        )
    return "total", (
        f"{entries:,} fetched entries (below the limit of {limit:,}: every matching line)"
    )


def count_label(
    source: str, step_seconds: int | None = None, *, by: str = "", extra: str = ""
) -> str:
    """The `source` of a table computed from a store's count query (always a total)."""
    text = f"{source} count query"
    text += f", {step_seconds} s buckets" if step_seconds else " over the whole window"
    if by:
        text += f", by {by}"
    return text + extra


def duration_text(seconds: float) -> str:
    """A window's length as ``30m``, ``2h`` or ``90s`` (whole seconds, rounded up)."""
    whole = max(1, -(-int(seconds * 1000) // 1000))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"


def fields_of(row: Row, pii: frozenset[str] = DEFAULT_PII) -> tuple[str, dict[str, Any] | None]:
    """The line without colour codes and secrets, and its JSON or logfmt fields.

    Redacted first (personal data as ``pii`` asks), so no operation, user or template a recipe
    shows can carry a secret. The fields are None for plain text.
    """
    text = redact(strip_ansi(row[2]).strip(), pii=pii).text
    return text, inline_fields(text)


def share(part: int | float, whole: int | float) -> float | None:
    """``part / whole`` rounded to 4 places, or None when `whole` is zero."""
    return round(part / whole, 4) if whole else None


def percent(ratio: float | None) -> str:
    """``12.5%``, or ``n/a``."""
    return "n/a" if ratio is None else f"{ratio * 100:.1f}%"


class Templates:
    """Log templates of raw lines, mined as the analysis mines them (redacted).

    Call :meth:`add` for each line, then :meth:`template` with the key it returned; templates
    are read after every line was added, so late merges are reflected.
    """

    def __init__(self, max_line_chars: int = 2000, pii: frozenset[str] = DEFAULT_PII) -> None:
        self._miner = PatternMiner(redact=True, pii=pii)
        self._max = max_line_chars
        self._pii = pii
        self._names: dict[int, str] | None = None

    def add(self, row: Row) -> tuple[int, Level]:
        """Mine the line's message (JSON and logfmt lines by their message field).

        Returns:
            The key of the line's template, and the line's level.
        """
        self._names = None
        labels, _, line = row
        parsed = parse_line(line, labels, self._max, pii=self._pii)
        return self._miner.add(parsed.message), parsed.level

    def template(self, key: int) -> str:
        """The template of a line `add` returned `key` for, shortened for a table cell."""
        if self._names is None:
            self._names = {t.index: t.template for t in self._miner.templates()}
        text = self._names[self._miner.resolve(key)]
        return text if len(text) <= _TEMPLATE_CHARS else text[: _TEMPLATE_CHARS - 1] + "…"


def ranked(counts: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """Most first, then by name."""
    return sorted(counts, key=lambda kv: (-kv[1], kv[0]))
