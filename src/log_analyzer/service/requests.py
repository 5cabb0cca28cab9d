"""The request bodies of analyses and recipes, validated the same way for the API and the CLI.

Filters are source-neutral here: a mapping of filter name to value, documented from every
store's declared filters and checked by the store the request names (so `filters.pod` is an
RE2 regex for Loki, `filters.log_group` is required by CloudWatch, ...). Errors name the field.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from log_analyzer.logs.regex import re2_error
from log_analyzer.sources.registry import SPECS

MAX_LIMIT = 5000
"""Loki's default `max_entries_limit_per_query`; a larger limit is refused by Loki itself."""

_SINCE = re.compile(r"^(\d+)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class TimeRange(BaseModel):
    """Either an RFC3339 `start`/`end` pair, or `since` (e.g. `2h`) ending now."""

    model_config = ConfigDict(extra="forbid")

    start: AwareDatetime | None = Field(None, description="RFC3339 start, inclusive.")
    end: AwareDatetime | None = Field(None, description="RFC3339 end, exclusive; default now.")
    since: str | None = Field(
        None, description="Window ending now, as `<n><s|m|h|d>`.", examples=["2h"]
    )

    @field_validator("since")
    @classmethod
    def _check_since(cls, value: str | None) -> str | None:
        if value is not None:
            match = _SINCE.match(value)
            if match is None:
                raise ValueError("must look like 30m, 2h or 1d (a number, then s, m, h or d)")
            if int(match.group(1)) == 0:
                raise ValueError("must be longer than zero")
        return value

    @model_validator(mode="after")
    def _check_shape(self) -> TimeRange:
        if self.since is not None and (self.start is not None or self.end is not None):
            raise ValueError("give either since, or start (and optionally end), not both")
        if self.end is not None and self.start is None:
            raise ValueError("end needs a start")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    def resolve(self, now: datetime) -> tuple[datetime, datetime]:
        """The concrete `[start, end)` window; the last hour when nothing was given."""
        if self.start is not None:
            end = self.end or now
            if end <= self.start:
                raise ValueError("end must be after start")
            return self.start.astimezone(UTC), end.astimezone(UTC)
        seconds = 3600
        if self.since is not None:
            match = _SINCE.match(self.since)
            assert match is not None  # checked by the validator
            seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        return now - timedelta(seconds=seconds), now


def _filters_schema() -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for spec in SPECS.values():
        for spec_filter in spec.filters:
            entry = properties.setdefault(
                spec_filter.name, {"type": "string", "description": "", "x-sources": []}
            )
            entry["x-sources"].append(spec.name)
            if not entry["description"]:
                entry["description"] = spec_filter.description
    return {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "description": "Which streams to read; each store says which filters it takes "
        "(`x-sources`).",
    }


Filters = Annotated[dict[str, str | None], WithJsonSchema(_filters_schema())]


class AnalyzeRequest(BaseModel):
    """Body of `POST /v1/analyze/stream`."""

    model_config = ConfigDict(extra="forbid")

    source: Annotated[
        str | None,
        WithJsonSchema({"type": "string", "enum": [name for name in SPECS if name != "demo"]}),
    ] = Field(None, description="The log store to read; default `LOG_SOURCE`.")
    time_range: TimeRange = Field(default_factory=lambda: TimeRange())
    filters: Filters = Field(description="Stream filters, e.g. `namespace` and `pod` for Loki.")
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 1000
    log_filter: str | None = Field(
        None,
        description="RE2 line filter replacing the default error/warning selection.",
        examples=["(?i)(timeout|refused)"],
    )
    question: Annotated[str | None, Field(max_length=300)] = None
    llm: bool = Field(True, description="Ask the model; false streams the numbers only.")

    @field_validator("log_filter")
    @classmethod
    def _check_log_filter(cls, value: str | None) -> str | None:
        if value is not None:
            if value.strip() == "":
                raise ValueError("must not be empty; omit it to use the default filter")
            reason = re2_error(value)
            if reason is not None:
                raise ValueError(f"invalid RE2 regular expression: {reason}")
        return value

    @field_validator("question")
    @classmethod
    def _strip_question(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


class RecipeRequest(AnalyzeRequest):
    """The analysis request's window and filters, plus the recipe's parameters."""

    model_config = ConfigDict(extra="forbid")

    params: dict[str, Any] = Field(
        default_factory=dict, description="Recipe parameters; see GET /v1/recipes."
    )
    llm: bool = Field(True, description="Ask the LLM to explain the numbers; false: numbers only.")


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)
