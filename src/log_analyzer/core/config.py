"""Service configuration, read once from the environment.

Every knob the service has lives here as a typed field. `get_settings()` builds it lazily (never at
import time) so tests can construct their own `Settings(...)` and hand it to `create_app`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    HttpUrl,
    PositiveInt,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from log_analyzer import __version__

LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
"""A Prometheus-style label name, as Loki's stream selectors and `by` clauses take one."""


def _loki_label(value: str) -> str:
    if not LABEL_NAME.match(value):
        raise ValueError(
            f"{value!r} is not a Loki label name (letters, digits and underscores, not starting "
            "with a digit); Loki turns an OTLP attribute's dots into underscores "
            "(k8s.pod.name is the label k8s_pod_name)"
        )
    return value


LokiLabel = Annotated[str, AfterValidator(_loki_label)]
"""A Loki stream label's name, as a stream selector writes it."""

Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]
"""A timeout, deadline or time to live: positive and finite (``inf`` would be no limit at all)."""


class Settings(BaseSettings):
    """Environment-backed settings; each field is read from the upper-cased variable of its name."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    log_source: Literal["loki", "cloudwatch", "opensearch", "demo"] = "loki"
    """The store a request reads when it names none (its ``source`` field); one of the stores of
    ``sources/registry.py`` (a test keeps the two lists equal)."""

    loki_url: HttpUrl = HttpUrl("http://localhost:3100")
    """Base URL of the Loki HTTP API (query frontend or single binary)."""

    loki_tenant: str | None = None
    """Loki tenant (its org id header); leave unset when Loki runs with `auth_enabled: false`."""

    loki_timeout_seconds: Seconds = 30.0
    """Read timeout of one Loki query; Loki's own `query_timeout` defaults to 60 s."""

    loki_connect_timeout_seconds: Seconds = 3.0
    """How long to wait for a TCP connection to Loki."""

    source_query_deadline_seconds: Seconds = 60.0
    """Longest one store query may take in all (retries and reading the answer included).

    A store that sends its answer a byte at a time never trips a read timeout; this stops it."""

    source_max_response_bytes: PositiveInt = 16 * 1_048_576
    """Most bytes read of one store answer. A log query's answer is read up to here and the
    summary says it was cut; a count query's answer past it is reported as an error."""

    loki_max_concurrency: PositiveInt = 16
    """Loki queries this process has in flight at once; more wait their turn, in order.

    A team's analyses at once would otherwise open hundreds of connections, queue behind each
    other in the HTTP client (whose bookkeeping grows with the queue) and crowd Loki's querier."""

    loki_retry_attempts: PositiveInt = 4
    """Tries per Loki query on connect errors and 429/502/503/504 (1 disables retrying)."""

    loki_retry_deadline_seconds: Seconds = 20.0
    """All tries of one Loki query, waits included, end after this long."""

    loki_labels: Literal["promtail", "otel"] = "promtail"
    """Which stream labels hold the namespace, pod and container: `promtail` (`namespace`,
    `pod`, `container`, as Promtail's and Alloy's Kubernetes discovery write them) or `otel`
    (`k8s_namespace_name`, `k8s_pod_name`, `k8s_container_name`: Loki 3's labels for logs sent
    over OTLP). `LOKI_NAMESPACE_LABEL`, `LOKI_POD_LABEL` and `LOKI_CONTAINER_LABEL` win over it."""

    loki_namespace_label: LokiLabel | None = None
    """Stream label the `namespace` filter matches; unset, the one `LOKI_LABELS` names."""

    loki_pod_label: LokiLabel | None = None
    """Stream label the `pod` filter matches and the totals are counted by."""

    loki_container_label: LokiLabel | None = None
    """Stream label the `container` filter matches and the totals are counted by."""

    @property
    def loki_label_names(self) -> tuple[str, str, str]:
        """The namespace, pod and container labels: each one set, else the `LOKI_LABELS` one."""
        namespace, pod, container = LOKI_LABEL_PRESETS[self.loki_labels]
        return (
            self.loki_namespace_label or namespace,
            self.loki_pod_label or pod,
            self.loki_container_label or container,
        )

    @model_validator(mode="after")
    def _check_loki_labels(self) -> Settings:
        named = dict(zip(LOKI_LABEL_SETTINGS, self.loki_label_names, strict=True))
        taken = {"node": "the node filter"}
        for setting, label in named.items():
            if label in taken:
                raise ValueError(f"{setting} ({label!r}) is already the label of {taken[label]}")
            taken[label] = setting
        return self

    # --- CloudWatch Logs (the `cloudwatch` store) -------------------------------------------

    aws_region: str | None = None
    """AWS region of the CloudWatch Logs store (`AWS_REGION`, the variable the AWS SDKs read).

    Unset, the standard AWS configuration's region is used (`AWS_DEFAULT_REGION`, the profile);
    with none at all, the `cloudwatch` store is not offered. Credentials always come from the
    standard chain (environment, profile, web identity as with IRSA), never from here."""

    cloudwatch_endpoint_url: HttpUrl | None = None
    """CloudWatch Logs endpoint to use instead of the region's: a VPC endpoint, or an emulator."""

    cloudwatch_connect_timeout_seconds: Seconds = 3.0
    """How long to wait for a connection to CloudWatch Logs."""

    cloudwatch_read_timeout_seconds: Seconds = 30.0
    """Longest wait for one CloudWatch Logs API answer; a whole query (all its pages, every
    poll of a Logs Insights query) is bounded by `SOURCE_QUERY_DEADLINE_SECONDS`."""

    cloudwatch_retry_attempts: PositiveInt = 4
    """Tries per CloudWatch Logs call when it throttles us or is briefly unavailable (1 disables
    retrying); the waits between them count against the query's deadline."""

    # --- end of CloudWatch Logs ----------------------------------------------------------------

    # --- OpenSearch / Elasticsearch (the `opensearch` store) --------------------------------

    opensearch_url: HttpUrl | None = None
    """Base URL of the OpenSearch (2, 3) or Elasticsearch (8) REST API; unset, the `opensearch`
    store is not offered."""

    opensearch_index: str = Field(default="fluent-bit", min_length=1)
    """Index, alias, data stream or pattern read when a request sets no `filters.index`
    (`logs-*`, or several comma-separated); Fluent Bit's outputs write to `fluent-bit`."""

    opensearch_username: str | None = None
    """User for HTTP basic authentication, with `OPENSEARCH_PASSWORD`."""

    opensearch_password: SecretStr | None = None
    """Password for HTTP basic authentication, with `OPENSEARCH_USERNAME`."""

    opensearch_api_key: SecretStr | None = None
    """API key, sent as `Authorization: ApiKey <key>` (Elasticsearch's `encoded` form); instead
    of a user and password."""

    opensearch_auth: Literal["default", "sigv4"] = "default"
    """`sigv4` signs every request with AWS Signature Version 4, for an Amazon OpenSearch
    Service domain with IAM access or an OpenSearch Serverless collection; its credentials come
    from the standard AWS chain (environment, web identity as with IRSA, container or instance
    role) and are renewed before they expire. `default` sends the user and password or the API
    key above when set, else nothing."""

    opensearch_aws_region: str | None = None
    """Region of the domain or collection, for `sigv4`; unset, `AWS_REGION`, then the standard
    AWS configuration's region (`AWS_DEFAULT_REGION`, the profile)."""

    opensearch_aws_service: Literal["es", "aoss"] = "es"
    """Service name `sigv4` signs for: `es` for an OpenSearch Service domain, `aoss` for an
    OpenSearch Serverless collection."""

    opensearch_verify_tls: bool = True
    """Verify the cluster's TLS certificate; turn it off only for a throwaway test cluster."""

    opensearch_ca_bundle: str | None = None
    """PEM file of the certificate authorities that sign the cluster's certificate (a private
    CA); unset, the system's authorities are trusted."""

    opensearch_timeout_seconds: Seconds = 30.0
    """Read timeout of one OpenSearch request; a whole query, all its pages included, is
    bounded by `SOURCE_QUERY_DEADLINE_SECONDS`."""

    opensearch_connect_timeout_seconds: Seconds = 3.0
    """How long to wait for a TCP connection to OpenSearch."""

    opensearch_time_field: str = Field(default="@timestamp", min_length=1)
    """Document field with the entry's time (a `date` or `date_nanos` field)."""

    opensearch_message_field: str = Field(default="message", min_length=1)
    """Document field with the log line (Fluent Bit keeps the raw line in `log` unless told
    otherwise: set `log` then)."""

    opensearch_level_field: str = Field(default="level", min_length=1)
    """Document field with the entry's level, where the shipper or the application set one: a
    word (``error``), or pino's and bunyan's number (``50``)."""

    opensearch_namespace_field: str = Field(default="kubernetes.namespace_name", min_length=1)
    """Document field the `namespace` filter matches (Fluent Bit's Kubernetes filter's name)."""

    opensearch_pod_field: str = Field(default="kubernetes.pod_name", min_length=1)
    """Document field the `pod` filter matches."""

    opensearch_container_field: str = Field(default="kubernetes.container_name", min_length=1)
    """Document field the `container` filter matches."""

    opensearch_node_field: str = Field(default="kubernetes.host", min_length=1)
    """Document field the `node` filter matches."""

    opensearch_max_scan_documents: PositiveInt = 50_000
    """Most documents one query reads when the service filters lines itself (a `log_filter`,
    or errors and warnings among documents without a level). Entries past it are not looked
    at (the entries are then a sample), and counts that would need more are not given."""

    @model_validator(mode="after")
    def _check_opensearch_credentials(self) -> Settings:
        basic = (self.opensearch_username is not None, self.opensearch_password is not None)
        if basic[0] != basic[1]:
            raise ValueError("set OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD together")
        if basic[0] and self.opensearch_api_key is not None:
            raise ValueError(
                "set OPENSEARCH_API_KEY or OPENSEARCH_USERNAME/OPENSEARCH_PASSWORD, not both"
            )
        if self.opensearch_auth == "sigv4" and (basic[0] or self.opensearch_api_key is not None):
            raise ValueError(
                "OPENSEARCH_AUTH=sigv4 signs requests with AWS credentials: unset "
                "OPENSEARCH_USERNAME/OPENSEARCH_PASSWORD and OPENSEARCH_API_KEY"
            )
        return self

    @field_validator("opensearch_ca_bundle")
    @classmethod
    def _check_opensearch_ca_bundle(cls, value: str | None) -> str | None:
        from pathlib import Path  # only this check reads a path

        if value is not None and not Path(value).is_file():
            raise ValueError(f"{value!r} is not a file")
        return value

    # --- end of OpenSearch / Elasticsearch ------------------------------------------------

    llama_url: HttpUrl = HttpUrl("http://localhost:8080")
    """Base URL of llama.cpp `llama-server`."""

    llama_api_key: SecretStr | None = None
    """Bearer key when llama-server runs with `--api-key`."""

    llama_connect_timeout_seconds: Seconds = 3.0
    """How long to wait for a TCP connection to llama-server."""

    llama_read_timeout_seconds: Seconds = 120.0
    """Longest silence tolerated between two streamed chunks (prompt processing included)."""

    model_name: str = "llama-3.2-3b-instruct"
    """Model name reported to clients and telemetry; llama-server serves whatever it loaded."""

    max_tokens: PositiveInt = 512
    """Completion budget reserved in the context window for the answer."""

    llm_context_tokens: PositiveInt | None = None
    """Per-slot context size; overrides `n_ctx` read from llama-server `/props` when set."""

    llm_temperature: float = Field(default=0.2, ge=0.0, le=2.0)
    """Sampling temperature; low, because a diagnosis should be repeatable."""

    llm_max_concurrency: PositiveInt | None = None
    """Generations allowed at once; default: the server's slot count (`total_slots` in /props)."""

    llm_queue_timeout_seconds: Seconds = 30.0
    """Longest wait for a free generation slot, once the prompt is ready; past it the stream
    ends with an `overloaded` error event (its numbers already sent) carrying `retry_after`."""

    llm_deadline_seconds: Seconds = 300.0
    """Longest one generation may take in all, prompt processing and every token included."""

    client_send_timeout_seconds: Seconds = 30.0
    """A client that takes no part of the stream for this long is treated as gone: its run is
    cancelled and its generation slot freed."""

    llama_props_timeout_seconds: Seconds = 5.0
    """Deadline of llama-server's `/props`, `/health`, `/tokenize` and `/apply-template` calls."""

    llama_props_ttl_seconds: Seconds = 60.0
    """How long `/props` (context size, slots) is reused before it is read again."""

    worker_processes: int | None = Field(default=None, ge=0)
    """Processes for CPU work (decode, normalize, mine); default: the CPUs this pod may use.

    0 runs that work in a thread of the service process instead (tests, tiny deployments)."""

    worker_queue_timeout_seconds: Seconds = 120.0
    """Longest a request waits for its turn at the workers (two requests per worker compute at
    once) before it is refused with `overloaded` (429, `Retry-After`); it has fetched nothing yet.
    Generous: 100 analyses queued on 2 CPUs are all served within about 40 s."""

    worker_max_tasks: PositiveInt = 1000
    """A worker process is replaced after this many tasks, returning its memory to the system."""

    max_request_bytes: PositiveInt = 1_048_576
    """Largest request body read; a larger one is refused with 413 before it is read whole."""

    max_time_range: timedelta = timedelta(hours=24)
    """Longest analysis window accepted; longer requests are rejected, never clamped."""

    max_recipe_range: timedelta = timedelta(days=30)
    """Longest recipe window accepted (recipes are count queries and bounded fetches, which
    every store affords over a month); longer requests are rejected, never clamped."""

    coverage_passes: int = Field(default=2, ge=0, le=10)
    """Coverage passes of a busy window: when a fetch stops at the limit, the window is asked
    again without the lines of every pattern already known, up to this many times (0: never);
    the summary says whether every matching line ended up in a known pattern."""

    max_line_chars: PositiveInt = 2000
    """Longer log lines are cut to this many characters and marked as truncated."""

    redact_pii: str = "email"
    """Personal data redacted besides secrets (payment card numbers always are): `email`, `ip`,
    both comma-separated (`email,ip`), or `none`."""

    otel_exporter_otlp_endpoint: HttpUrl = HttpUrl("http://localhost:4317")
    """OTLP/gRPC endpoint of the trace collector (Tempo, or an OpenTelemetry Collector)."""

    otel_enabled: bool = True
    """Export spans over OTLP; turn off where no collector listens."""

    deployment_environment: str = "local"
    """Value of the `deployment.environment` resource attribute."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Threshold of the service's own JSON logs."""

    @model_validator(mode="after")
    def _check_invariants(self) -> Settings:
        if self.max_time_range <= timedelta(0):
            raise ValueError("MAX_TIME_RANGE must be a positive duration")
        if self.max_recipe_range <= timedelta(0):
            raise ValueError("MAX_RECIPE_RANGE must be a positive duration")
        if self.llm_context_tokens is not None and self.llm_context_tokens <= self.max_tokens:
            raise ValueError(
                f"LLM_CONTEXT_TOKENS ({self.llm_context_tokens}) must be larger than "
                f"MAX_TOKENS ({self.max_tokens}): the answer needs room in the context"
            )
        return self

    @field_validator("redact_pii")
    @classmethod
    def _check_redact_pii(cls, value: str) -> str:
        kinds = _pii_kinds(value)
        unknown = kinds - PII_KINDS
        if unknown:
            raise ValueError(
                f"unknown kind {', '.join(sorted(unknown))}: use email, ip, both (email,ip) or none"
            )
        return ",".join(sorted(kinds)) or "none"

    @property
    def pii(self) -> frozenset[str]:
        """The kinds of personal data redacted (`REDACT_PII`)."""
        return _pii_kinds(self.redact_pii)

    @property
    def version(self) -> str:
        """The service's own version, for `/health`, `/version` and the telemetry resource."""
        return __version__


