import json
from collections.abc import Mapping

import pytest

from log_analyzer.logs.redact import Redaction, may_contain_secret, redact, same_for_all_digits

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.abcDEF123_-xyz"
GITHUB = "ghp_" + "A1b2C3d4E5" * 3 + "F6g7H8"
GITHUB_PAT = "github_pat_11ABCDEFG0123456789_abcdefghijKLMNOPQRST"
SLACK = "xoxb-1234567890-0987654321-AbCdEfGhIjKl"
GOOGLE = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
GITLAB = "glpat-" + "xY12zW34vU56tS78rQ90"
OPENAI = "sk-proj-" + "Ab12Cd34Ef56Gh78Ij90Kl12"

POSITIVE = [
    pytest.param(
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nq83vEjN\n"
        "-----END RSA PRIVATE KEY-----\nnext",
        "[REDACTED:private_key]\nnext",
        {"private_key": 1},
        id="private_key-multiline",
    ),
    pytest.param(
        "key=-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nAAAAB",
        "key=[REDACTED:private_key]",
        {"private_key": 1},
        id="private_key-truncated",
    ),
    pytest.param(
        r'{"tls": "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n"}',
        r'{"tls": "[REDACTED:private_key]\n"}',
        {"private_key": 1},
        id="private_key-escaped-in-json",
    ),
    pytest.param(f"session {JWT} issued", "session [REDACTED:jwt] issued", {"jwt": 1}, id="jwt"),
    pytest.param(
        "Authorization: Bearer 8f3kQ2mZ9xLpV7rT1wYc",
        "Authorization: Bearer [REDACTED:bearer]",
        {"bearer": 1},
        id="bearer-header",
    ),
    pytest.param(
        "retrying with bearer abc.def-123_456 after 401",
        "retrying with bearer [REDACTED:bearer] after 401",
        {"bearer": 1},
        id="bearer-lowercase",
    ),
    pytest.param(
        "Authorization: Basic dXNlcjpwYXNz",
        "Authorization: Basic [REDACTED:basic_auth]",
        {"basic_auth": 1},
        id="basic_auth",
    ),
    pytest.param(
        "using AKIAIOSFODNN7EXAMPLE for s3",
        "using [REDACTED:aws_access_key] for s3",
        {"aws_access_key": 1},
        id="aws_access_key-akia",
    ),
    pytest.param(
        "creds=ASIAY34FZKBOKMUTVV7A",
        "creds=[REDACTED:aws_access_key]",
        {"aws_access_key": 1},
        id="aws_access_key-asia",
    ),
    pytest.param(
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY region=eu-west-1",
        "aws_secret_access_key=[REDACTED:aws_secret_key] region=eu-west-1",
        {"aws_secret_key": 1},
        id="aws_secret_key",
    ),
    pytest.param(
        'AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
        'AWS_SECRET_ACCESS_KEY: "[REDACTED:aws_secret_key]"',
        {"aws_secret_key": 1},
        id="aws_secret_key-yaml",
    ),
    pytest.param(
        "connecting to postgres://app:s3cr3t@db:5432/orders",
        "connecting to postgres://app:[REDACTED:url_password]@db:5432/orders",
        {"url_password": 1},
        id="url_password",
    ),
    pytest.param(
        "redis://:hunter2@cache:6379/0",
        "redis://:[REDACTED:url_password]@cache:6379/0",
        {"url_password": 1},
        id="url_password-no-user",
    ),
    pytest.param(
        "login failed password=hunter2 user=bob",
        "login failed password=[REDACTED:password] user=bob",
        {"password": 1},
        id="password-logfmt",
    ),
    pytest.param(
        'DB_PASSWORD="correct horse battery"',
        'DB_PASSWORD="[REDACTED:password]"',
        {"password": 1},
        id="db_password-quoted",
    ),
    pytest.param("passwd: s3cr3t!", "passwd: [REDACTED:password]", {"password": 1}, id="passwd"),
    pytest.param("pwd = hunter2", "pwd = [REDACTED:password]", {"password": 1}, id="pwd"),
    pytest.param(
        "spring.datasource.password=Tr0ub4dor",
        "spring.datasource.password=[REDACTED:password]",
        {"password": 1},
        id="password-dotted-key",
    ),
    pytest.param(
        '{"client_secret": "abc123", "user": "bob"}',
        '{"client_secret": "[REDACTED:secret]", "user": "bob"}',
        {"secret": 1},
        id="client_secret-json",
    ),
    pytest.param(
        "clientSecret: 'xyz 789'",
        "clientSecret: '[REDACTED:secret]'",
        {"secret": 1},
        id="secret-camelcase-single-quoted",
    ),
    pytest.param(
        "access_token=ya29.a0AfH6SMB",
        "access_token=[REDACTED:token]",
        {"token": 1},
        id="access_token",
    ),
    pytest.param(
        "X-Auth-Token: 5f2b9c1e",
        "X-Auth-Token: [REDACTED:token]",
        {"token": 1},
        id="token-header",
    ),
    pytest.param(
        "X-Api-Key: 9f8e7d6c5b4a",
        "X-Api-Key: [REDACTED:api_key]",
        {"api_key": 1},
        id="x-api-key",
    ),
    pytest.param(
        "GET /v1/items?apikey=abcdef&page=2",
        "GET /v1/items?apikey=[REDACTED:api_key]&page=2",
        {"api_key": 1},
        id="apikey-query",
    ),
    pytest.param(
        r'msg="{\"password\":\"hunter2\"}"',
        r'msg="{\"password\":\"[REDACTED:password]\"}"',
        {"password": 1},
        id="password-escaped-json",
    ),
    pytest.param(
        '{"password": "hunter2',
        '{"password": "[REDACTED:password]',
        {"password": 1},
        id="password-cut-short",
    ),
    pytest.param(
        f"GITHUB_TOKEN={GITHUB}",
        "GITHUB_TOKEN=[REDACTED:github_token]",
        {"github_token": 1},
        id="github_token",
    ),
    pytest.param(
        f"pat {GITHUB_PAT} used",
        "pat [REDACTED:github_token] used",
        {"github_token": 1},
        id="github_pat",
    ),
    pytest.param(
        f"slack {SLACK} posted",
        "slack [REDACTED:slack_token] posted",
        {"slack_token": 1},
        id="slack_token",
    ),
    pytest.param(
        f"maps key {GOOGLE}",
        "maps key [REDACTED:google_api_key]",
        {"google_api_key": 1},
        id="google_api_key",
    ),
    pytest.param(
        f"charging with {STRIPE}",
        "charging with [REDACTED:stripe_key]",
        {"stripe_key": 1},
        id="stripe_key",
    ),
    pytest.param(
        f"gitlab {GITLAB}", "gitlab [REDACTED:gitlab_token]", {"gitlab_token": 1}, id="gitlab"
    ),
    pytest.param(
        f"OPENAI_API_KEY={OPENAI}",
        "OPENAI_API_KEY=[REDACTED:llm_api_key]",
        {"llm_api_key": 1},
        id="llm_api_key",
    ),
]

