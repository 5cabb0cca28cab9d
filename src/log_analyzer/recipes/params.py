"""A recipe's parameters: typed, bounded, and checked against what each recipe takes.

Light on purpose (no I/O, no telemetry): worker processes import the recipes' computations, and
with them this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from log_analyzer.core.errors import InputError


@dataclass(frozen=True, slots=True)
class Param:
    """One recipe parameter, with its type, default and bounds."""

    name: str
    kind: type[int] | type[float] | type[str]
    default: int | float | str
    description: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    def parse(self, value: Any) -> int | float | str:
        """Validate `value`; raise `InputError` naming `params.<name>` when it does not fit."""
        field_name = f"params.{self.name}"
        if self.kind is str:
            if not isinstance(value, str):
                raise InputError(field_name, "must be a string")
            if self.choices and value not in self.choices:
                raise InputError(field_name, f"must be one of {', '.join(self.choices)}")
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(field_name, f"must be a number ({self.kind.__name__})")
        if self.kind is int and not float(value).is_integer():
            raise InputError(field_name, "must be a whole number")
        number = int(value) if self.kind is int else float(value)
        if self.minimum is not None and number < self.minimum:
            raise InputError(field_name, f"must be at least {self.minimum:g}")
        if self.maximum is not None and number > self.maximum:
            raise InputError(field_name, f"must be at most {self.maximum:g}")
        return number


def parse_params(
    recipe: str, params: Sequence[Param], given: Mapping[str, Any]
) -> dict[str, int | float | str]:
    """Defaults overlaid with `given`; unknown names and bad values raise `InputError`."""
    known = {p.name: p for p in params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise InputError(
            f"params.{unknown[0]}",
            f"unknown parameter of {recipe}; it takes: "
            + (", ".join(known) if known else "no parameters"),
        )
    values: dict[str, int | float | str] = {p.name: p.default for p in params}
    for name, value in given.items():
        values[name] = known[name].parse(value)
    return values
