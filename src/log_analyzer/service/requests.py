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
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from log_analyzer.core.errors import InputError
from log_analyzer.logs.regex import re2_error
from log_analyzer.sources.registry import SPECS

MAX_LIMIT = 5000
"""Loki's default `max_entries_limit_per_query`; a larger limit is refused by Loki itself."""
MAX_FILTER_CHARS = 1024
"""Longest filter value: Kubernetes names are at most 253 characters, a pod regex a bit more."""
MAX_LOG_FILTER_CHARS = 2048
MAX_QUESTION_CHARS = 300

_SINCE = re.compile(r"^(\d{1,9})([smhd])$")
_RFC3339_START = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_MAX_SINCE = timedelta(days=36_500)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _encodable(value: str) -> str:
    """Refuse text that cannot be UTF-8 (a lone surrogate, sent as an escape in the JSON)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"holds a character that is not valid Unicode (a lone surrogate at position "
            f"{exc.start})"
        ) from None
    return value


# Strings of at most so many characters that UTF-8 can encode.
FilterValue = Annotated[str, Field(max_length=MAX_FILTER_CHARS), AfterValidator(_encodable)]
LogFilterText = Annotated[str, Field(max_length=MAX_LOG_FILTER_CHARS), AfterValidator(_encodable)]
QuestionText = Annotated[str, Field(max_length=MAX_QUESTION_CHARS), AfterValidator(_encodable)]


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
                raise ValueError(
                    "must look like 30m, 2h or 1d (at most 9 digits, then s, m, h or d)"
                )
            if int(match.group(1)) == 0:
                raise ValueError("must be longer than zero")
            if _since(match) > _MAX_SINCE:
                raise ValueError(f"must be at most {_MAX_SINCE.days}d")
        return value

    @field_validator("start", "end", mode="before")
    @classmethod
    def _check_rfc3339(cls, value: object) -> object:
        # Pydantic would also read a number, or a string of digits, as a Unix time: the schema
        # promises RFC3339 strings only, and a client sending a number made a mistake.
        if isinstance(value, str) and _RFC3339_START.match(value) is None:
            raise ValueError("must be an RFC3339 date-time, e.g. 2026-03-14T09:30:00Z")
        if isinstance(value, int | float):
            raise ValueError("must be an RFC3339 date-time string, not a number")
        return value

    @field_validator("start", "end")
    @classmethod
    def _check_in_utc(cls, value: datetime | None) -> datetime | None:
        # Windows are computed in UTC, and an offset can carry a date at the calendar's ends
        # past them (0001-01-01T00:30:00+01:00 is in year 0 in UTC).
        if value is not None:
            try:
                value.astimezone(UTC)
            except OverflowError:
                raise ValueError("lies outside the years 1 to 9999 once converted to UTC") from None
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
        """The concrete `[start, end)` window; the last hour when nothing was given.

        Raises `InputError` naming `time_range.start` for a window that starts in the future or
        before 1970 (no store holds such logs, and nanosecond clocks cannot count them).
        """
        if self.start is not None:
            start = self.start.astimezone(UTC)
            if start > now:
                raise InputError(
                    "time_range.start",
                    f"{start.isoformat()} is in the future (now is {now.isoformat()})",
                )
            if start < _EPOCH:
                raise InputError("time_range.start", "must not be before 1970-01-01T00:00:00Z")
            end = (self.end or now).astimezone(UTC)
            if end <= start:
                raise InputError("time_range.end", f"must be after start (now is {now})")
            return start, end
        span = timedelta(hours=1)
        if self.since is not None:
            match = _SINCE.match(self.since)
            assert match is not None  # checked by the validator
            span = _since(match)
        if now - _EPOCH < span:
            raise InputError("time_range.since", "reaches before 1970-01-01T00:00:00Z")
        return now - span, now


def _since(match: re.Match[str]) -> timedelta:
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def _filters_schema() -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for spec in SPECS.values():
        for spec_filter in spec.filters:
            entry = properties.setdefault(
                spec_filter.name,
                {
                    "anyOf": [{"type": "string", "maxLength": MAX_FILTER_CHARS}, {"type": "null"}],
                    "description": "",
                    "x-sources": [],
                },
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


Filters = Annotated[
    dict[Annotated[str, AfterValidator(_encodable)], FilterValue | None],
    WithJsonSchema(_filters_schema()),
]


class AnalyzeRequest(BaseModel):
    """Body of `POST /v1/analyze/stream`."""

    model_config = ConfigDict(extra="forbid")

    source: Annotated[
        str | None,
        WithJsonSchema({"anyOf": [{"type": "string", "enum": list(SPECS)}, {"type": "null"}]}),
    ] = Field(
        None,
        description="The log store to read; default `LOG_SOURCE` (`demo` only where it is set).",
    )
    time_range: TimeRange = Field(default_factory=lambda: TimeRange())
    filters: Filters = Field(description="Stream filters, e.g. `namespace` and `pod` for Loki.")
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT, strict=True)] = 1000  # true is no number
    log_filter: LogFilterText | None = Field(
        None,
        description="RE2 line filter replacing the default error/warning selection.",
        examples=["(?i)(timeout|refused)"],
    )
    question: QuestionText | None = None
    # Strict: 0, 1.0 or "yes" is no boolean (Pydantic would read them as one).
    llm: bool = Field(
        True, strict=True, description="Ask the model; false streams the numbers only."
    )

    @field_validator("source")
    @classmethod
    def _check_source(cls, value: str | None) -> str | None:
        if value is not None and value not in SPECS:
            raise ValueError(f"unknown source {value!r}; one of: {', '.join(SPECS)}")
        return value

    @field_validator("filters")
    @classmethod
    def _check_filter_names(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        known = {spec_filter.name for spec in SPECS.values() for spec_filter in spec.filters}
        for name in value:
            if name not in known:
                raise ValueError(
                    f"{name!r} is not a filter of any store; known: {', '.join(sorted(known))}"
                )
        return value

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
    llm: bool = Field(
        True, strict=True, description="Ask the LLM to explain the numbers; false: numbers only."
    )


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)