NEGATIVE = [
    pytest.param("password reset email sent to user 42", id="password-prose"),
    pytest.param("token bucket refilled", id="token-prose"),
    pytest.param("password=", id="password-empty"),
    pytest.param("password= user=bob", id="password-empty-then-pair"),
    pytest.param('{"password": "", "user": "bob"}', id="password-empty-json"),
    pytest.param('{"password": null, "token": false}', id="null-and-false"),
    pytest.param("invalid token: signature expired.", id="go-error-after-colon"),
    pytest.param("could not read secret: Not found", id="go-error-capitalised"),
    pytest.param("prompt_tokens=42 max_tokens: 512 token_type=bearer", id="token-counts"),
    pytest.param("request_id=550e8400-e29b-41d4-a716-446655440000", id="uuid"),
    pytest.param("trace_id=4bf92f3576b4e9a6f2c1d3e4f5a6b7c8", id="trace-id"),
    pytest.param("deployed 9fceb02d0ae598e95dc970b74767f19372d61af8", id="git-sha"),
    pytest.param("image@sha256:" + "ab" * 32, id="image-digest"),
    pytest.param("PWD=/srv/app OLDPWD=/", id="pwd-env-directory"),
    pytest.param("password=${DB_PASSWORD} secret=$(cat /run/s) token=<nil>", id="references"),
    pytest.param("passwd=*** api_key=[REDACTED]", id="masked-already"),
    pytest.param("basic auth failed; Bearer tokens are validated", id="auth-prose"),
    pytest.param('WWW-Authenticate: Bearer realm="kubernetes"', id="bearer-challenge"),
    pytest.param("http://svc:8080/healthz and https://user@host/x", id="url-without-password"),
    pytest.param("cache key=user:42 monkey=banana", id="plain-keys"),
    pytest.param("node pool sk-prod-default-pool-1234567", id="hyphenated-name"),
    pytest.param("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", id="certificate"),
    pytest.param("", id="empty"),
]


def as_dict(counts: Mapping[str, int]) -> dict[str, int]:
    return dict(counts)


@pytest.mark.parametrize(("text", "expected", "counts"), POSITIVE)
def test_redacts_each_kind(text: str, expected: str, counts: dict[str, int]) -> None:
    result = redact(text)

    assert result.text == expected
    assert as_dict(result.counts) == counts


@pytest.mark.parametrize(("text", "expected", "counts"), POSITIVE)
def test_redacting_twice_changes_nothing(text: str, expected: str, counts: dict[str, int]) -> None:
    again = redact(redact(text).text)

    assert again.text == expected
    assert again.total == 0


@pytest.mark.parametrize("text", NEGATIVE)
def test_leaves_non_secrets_untouched(text: str) -> None:
    result = redact(text)

    assert result.text == text
    assert result.total == 0


