"""Settings from the environment; invalid values fail naming the variable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import get_args

import pytest
from pydantic import ValidationError

from log_analyzer.core.config import ConfigError, Settings, get_settings
from log_analyzer.sources.registry import SPECS


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("LOKI_URL", "LLAMA_URL", "MODEL_NAME", "MAX_TOKENS", "LLM_CONTEXT_TOKENS"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_defaults() -> None:
    s = get_settings()
    assert str(s.loki_url) == "http://localhost:3100/"
    assert str(s.llama_url) == "http://localhost:8080/"
    assert s.model_name == "llama-3.2-3b-instruct"
    assert str(s.otel_exporter_otlp_endpoint) == "http://localhost:4317/"
    assert s.deployment_environment == "local"
    assert s.max_time_range == timedelta(hours=24)
    assert s.loki_tenant is None


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOKI_URL", "http://loki.logging:3100")
    monkeypatch.setenv("LOKI_TENANT", "team-a")
    monkeypatch.setenv("MAX_TIME_RANGE", "PT6H")
    monkeypatch.setenv("LLM_CONTEXT_TOKENS", "4096")
    s = get_settings()
    assert str(s.loki_url) == "http://loki.logging:3100/"
    assert s.loki_tenant == "team-a"
    assert s.max_time_range == timedelta(hours=6)
    assert s.llm_context_tokens == 4096


@pytest.mark.parametrize(
    ("env", "named"),
    [
        pytest.param({"LOKI_URL": "not a url"}, "LOKI_URL", id="url"),
        pytest.param({"MAX_TOKENS": "0"}, "MAX_TOKENS", id="positive"),
        pytest.param({"LLM_TEMPERATURE": "9"}, "LLM_TEMPERATURE", id="range"),
        pytest.param({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL", id="literal"),
        pytest.param({"LOG_SOURCE": "elastic"}, "LOG_SOURCE", id="unknown-store"),
        pytest.param(
            {"LLM_CONTEXT_TOKENS": "256", "MAX_TOKENS": "512"}, "LLM_CONTEXT_TOKENS", id="invariant"
        ),
    ],
)
def test_invalid_configuration_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as caught:
        get_settings()
    assert named in str(caught.value)


SECONDS = [
    name.upper()
    for name, field in Settings.model_fields.items()
    if name.endswith(("_seconds", "_timeout"))  # every timeout, deadline and time to live
]


@pytest.mark.parametrize("name", SECONDS)
@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "0"])
def test_a_time_limit_must_be_finite_and_positive(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    # An infinite deadline is no deadline: an upstream that never answers would hold a request
    # (and a generation slot) forever.
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        get_settings()
    assert name in str(caught.value)


def test_every_time_limit_is_checked() -> None:
    assert len(SECONDS) >= 16
    assert "SOURCE_QUERY_DEADLINE_SECONDS" in SECONDS and "LLM_DEADLINE_SECONDS" in SECONDS


# --- the Loki labels of the namespace, pod and container ----------------------------------------

LOKI_LABELS = ("LOKI_LABELS", "LOKI_NAMESPACE_LABEL", "LOKI_POD_LABEL", "LOKI_CONTAINER_LABEL")


def loki_labels(monkeypatch: pytest.MonkeyPatch, **env: str) -> tuple[str, str, str]:
    for name in LOKI_LABELS:
        monkeypatch.delenv(name, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return get_settings().loki_label_names


@pytest.mark.parametrize(
    ("env", "names"),
    [
        pytest.param({}, ("namespace", "pod", "container"), id="default"),
        pytest.param(
            {"LOKI_LABELS": "otel"},
            ("k8s_namespace_name", "k8s_pod_name", "k8s_container_name"),
            id="otel",
        ),
        pytest.param(
            {"LOKI_LABELS": "promtail"},
            ("namespace", "pod", "container"),
            id="promtail",
        ),
        pytest.param(
            {"LOKI_LABELS": "otel", "LOKI_POD_LABEL": "pod", "LOKI_NAMESPACE_LABEL": "k8s_ns"},
            ("k8s_ns", "pod", "k8s_container_name"),
            id="explicit-names-win",
        ),
        pytest.param(
            {"LOKI_NAMESPACE_LABEL": "kubernetes_namespace_name"},
            ("kubernetes_namespace_name", "pod", "container"),
            id="one-renamed",
        ),
    ],
)
def test_loki_labels(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], names: tuple[str, str, str]
) -> None:
    assert loki_labels(monkeypatch, **env) == names


@pytest.mark.parametrize(
    ("env", "named", "said"),
    [
        pytest.param(
            {"LOKI_POD_LABEL": "k8s.pod.name"},
            "LOKI_POD_LABEL",
            "'k8s.pod.name' is not a Loki label name",
            id="dots",
        ),
        pytest.param(
            {"LOKI_NAMESPACE_LABEL": "1namespace"},
            "LOKI_NAMESPACE_LABEL",
            "is not a Loki label name",
            id="leading-digit",
        ),
        pytest.param(
            {"LOKI_CONTAINER_LABEL": ""}, "LOKI_CONTAINER_LABEL", "is not a Loki label", id="empty"
        ),
        pytest.param(
            {"LOKI_CONTAINER_LABEL": 'x"}'},
            "LOKI_CONTAINER_LABEL",
            "is not a Loki label",
            id="quote",
        ),
        pytest.param(
            {"LOKI_LABELS": "fluentbit"}, "LOKI_LABELS", "'promtail' or 'otel'", id="preset"
        ),
        pytest.param(
            {"LOKI_CONTAINER_LABEL": "pod"},
            "LOKI_CONTAINER_LABEL",
            "LOKI_CONTAINER_LABEL ('pod') is already the label of LOKI_POD_LABEL",
            id="twice",
        ),
        pytest.param(
            {"LOKI_LABELS": "otel", "LOKI_POD_LABEL": "k8s_namespace_name"},
            "LOKI_POD_LABEL",
            "LOKI_POD_LABEL ('k8s_namespace_name') is already the label of LOKI_NAMESPACE_LABEL",
            id="twice-with-the-preset",
        ),
        pytest.param(
            {"LOKI_NAMESPACE_LABEL": "node"},
            "LOKI_NAMESPACE_LABEL",
            "is already the label of the node filter",
            id="node",
        ),
    ],
)
def test_invalid_loki_labels_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str, said: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        loki_labels(monkeypatch, **env)
    assert named in str(caught.value)
    assert said in str(caught.value)


def test_a_bad_loki_label_names_its_field_when_settings_are_built_in_code() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(loki_pod_label="k8s.pod.name")
    assert caught.value.errors()[0]["loc"] == ("loki_pod_label",)
    assert "k8s_pod_name" in str(caught.value), "the message says what Loki calls it"


def test_log_source_takes_the_names_of_the_stores_the_service_has() -> None:
    assert set(get_args(Settings.model_fields["log_source"].annotation)) == set(SPECS)
