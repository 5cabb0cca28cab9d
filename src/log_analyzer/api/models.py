"""Request and response bodies of the HTTP API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from log_analyzer.logs.logql import LabelMatcher, MatchOp, re2_error, selector

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


class Filters(BaseModel):
    """Label matchers: `namespace`, `container` and `node` exact, `pod` an RE2 regex."""

    model_config = ConfigDict(extra="forbid")

    namespace: str | None = Field(None, examples=["log-analyzer"])
    pod: str | None = Field(
        None, description="RE2 regex, fully anchored by Loki.", examples=["log-analyzer-.*"]
    )
    container: str | None = None
    node: str | None = None

    @field_validator("pod")
    @classmethod
    def _check_pod(cls, value: str | None) -> str | None:
        if value:
            reason = re2_error(value)
            if reason is not None:
                raise ValueError(f"invalid RE2 regular expression: {reason}")
        return value

    @model_validator(mode="after")
    def _check_selective(self) -> Filters:
        try:
            selector(self.matchers())
        except ValueError:
            raise ValueError(
                "set at least one of namespace, pod, container or node to a non-empty value "
                "(a pod regex that matches the empty string does not count): Loki refuses "
                "selectors that could match every stream"
            ) from None
        return self

    def matchers(self) -> tuple[LabelMatcher, ...]:
        """The stream-selector terms, in a stable order; unset or empty filters are left out."""
        terms = []
        for name in ("namespace", "pod", "container", "node"):
            value = getattr(self, name)
            if value:
                terms.append(LabelMatcher(name, MatchOp.RE if name == "pod" else MatchOp.EQ, value))
        return tuple(terms)


class AnalyzeRequest(BaseModel):
    """Body of `POST /v1/analyze/stream`."""

    model_config = ConfigDict(extra="forbid")

    time_range: TimeRange = Field(default_factory=lambda: TimeRange())
    filters: Filters
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 1000
    log_filter: str | None = Field(
        None,
        description="RE2 line filter replacing the default error/warning filter.",
        examples=["(?i)(timeout|refused)"],
    )
    question: Annotated[str | None, Field(max_length=300)] = None

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


class ErrorBody(BaseModel):
    """The `error` object of every JSON error response."""

    code: str
    message: str


class ErrorEnvelope(BaseModel):
    """`{"error": {...}}`, the body of every non-2xx JSON response."""

    error: ErrorBody


class Health(BaseModel):
    """Liveness answer."""

    status: Literal["ok"] = "ok"
    version: str


class VersionInfo(BaseModel):
    """What is running."""

    name: str
    version: str
    model: str
    environment: str


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)
