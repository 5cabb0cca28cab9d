"""Settings from the environment; invalid values fail naming the variable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from log_analyzer.core.config import ConfigError, get_settings


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