LOKI_LABEL_PRESETS: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        "promtail": ("namespace", "pod", "container"),
        # Loki 3 indexes these OTLP resource attributes by default, dots made underscores.
        "otel": ("k8s_namespace_name", "k8s_pod_name", "k8s_container_name"),
    }
)
"""The namespace, pod and container labels each `LOKI_LABELS` value stands for."""
LOKI_LABEL_SETTINGS = ("LOKI_NAMESPACE_LABEL", "LOKI_POD_LABEL", "LOKI_CONTAINER_LABEL")
"""The settings of the namespace, pod and container labels, in `loki_label_names` order."""

PII_KINDS = frozenset({"email", "ip"})
"""What `REDACT_PII` may name (the redaction rules in `logs.redact` know the same kinds)."""


def _pii_kinds(value: str) -> frozenset[str]:
    kinds = {part.strip().lower() for part in value.split(",")} - {""}
    return frozenset() if kinds == {"none"} else frozenset(kinds)


class ConfigError(ValueError):
    """The environment holds an invalid configuration; the message names each variable."""


@lru_cache
def get_settings() -> Settings:
    """Build the settings from the environment once per process.

    Raises `ConfigError` naming every offending environment variable, so a bad deployment fails at
    start-up with a message an operator can act on.
    """
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = "_".join(str(p) for p in err["loc"]).upper() or "settings"
            problems.append(f"{name}: {err['msg'].removeprefix('Value error, ')}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None
