"""The OpenSearch settings refuse credentials that cannot both be meant, and a missing CA file."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from tests.conftest import settings_for_tests


@pytest.mark.parametrize(
    ("values", "says"),
    [
        pytest.param(
            {"opensearch_username": "reader"}, "OPENSEARCH_PASSWORD together", id="user-alone"
        ),
        pytest.param(
            {"opensearch_password": "s3cret"}, "OPENSEARCH_PASSWORD together", id="password-alone"
        ),
        pytest.param(
            {
                "opensearch_username": "reader",
                "opensearch_password": "s3cret",
                "opensearch_api_key": "a2V5",
            },
            "not both",
            id="basic-and-api-key",
        ),
        pytest.param(
            {"opensearch_ca_bundle": "/no/such/ca.pem"}, "is not a file", id="missing-ca-file"
        ),
        pytest.param(
            {"opensearch_auth": "sigv4", "opensearch_api_key": "a2V5"},
            "OPENSEARCH_AUTH=sigv4 signs requests with AWS credentials",
            id="sigv4-and-api-key",
        ),
        pytest.param(
            {"opensearch_auth": "sigv4", "opensearch_aws_service": "lambda"},
            "opensearch_aws_service",
            id="sigv4-unknown-service",
        ),
    ],
)
def test_conflicting_settings_are_refused(values: dict[str, Any], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        settings_for_tests(opensearch_url="https://os:9200", **values)


def test_the_password_stays_secret() -> None:
    settings = settings_for_tests(
        opensearch_url="https://os:9200", opensearch_username="r", opensearch_password="s3cret"
    )
    assert "s3cret" not in repr(settings)
    assert settings.opensearch_index == "fluent-bit"
    assert settings.opensearch_verify_tls is True