@pytest.mark.parametrize(
    ("line", "key"),
    [
        pytest.param('{"password": "p@ss\\"w0rd", "user": "bob"}', "password", id="escaped-quote"),
        pytest.param('{"db_password":12345,"ok":true}', "db_password", id="number-value"),
        pytest.param('{"apiKey": "k-123", "n": [1, 2]}', "apiKey", id="camelcase"),
        pytest.param('{"auth": {"access_token": "t0k3n"}}', "access_token", id="nested"),
    ],
)
def test_json_stays_valid(line: str, key: str) -> None:
    redacted = redact(line).text

    parsed = json.loads(redacted)
    values = parsed.get("auth", parsed)
    assert values[key].startswith("[REDACTED:")
    assert redact(redacted).total == 0


def test_jwt_behind_bearer_is_counted_once() -> None:
    result = redact(f"Authorization: Bearer {JWT}")

    assert result.text == "Authorization: Bearer [REDACTED:jwt]"
    assert as_dict(result.counts) == {"jwt": 1}


def test_token_key_holding_a_jwt_is_counted_once() -> None:
    result = redact(f'{{"id_token": "{JWT}"}}')

    assert result.text == '{"id_token": "[REDACTED:jwt]"}'
    assert as_dict(result.counts) == {"jwt": 1}


def test_counts_per_kind() -> None:
    text = "\n".join(
        [
            f"user=bob password=hunter2 token=abc123 Authorization: Bearer {JWT}",
            f"db=postgres://app:pw1@db/x backup=postgres://app:pw2@db2/x key={GITHUB}",
            "password: second-one AKIAIOSFODNN7EXAMPLE",
        ]
    )

    result = redact(text)

    assert as_dict(result.counts) == {
        "jwt": 1,
        "github_token": 1,
        "aws_access_key": 1,
        "url_password": 2,
        "password": 2,
        "token": 1,
    }
    assert result.total == 8
    assert "hunter2" not in result.text
    assert "second-one" not in result.text


def test_private_key_spanning_log_lines_keeps_the_lines_around_it() -> None:
    text = (
        "level=info msg=start\n"
        "-----BEGIN PRIVATE KEY-----\n"
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"
        "BKcwggSjAgEAAoIBAQC7\n"
        "-----END PRIVATE KEY-----\n"
        "level=info msg=done"
    )

    result = redact(text)

    assert result.text == "level=info msg=start\n[REDACTED:private_key]\nlevel=info msg=done"
    assert as_dict(result.counts) == {"private_key": 1}


def test_redaction_is_immutable() -> None:
    result = redact("password=hunter2")

    with pytest.raises(TypeError):
        result.counts["password"] = 5  # type: ignore[index]
    assert result == Redaction("password=[REDACTED:password]", {"password": 1})
    assert result.total == 1


def test_nothing_to_redact_has_zero_total() -> None:
    result = redact("level=info msg=ok")

    assert result == Redaction("level=info msg=ok", {})
    assert result.total == 0


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("GET /health 200 in 3 ms", id="plain"),
        pytest.param("Failed password for root from 10.0.0.1 port 22 ssh2", id="hint-no-secret"),
        pytest.param("-----BEGIN RSA PRIVATE KEY-----\nMIIE", id="private-key"),
        pytest.param(f"auth {JWT}", id="jwt"),
        pytest.param(f"{SLACK} posted", id="slack"),
        pytest.param("db url postgres://u:p4ss@db:5432/x", id="url-password"),
        pytest.param("Authorization: Basic dTA6cDA=", id="basic"),
        pytest.param('{"apiKey": "x"}', id="key-value"),
    ],
)
def test_may_contain_secret_is_false_only_when_redact_changes_nothing(text: str) -> None:
    if not may_contain_secret(text):
        assert redact(text) == Redaction(text, {})
    if redact(text).total:
        assert may_contain_secret(text)


def test_texts_without_hints_come_back_as_they_are() -> None:
    text = "GET /health 200 in 3 ms"
    assert not may_contain_secret(text)
    assert redact(text).text is text


def test_no_rule_looks_at_digit_values() -> None:
    # Callers cache redaction verdicts by skeleton (masking.skeleton): a literal digit in a
    # pattern, outside a class holding all ten, would make such caches wrong.
    import re

    from log_analyzer.logs import redact as module

    for rule in module._RULES:
        rest = re.sub(r"\\.|\[(?:\\.|[^\]])*\]|\{\d+(?:,\d*)?\}", "", rule.pattern.pattern)
        assert not any(char.isdigit() for char in rest), rule.pattern.pattern
        for hint in rule.hints:
            assert not any(char.isdigit() for char in hint)
        for cls in re.findall(r"\[(?:\\.|[^\]])*\]", rule.pattern.pattern):
            digits = {d for d in "0123456789" if d in cls}
            assert digits in (set(), set("0123456789")) or "0-9" in cls, cls


@pytest.mark.parametrize(
    ("text", "same"),
    [
        pytest.param("token=abc123 ok", True, id="key-value"),
        pytest.param("Authorization: Basic dTA6cDA=", False, id="basic-is-decoded"),
    ],
)
def test_same_for_all_digits(text: str, same: bool) -> None:
    assert same_for_all_digits(text) is same
