import base64
import dataclasses
import json
import re
from collections.abc import Callable, Mapping
from re import _parser as re_parser
from typing import Any

import pytest
import re2

from log_analyzer.logs.redact import (
    DEFAULT_PII,
    PII_KINDS,
    Redaction,
    engine,
    key_names,
    key_value_syntax,
    may_contain_secret,
    percent_encoded,
    personal,
    prose,
    redact,
    rules,
    same_for_all_digits,
    urls,
    vendor_code,
    vendors,
)
from log_analyzer.logs.redact import rule as redact_rule

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.abcDEF123_-xyz"
GITHUB = "ghp_" + "A1b2C3d4E5" * 3 + "F6g7H8"
GITHUB_PAT = "github_pat_11ABCDEFG0123456789_abcdefghijKLMNOPQRST"
SLACK = "xoxb-1234567890-0987654321-AbCdEfGhIjKl"
GOOGLE = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
GITLAB = "glpat-" + "xY12zW34vU56tS78rQ90"
OPENAI = "sk-proj-" + "Ab12Cd34Ef56Gh78Ij90Kl12"

TELEGRAM_ONE_CASE = "1710408602:0F1E2D3C4B5A69788796A5B4C3D2E1F0A1B"
REFRESH_ONE_CASE = "4//2snapshot_orders_database_full_weekly"

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
        "OPENAI_API_KEY=[REDACTED:openai_api_key]",
        {"openai_api_key": 1},
        id="openai_api_key",
    ),
    pytest.param(
        f"bot 1710408602:AAF{'aB3' * 10}xY ready",
        "bot [REDACTED:telegram_bot_token] ready",
        {"telegram_bot_token": 1},
        id="telegram",
    ),
    pytest.param(
        'Authorization: OAuth oauth_token="Ab3dE5gH7jK9mN1pQ3sT5vX7", oauth_signature='
        '"tR3pzNv8%2FKj0Q5s6b7c8d9e0f1g%3D"',
        'Authorization: OAuth oauth_token="[REDACTED:token]", oauth_signature='
        '"[REDACTED:url_signature]"',
        {"token": 1, "url_signature": 1},
        id="oauth1-token-and-signature",
    ),
    pytest.param(
        r'{"name":"DB_PASSWORD","value":"p\"ss-W0rd-1"}',
        r'{"name":"DB_PASSWORD","value":"[REDACTED:password]"}',
        {"password": 1},
        id="named-value-with-escaped-quote",
    ),
    pytest.param(
        'Authorization: Digest response="6629fae49393a05397450978507c4ef1"\nnext',
        'Authorization: Digest response="[REDACTED:digest_response]"\nnext',
        {"digest_response": 1},
        id="digest-then-another-line",
    ),
    pytest.param(
        "Authorization: SignedHeaders=host, Signature=0123456789abcdef",
        "Authorization: SignedHeaders=host, Signature=[REDACTED:url_signature]",
        {"url_signature": 1},
        id="header-signature-of-sixteen",
    ),
    pytest.param(
        '{"name":"AWS_SECRET_ACCESS_KEY","value":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"}',
        '{"name":"AWS_SECRET_ACCESS_KEY","value":"[REDACTED:aws_secret_key]"}',
        {"aws_secret_key": 1},
        id="named-three-words",
    ),
    pytest.param(
        "ldapwhoami -x -H ldap://ldap -w Adm1n-Pass",
        "ldapwhoami -x -H ldap://ldap -w [REDACTED:password]",
        {"password": 1},
        id="ldapwhoami",
    ),
    pytest.param(
        "CREATE LOGIN etl WITH PASSWORD = N'Xy7pass', CHECK_POLICY = OFF",
        "CREATE LOGIN etl WITH PASSWORD = N'[REDACTED:password]', CHECK_POLICY = OFF",
        {"password": 1},
        id="tsql-unicode-literal-keeps-its-prefix",
    ),
    pytest.param(
        "- name: DB_PASSWORD\n  value: 'it''s 9x' # YAML doubles a quote inside single quotes",
        "- name: DB_PASSWORD\n  value: '[REDACTED:password]' # YAML doubles a quote inside single"
        " quotes",
        {"password": 1},
        id="named-value-yaml-quote-doubled",
    ),
    pytest.param(
        "password='it''s 9x' user=bob",
        "password='[REDACTED:password]' user=bob",
        {"password": 1},
        id="sql-quote-doubled-inside",
    ),
    pytest.param(
        "ALTER USER scott IDENTIFIED BY tiger7 ACCOUNT UNLOCK; ALTER ROLE a PASSWORD E'p\\'w1'",
        "ALTER USER scott IDENTIFIED BY [REDACTED:password] ACCOUNT UNLOCK; "
        "ALTER ROLE a PASSWORD E'[REDACTED:password]'",
        {"password": 2},
        id="sql-bare-and-escaped",
    ),
    pytest.param(
        'x "HELLO" "3" "AUTH" "default" "pw\\"1" y',
        'x "HELLO" "3" "AUTH" "default" "[REDACTED:password]" y',
        {"password": 1},
        id="redis-monitor-last-argument",
    ),
    pytest.param(
        '<entry key="db.password">pw1</entry><entry key="db.host">pg</entry>',
        '<entry key="db.password">[REDACTED:password]</entry><entry key="db.host">pg</entry>',
        {"password": 1},
        id="xml-named-entry",
    ),
    pytest.param(
        "next=%2Fcb%3Ftoken%3DabcDEF123%26lang%3Den",
        "next=%2Fcb%3Ftoken%3D[REDACTED:token]%26lang%3Den",
        {"token": 1},
        id="percent-encoded-value-ends-at-an-encoded-ampersand",
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
    pytest.param(f"cache key {TELEGRAM_ONE_CASE} stored", id="telegram-shape-one-case"),
    pytest.param(f"restored backup {REFRESH_ONE_CASE}", id="refresh-shape-one-case"),
    pytest.param("Splunk HEC endpoint unreachable: connection refused", id="splunk-prose"),
    pytest.param("Kerberos ticket renewal failed for HTTP/api.internal", id="kerberos-prose"),
    pytest.param("DPoP proof rejected: htu mismatch", id="dpop-prose"),
    pytest.param("Api-Key rotation scheduled for tomorrow morning", id="api-key-prose"),
    pytest.param("webhook rejected: status=401, signature=invalid", id="short-signature"),
    pytest.param(
        'upstream said response="6629fae49393a05397450978507c4ef1"', id="response-no-digest"
    ),
    pytest.param(
        'Authorization: OAuth oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"',
        id="oauth1-parameter-names",
    ),
    pytest.param(
        "env: [{Name:DB_PASSWORD Value: ValueFrom:&EnvVarSource{SecretKeyRef:nil}}]",
        id="go-env-empty-value",
    ),
    pytest.param('{"name":"DB_HOST","value":"postgres.shop.svc"}', id="named-not-secret"),
    pytest.param('{"name":"max_tokens","value":"4096"}', id="named-token-count"),
    pytest.param(
        '{"name":"GOOGLE_APPLICATION_CREDENTIALS","value":"/var/run/gcp/key.json"}',
        id="named-credentials-file",
    ),
    pytest.param('{"name":"API_TOKEN","value":"${API_TOKEN}"}', id="named-reference"),
    pytest.param("ldapsearch -x -w", id="ldap-no-value"),
    pytest.param(
        r'{"h": "Authorization: OAuth oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYS\""}',
        id="oauth1-parameter-names-escaped",
    ),
    pytest.param('response="6629fae49393a05397450978507c4ef1" then Digest auth', id="digest-after"),
    pytest.param(
        'Digest username="bob"\nresponse="6629fae49393a05397450978507c4ef1"',
        id="digest-on-another-line",
    ),
    # Net-SNMP's daemons take their configuration file after -c, not a community.
    pytest.param(
        "Started snmptrapd: /usr/sbin/snmptrapd -Lsd -c snmptrapd.conf -f", id="snmptrapd-config"
    ),
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


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('10.0.0.1 "GET /a?b=c HTTP/1.1" 200 "https://example.com/x"', id="referer"),
        pytest.param("fetched http://cdn.example.com/app.js?v=3#top", id="query"),
    ],
)
def test_a_url_without_a_colon_in_its_authority_is_clean(text: str) -> None:
    assert not may_contain_secret(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("to https://app:pw9@db:5432/x", id="password"),
        pytest.param("to postgres://app:ab/cd@db:5432", id="raw-slash"),
        pytest.param("to https://u\ud800ser:pw9@db/x", id="lone-surrogate-in-user"),
    ],
)
def test_a_url_with_a_colon_in_its_authority_is_suspect(text: str) -> None:
    # The hint reads the text with a lone surrogate as "?": it lets "?" into the user name.
    assert may_contain_secret(text)
    assert redact(text).counts == {"url_password": 1}


def test_no_rule_looks_at_digit_values() -> None:
    # Callers cache redaction verdicts by skeleton (masking.skeleton): a literal digit in a
    # pattern, hint or shape, outside a class holding all ten, would make such caches wrong.
    sources = [rule.pattern.pattern for rule in engine._RULES]
    sources += [shape for rule in engine._RULES for shape in (*rule.shapes, *rule.narrowing)]
    for source in sources:
        rest = re.sub(r"\\.|\[(?:\\.|[^\]])*\]|\{\d+(?:,\d*)?\}", "", source)
        assert not any(char.isdigit() for char in rest), source
        for cls in re.findall(r"\[(?:\\.|[^\]])*\]", source):
            digits = {d for d in "0123456789" if d in cls}
            assert digits in (set(), set("0123456789")) or "0-9" in cls, cls
    for rule in engine._RULES:
        for hint in rule.hints:
            assert not any(char.isdigit() for char in hint)


@pytest.mark.parametrize(
    ("text", "same"),
    [
        pytest.param("token=abc123 ok", True, id="key-value"),
        pytest.param("Authorization: Basic dTA6cDA=", False, id="basic-is-decoded"),
        pytest.param("next=%2Fcb%3Ftoken%3Dabc1", False, id="percent-encoded-pair-is-decoded"),
        pytest.param("cpu 95% token=abc1", True, id="percent-sign-alone"),
        pytest.param("q=password%20reset", False, id="percent-escape-after-a-key-word"),
    ],
)
def test_same_for_all_digits(text: str, same: bool) -> None:
    assert same_for_all_digits(text) is same


# --- helpers for the rules' boundaries ------------------------------------------------------------

ALL_PII = frozenset({"email", "ip"})
NO_PII: frozenset[str] = frozenset()


def body(size: int, pattern: str = "Ab1") -> str:
    """A token body of `size` characters: a fixed pattern, so no scanner takes it for a secret."""
    return (pattern * size)[:size]


def luhn(partial: str) -> str:
    """`partial` and the check digit that makes it pass the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(partial)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return partial + str(-total % 10)


def card(prefix: str, length: int) -> str:
    """A number of `length` digits starting with `prefix` that passes the Luhn check."""
    return luhn(prefix + "0" * (length - len(prefix) - 1))


def not_luhn(number: str) -> str:
    """`number` with its check digit off by one: it fails the Luhn check."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def check(text: str, expected: str, counts: dict[str, int], pii: frozenset[str]) -> None:
    result = redact(text, pii=pii)
    assert result.text == expected
    assert dict(result.counts) == counts
    assert may_contain_secret(text, pii=pii)
    assert redact(result.text, pii=pii) == Redaction(result.text, {})


def one(kind: str) -> tuple[str, dict[str, int]]:
    return f"[REDACTED:{kind}]", {kind: 1}


# --- vendor tokens ------------------------------------------------------------------------------

ANTHROPIC = "sk-ant-api03-" + body(93) + "AA"
PYPI = "pypi-AgEIcHlwaS5vcmc" + body(60)
VENDOR_TOKENS = [
    ("ghp_" + body(36), "github_token"),
    ("gho_" + body(36), "github_token"),
    ("ghu_" + body(36), "github_token"),
    ("ghs_" + body(40), "github_token"),
    ("ghr_" + body(36), "github_token"),
    ("github_pat_" + body(22), "github_token"),
    *[(f"gl{kind}-" + body(20), "gitlab_token") for kind in vendor_code._GITLAB],
    ("glc_" + body(32) + "==", "grafana_token"),
    ("v4.local." + body(40), "paseto"),
    ("v2.public." + body(60) + "." + body(8), "paseto"),
    ("glsa_" + body(32) + "_" + body(8, "a1"), "grafana_token"),
    *[(f"xox{c}-" + body(10, "1"), "slack_token") for c in "abposre"],
    ("xapp-1-" + body(10), "slack_token"),
    ("AIza" + body(35), "google_api_key"),
    ("GOCSPX-" + body(28), "google_oauth_secret"),
    ("ya29." + body(20), "google_oauth_token"),
    ("sk_live_" + body(16), "stripe_key"),
    ("sk_test_" + body(16), "stripe_key"),
    ("rk_live_" + body(16), "stripe_key"),
    ("rk_test_" + body(16), "stripe_key"),
    ("whsec_" + body(32), "stripe_key"),
    (ANTHROPIC, "anthropic_api_key"),
    ("sk-ant-admin01-" + body(32), "anthropic_api_key"),
    ("sk-ant-sid01-" + body(32), "anthropic_api_key"),
    ("sk-proj-" + body(20), "openai_api_key"),
    ("sk-svcacct-" + body(20), "openai_api_key"),
    ("sk-admin-" + body(20), "openai_api_key"),
    ("sk-" + body(20, "ab") + "T3BlbkFJ" + body(20, "ab"), "openai_api_key"),
    ("sk-" + body(20), "llm_api_key"),
    ("AKIA" + body(16, "A1"), "aws_access_key"),
    ("ASIA" + body(16, "A1"), "aws_access_key"),
    ("ABIA" + body(16, "A1"), "aws_access_key"),
    ("SK" + body(32, "0a"), "twilio_api_key"),
    ("SG." + body(22) + "." + body(43), "sendgrid_api_key"),
    ("key-" + body(32, "0a"), "mailgun_api_key"),
    *[(f"NR{kind}-" + body(19), "newrelic_key") for kind in ("AK", "II", "JS", "AA", "IQ")],
    ("npm_" + body(36), "npm_token"),
    (PYPI, "pypi_token"),
    ("pypi-AgENdGVzdC5weXBpLm9yZw" + body(50), "pypi_token"),
    ("hf_" + body(34), "huggingface_token"),
    ("api_org_" + body(34), "huggingface_token"),
    *[(f"shp{kind}_" + body(32, "0a"), "shopify_token") for kind in ("at", "ca", "pa", "ss")],
    ("hvs." + body(24), "vault_token"),
    ("hvb." + body(24), "vault_token"),
    *[(f"do{c}_v1_" + body(64, "0a"), "digitalocean_token") for c in "opr"],
    ("dapi" + body(32, "0a"), "databricks_token"),
    ("dapi" + body(32, "0a") + "-2", "databricks_token"),
    (body(32, "0a") + "-us14", "mailchimp_api_key"),
    (body(32, "0a") + "FFFFNRAL", "newrelic_key"),
    ("eu01xx" + body(26, "0a") + "FFFFNRAL", "newrelic_key"),
    ("aB1" + "7Q~" + body(34), "azure_client_secret"),
    ("LTAI5t" + body(18), "alibaba_access_key"),
    ("AKID" + body(32), "tencent_access_key"),
    ("1234567890:AA" + body(33), "telegram_bot_token"),
    ("1//0" + body(60), "google_refresh_token"),
    ("GR1348941" + body(20), "gitlab_token"),
    ("eyJrIjoi" + body(70), "grafana_token"),
    ("ABSK" + body(120, "Xy1"), "aws_bedrock_key"),
    ("bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t" + body(40, "Xy1"), "aws_bedrock_key"),
    ("sq0atb-" + body(22), "square_token"),
    ("EAAA" + body(60, "Xy1"), "square_token"),  # letters past "f", as any real one has
    ("EAAG" + body(120, "Xy1"), "facebook_token"),
    (
        "A3-" + "-".join((body(6, "A1"), body(11, "B2"), *[body(5, "C3")] * 3)),
        "onepassword_secret_key",
    ),
    (
        "A3-" + "-".join((body(6, "A1"), body(6, "B2"), *[body(5, "C3")] * 4)),
        "onepassword_secret_key",
    ),
    ("fm2_" + body(120), "fly_token"),
    ("fm1r_" + body(120), "fly_token"),
    ("fo1_" + body(43), "fly_token"),
    # Its scheme and every macaroon after it, parts too short to count alone.
    ("FlyV1 fm2_" + body(60, "Xy1") + ",fm2_" + body(60, "Xy1"), "fly_token"),
    ("EAACEdEose0cBA" + body(30), "facebook_token"),  # an explorer token shorter than a page's
    ("access_token$sandbox$" + body(16, "a1") + "$" + body(32, "0a"), "braintree_token"),
    ("xsmtpsib-" + body(64, "0a") + "-" + body(16), "brevo_api_key"),
    ("duffel_test_" + body(43), "duffel_token"),
    ("EZTK" + body(54), "easypost_api_key"),
    ("sat." + body(22) + "." + body(24) + "." + body(20), "harness_token"),
    ("sgp_local_" + body(40, "0a"), "sourcegraph_token"),
    ("sha256~" + body(43), "openshift_token"),
    ("AKCp" + body(69), "artifactory_token"),
    ("cmVmd" + body(59), "artifactory_token"),
    ("access_token$production$" + body(16, "a1") + "$" + body(32, "0a"), "braintree_token"),
    ("xkeysib-" + body(64, "0a") + "-" + body(16), "brevo_api_key"),
    ("CLOJARS_" + body(60), "clojars_token"),
    ("v1.0-" + body(24, "0a") + "-" + body(146, "0a"), "cloudflare_origin_ca_key"),
    ("dnkey-" + body(26) + "-" + body(52), "defined_networking_key"),
    ("duffel_live_" + body(43), "duffel_token"),
    ("EZAK" + body(54), "easypost_api_key"),
    ("AAAA" + body(7) + ":APA91b" + body(134), "firebase_server_key"),
    ("FLWSECK_TEST-" + body(32, "0a") + "-X", "flutterwave_key"),
    ("fio-u-" + body(64), "frameio_token"),
    ("pat." + body(22) + "." + body(24) + "." + body(20), "harness_token"),
    ("ico-" + body(32), "infracost_token"),
    ("ntn_" + body(11, "1") + body(35), "notion_token"),
    ("pplx-" + body(48), "perplexity_api_key"),
    ("rdme_" + body(70, "a1"), "readme_api_key"),
    ("tk-us-" + body(48), "scalingo_token"),
    ("sgp_" + body(16, "0a") + "_" + body(40, "0a"), "sourcegraph_token"),
    ("sgp_" + body(40, "0a"), "sourcegraph_token"),
    ("tfp_" + body(59), "typeform_token"),
    (body(6) + "_" + body(29) + "_mmk", "maxmind_license_key"),
    (body(14) + ".atlasv1." + body(67), "terraform_token"),
    ("glpat-" + body(27) + ".01" + body(7, "a1"), "gitlab_token"),  # routable
    ("ATCTT3xFfG" + body(150) + "=" + body(8, "A1"), "atlassian_token"),
    ("ATBB" + body(32), "bitbucket_token"),
    ("BBDC-" + body(44), "bitbucket_token"),
    ("hvr." + body(40), "vault_token"),
    ("sk-or-v1-" + body(64, "0a"), "openrouter_api_key"),
    ("sk-lf-" + "-".join(body(n, "0a") for n in (8, 4, 4, 4, 12)), "langfuse_secret_key"),
    ("sk-" + body(32, "a1"), "deepseek_api_key"),
    ("gsk_" + body(52), "groq_api_key"),
    ("xai-" + body(80), "xai_api_key"),
    ("r8_" + body(37), "replicate_token"),
    ("pcsk_" + body(6) + "_" + body(63), "pinecone_api_key"),
    ("lsv2_pt_" + body(32, "0a") + "_" + body(10, "0a"), "langsmith_api_key"),
    ("lsv2_sk_" + body(32, "0a") + "_" + body(10, "0a"), "langsmith_api_key"),
    ("nvapi-" + body(64), "nvidia_api_key"),
    ("figd_" + body(40), "figma_token"),
    ("phx_" + body(45), "posthog_api_key"),
    ("squ_" + body(40, "0a"), "sonar_token"),
    ("sqp_" + body(40, "0a"), "sonar_token"),
    ("sqa_" + body(40, "0a"), "sonar_token"),
    ("sqco_" + body(59), "sonar_token"),
    ("cfk_" + body(40) + body(8, "0a"), "cloudflare_api_key"),
    ("secret_" + body(43), "notion_token"),
    (body(42) + "+ACR" + body(6), "azure_acr_password"),
    ("pi_" + body(24) + "_secret_" + body(25), "stripe_client_secret"),
    ("seti_" + body(24) + "_secret_" + body(25), "stripe_client_secret"),
    (
        "sc_" + body(12, "a1") + "." + body(5, "a1") + ".acc_" + body(20, "a1") + "." + body(60),
        "authress_key",
    ),
    (
        "ext_" + body(12, "a1") + "." + body(5, "a1") + ".acc-" + body(20, "a1") + "." + body(60),
        "authress_key",
    ),
    (
        "access-production-" + "-".join(body(n, "0a") for n in (8, 4, 4, 4, 12)),
        "plaid_access_token",
    ),
    ("access-sandbox-" + "-".join(body(n, "0a") for n in (8, 4, 4, 4, 12)), "plaid_access_token"),
    (
        "access-development-" + "-".join(body(n, "0a") for n in (8, 4, 4, 4, 12)),
        "plaid_access_token",
    ),
    (
        "scauth_"
        + body(12, "a1")
        + "."
        + body(5, "a1")
        + ".acc_"
        + body(20, "a1")
        + "."
        + body(60),
        "authress_key",
    ),
    (
        "authress_"
        + body(12, "a1")
        + "."
        + body(4, "a1")
        + ".acc-"
        + body(10, "a1")
        + "."
        + body(30),
        "authress_key",
    ),
    ("s-s4t2af-" + body(64, "0a"), "intra_client_secret"),
    ("sm_aat_" + body(16), "settlemint_token"),
    ("sm_sat_" + body(16), "settlemint_token"),
    ("tvly-prod-" + body(32), "tavily_api_key"),
    ("pat" + body(14) + "." + body(64, "0a"), "airtable_token"),
    ("AQVN" + body(36), "yandex_token"),
    ("t1." + body(40) + "." + body(86), "yandex_token"),
    ("s-s4t2ud-" + body(64, "0a"), "intra_client_secret"),
    ("p8e-" + body(32), "adobe_client_secret"),
    ("sm_pat_" + body(16), "settlemint_token"),
    ("API-" + body(26, "A1"), "octopus_api_key"),
    ("rootly_" + body(64, "0a"), "rootly_token"),
    ("ramp_sec_" + body(48), "ramp_token"),
    ("salad_cloud_" + body(5) + "_" + body(60), "saladcloud_api_key"),
    ("slk_" + body(64, "0a"), "sourcegraph_token"),
    ("sl." + body(140), "dropbox_token"),
    ("sl.u." + body(300), "dropbox_token"),
    ("tvly-" + body(32), "tavily_api_key"),
    ("tvly-dev-" + body(32), "tavily_api_key"),
    ("napi_" + body(64, "a1"), "neon_api_key"),
    ("sb_secret_" + body(31), "supabase_token"),
    ("0.A" + body(60) + ".Ag" + body(260) + ".A" + body(210), "azure_refresh_token"),
    ("1.A" + body(80) + ".AgAB" + body(300), "azure_refresh_token"),
    ("MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ." + body(27), "discord_token"),
]


@pytest.mark.parametrize(("token", "kind"), VENDOR_TOKENS, ids=[t[:12] for t, _ in VENDOR_TOKENS])
def test_vendor_tokens_anywhere_in_a_line(token: str, kind: str) -> None:
    placeholder, counts = one(kind)
    check(token, placeholder, counts, NO_PII)
    check(f"used ({token}) twice: {token} ok", f"used ({placeholder}) twice: {placeholder} ok",
          {kind: 2}, NO_PII)  # fmt: skip
    check(f'{{"k":"{token}"}}', f'{{"k":"{placeholder}"}}', counts, NO_PII)


@pytest.mark.parametrize(("token", "kind"), VENDOR_TOKENS, ids=[t[:12] for t, _ in VENDOR_TOKENS])
def test_vendor_tokens_inside_a_word_are_left(token: str, kind: str) -> None:
    for text in (f"x{token}", f"x_{token}", f"x-{token}", f"9{token}"):
        assert redact(text, pii=NO_PII).counts.get(kind) is None, text


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("ghp_" + body(35), id="github-too-short"),
        pytest.param("github_pat_" + body(21), id="github-pat-too-short"),
        pytest.param("glpat-" + body(19), id="gitlab-too-short"),
        pytest.param("glsa_" + body(32) + "_" + body(7, "a1"), id="grafana-sa-too-short"),
        pytest.param("xoxb-" + body(9, "1"), id="slack-too-short"),
        pytest.param("xoxz-" + body(12, "1"), id="slack-unknown-type"),
        pytest.param("AIza" + body(34), id="google-too-short"),
        pytest.param("AIza" + body(36), id="google-too-long"),
        pytest.param("GOCSPX-" + body(29), id="google-secret-too-long"),
        pytest.param("ya29." + body(19), id="google-oauth-too-short"),
        pytest.param("sk_live_" + body(15), id="stripe-too-short"),
        pytest.param("sk_prod_" + body(20), id="stripe-unknown-mode"),
        pytest.param("EAAA" + body(59, "Xy1"), id="square-pat-too-short"),
        pytest.param("EAAA" + body(61, "Xy1"), id="square-pat-too-long"),
        pytest.param("EAAG" + body(99, "Xy1"), id="facebook-too-short"),
        pytest.param("sha256~" + body(42), id="openshift-too-short"),
        pytest.param("sha256~" + body(44), id="openshift-too-long"),
        pytest.param("GR1348941" + body(19), id="gitlab-runner-registration-too-short"),
        pytest.param("eyJrIjoi" + body(59), id="grafana-key-too-short"),
        pytest.param("v1.0-" + body(24, "0a") + "-" + body(145, "0a"), id="cloudflare-ca-short"),
        pytest.param("AAAA" + body(7) + ":APA91b" + body(99), id="firebase-too-short"),
        pytest.param(body(6) + "_" + body(28) + "_mmk", id="maxmind-too-short"),
        pytest.param("whsec_" + body(31), id="stripe-webhook-too-short"),
        pytest.param("sk-proj-" + body(19).lower(), id="openai-lower-case"),
        pytest.param("sk-" + body(19), id="llm-too-short"),
        pytest.param("sk-" + body(24).lower(), id="llm-lower-case"),
        pytest.param("sk-" + body(24).upper(), id="llm-upper-case"),
        pytest.param("sk-" + body(24, "Ab"), id="llm-no-digit"),
        pytest.param("sk-proj-" + body(24).upper(), id="openai-upper-case"),
        pytest.param("sk-proj-default-pool-" + body(24).lower(), id="openai-resource-name"),
        pytest.param("AKIA" + body(15, "A1"), id="aws-too-short"),
        pytest.param("AKIA" + body(16, "A1") + "x", id="aws-followed-by-letter"),
        pytest.param("AKIA" + body(16, "a1"), id="aws-lower-case"),
        pytest.param("SK" + body(31, "0a"), id="twilio-too-short"),
        pytest.param("SK" + body(32, "0a") + "g", id="twilio-followed-by-letter"),
        pytest.param("sk" + body(32, "0a"), id="twilio-lower-case-prefix"),
        pytest.param("SG." + body(21) + "." + body(43), id="sendgrid-too-short"),
        pytest.param("key-" + body(31, "0a"), id="mailgun-too-short"),
        pytest.param("key-" + body(32, "0a") + "b", id="mailgun-too-long"),
        pytest.param("NRAK-" + body(18), id="newrelic-too-short"),
        pytest.param("npm_" + body(35), id="npm-too-short"),
        pytest.param("npm_" + body(37), id="npm-too-long"),
        pytest.param("pypi-AgEIcHlwaS5vcmc" + body(49), id="pypi-too-short"),
        pytest.param("pypi-" + body(70), id="pypi-without-its-macaroon"),
        pytest.param("hf_" + body(33), id="huggingface-too-short"),
        pytest.param("hf_" + body(35), id="huggingface-too-long"),
        pytest.param("shpat_" + body(31, "0a"), id="shopify-too-short"),
        pytest.param("hvs." + body(23), id="vault-too-short"),
        pytest.param("dop_v1_" + body(63, "0a"), id="digitalocean-too-short"),
        pytest.param("dapi" + body(31, "0a"), id="databricks-too-short"),
        pytest.param(body(31, "0a") + "-us14", id="mailchimp-too-short"),
        pytest.param(body(32, "0a") + "-us14x", id="mailchimp-followed-by-letter"),
        pytest.param(body(31, "0a") + "FFFFNRAL", id="newrelic-license-too-short"),
        pytest.param("aB1" + "7Q~" + body(30), id="azure-secret-too-short"),
        pytest.param("aB1" + "7Q~" + body(35), id="azure-secret-too-long"),
        pytest.param("aBc" + "dQ~" + body(34), id="azure-secret-without-its-digit"),
        pytest.param("eyJ" + body(6) + "." + body(4) + ".x", id="jwt-header-too-short"),
        pytest.param("eyJ" + body(7) + "." + body(3) + ".x", id="jwt-payload-too-short"),
        pytest.param("eyJ" + body(40), id="jwt-one-part"),
        pytest.param(
            "ModuleConfigurationLoader.inputs.ConfigurationLoaderFactoryImpl", id="discord-a-name"
        ),
        pytest.param(
            "MTK4NJIYNDGZNDCXOTI1MJQ4.CL2FMQ." + body(27).upper(), id="discord-upper-case"
        ),
        pytest.param("ATBB" + body(27), id="bitbucket-too-short"),
        pytest.param("BBDC-" + body(39), id="bitbucket-dc-too-short"),
        pytest.param("BBDC-" + body(51), id="bitbucket-dc-too-long"),
        pytest.param("sk-or-v1-" + body(63, "0a"), id="openrouter-too-short"),
        pytest.param("sk-lf-" + body(36, "0a"), id="langfuse-not-a-uuid"),
        pytest.param("sk-" + body(31, "a1"), id="deepseek-too-short"),
        pytest.param("sk-" + body(33, "a1"), id="deepseek-too-long"),
        pytest.param("gsk_" + body(51), id="groq-too-short"),
        pytest.param("gsk_" + body(53), id="groq-too-long"),
        pytest.param("xai-" + body(79), id="xai-too-short"),
        pytest.param("xai-grok-beta", id="xai-model-name"),
        pytest.param("r8_" + body(36), id="replicate-too-short"),
        pytest.param("r2_" + body(37, "ab1"), id="replicate-lower-case"),
        pytest.param("r2_" + body(37, "Ab"), id="replicate-no-digit"),
        pytest.param("pcsk_" + body(6) + "_" + body(62), id="pinecone-too-short"),
        pytest.param("lsv2_xx_" + body(32, "0a") + "_" + body(10, "0a"), id="langsmith-kind"),
        pytest.param("nvapi-" + body(63), id="nvidia-too-short"),
        pytest.param("figd_" + body(39), id="figma-too-short"),
        pytest.param("phx_" + body(42), id="posthog-too-short"),
        pytest.param("phx_" + body(49), id="posthog-too-long"),
        pytest.param("squ_" + body(40), id="sonar-not-hex"),
        pytest.param("sqco_" + body(58), id="sonarcloud-too-short"),
        pytest.param("cfk_" + body(48), id="cloudflare-not-hex-tail"),
        pytest.param("secret_" + body(42), id="notion-legacy-too-short"),
        pytest.param("secret_key_base_" + body(43), id="notion-legacy-a-key-name"),
        pytest.param(body(41) + "+ACR" + body(6), id="acr-too-short"),
        pytest.param(body(42) + "+ACR" + body(7), id="acr-too-long"),
        pytest.param("hvx." + body(40), id="vault-unknown-kind"),
        pytest.param("pi_" + body(24), id="stripe-intent-id-alone"),
        pytest.param("pi_" + body(24) + "_secret_" + body(12), id="stripe-client-secret-short"),
        pytest.param(
            "access-staging-" + "-".join(body(n, "0a") for n in (8, 4, 4, 4, 12)),
            id="plaid-unknown-environment",
        ),
        pytest.param("access-production-" + body(36, "0a"), id="plaid-not-a-uuid"),
        pytest.param("pat" + body(14) + "." + body(63, "0a"), id="airtable-too-short"),
        pytest.param("API-" + body(26, "AB"), id="octopus-no-digit"),
        pytest.param("API-GATEWAY-PROD", id="octopus-a-name"),
        pytest.param("sl." + body(129), id="dropbox-too-short"),
        pytest.param("sm_pat_" + body(17), id="settlemint-too-long"),
        pytest.param("t1.micro", id="yandex-an-instance-type"),
        pytest.param("0.A" + body(60) + ".Ag" + body(249), id="entra-too-short"),
    ],
)
def test_vendor_token_lookalikes_are_left(text: str) -> None:
    assert redact(text, pii=NO_PII) == Redaction(text, {})


@pytest.mark.parametrize(
    "context", ["discord token ", "Authorization: Bot ", "", "loaded ", '{"msg":"creds:\\n', "x%20"]
)
def test_discord_bot_tokens_with_or_without_context(context: str) -> None:
    token = "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ." + body(27)
    check(context + token, context + "[REDACTED:discord_token]", {"discord_token": 1}, NO_PII)
    longest = "MTk4NjIyNDgzNDcxOTI1MjQ4MTk4.Cl2FMQ." + body(38)
    check(context + longest, context + "[REDACTED:discord_token]", {"discord_token": 1}, NO_PII)
    for lookalike in (
        "x" + token,  # inside a word
        token + "x" * 12,  # last part too long
        "MTk4NjIyNDgzNDcxOTI1MjQ.Cl2FMQ." + body(27),  # id too short
        "ATk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ." + body(27),  # no id's base64
        "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FM." + body(27),  # timestamp too short
        "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ." + body(26),  # HMAC too short
    ):
        # Not a Discord token; after "token " a random value is still one (`_SPACED_SECRET`).
        assert "discord_token" not in redact(context + lookalike, pii=NO_PII).counts, lookalike


# --- vendor credentials known by structure or context -------------------------------------------

JWT_FOR_BASE64 = (
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2hvcDpkZWZhdWx0In0." + body(86)
)


@pytest.mark.parametrize("skip", [0, 1, 2], ids=["aligned", "one-byte-in", "two-bytes-in"])
@pytest.mark.parametrize("url", [False, True], ids=["base64", "base64url"])
def test_a_base64_encoded_jwt_is_redacted_whichever_way_its_dot_falls(skip: int, url: bool) -> None:
    # The header's length decides where the payload's dot falls in base64's groups of three.
    jwt = "eyJ" + body(33 + skip) + ".eyJ" + body(40) + "." + body(43)
    raw = jwt.encode()
    encoded = (base64.urlsafe_b64encode(raw) if url else base64.b64encode(raw)).decode()
    for line in (f"data={encoded}", f'{{"token":"{encoded}"}}', f"mounted {encoded} ok"):
        out = redact(line, pii=NO_PII)
        assert encoded not in out.text and out.counts == {"jwt": 1}, line


def test_a_base64_encoded_jwt_percent_encoded_is_redacted() -> None:
    encoded = base64.b64encode(JWT_FOR_BASE64.encode()).decode()
    escaped = encoded.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    check(f"GET /cb?assertion={escaped} HTTP/1.1", "GET /cb?assertion=[REDACTED:jwt] HTTP/1.1",
          {"jwt": 1}, NO_PII)  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            base64.b64encode(b'{"alg":"none"} and no payload at all here').decode(),
            id="base64-json-without-a-dot",
        ),
        pytest.param("x" + base64.b64encode(JWT_FOR_BASE64.encode()).decode(), id="inside-a-word"),
        pytest.param("ZXlK" + body(30), id="too-short"),
    ],
)
def test_base64_that_holds_no_jwt_is_left(text: str) -> None:
    assert redact(text, pii=NO_PII).counts.get("jwt") is None


SENTRY_KEY = body(32, "0a1b")


@pytest.mark.parametrize(
    ("dsn", "hidden"),
    [
        (f"https://{SENTRY_KEY}@o4504.ingest.us.sentry.io/4505", SENTRY_KEY),
        (f"https://{SENTRY_KEY}@sentry.example.com/12", SENTRY_KEY),
        (f"https://{SENTRY_KEY}:{SENTRY_KEY}@sentry.example.com/12", f"{SENTRY_KEY}:{SENTRY_KEY}"),
    ],
)
@pytest.mark.parametrize("pii", [NO_PII, DEFAULT_PII], ids=["no-pii", "email"])
def test_a_dsn_key_is_redacted_not_only_as_an_email(
    dsn: str, hidden: str, pii: frozenset[str]
) -> None:
    line = f"SENTRY_DSN={dsn}"
    expected = line.replace(hidden, "[REDACTED:sentry_dsn_key]")
    check(line, expected, {"sentry_dsn_key": 1}, pii)


@pytest.mark.parametrize(
    "text",
    [
        "POST https://o450.ingest.sentry.io/api/4505/envelope/ 200",
        "https://git@github.com/acme/api.git",
        f"https://{SENTRY_KEY[:31]}@sentry.example.com/12",
    ],
)
def test_urls_without_a_dsn_key_are_left(text: str) -> None:
    assert redact(text, pii=NO_PII).counts.get("sentry_dsn_key") is None


FB_APP_ID = "1234567890123456"


@pytest.mark.parametrize(
    "secret", [body(32, "0a1b"), body(27), body(40)], ids=["app-secret", "random-27", "random-40"]
)
@pytest.mark.parametrize("separator", ["|", "%7C"])
def test_a_facebook_app_token_is_redacted_in_prose(secret: str, separator: str) -> None:
    token = FB_APP_ID + separator + secret
    for before, after in (("debug app ", " status=190"), ('{"app":"', '"}'), ("\\n", "")):
        check(before + token + after, before + "[REDACTED:facebook_app_token]" + after,
              {"facebook_app_token": 1}, NO_PII)  # fmt: skip


def test_a_facebook_app_token_behind_bearer_stays_a_bearer_credential() -> None:
    token = FB_APP_ID + "|" + body(27)
    check(f"Authorization: Bearer {token}", "Authorization: Bearer [REDACTED:bearer]",
          {"bearer": 1}, NO_PII)  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "batch 100000000000001|orders_export_daily_finance_v2 finished",
        "x" + FB_APP_ID + "|" + body(27),
        "12345678901234567|" + body(27),  # 17 digits: no app id
        FB_APP_ID + "|" + body(26),
    ],
)
def test_facebook_app_token_lookalikes_are_left(text: str) -> None:
    assert redact(text, pii=NO_PII).counts.get("facebook_app_token") is None


PD_KEY = body(32, "a1b2c3")


@pytest.mark.parametrize(
    "line",
    [
        f'{{"routing_key":"{PD_KEY}","event_action":"trigger","payload":{{"summary":"disk"}}}}',
        f"POST https://events.pagerduty.com/v2/enqueue routing_key={PD_KEY} status=202",
        f"{{'routing_key': '{PD_KEY}', 'event_action': 'resolve', 'dedup_key': 'db-1'}}",
        f'{{"msg":"pagerduty alert","body":"{{\\"routing_key\\":\\"{PD_KEY}\\"}}"}}',
        f'level=info pagerduty.service_key={PD_KEY} msg="v1 event sent"',
    ],
)
def test_a_pagerduty_routing_key_is_redacted_in_a_pagerduty_payload(line: str) -> None:
    check(line, line.replace(PD_KEY, "[REDACTED:pagerduty_routing_key]"),
          {"pagerduty_routing_key": 1}, NO_PII)  # fmt: skip


@pytest.mark.parametrize(
    "line",
    [
        "level=info msg=published exchange=orders routing_key=orders.created.eu",
        f'{{"exchange":"events","routing_key":"{PD_KEY}","queue":"audit"}}',  # no PagerDuty
        '{"routing_key":"orders.created.eu","event_action":"trigger"}',
        f'{{"routing_key":"{PD_KEY[:31]}","event_action":"trigger"}}',
        "pagerduty ok" + " " * 1_100 + f"routing_key={PD_KEY}",  # PagerDuty named too far away
    ],
)
def test_routing_keys_outside_a_pagerduty_payload_are_left(line: str) -> None:
    assert redact(line, pii=NO_PII).counts.get("pagerduty_routing_key") is None


# --- where a token may start: one boundary for every rule ---------------------------------------

ESCAPES_BEFORE = ["\\n", "\\t", '\\"', "\\u003d", "\\u0022", "%20", "%3D", "%3d", "%253D"]
ESCAPES_BEFORE += ["=", ":", " ", "'", "(", "\\\\n"]
SHAPE_FOUND = [
    ("1710408602:AA" + body(33), "telegram_bot_token"),
    ("1//0" + body(60), "google_refresh_token"),
    ("EAAA" + body(60, "Xy1"), "square_token"),
    ("EAAG" + body(120, "Xy1"), "facebook_token"),
    ("BBDC-" + body(44), "bitbucket_token"),
    ("MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ." + body(27), "discord_token"),
    ("0.A" + body(60) + ".Ag" + body(260), "azure_refresh_token"),
    (FB_APP_ID + "|" + body(27), "facebook_app_token"),
    ("sl." + body(140), "dropbox_token"),
]


@pytest.mark.parametrize("before", ESCAPES_BEFORE)
@pytest.mark.parametrize(("token", "kind"), SHAPE_FOUND, ids=[k for _, k in SHAPE_FOUND])
def test_a_token_found_by_shape_starts_right_after_an_escape(
    before: str, token: str, kind: str
) -> None:
    line = f'{{"msg":"loaded x{before}{token} ok"}}'
    out = redact(line, pii=NO_PII)
    assert token not in out.text and out.counts == {kind: 1}, line


@pytest.mark.parametrize("before", ESCAPES_BEFORE)
@pytest.mark.parametrize(
    ("secret", "kind"),
    [
        (card("4", 16), "card"),
        ("4111 1111 1111 " + card("4111111111111", 16)[-4:], "card"),
        ("$2b$12$" + body(53, "aB1"), "password_hash"),
        ("{SSHA}" + body(32), "password_hash"),
    ],
    ids=["card", "card-grouped", "bcrypt", "ssha"],
)
def test_cards_and_password_hashes_start_right_after_an_escape(
    before: str, secret: str, kind: str
) -> None:
    line = f'{{"msg":"stored x{before}{secret} ok"}}'
    out = redact(line, pii=NO_PII)
    assert secret not in out.text and out.counts == {kind: 1}, line


@pytest.mark.parametrize("text", ["x" + card("4", 16), "%2" + card("4", 16), "v1." + card("4", 16)])
def test_a_card_number_inside_a_word_or_an_escape_is_left(text: str) -> None:
    assert redact(text, pii=NO_PII).counts == {}


@pytest.mark.parametrize(
    "before",
    [*ESCAPES_BEFORE, "x", "_", "-", "9", "n", "%2", "%", "\\u003", "\\", "%25", "é", ""],
)
def test_the_boundary_says_the_same_in_every_syntax(before: str) -> None:
    # The replacers' test, the look-behind and the prefilter's RE2 shape must agree (the shape
    # may say yes more often: it is a superset).
    text = f"{before}Tok1"
    start = len(before)
    replacer = not redact_rule._inside_word(re.compile("Tok1").search(text, start))  # type: ignore[arg-type]
    look_behind = re.compile(redact_rule._TOKEN_START + "Tok1").search(text) is not None
    shape = re2.search(redact_rule._EDGE + "tok1", engine._folded(text)) is not None
    assert replacer == look_behind
    assert shape or not replacer


# --- secrets named in prose -----------------------------------------------------------------------

KEYLIKE = "Zr8Kp2Lm9Qx4Tn6Vw1Hy3Bd5Jc"  # as random as a key: mixed case, digits, no repeats


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        (f"invalid token {KEYLIKE}", "invalid token {}", "token"),
        (f"admin password is {KEYLIKE}", "admin password is {}", "password"),
        (f"password was {KEYLIKE}.", "password was {}.", "password"),
        (f"secret key set to {KEYLIKE}", "secret key set to {}", "secret"),
        (f"rotated secret {KEYLIKE} for app", "rotated secret {} for app", "secret"),
        (f"API key {body(32, '0a')} rejected", "API key {} rejected", "api_key"),
        (f"TWILIO_AUTH_TOKEN {body(32, '0a')}", "TWILIO_AUTH_TOKEN {}", "twilio_auth_token"),
        (f"bot token {KEYLIKE}.Cl2FMQ.{KEYLIKE}", "bot token {}", "token"),
        (f"access key\t{KEYLIKE}==", "access key\t{}", "access_key"),
        (f"passwd is {KEYLIKE}", "passwd is {}", "password"),
        (f"passphrase {KEYLIKE}", "passphrase {}", "password"),
        (f"auth key {KEYLIKE}", "auth key {}", "api_key"),
        (f"private key {KEYLIKE}", "private key {}", "private_key"),
        (f"token {KEYLIKE}===", "token {}=", "token"),  # two pad characters at most
        (f"token {KEYLIKE[:10]}~{KEYLIKE[10:]}", "token {}", "token"),
    ],
)
def test_a_random_value_after_a_secret_word_is_redacted(
    text: str, expected: str, kind: str
) -> None:
    placeholder, counts = one(kind)
    check(text, expected.format(placeholder), counts, NO_PII)


@pytest.mark.parametrize(
    "text",
    [
        "token expired for user 4821",
        f"accesstoken {KEYLIKE}",  # the tail of a longer word
        f"token-{KEYLIKE}",  # no space: a name
        f"token {body(31, '0a')}",  # hex shorter than an API key: an id
        f"token {body(40, '1')}",  # digits only
        f"token {body(24, 'xq7')}",  # one case: a name, a hex digest
        "secret version 3f1a6c9e-5b2d-4e8f-9a7c-1d2e3f4a5b6c promoted",
        "token kube-root-ca.crt.v2.configmap1 mounted",  # dots and one case: a name
        "secret db~creds~v2~staging01 synced",
        f"token is not {KEYLIKE}",  # only "is", "was", "of", "set to" may come between
    ],
)
def test_words_and_names_after_a_secret_word_are_left(text: str) -> None:
    assert redact(text, pii=NO_PII) == Redaction(text, {})


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "Token"])
def test_a_percent_encoded_authorization_value_is_redacted(scheme: str) -> None:
    at_start = f"%20Bearer%20{KEYLIKE}"
    check(at_start, "%20Bearer%20[REDACTED:bearer]", {"bearer": 1}, NO_PII)
    text = f"GET /p?h=Authorization%3A%20{scheme}%20{KEYLIKE} 502"
    check(
        text, f"GET /p?h=Authorization%3A%20{scheme}%20[REDACTED:bearer] 502", {"bearer": 1}, NO_PII
    )


# --- mail protocols ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("> A001 LOGIN alice hunter22", "> A001 LOGIN alice {}"),
        ('C: a1 LOGIN "alice" "two words"', 'C: a1 LOGIN "alice" "{}"'),
        ('b\'JFHD1 LOGIN svc "x\\"y"\'', "b'JFHD1 LOGIN svc \"{}\"'"),
        ("1 LOGIN svc-mail Zr8Kp2", "1 LOGIN svc-mail {}"),
        ('a2 LOGIN "o\\"brien" hunter22', 'a2 LOGIN "o\\"brien" {}'),
        (
            "S: 334 UGFzc3dvcmQ6\r\nC: aHVudGVyMg==\r\nS: 235 ok",
            "S: 334 UGFzc3dvcmQ6\r\nC: {}\r\nS: 235 ok",
        ),
        ("<-  334 UGFzc3dvcmQ6\n -> aHVudGVyMg==", "<-  334 UGFzc3dvcmQ6\n -> {}"),
    ],
)
def test_mail_login_passwords_are_redacted(text: str, expected: str) -> None:
    placeholder, counts = one("password")
    check(text, expected.format(placeholder), counts, NO_PII)


# Written out, not read from the module: a word taken out of its table must fail a test.
LOGIN_PROSE = (
    "attempt", "attempts", "failed", "failure", "failures", "succeeded", "success", "error",
    "errors", "denied", "rejected", "ok", "timeout", "retries", "retry", "requests", "count",
    "rate",
)  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "3 LOGIN attempts failed",
        *(f"7 LOGIN {word} since 09:00" for word in LOGIN_PROSE),
        "A001 login alice hunter22",  # a command is written in capitals
        "job_A001 LOGIN alice hunter22",  # no tag: part of a name
        "A001 LOGIN alice",  # no password
        "S: 334 VXNlcm5hbWU6\nC: YWxpY2U=",  # the user name, asked for first
        "S: 334 UGFzc3dvcmQ6\nC: aHVudGVyMg== and more",  # not the whole line
    ],
)
def test_mail_login_lookalikes_are_left(text: str) -> None:
    assert redact(text, pii=NO_PII) == Redaction(text, {})


# --- keys as Kubernetes and Vault print them ------------------------------------------------------


def base64_pem(label: str, wrap: int = 0) -> str:
    body = base64.b64encode(bytes(range(97)) * 3).decode()
    pem = f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"
    encoded = base64.b64encode(pem.encode()).decode()
    if not wrap:
        return encoded
    return "\n".join(encoded[i : i + wrap] for i in range(0, len(encoded), wrap))


def short_tail(wrapped: str) -> str:
    last = wrapped.rsplit("\n", 1)[-1]
    assert base64.b64decode(wrapped.replace("\n", "")).decode().rstrip().endswith("-----")
    return (f"\n{last}" if len(last.rstrip("=")) < 16 else "") + "\nend"


@pytest.mark.parametrize(
    "label", ["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY",
              "ENCRYPTED PRIVATE KEY", "PGP PRIVATE KEY BLOCK"],
)  # fmt: skip
def test_a_base64_encoded_private_key_is_redacted_whole(label: str) -> None:
    # Its "PRIVATE KEY" falls in each of base64's three alignments across these labels.
    for text, expected in [
        (f"    client-key-data: {base64_pem(label)}", "    client-key-data: {}"),
        (f'{{"data":{{"tls.key":"{base64_pem(label)}"}}}}', '{{"data":{{"tls.key":"{}"}}}}'),
        # Wrapped, inside a JSON string: its line breaks are escaped.
        (
            f'{{"key":"{base64_pem(label, 64).replace(chr(10), chr(92) + "n")}"}}',
            '{{"key":"{}' + short_tail(base64_pem(label, 64)).replace("\n", "\\n")[:-5] + '"}}',
        ),
        # Wrapped at 76: a last line shorter than 16 characters (the END label) is kept.
        (f"key:\n{base64_pem(label, 76)}\nend", "key:\n{}" + short_tail(base64_pem(label, 76))),
    ]:
        placeholder, counts = one("private_key")
        check(text, expected.format(placeholder), counts, NO_PII)


def test_a_base64_encoded_certificate_is_left() -> None:
    certificate = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB\n").decode()
    text = f"    client-certificate-data: {certificate}"
    assert redact(text, pii=NO_PII) == Redaction(text, {})


def test_vault_unseal_and_recovery_key_shares_are_redacted() -> None:
    share = base64.b64encode(bytes(range(33))).decode()
    for text in (f"Unseal Key 1: {share}", f"Recovery Key 5: {share}"):
        placeholder, counts = one("vault_unseal_key")
        check(text, text.replace(share, placeholder), counts, NO_PII)
    for clean in (
        "Unseal Progress 1/3",
        "Unseal Key 1: (redacted by operator)",
        f"xUnseal Key 1: {share}",  # the tail of a word: "AutoUnseal Key 1: ..."
    ):
        assert redact(clean, pii=NO_PII) == Redaction(clean, {})


@pytest.mark.parametrize(
    ("text", "secrets"),
    [
        ("rabbitmqctl add_user svc-orders s3cr3tPw", ["s3cr3tPw"]),
        ("rabbitmqctl -n rabbit@mq-0 change_password admin n3wPw!", ["n3wPw!"]),
        ("keytool -importcert -keystore ks.jks -storepass chang3it", ["chang3it"]),
        ("keytool -genkey -keypass k3yPw -deststorepass d3stPw", ["k3yPw", "d3stPw"]),
        ("openssl enc -aes-256-cbc -k p4ssphr4se -in a -out b", ["p4ssphr4se"]),
        ("rabbitmqctl authenticate_user admin tr1edPw", ["tr1edPw"]),
        ("keytool -importkeystore -srcstorepass s0urcePw -destkeystore b.p12", ["s0urcePw"]),
        ("htpasswd -b -c /etc/nginx/.htpasswd admin h7pw-one", ["h7pw-one"]),
        ("htpasswd -nb admin h7pw-two", ["h7pw-two"]),
        ("htpasswd -bc -C 12 users.htpasswd ops h7pw-three", ["h7pw-three"]),
        ("htpasswd -C 10 -bB users.htpasswd ops h7pw-four", ["h7pw-four"]),
        ("htpasswd -B -b users.htpasswd ops h7pw-five", ["h7pw-five"]),
        ("+ mysql -h db -u root -p'q1 w2' app < dump.sql", ["q1 w2"]),
        ('exec mysql -uroot -p"q1w2e3" -e "select 1"', ["q1w2e3"]),
        ("+ docker login -u ci -p xNG0RaLgg registry.example.com", ["xNG0RaLgg"]),
        ("podman login -u ci -p=xNG0RaLgg quay.io", ["xNG0RaLgg"]),
        ("helm registry login ghcr.io -u ci -p hPw-1", ["hPw-1"]),
        ("mongosh --host mongo -u admin -p q32ohADl --authenticationDatabase admin", ["q32ohADl"]),
        ("mongodump -u backup -p 5up3r:s3cret --out /dump", ["5up3r:s3cret"]),
        ("PsExec.exe \\\\host -u admin -p Secr3t! cmd", ["Secr3t!"]),
        ('/opt/mssql-tools/bin/sqlcmd -S db -U sa -P 7S03yvBa -Q "SELECT 1"', ["7S03yvBa"]),
        ("bcp dbo.t out t.dat -S db -U sa -PS3cr3t!x", ["S3cr3t!x"]),
        ("http -a admin:bxgXE1Jd GET https://api.internal/health", ["bxgXE1Jd"]),
        ("xh --auth admin:bxgXE1Jd api.internal/health", ["bxgXE1Jd"]),
        ("net use \\\\fs01\\share /user:CORP\\svc 2MM6nImc", ["2MM6nImc"]),
        ("NET USE Z: \\\\fs01\\share P4ssw0rd! /u:CORP\\svc /persistent:no", ["P4ssw0rd!"]),
        ("redis> AUTH tWSTn9jD", ["tWSTn9jD"]),
        ("127.0.0.1:6379> auth default s3cr3tpw\nOK", ["s3cr3tpw"]),
    ],
)
def test_command_line_passwords_of_broker_and_key_tools_are_redacted(
    text: str, secrets: list[str]
) -> None:
    expected = text
    for secret in secrets:
        expected = expected.replace(secret, "[REDACTED:password]")
    check(text, expected, {"password": len(secrets)}, NO_PII)


@pytest.mark.parametrize(
    "text",
    [
        "rabbitmqctl add_user svc-orders",  # the password is asked for
        "keytool -importcert -storepass:env STOREPASS -keystore ks.jks",
        "keytool -list -storepass -v",  # no value: the next flag
        "openssl enc -d -k -in a",
        "openssl s_client -connect db:5432 -starttls postgres",
        "htpasswd -c /etc/nginx/.htpasswd admin",  # no -b: the password is asked for
        "htpasswd -n admin",
        "htpasswd -D /etc/nginx/.htpasswd admin",
        # -p is a port for most tools, and for these a value shaped like one is no password.
        "docker run -p 8080:80 -p 53:53/udp nginx",
        "docker login -p 5000 registry.local",
        "mongosh -p 27017",
        "mongostat --host db -p 27017-27019",
        "psql -h db -p 5432 -U app",
        "ssh -p 22 deploy@bastion",
        "mysql -h db -P 3306 -u app -p",  # MySQL's -P is the port; -p alone asks
        "sqlcmd -S db -U sa -P -Q x",  # no value: the next flag
        "docker login --password-stdin -u ci registry.local",
        "dockerd login -p x",  # another command
        "docker login -p -u ci registry.local",  # no value: the next flag
        "tool=pymongo -p s3cr3tpw",
        "net use \\\\fs01\\share /persistent:yes /user:CORP\\svc",
        "sqlcmdx -P x",
        "GET /api/http -a b:c",  # a path, not the command
        "http -a admin GET /",  # no password: asked for
        "net use \\\\fs01\\share /user:CORP\\svc",
        "net use \\\\fs01\\share * /user:CORP\\svc",  # asked for
        "net use \\\\fs01\\share /user:CORP\\svc /persistent:no",
        "> AUTH LOGIN",  # an SMTP client's mechanism
        "redis> AUTH",
        "redis> AUTH x y z",  # more words than a command takes
    ],
)
def test_those_tools_without_a_password_are_left(text: str) -> None:
    assert redact(text, pii=NO_PII) == Redaction(text, {})


def test_a_short_anthropic_key_is_still_an_llm_key() -> None:
    token = "sk-ant-api03-" + body(31)
    check(token, "[REDACTED:llm_api_key]", {"llm_api_key": 1}, NO_PII)


def test_jwt_needs_no_signature_part() -> None:
    token = "eyJ" + body(7) + "." + body(4) + "."
    check(f"t {token} x", "t [REDACTED:jwt] x", {"jwt": 1}, NO_PII)


AWS_ID = "AKIAB2LT4OFFJTGOID3M"
AWS_SECRET = "hM1SXUS2HdCPjj4IBIIBWo2aTgALwg1fRqWU4UIQ"


@pytest.mark.parametrize(
    "between", ["/", ",", ":", " ", "\t", " / ", ";", "|", '","', "', '", '\\",\\"']
)
def test_an_aws_secret_key_right_after_its_key_id_is_redacted(between: str) -> None:
    for key_id in (AWS_ID, "ASIA" + AWS_ID[4:]):
        text = f"using {key_id}{between}{AWS_SECRET} now"
        expected = f"using [REDACTED:aws_access_key]{between}[REDACTED:aws_secret_key] now"
        check(text, expected, {"aws_access_key": 1, "aws_secret_key": 1}, NO_PII)


@pytest.mark.parametrize(
    "after",
    [
        "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended",  # a path
        "4bf92f3576b4e9a6f2c1d3e4f5a6b7c8deadbeef",  # hex: not random enough
        AWS_SECRET.lower(),
        AWS_SECRET[:39],
        AWS_SECRET + "A",  # longer than a secret key
        AWS_SECRET + "=",
        "xx" + AWS_SECRET[2:].replace("+", "a"),
    ],
)
def test_what_follows_a_key_id_is_a_secret_only_as_random_base64(after: str) -> None:
    for between in ("/", " "):
        text = f"{AWS_ID}{between}{after}"
        expected = f"[REDACTED:aws_access_key]{between}{after}"
        if after.startswith("xx"):  # (random base64: the control)
            expected = f"[REDACTED:aws_access_key]{between}[REDACTED:aws_secret_key]"
        assert redact(text, pii=NO_PII).text == expected
    inside = f"X{AWS_ID}/{AWS_SECRET}"  # the key id inside a word: neither is found
    assert redact(inside, pii=NO_PII) == Redaction(inside, {})
    far = f"{AWS_ID}, x {AWS_SECRET}"  # a word between them: no pair
    assert redact(far, pii=NO_PII).counts == {"aws_access_key": 1}


# --- webhooks ------------------------------------------------------------------------------------

SLACK_PATH = "T0123ABCD/B0456EFGH/" + body(24)
DISCORD_PATH = "1" * 18 + "/" + body(68)
TEAMS_PATH = "3f2b1c4e-8a7d-4e5f-9b6a-1c2d3e4f5a6b@3f2b1c4e-8a7d-4e5f-9b6a-1c2d3e4f5a6b/x"


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        *[
            (
                f"post https://hooks.slack.com/{kind}/{SLACK_PATH} ok",
                f"post https://hooks.slack.com/{kind}/[REDACTED:slack_webhook] ok",
                "slack_webhook",
            )
            for kind in ("services", "workflows", "triggers")
        ],
        *[
            (
                f"url=https://{host}.com/api/webhooks/{DISCORD_PATH} 404",
                f"url=https://{host}.com/api/webhooks/[REDACTED:discord_webhook] 404",
                "discord_webhook",
            )
            for host in ("discord", "discordapp")
        ],
        (
            f'"https://acme.webhook.office.com/webhookb2/{TEAMS_PATH}" 400',
            '"https://acme.webhook.office.com/webhookb2/[REDACTED:teams_webhook]" 400',
            "teams_webhook",
        ),
        *[
            (
                f"GET https://api.telegram.org/{path}bot1234567890:AA{body(33)}/getMe",
                f"GET https://api.telegram.org/{path}bot[REDACTED:telegram_bot_token]/getMe",
                "telegram_bot_token",
            )
            for path in ("", "file/")
        ],
    ],
)
def test_webhook_urls_keep_their_host(text: str, expected: str, kind: str) -> None:
    check(text, expected, {kind: 1}, NO_PII)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("https://hooks.slack.com/services/" + body(19), id="slack-too-short"),
        pytest.param("https://hooks.slack.com/apps/" + SLACK_PATH, id="slack-other-path"),
        # (Bodies without digits: hex, or letters turning to digits, after /webhooks/ are a
        # generic webhook's token, test_random_webhook_path_segments_are_hidden.)
        pytest.param(
            "https://discord.com/api/webhooks/" + "1" * 16 + "/" + body(68, "Agh"), id="id-short"
        ),
        pytest.param(
            "https://discord.com/api/webhooks/" + "1" * 18 + "/" + body(59, "Agh"), id="short"
        ),
        pytest.param("https://acme.webhook.office.com/webhookb2/" + body(39), id="teams-short"),
        pytest.param("https://api.telegram.org/bot1234567:AA" + body(33), id="telegram-id-short"),
        pytest.param("https://api.telegram.org/bot1234567890:AA" + body(32), id="telegram-short"),
    ],
)
def test_webhook_lookalikes_are_left(text: str) -> None:
    assert redact(text, pii=NO_PII) == Redaction(text, {})


# --- URLs and authorization headers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mysql://app:pw1@db/x", "mysql://app:[REDACTED:url_password]@db/x"),
        ("x=sftp://a:b@h", "x=sftp://a:[REDACTED:url_password]@h"),
        ("(https://u:p@h/)", "(https://u:[REDACTED:url_password]@h/)"),
        ("redis://:p@ss@cache:6379", "redis://:[REDACTED:url_password]@cache:6379"),
        ("a://u:p:q@h", "a://u:[REDACTED:url_password]@h"),
        ("a://u:p@h/x@y", "a://u:[REDACTED:url_password]@h/x@y"),
        ("a://u:p@h?x=y@z", "a://u:[REDACTED:url_password]@h?x=y@z"),
        # A raw "/", "?" or "#" in the password: it runs on to the "@" before the host.
        ("postgres://app:ab/cd@db:5432/x", "postgres://app:[REDACTED:url_password]@db:5432/x"),
        ("dsn=pg://a:Tq7#8DE@db:5432/a", "dsn=pg://a:[REDACTED:url_password]@db:5432/a"),
        ("pg://a:Tq7?8DE@db", "pg://a:[REDACTED:url_password]@db"),
        ("pg://a:b/c/d?e#f@h/x", "pg://a:[REDACTED:url_password]@h/x"),
        ("pg://a:b/c@d@h:1", "pg://a:[REDACTED:url_password]@h:1"),
        ("pg://a:b/" + "c" * 128 + "@h", "pg://a:[REDACTED:url_password]@h"),
    ],
)
def test_url_passwords(text: str, expected: str) -> None:
    check(text, expected, {"url_password": text.count("://")}, NO_PII)


@pytest.mark.parametrize(
    "text",
    [
        "https://u:@h/x",
        "https://h:8080/x",
        "https://u@h/x",
        'https://u:"p"@h',
        "https://[::1]:80/",
        "https://h:8080/x@y",  # a port before the path: no password
        "https://h:8443/a?mail=a@b.example",
        "https://h:/x@y",
        "pg://a:b/" + "c" * 129 + "@h",  # farther than the reach
        "pg://a:b/c@-h",  # no host after the "@"
    ],
)
def test_urls_without_password_are_left(text: str) -> None:
    assert redact(text, pii=NO_PII) == Redaction(text, {})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("to app:pw1@db:5432 failed", "to app:[REDACTED:url_password]@db:5432 failed"),
        ('"squid:p4ss@proxy.corp:3128"', '"squid:[REDACTED:url_password]@proxy.corp:3128"'),
        ("app:pw1@tcp(db:3306)/x", "app:[REDACTED:url_password]@tcp(db:3306)/x"),
        ("app:pw1@db/x", "app:[REDACTED:url_password]@db/x"),
        ("u:p@ss@db:1", "u:[REDACTED:url_password]@db:1"),
        ("(u.x-y_z:pw1@db:1)", "(u.x-y_z:[REDACTED:url_password]@db:1)"),
        ("u" * 64 + ":pw1@db:1", "u" * 64 + ":[REDACTED:url_password]@db:1"),
    ],
)
def test_a_user_and_password_before_a_host_need_no_scheme(text: str, expected: str) -> None:
    check(text, expected, {"url_password": 1}, NO_PII)


@pytest.mark.parametrize(
    "text",
    [
        "u" * 65 + ":pw1@db:1",  # a user name longer than any: part of something else
        "email:bob42@example.com",  # a host alone: an address
        "mailto:bob42@example.com:25",
        "sip:alice42@pbx:5060",
        "at 12:05:33@node-1:9",  # a time
        "x 12:30@db:1",
        "nginx:1.25@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "u:alice@db:1",  # a word after the colon: a user, as after a scheme
        "u:***@db:1",  # masked already
        "a/u:pw1@db:1",  # inside a path
        "xu:pw1@db:1x",
        "u:pw1@db:123456",
        "u:pw1@db.x",
    ],
)
def test_colon_and_at_lookalikes_are_left(text: str) -> None:
    assert redact(text, pii=NO_PII) == Redaction(text, {})


@pytest.mark.parametrize(
    ("value", "redacted"),
    [
        pytest.param("abcdefghijklmnopqrs", False, id="19-letters-is-a-word"),
        pytest.param("abcdefghijklmnopqrst", True, id="20-characters"),
        pytest.param("abc1234", False, id="7-characters"),
        pytest.param("abc12345", True, id="8-with-a-digit"),
        pytest.param("abc.defg", True, id="8-with-a-dot"),
        pytest.param("abcdefgh", False, id="8-letters"),
        pytest.param("a+b/c~d_e-f=", True, id="base64-and-padding"),
    ],
)
def test_bearer_values_must_look_opaque(value: str, redacted: bool) -> None:
    for scheme in ("Bearer", "bearer", "BEARER"):
        text = f"Authorization: {scheme} {value}"
        expected = f"Authorization: {scheme} [REDACTED:bearer]" if redacted else text
        assert redact(text, pii=NO_PII).text == expected


def test_auth_schemes_only_as_words() -> None:
    assert redact("xbearer abcdef123456 ok", pii=NO_PII).total == 0
    assert redact("bearer\tabcdef123456", pii=NO_PII).text == "bearer\t[REDACTED:bearer]"
    assert redact("(Bearer abcdef123456)", pii=NO_PII).text == "(Bearer [REDACTED:bearer])"


@pytest.mark.parametrize(
    ("value", "redacted"),
    [
        pytest.param("dXNlcjpwYXNz", True, id="user-colon-password"),
        pytest.param("OnBhc3M=", True, id="empty-user"),
        pytest.param("dXNlcjpwYXN", True, id="unpadded"),
        pytest.param("dXNlcjpwYQ", True, id="unpadded-twice"),
        pytest.param("dXNlcjpwYXN==", False, id="bad-padding"),
        pytest.param("dXNlcjpwYXNzZ", False, id="no-padding-fits"),
        pytest.param("dXNlcg==", False, id="no-colon"),
        pytest.param("dXNlcg", False, id="no-colon-unpadded"),
        pytest.param("dXNlcjp.YXNz", False, id="not-base64"),
        pytest.param("dXNl.cjpwYXNz", False, id="base64-with-a-stray-character"),
        pytest.param("/w==", False, id="not-utf8"),
        pytest.param("dTokCg==", False, id="not-printable"),
    ],
)
def test_basic_credentials_are_decoded(value: str, redacted: bool) -> None:
    # Outside an Authorization header "basic" is a word too: only user:password counts.
    for scheme in ("Basic", "basic"):
        text = f"sent {scheme} {value}"
        expected = f"sent {scheme} [REDACTED:basic_auth]" if redacted else text
        assert redact(text, pii=NO_PII).text == expected


@pytest.mark.parametrize(
    ("value", "redacted"),
    [
        pytest.param("dXNlcjpwYXNz", True, id="user-colon-password"),
        pytest.param("dXNlcg==", True, id="no-colon"),
        pytest.param("Y0c2Vk8wVDZhRWE2MGpiWGpJYW50dEZh", True, id="an-api-key"),
        pytest.param("dXNlcjp.YXNz", True, id="not-base64"),
        pytest.param("realm", False, id="a-word"),
        pytest.param("abc12", False, id="too-short"),
    ],
)
def test_basic_in_an_authorization_header_needs_no_decoding(value: str, redacted: bool) -> None:
    for header in ("Authorization: Basic ", '"authorization":"Basic '):
        text = header + value
        expected = f"{header}[REDACTED:basic_auth]" if redacted else text
        assert redact(text, pii=NO_PII).text == expected
    near = "authoriz" + "x" * 23 + " Basic "  # "authoriz" ends 32 characters before the scheme
    far = "authoriz" + "x" * 24 + " Basic "
    assert redact(near + "dXNlcg==", pii=NO_PII).text == near + "[REDACTED:basic_auth]"
    assert redact(far + "dXNlcg==", pii=NO_PII).total == 0


@pytest.mark.parametrize(
    ("value", "rest"),
    [
        pytest.param("182239313460534|" + body(32), "", id="pipe"),
        pytest.param("A" * 22 + body(40) + "%3D" + body(40), "", id="encoded-equals"),
        pytest.param(body(40) + "%2D" + body(8), "", id="encoded-dash"),
        pytest.param("AQE" + body(40) + "=-" + body(20), "", id="equals-then-more"),
        pytest.param("ATCTT" + body(40) + "=" + body(8, "A1"), "", id="equals-inside"),
        pytest.param(body(20) + "==", "", id="padding"),
        pytest.param(body(20), "| 200", id="pipe-at-the-end"),
        pytest.param(body(20), "%0D%0A", id="escape-at-the-end"),
        pytest.param(body(20), "%26next%3D1", id="next-parameter"),
    ],
)
def test_a_bearer_credential_is_hidden_whole(value: str, rest: str) -> None:
    text = f"Authorization: Bearer {value}{rest}"
    assert redact(text, pii=NO_PII).text == f"Authorization: Bearer [REDACTED:bearer]{rest}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Zoho-oauthtoken 1000.ab12.cd34", "Authorization: Zoho-oauthtoken {}"),
        ("Authorization: sso-key k1234:s5678", "Authorization: sso-key {}"),
        ("authorization: abc12345", "authorization: {}"),
        ("Proxy-Authorization: X a1b2c3d4", "Proxy-Authorization: X {}"),
        ('{"Authorization":"X a1b2c3d4"}', '{"Authorization":"X {}"}'),
        ('{\\"authorization\\":\\"X a1b2c3d4\\"}', '{\\"authorization\\":\\"X {}\\"}'),
        ("{'Authorization': 'X a1b2c3d4', 'A': '*'}", "{'Authorization': 'X {}', 'A': '*'}"),
        ("map[Authorization:[X a1b2c3d4] Accept:[*]]", "map[Authorization:[X {}] Accept:[*]]"),
        ("Authorization: X a1b2c3d4 \r\nHost: h", "Authorization: X {} \r\nHost: h"),
        ("Authorization=X a1b2c3d4; next", "Authorization=X {}; next"),
        ("Authorization: X a1b2c3d4, Accept: */*", "Authorization: X {}, Accept: */*"),
        ("authorization: X abcdefghijklmnopqrst", "authorization: X {}"),  # 20 letters
        ("Authorization: x" + "a" * 31 + " a1b2c3d4", "Authorization: x" + "a" * 31 + " {}"),
        ("Authorization: X " + "a1" * 2048, "Authorization: X {}"),
    ],
)
def test_an_authorization_value_is_a_credential_whatever_its_scheme(
    text: str, expected: str
) -> None:
    hidden = expected.replace("{}", "[REDACTED:authorization]")
    check(text, hidden, {"authorization": 1}, NO_PII)


def test_placeholders_in_an_authorization_value_stay_and_the_rest_is_hidden() -> None:
    text = "Authorization: AWS AKIAIOSFODNN7EXAMPLE:qCwFJESFNdy81H4bgG4wLxJYjS51="
    expected = "Authorization: AWS [REDACTED:aws_access_key]:[REDACTED:authorization]"
    check(text, expected, {"aws_access_key": 1, "authorization": 1}, NO_PII)
    eight = "Authorization: AWS AKIAIOSFODNN7EXAMPLE:abcdefgh"
    check(eight, expected, {"aws_access_key": 1, "authorization": 1}, NO_PII)
    short = "Authorization: AWS AKIAIOSFODNN7EXAMPLE:abcdefg"
    expected = "Authorization: AWS [REDACTED:aws_access_key]:abcdefg"
    check(short, expected, {"aws_access_key": 1}, NO_PII)
    escaped = "Authorization: AWS AKIAIOSFODNN7EXAMPLE:%2F%2F%2F%2Fabc"
    expected = "Authorization: AWS [REDACTED:aws_access_key]:%2F%2F%2F%2Fabc"
    check(escaped, expected, {"aws_access_key": 1}, NO_PII)


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: [REDACTED]",
        "Authorization: [filtered]",
        "Authorization: <redacted>",
        '{"authorization":"***"}',
        "Authorization: null",
        "Authorization:",
        "Authorization: Bearer",
        'Authorization: Basic realm="shop"',
        'Authorization: Digest username="bob", realm="shop"',
        "Authorization: HMAC keyId=k1, sig=x",  # parameters: other rules see their values
        'level=warn msg="authorization: denied for role viewer"',
        "authorization: request 3f2b1c4e-8a7d-4e5f-9b6a-1c2d3e4f5a6b denied",
        "authorization: X a1b2c3d4 and more",  # words after the value: prose
        "authorization: X abcdefgh",  # a word
        "authorization: X a1b2c3d",  # seven characters
        "authorization: pending",
        "preauthorization: X a1b2c3d4",  # the tail of another word
        "Authorization: x" + "a" * 32 + " a1b2c3d4",  # no scheme is that long
        "Authorization: X " + "a1" * 2048 + "a",  # longer than the reach: taken for no value
    ],
)
def test_authorization_values_that_are_no_credential_are_left(text: str) -> None:
    assert redact(text, pii=NO_PII) == Redaction(text, {})


def test_token_is_a_scheme_only_after_authorization() -> None:
    value = "abcdef123456"
    near = "authoriz" + "x" * 23 + " "  # "authoriz" ends 32 characters before the scheme
    far = "authoriz" + "x" * 24 + " "
    assert redact(f"{near}Token {value}", pii=NO_PII).text == f"{near}Token [REDACTED:bearer]"
    assert redact(f"{far}Token {value}", pii=NO_PII).total == 0
    assert redact(f"the token {value} expired", pii=NO_PII).total == 0
    assert redact(f"Authorization: token {value}", pii=NO_PII).total == 1


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("https://a.blob.core.windows.net/c?sv=1&sig=abc%2Bdef", "&sig=", "azure_sas_token"),
        ("x;SharedAccessSignature=sv=1;sig=abcdef", ";sig=", "azure_sas_token"),
        ("https://h/p?sig=abcdef&x=1", "?sig=", "azure_sas_token"),
        ("https://s3/x?X-Amz-Signature=0a1b2c#frag", "?X-Amz-Signature=", "url_signature"),
        ("https://gcs/x?x-goog-signature=0a1b2c&e=1", "?x-goog-signature=", "url_signature"),
        ("https://h/x?a=1&Signature=abcdef", "&Signature=", "url_signature"),
    ],
)
def test_url_signatures(text: str, expected: str, kind: str) -> None:
    result = redact(text, pii=NO_PII)
    assert f"{expected}[REDACTED:{kind}]" in result.text
    assert dict(result.counts) == {kind: 1}
    assert redact(result.text, pii=NO_PII).total == 0


@pytest.mark.parametrize(
    "text", ["sig=abcdef", "see sig=abc", "x?sig=", "x?signed=abc", "x?sign=a"]
)
def test_signature_lookalikes_are_left(text: str) -> None:
    assert redact(text, pii=NO_PII) == Redaction(text, {})


# --- key-value pairs ----------------------------------------------------------------------------

KEY_KINDS = [
    ("password", "password"),
    ("passwd", "password"),
    ("passphrase", "password"),
    ("db_pass", "password"),
    ("pwd", "password"),
    ("token", "token"),
    ("api_key", "api_key"),
    ("apiKey", "api_key"),
    ("x-api-key", "api_key"),
    ("apikey", "api_key"),
    ("app_key", "api_key"),
    ("applicationKey", "api_key"),
    ("auth_key", "api_key"),
    ("client_key", "api_key"),
    ("service-key", "api_key"),
    ("license_key", "api_key"),
    ("access_key", "access_key"),
    ("AccessKey", "access_key"),
    ("secret_access_key", "aws_secret_key"),
    ("SecretAccessKey", "aws_secret_key"),
    ("AccountKey", "azure_storage_key"),
    ("private_key", "private_key"),
    ("privkey", "private_key"),
    ("secret", "secret"),
    ("client_secret", "secret"),
    ("secret_key", "secret"),
    ("SECRET", "secret"),
    ("DD_API_KEY", "datadog_api_key"),
    ("datadog.api_key", "datadog_api_key"),
    ("DD_APP_KEY", "datadog_app_key"),
    ("datadogApplicationKey", "datadog_app_key"),
    ("TWILIO_AUTH_TOKEN", "twilio_auth_token"),
    ("discord_bot_token", "discord_token"),
    ("NEW_RELIC_LICENSE_KEY", "newrelic_key"),
    ("newrelic.api_key", "newrelic_key"),
    ("AWS_SECRET", "aws_secret_key"),
    ("aws_secret_key", "aws_secret_key"),
    ("AWS_ACCESS_KEY", "aws_access_key"),
    ("AWS_SESSION_TOKEN", "aws_session_token"),
    ("DD_TOKEN", "token"),
    ("awsome_token", "token"),
    ("DATADOG_V2_API_KEY", "datadog_api_key"),
    ("aws.s3.secret_access_key", "aws_secret_key"),
]


@pytest.mark.parametrize(("key", "kind"), KEY_KINDS)
def test_the_key_names_the_kind(key: str, kind: str) -> None:
    check(f"{key}=v4lu3x", f"{key}=[REDACTED:{kind}]", {kind: 1}, NO_PII)


MORE_KEY_KINDS = [
    ("session_id", "session_id"),
    ("sessid", "session_id"),
    ("sessionKey", "session_id"),
    ("Ocp-Apim-Subscription-Key", "api_key"),
    ("service_key", "api_key"),
    ("SAMLResponse", "saml_response"),
    ("secret_key_base", "secret"),
    ("pass", "password"),
    ("subscription_key", "api_key"),
]


VENDOR_PREFIXES = ("dd_", "datadog", "twilio", "discord", "relic", "aws")


@pytest.mark.parametrize(("key", "kind"), [*KEY_KINDS, *MORE_KEY_KINDS])
def test_a_key_names_its_kind_as_an_element_and_percent_encoded_too(key: str, kind: str) -> None:
    # Key words match with either case of their first letter (Password, password): both.
    variants = [key]
    if not key.lower().startswith(VENDOR_PREFIXES):
        variants.append(key[0].swapcase() + key[1:])
    for name in variants:
        check(f"{name}=v4lu3x", f"{name}=[REDACTED:{kind}]", {kind: 1}, NO_PII)
        check(f"<{name}>v4lu3x</{name}>", f"<{name}>[REDACTED:{kind}]</{name}>", {kind: 1}, NO_PII)
        check(f"{name}%3Dv4lu3x%26n=1", f"{name}%3D[REDACTED:{kind}]%26n=1", {kind: 1}, NO_PII)


@pytest.mark.parametrize(
    ("literal", "hidden"),
    [
        pytest.param("'it''s x1'", "'[REDACTED:password]'", id="quote-doubled"),
        pytest.param("E'it\\'s x1'", "E'[REDACTED:password]'", id="quote-escaped"),
        pytest.param('"it""s x1"', '"[REDACTED:password]"', id="double-quotes-doubled"),
        pytest.param('"it\\"s x1"', '"[REDACTED:password]"', id="double-quote-escaped"),
    ],
)
@pytest.mark.parametrize(
    "statement",
    ["ALTER ROLE app PASSWORD ", "CREATE USER 'a'@'%' IDENTIFIED BY ", "SET PASSWORD FOR a = "],
)
def test_sql_literals_are_hidden_whole(statement: str, literal: str, hidden: str) -> None:
    check(f"{statement}{literal};", f"{statement}{hidden};", {"password": 1}, NO_PII)


@pytest.mark.parametrize(
    "statement",
    ["CREATE USER a", "ALTER USER a", "CREATE ROLE a", "ALTER LOGIN a", "GRANT CONNECT TO a"],
)
def test_an_unquoted_identified_by_counts_in_a_statement_about_an_account(statement: str) -> None:
    text = f"{statement} IDENTIFIED BY tiger7"
    check(text, text.replace("tiger7", "[REDACTED:password]"), {"password": 1}, NO_PII)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            '"AUTH" "us\\"er" "pw1"', '"AUTH" "us\\"er" "[REDACTED:password]"', id="monitor"
        ),
        pytest.param(
            "auth([ 'us\\'er', 'p\\'w1' ])",
            "auth([ 'us\\'er', '[REDACTED:password]' ])",
            id="ioredis",
        ),
    ],
)
def test_command_arguments_may_hold_escaped_quotes(text: str, expected: str) -> None:
    check(text, expected, {"password": 1}, NO_PII)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password=pw1", "password=[REDACTED:password]"),
        ("password = pw1", "password = [REDACTED:password]"),
        ("password:pw1", "password:[REDACTED:password]"),
        ("password :\tpw1", "password :\t[REDACTED:password]"),
        ('password => "pw1"', 'password => "[REDACTED:password]"'),
        ('"password":"pw1"', '"password":"[REDACTED:password]"'),
        ("'password': 'pw1'", "'password': '[REDACTED:password]'"),
        ('\\"password\\":\\"pw1\\"', '\\"password\\":\\"[REDACTED:password]\\"'),
        ('{"password":12345}', '{"password":"[REDACTED:password]"}'),
        ("password='a b'", "password='[REDACTED:password]'"),
        ('password="a \\" b" x', 'password="[REDACTED:password]" x'),
        ("password=pw1&user=x", "password=[REDACTED:password]&user=x"),
        ("password=pw1,user=x", "password=[REDACTED:password],user=x"),
        ("password=pw1;user=x", "password=[REDACTED:password];user=x"),
        ("(password=pw1)", "(password=[REDACTED:password])"),
        ("[password=pw1]", "[password=[REDACTED:password]]"),
        ("<password=pw1>", "<password=[REDACTED:password]>"),
        ("password=pw1 password=pw2", "password=[REDACTED:password] password=[REDACTED:password]"),
        ("password= =pw1", "password= [REDACTED:password]"),
        ("password: Pw1", "password: [REDACTED:password]"),
        ("password: hunter2.", "password: [REDACTED:password]"),
        ("dbPass=pw1", "dbPass=[REDACTED:password]"),
        ("DB_PASS=pw1", "DB_PASS=[REDACTED:password]"),
        ("key_pass=pw1", "key_pass=[REDACTED:password]"),
        ("pass=pw1", "pass=[REDACTED:password]"),
        ("pass=1a", "pass=[REDACTED:password]"),
        ("password=XXXX", "password=[REDACTED:password]"),
        ("password=*x*", "password=[REDACTED:password]"),
        ("token: expiredX", "token: [REDACTED:token]"),
        ("token: expired.x", "token: [REDACTED:token]"),
        ("token = decode[0]", "token = decode[0]"),
        ("pwd=~pw", "pwd=[REDACTED:password]" if False else "pwd=~pw"),
        ("pwd=pw/1", "pwd=[REDACTED:password]"),
        ("PWD=/srv", "PWD=/srv"),
        # Python's bytes in a dict's repr: the quotes stay around the placeholder.
        ("{'password': b'p4ss'}", "{'password': b'[REDACTED:password]'}"),
        ("{'token': B'p4ss'}", "{'token': B'[REDACTED:token]'}"),
        ("password: b", "password: [REDACTED:password]"),
    ],
)
def test_key_value_forms(text: str, expected: str) -> None:
    result = redact(text, pii=NO_PII)
    assert result.text == expected
    assert result.total == expected.count("[REDACTED:") - text.count("[REDACTED:")
    assert redact(expected, pii=NO_PII).total == 0


@pytest.mark.parametrize(
    "value",
    [
        "null", "None", "nil", "TRUE", "false", "undefined", "Bearer", "basic", "REDACTED", "-",
        "", " ", "*", "****", "$DB_PASSWORD", "${DB_PASSWORD}", "$(cat /run/s)", "{{ .pw }}",
        "{obj}", "<nil>", "<redacted>", "[REDACTED:x]", "[REDACTED:jwt] ", "Bearer [REDACTED:jwt]",
    ],
)  # fmt: skip
def test_values_that_are_no_secret(value: str) -> None:
    for text in (f'password="{value}"', f"'token': '{value}'"):
        assert redact(text, pii=NO_PII) == Redaction(text, {}), text


@pytest.mark.parametrize(
    "value", ["$lower", "$1abc", "x${Y}", "pw<x>y", "(pw)", "abc$", "--", "a*"]
)
def test_values_that_only_look_like_references(value: str) -> None:
    text = f'password="{value}"'
    assert redact(text, pii=NO_PII).text == 'password="[REDACTED:password]"'


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("bypass=1", id="pass-inside-a-word"),
        pytest.param("COMPASS=north", id="pass-inside-an-upper-case-word"),
        pytest.param("pass=42", id="pass-a-tally"),
        pytest.param("invalid token: signature expired", id="prose-after-colon"),
        pytest.param("invalid token: Expired!", id="capitalised-prose"),
        pytest.param("using password: YES", id="upper-case-prose"),
        pytest.param("token = decode(header)", id="code-call"),
        pytest.param('password = os.environ["PW"]', id="code-subscript"),
        pytest.param("password = getpass()", id="code-call-empty"),
        pytest.param("arn:aws:secretsmanager:eu:1:secret:db-creds-AbCdEf", id="arn"),
        pytest.param("secretName: api-tls", id="key-goes-on"),
        pytest.param("password_hash=abc", id="keyword-not-last"),
        pytest.param("max_tokens=512", id="plural"),
        pytest.param("token.ttl=15m", id="dotted-key-goes-on"),
        pytest.param("password reset", id="no-separator"),
        pytest.param("password= user=bob", id="empty-before-a-pair"),
        pytest.param('password\t= "" x', id="empty-quoted"),
        pytest.param("PWD=~/app", id="pwd-home-directory"),
    ],
)
def test_keys_whose_values_stay(text: str) -> None:
    assert redact(text, pii=NO_PII) == Redaction(text, {})


def test_a_value_redacted_in_part_is_redacted_whole() -> None:
    text = '"token": "Bearer [REDACTED:jwt] x"'
    assert redact(text, pii=NO_PII).text == '"token": "[REDACTED:token]"'
    for done in ('"token": "Bearer [REDACTED:jwt]"', '"private_key": "[REDACTED:jwt]\\n\\t"'):
        assert redact(done, pii=NO_PII) == Redaction(done, {})


def test_prose_needs_a_bare_value_after_a_colon() -> None:
    assert redact('"password": "expired"', pii=NO_PII).text == '"password": "[REDACTED:password]"'
    assert redact("token=expired", pii=NO_PII).text == "token=[REDACTED:token]"
    assert redact("token: expired1", pii=NO_PII).text == "token: [REDACTED:token]"
    assert redact('"token":expired', pii=NO_PII).text == '"token":"[REDACTED:token]"'


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('err="token: malformed"', id="after-equals"),
        pytest.param('{"msg":"token: malformed"}', id="after-colon"),
        pytest.param('raise ValueError("token: malformed")', id="after-parenthesis"),
        pytest.param('errors=["token: malformed"]', id="after-bracket"),
        pytest.param("{'token: malformed'}", id="after-brace"),
        pytest.param('["retry","token: malformed"]', id="after-comma"),
        pytest.param('the server said "token: malformed"', id="after-space"),
        pytest.param('the server said\t"token: malformed"', id="after-tab"),
        pytest.param("*v1.Secret: secrets is forbidden", id="after-an-asterisk"),
        pytest.param("open db: password: expired", id="after-a-colon"),
    ],
)
def test_prose_in_a_quoted_message_after_a_colon_stays(text: str) -> None:
    assert redact(text, pii=NO_PII) == Redaction(text, {})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            'msg="done" token: malformed', 'msg="done" token: [REDACTED:token]', id="after-a-value"
        ),
        pytest.param("token: malformed", "token: [REDACTED:token]", id="at-the-start"),
        pytest.param("x\n token: malformed", "x\n token: [REDACTED:token]", id="after-newline"),
        pytest.param("{token: malformed}", "{token: [REDACTED:token]}", id="after-a-brace"),
        pytest.param("a: 1, token: malformed", "a: 1, token: [REDACTED:token]", id="after-comma"),
        pytest.param("- token: malformed", "- token: [REDACTED:token]", id="list-item"),
        pytest.param("map[token:malformed]", "map[token:[REDACTED:token]]", id="go-map"),
    ],
)
def test_a_field_after_a_colon_is_redacted_even_as_a_word(text: str, expected: str) -> None:
    assert redact(text, pii=NO_PII).text == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('{"type":"token","token":"Hello"}', id="a-word"),
        pytest.param('{"type":"token","token":" world!"}', id="spaced-punctuated"),
        pytest.param('{"type":"token","token":"\\n"}', id="escaped-newline"),
        pytest.param('{"usage":{"tokens":[" The"," cat"]}}', id="a-list-of-words"),
    ],
)
def test_a_model_output_token_is_no_credential(text: str) -> None:
    assert redact(text, pii=NO_PII) == Redaction(text, {})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('"token":"Hello123"', '"token":"[REDACTED:token]"', id="with-a-digit"),
        pytest.param(
            '"token":"Helloworldxyz"', '"token":"[REDACTED:token]"', id="longer-than-a-word"
        ),
        pytest.param('"auth_token":"Hello"', '"auth_token":"[REDACTED:token]"', id="named-more"),
        pytest.param("token=Hello", "token=[REDACTED:token]", id="not-json"),
        pytest.param('"token":Hello', '"token":"[REDACTED:token]"', id="bare"),
    ],
)
def test_only_a_short_word_streamed_as_token_is_kept(text: str, expected: str) -> None:
    assert redact(text, pii=NO_PII).text == expected


def test_code_and_arn_exceptions_need_their_shape() -> None:
    assert redact("token = 'decode(header)'", pii=NO_PII).total == 1
    assert redact("token = abc (header)", pii=NO_PII).total == 1
    assert redact("x secret:db-creds-AbCdEf", pii=NO_PII).total == 1
    assert redact("a:secret: db-creds-AbCdEf", pii=NO_PII).total == 1


def test_the_key_prefix_is_read_up_to_64_characters_back() -> None:
    near = "DD_" + "x" * 60 + "_API_KEY=v"  # "DD" starts 64 characters before the keyword
    far = "DD_" + "x" * 61 + "_API_KEY=v"
    assert redact(near, pii=NO_PII).counts == {"datadog_api_key": 1}
    assert redact(far, pii=NO_PII).counts == {"api_key": 1}
    assert redact("ddd_api_key=v", pii=NO_PII).counts == {"api_key": 1}
    assert redact("dd API_KEY=v", pii=NO_PII).counts == {"api_key": 1}
    assert redact("dd,API_KEY=v", pii=NO_PII).counts == {"api_key": 1}
    assert redact('{"dd":1,"api_key":"v"}', pii=NO_PII).counts == {"api_key": 1}


# --- generic keys, when their values look random ---------------------------------------------

RANDOM = "AAbbCCddEEffGG00"  # 8 symbols twice each (digits count as one): 3.0 bits a character
ALMOST = "AAbbCCddEEffGGG0"  # the same length, just below 3.0 bits
# Letters only and shorter than 20 (a word), or shorter than 8: no Authorization credential.
NO_CREDENTIALS = ("user:42", "AAbbCCddEEffGGhh", "abcdefabcdefabcd")


@pytest.mark.parametrize(
    ("value", "redacted", "as_a_key"),
    [
        pytest.param(RANDOM, True, True, id="at-the-threshold"),
        pytest.param(ALMOST, False, False, id="just-below-the-threshold"),
        pytest.param("AAbbCCddEEffGG1", False, False, id="15-characters"),
        pytest.param(RANDOM + "==", True, True, id="padding"),
        pytest.param(RANDOM + "===", False, False, id="too-much-padding"),
        pytest.param(RANDOM.replace("dd", "d."), False, False, id="not-base64"),
        pytest.param("Ab+/Cd_-Ef12Gh34", True, True, id="base64-alphabets"),
        pytest.param(RANDOM.lower(), False, False, id="lower-case"),
        pytest.param(RANDOM.upper(), False, False, id="upper-case"),
        pytest.param("AAbbCCddEEffGGhh", False, False, id="no-digit"),
        # Hex, UUIDs: random to the eye, ids as often as keys; a key only under a "key" name.
        pytest.param("3f2b1c4e-8a7d-4e5f-9b6a-1c2d3e4f5a6b", False, True, id="uuid"),
        pytest.param("sdk-3f2b1c4e-8a7d-4e5f-9b6a-1c2d3e4f5a6b", False, True, id="sdk-uuid"),
        pytest.param("4BF92F3576B4E9A6f2c1d3e4f5a6b7c8", False, True, id="hex-mixed-case"),
        pytest.param("0a1B2c3D4e5F6a7B8c9D", False, True, id="hex-low-entropy"),
        pytest.param("0123456789abcde", False, False, id="hex-15-characters"),
        pytest.param("0123456789012345", False, False, id="hex-no-letter"),
        pytest.param("abcdefabcdefabcd", False, False, id="hex-no-digit"),
        pytest.param("user:42", False, False, id="cache-key"),
        pytest.param("Orders-Created-Event-2026", True, True, id="hyphenated-words-mixed"),
    ],
)
def test_generic_keys_need_random_values(value: str, redacted: bool, as_a_key: bool) -> None:
    for key, verdict in (
        *((key, as_a_key) for key in ("key", "webhook_key", "adminKey", "Authorization")),
        *((key, redacted) for key in ("auth", "cred", "creds", "credential")),
    ):
        for text in (f"{key}={value}", f'"{key}": "{value}"'):
            expected = text.replace(value, "[REDACTED:secret]") if verdict else text
            if key == "Authorization" and not verdict and value not in NO_CREDENTIALS:
                # An Authorization value needs no randomness: any opaque one is a credential.
                expected = text.replace(value, "[REDACTED:authorization]")
            assert redact(text, pii=NO_PII).text == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("http.auth=elastic:z8Q1wSN!", "http.auth=elastic:{}"),
        ("credentials=admin:changeme", "credentials=admin:{}"),
        ('{"auth":"ci-bot@corp:p4ss"}', '{"auth":"ci-bot@corp:{}"}'),
        ("creds: u:123456", "creds: u:{}"),  # more digits than a port
        ("credential=u:Ab", "credential=u:{}"),
        ("cred=" + "u" * 64 + ":pw", "cred=" + "u" * 64 + ":{}"),
    ],
)
def test_a_user_and_password_under_an_auth_key_is_a_password(text: str, expected: str) -> None:
    check(text, expected.replace("{}", "[REDACTED:password]"), {"password": 1}, NO_PII)


@pytest.mark.parametrize(
    "text",
    [
        "auth: es-node:9200",  # a host and its port
        "auth=https://idp.example.com",
        "creds=env:AWS_SECRET_KEY",  # where to read it from
        "credentials: admin:***",
        "credentials: admin:null",
        "auth=${USER}:${PASS}",
        "cred=" + "u" * 65 + ":pw",  # no user name is that long
        "oauth=read:user",  # the tail of another word
        "auth_mode=aws:iam",  # another key
        "key=u:pw",  # a key holds a random value, not a login
    ],
)
def test_pairs_under_auth_keys_that_hold_no_password_are_left(text: str) -> None:
    assert redact(text, pii=NO_PII) == Redaction(text, {})


ID_KEYS = ("cache_key", "idempotencyKey", "partition_key", "sort_key", "primary_key", "routingKey",
           "object_key", "dedup_key", "shard_key", "public_key", "pubKey")  # fmt: skip


@pytest.mark.parametrize("key", ID_KEYS)
def test_keys_that_find_a_thing_are_no_secrets(key: str) -> None:
    for value in (RANDOM, "3f2b1c4e-8a7d-4e5f-9b6a-1c2d3e4f5a6b"):
        text = f"{key}={value}"
        assert redact(text, pii=NO_PII) == Redaction(text, {})


@pytest.mark.parametrize(
    ("value", "redacted"),
    [
        pytest.param(RANDOM, True, id="random"),
        pytest.param(ALMOST, True, id="below-the-entropy-threshold"),
        pytest.param("0123456789abcdef0123456789abcdef", True, id="hex"),
        pytest.param("4BF92F3576B4E9A6f2c1d3e4f5a6b7c8", True, id="hex-mixed-case"),
        pytest.param("AAbbCCddEEffGG1", False, id="15-characters"),
        pytest.param("AAbbCCddEEffGGhh", False, id="no-digit"),
        pytest.param("0123456789012345", False, id="no-letter"),
        pytest.param("HS256", False, id="algorithm"),
        pytest.param("alias/prod-kms", False, id="kms-alias"),
        pytest.param("arn:aws:kms:eu-west-1:123456789012:key/abc", False, id="kms-arn"),
    ],
)
def test_keys_named_for_what_they_do_to_secrets_take_any_opaque_value(
    value: str, redacted: bool
) -> None:
    # A signing or master key is a secret even as hex, which generic keys' values must not be.
    for key in ("signing_key", "encryptionKey", "RAILS_MASTER_KEY", "hmac-key", "shared_key",
                "decryption_key"):  # fmt: skip
        for text in (f"{key}={value}", f'"{key}": "{value}"'):
            expected = text.replace(value, "[REDACTED:secret]") if redacted else text
            assert redact(text, pii=NO_PII).text == expected, text


@pytest.mark.parametrize(
    "text",
    [
        f"public_key={RANDOM}",
        f"publicKey={RANDOM}",
        f"ssh-pub-key={RANDOM}",
        f"monkey={RANDOM}",
        f"oauth={RANDOM}",
        f"MONKEY={RANDOM}",
        f"keys={RANDOM}",
        f"key_id={RANDOM}",
        "master_cache_key=0123456789abcdef0123456789abcdef",  # only the last word names it
    ],
)
def test_generic_keys_that_are_not_secrets(text: str) -> None:
    assert redact(text, pii=NO_PII) == Redaction(text, {})


def test_credentials_keys_count_inside_a_word_too() -> None:
    # Only "cred" ends an English word ("sacred"); the longer forms end key names alone.
    for key in ("dbcreds", "awscredential", "mycredentials"):
        assert redact(f"{key}={RANDOM}", pii=NO_PII).counts == {"secret": 1}, key
    text = f"sacred={RANDOM}"
    assert redact(text, pii=NO_PII) == Redaction(text, {})


def test_a_short_key_word_at_the_start_of_the_text_is_a_word() -> None:
    assert redact(f"AUTH={RANDOM}", pii=NO_PII).counts == {"secret": 1}
    assert redact(f"Cred: {RANDOM}", pii=NO_PII).counts == {"secret": 1}
    assert redact("Pass=hunter2x", pii=NO_PII).counts == {"password": 1}


def test_a_bare_generic_value_after_a_quoted_key_gets_quotes() -> None:
    text = f'"signing_key":{RANDOM},"n":1'
    check(text, '"signing_key":"[REDACTED:secret]","n":1', {"secret": 1}, NO_PII)


def test_a_camel_case_key_word_counts() -> None:
    assert redact(f"signingKey={RANDOM}", pii=NO_PII).counts == {"secret": 1}
    assert redact(f"X-Auth={RANDOM}", pii=NO_PII).counts == {"secret": 1}
    assert redact(f"Credentials: {RANDOM}", pii=NO_PII).counts == {"secret": 1}


# --- payment cards ------------------------------------------------------------------------------

ISSUED = [
    ("4", 13), ("4", 16), ("4", 19), ("51", 16), ("55", 16), ("2221", 16), ("2720", 16),
    ("2200", 16), ("2204", 19), ("34", 15), ("37", 15), ("3528", 16), ("3589", 19), ("300", 14),
    ("305", 19), ("3095", 14), ("36", 14), ("38", 16), ("39", 19), ("6011", 16), ("6011", 19),
    ("644", 16), ("649", 19), ("65", 16), ("62", 19), ("60", 16), ("508", 16), ("5019", 16),
    ("636", 16), ("637", 16), ("639", 16), ("5018", 13), ("5020", 19), ("5038", 16),
    ("5893", 16), ("6304", 13), ("6759", 18), ("6761", 16), ("6763", 19),
]  # fmt: skip
NOT_ISSUED = [
    ("4", 14), ("4", 15), ("4", 17), ("4", 18), ("51", 15), ("55", 17), ("56", 12), ("50", 16),
    ("2220", 16), ("2721", 16), ("2205", 16), ("2200", 15), ("34", 16), ("37", 14), ("3527", 16),
    ("3590", 16), ("3528", 15), ("299", 14), ("306", 14), ("3094", 14), ("3096", 14),
    ("36", 13), ("38", 15), ("35", 16), ("6010", 17), ("6012", 17), ("6011", 15), ("643", 16),
    ("65", 15), ("62", 15), ("60", 17), ("508", 17), ("509", 16), ("5019", 17), ("635", 16),
    ("636", 15), ("637", 17), ("640", 16), ("5017", 16), ("5021", 16), ("6305", 16),
    ("6760", 16), ("6764", 16), ("6759", 12), ("66", 16), ("69", 16), ("70", 16), ("1", 16),
    ("0", 16), ("9", 16), ("8", 16), ("33", 16), ("3", 13),
]  # fmt: skip


@pytest.mark.parametrize(("prefix", "length"), ISSUED)
def test_card_numbers_of_known_issuers(prefix: str, length: int) -> None:
    number = card(prefix, length)
    check(f"card {number} ok", "card [REDACTED:card] ok", {"card": 1}, NO_PII)
    assert redact(f"card {not_luhn(number)} ok", pii=NO_PII).total == 0


@pytest.mark.parametrize(("prefix", "length"), NOT_ISSUED)
def test_numbers_no_issuer_gives_out(prefix: str, length: int) -> None:
    text = f"id {card(prefix, length)} ok"
    assert redact(text, pii=NO_PII) == Redaction(text, {})


@pytest.mark.parametrize(
    "number",
    ["4111111111111111", "4012888888881881", "5555555555554444", "378282246310005",
     "6011111111111117", "3530111333300000", "30569309025904", "5019717010103742",
     "6759649826438453", "4539578763621486", "5425233430109903", "2223000048410010"],
)  # fmt: skip
def test_well_known_test_numbers(number: str) -> None:
    check(number, "[REDACTED:card]", {"card": 1}, NO_PII)


@pytest.mark.parametrize(
    ("number", "luhn_ok"),
    [("79927398713", True), ("79927398710", False), ("0", True), ("18", True), ("59", True),
     ("49927398716", True), ("1234567812345670", True), ("1234567812345678", False)],
)  # fmt: skip
def test_luhn(number: str, luhn_ok: bool) -> None:
    assert personal._luhn(number) is luhn_ok


VISA = card("4", 16)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{VISA}", "[REDACTED:card]"),
        (f"pan={VISA};", "pan=[REDACTED:card];"),
        (f"({VISA})", "([REDACTED:card])"),
        (f"{VISA}. next", "[REDACTED:card]. next"),
        (f"{VISA[:4]} {VISA[4:8]} {VISA[8:12]} {VISA[12:]}", "[REDACTED:card]"),
        (f"{VISA[:4]}-{VISA[4:8]}-{VISA[8:12]}-{VISA[12:]}", "[REDACTED:card]"),
        (f"{VISA[:4]} {VISA[4:10]} {VISA[10:13]} {VISA[13:]}", "[REDACTED:card]"),
        (f"{VISA} 2027", "[REDACTED:card] 2027"),
        (f"12 {VISA}", "12 [REDACTED:card]"),
        (f"2026-{VISA} x", "2026-[REDACTED:card] x"),
        (f"sku-12 {VISA}", "sku-12 [REDACTED:card]"),
        (f"{VISA} {card('51', 16)}", "[REDACTED:card] [REDACTED:card]"),
        (f"card {VISA} 3DS2 ok", "card [REDACTED:card] 3DS2 ok"),
        (f"{VISA} 2.5", "[REDACTED:card] 2.5"),
        (
            f"{VISA[:4]} {VISA[4:8]} {VISA[8:12]} {VISA[12:]} 2.5",
            "[REDACTED:card] 2.5",
        ),
        (f"paid with {VISA}.", "paid with [REDACTED:card]."),
        (f"{VISA}-2b", "[REDACTED:card]-2b"),
        (f"{VISA} {VISA}x", "[REDACTED:card] " + VISA + "x"),
        (f"{VISA} then {VISA}x", "[REDACTED:card] then " + VISA + "x"),
        (f"{VISA} {VISA}-1a", "[REDACTED:card] [REDACTED:card]-1a"),
        (f"{VISA[:4]} {VISA[4:8]} {VISA[8:12]} {VISA[12:]} 7x", "[REDACTED:card] 7x"),
        (f"{VISA[:4]}-{VISA[4:8]}-{VISA[8:12]}-{VISA[12:]}-7x", "[REDACTED:card]-7x"),
        (f"{VISA},{VISA}", "[REDACTED:card],[REDACTED:card]"),
    ],
)
def test_card_number_forms(text: str, expected: str) -> None:
    check(text, expected, {"card": expected.count("[REDACTED:card]")}, NO_PII)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"x{VISA}", id="after-a-letter"),
        pytest.param(f"_{VISA}", id="after-an-underscore"),
        pytest.param(f"0.{VISA}", id="decimals"),
        pytest.param(f"-{VISA}", id="negative"),
        pytest.param(f"+{VISA}", id="phone-like"),
        pytest.param(f"{VISA}x", id="before-a-letter"),
        pytest.param(f"{VISA}.5", id="before-decimals"),
        pytest.param(
            f"{VISA[:4]} {VISA[4:8]} {VISA[8:12]} {VISA[12:]}x", id="last-group-in-a-word"
        ),
        pytest.param(f"{VISA[:4]}-{VISA[4:8]}-{VISA[8:12]}-{VISA[12:]}.5", id="last-group-decimal"),
        pytest.param(f"{VISA}0", id="20-digits"),
        pytest.param(f"{VISA[:4]} {VISA[4:8]}-{VISA[8:12]} {VISA[12:]}", id="two-separators"),
        pytest.param(f"{VISA[:2]} {VISA[2:8]} {VISA[8:]}", id="a-group-of-2"),
        pytest.param(f"{VISA[:2]} {VISA[2:]}", id="two-groups-one-of-2"),
        pytest.param(f"{VISA[:8]} {VISA[8:]}", id="groups-of-8"),
        pytest.param(f"{VISA[:9]}-{VISA[9:]}", id="a-group-of-9"),
        pytest.param(f"{VISA[:4]} {VISA[4:11]} {VISA[11:]}", id="a-group-of-7"),
        pytest.param(" ".join(VISA), id="single-digits"),
        pytest.param(f"{VISA[:4]}  {VISA[4:8]}  {VISA[8:12]}  {VISA[12:]}", id="double-spaces"),
        pytest.param(f"1234 {VISA[:4]} {VISA[4:8]} {VISA[8:12]} {VISA[12:]}", id="in-a-longer-run"),
        pytest.param("6302 9712 6779 6948 5221 8804", id="a-list-of-numbers"),
        pytest.param(f"a{VISA[:8]}{VISA[8:]}b", id="in-a-hex-word"),
    ],
)
def test_card_lookalikes_are_left(text: str) -> None:
    assert redact(text, pii=NO_PII) == Redaction(text, {})


def test_groups_of_three_to_six_are_allowed() -> None:
    number = card("4", 19)
    grouped = f"{number[:4]} {number[4:8]} {number[8:12]} {number[12:16]} {number[16:]}"
    check(grouped, "[REDACTED:card]", {"card": 1}, NO_PII)
    amex = card("37", 15)
    check(f"{amex[:4]}-{amex[4:10]}-{amex[10:]}", "[REDACTED:card]", {"card": 1}, NO_PII)


# --- personal data ------------------------------------------------------------------------------


def test_default_pii_is_email_only() -> None:
    assert frozenset({"email"}) == DEFAULT_PII
    assert frozenset({"email", "ip"}) == PII_KINDS
    text = "bob@example.com from 10.0.0.1"
    assert redact(text).text == "[REDACTED:email] from 10.0.0.1"
    assert redact(text, pii=ALL_PII).text == "[REDACTED:email] from [REDACTED:ip]"
    assert redact(text, pii=frozenset({"ip"})).text == "bob@example.com from [REDACTED:ip]"
    assert redact(text, pii=NO_PII) == Redaction(text, {})
    assert may_contain_secret(text)
    assert not may_contain_secret(text, pii=NO_PII)
    assert may_contain_secret("from 10.0.0.1", pii=frozenset({"ip"}))
    assert not may_contain_secret("from 10.0.0.1")


@pytest.mark.parametrize("call", [redact, may_contain_secret, same_for_all_digits])
def test_unknown_personal_data_is_refused(call: object) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match="unknown kinds of personal data: \\['phone'\\]"):
        call("x", pii=frozenset({"email", "phone"}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bob@example.com", "[REDACTED:email]"),
        ("<Bob.Smith+tag@mail.example.co.uk>", "<[REDACTED:email]>"),
        ("to=a_b%c-d@x-y.io;", "to=[REDACTED:email];"),
        ("mailto:bob@example.com.", "mailto:[REDACTED:email]."),
        ('"bob@EXAMPLE.COM"', '"[REDACTED:email]"'),
        ("digit@github.com:org/repo.git", "[REDACTED:email]:org/repo.git"),
    ],
)
def test_email_addresses(text: str, expected: str) -> None:
    check(text, expected, {"email": 1}, frozenset({"email"}))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("remote: git@github.com:acme/infra.git (fetch)", id="scp-like-remote"),
        pytest.param("ssh -o BatchMode=yes git@gitlab.example.com", id="ssh-target"),
        pytest.param("origin\tssh://git@bitbucket.org/acme/api.git", id="ssh-url"),
    ],
)
def test_git_ssh_user_is_no_email_address(text: str) -> None:
    assert redact(text, pii=frozenset({"email"})) == Redaction(text, {})


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("dd.trace_id=4986947095633979044 dd.span_id=1", id="logfmt"),
        pytest.param('{"dd":{"span_id":"4986947095633979044"}}', id="json"),
        pytest.param('"traceId": 4986947095633979044', id="camel-case"),
        pytest.param("parent-id: '4986947095633979044'", id="parent"),
    ],
)
def test_decimal_trace_ids_are_no_card_numbers(text: str) -> None:
    assert personal._is_card_number("4986947095633979044")  # it would pass alone
    assert redact(text, pii=NO_PII) == Redaction(text, {})
    assert redact(text.replace("4986947095633979044", "x 4986947095633979044")).total == 1


@pytest.mark.parametrize(
    "text",
    [
        "logo@2x.png", "icon@3x.JPEG", "bundle@1.js", "root@localhost", "nginx@sha256:abc",
        "lodash@4.17.21", "@timestamp", "a@b.c", "bob@example.c0m", "bob@example.com-x",
        "bob@example.com.x9", "x.bob@", "bob@.com", "pkg@1.2.3.tar",
        "a@b.toolongtopleveldomainnamexx",
    ],
)  # fmt: skip
def test_email_lookalikes_are_left(text: str) -> None:
    assert redact(text, pii=frozenset({"email"})) == Redaction(text, {})


FILE_EXTENSIONS = [
    "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "css", "js", "mjs", "map", "json", "html",
    "htm", "txt", "log", "yaml", "yml", "xml", "gz", "tgz", "zip", "jar", "war", "tar", "py", "go",
    "java", "rb", "rs", "sh", "md", "pdf", "csv",
]  # fmt: skip


@pytest.mark.parametrize("extension", FILE_EXTENSIONS)
def test_file_names_with_an_at_sign_are_no_addresses(extension: str) -> None:
    for text in (f"asset@2x.{extension}", f"GET /static/app@1.{extension.upper()} 200"):
        assert redact(text, pii=frozenset({"email"})) == Redaction(text, {})


def test_email_local_part_has_a_limit() -> None:
    assert redact("x" * 64 + "@example.com").counts == {"email": 1}
    assert redact("x" * 65 + "@example.com").total == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from 10.0.0.1", "from [REDACTED:ip]"),
        ("10.0.0.1:8080", "[REDACTED:ip]:8080"),
        ("(255.255.255.255)", "([REDACTED:ip])"),
        ("net 10.0.0.0/8", "net [REDACTED:ip]/8"),
        ("end 1.2.3.4.", "end [REDACTED:ip]."),
        ("[2001:db8::8a2e:370:7334]:443", "[[REDACTED:ip]]:443"),
        ("fe80::1%eth0", "[REDACTED:ip]%eth0"),
        ("::1", "[REDACTED:ip]"),
        ("2001:db8:0:0:0:0:2:1", "[REDACTED:ip]"),
        ("2001:DB8::", "[REDACTED:ip]"),
        ("a 1:2:3:4:5:6:7:8 b", "a [REDACTED:ip] b"),
    ],
)
def test_ip_addresses_when_asked(text: str, expected: str) -> None:
    check(text, expected, {"ip": 1}, frozenset({"ip"}))
    assert redact(text) == Redaction(text, {})


@pytest.mark.parametrize(
    "text",
    [
        "1.2.3", "1.2.3.4.5", "a1.2.3.4", "1.2.3.4a", "1.2.3.4.5", "1234.1.1.1", "v1.2.3.4-rc",
        "12:30:45", "00:1a:2b:3c:4d:5e", "std::vector", "key :: value", "1:2:3:4:5:6:7::8",
        "deadbeef::1", "::g", "1::2::3", "1.2.3.4.5.6", "1::2x", "fe80::1.5", "fe80::1_a",
    ],
)  # fmt: skip
def test_ip_lookalikes_are_left(text: str) -> None:
    assert redact(text, pii=frozenset({"ip"})) == Redaction(text, {})
    # After a real address the hints let the rule run: it must tell the lookalike itself.
    after = f"10.0.0.1 {text}"
    expected = f"[REDACTED:ip] {text}"
    assert redact(after, pii=frozenset({"ip"})) == Redaction(expected, {"ip": 1})


# --- what callers rely on ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "same"),
    [
        pytest.param(f"card {VISA} ok", False, id="card-shape"),
        pytest.param("ids 1234567890123 here", False, id="13-digits"),
        pytest.param("ids 123456789012 here", True, id="12-digits"),
        pytest.param("pan 4111 1111-1111 1", False, id="13-digits-spaced-and-hyphenated"),
        pytest.param("pan 4111 1111  1111 1", True, id="two-spaces-part-a-run"),
        pytest.param("n=12345678901234567890123456", False, id="longer-than-a-card"),
        pytest.param("at 2026-03-14 09:59:55.936 id 12", True, id="a-date-and-time"),
        pytest.param("BASIC realm", False, id="basic-any-case"),
        pytest.param("user bob@example.com 10.0.0.1", True, id="pii-by-shape"),
    ],
)
def test_same_for_all_digits_when_digits_matter(text: str, same: bool) -> None:
    assert same_for_all_digits(text) is same
    assert same_for_all_digits(text, pii=ALL_PII) is same


def test_may_contain_secret_sees_card_shapes_only_where_a_card_could_be() -> None:
    assert may_contain_secret(f"card {VISA} ok", pii=NO_PII)
    assert may_contain_secret(f"x {VISA[:4]} {VISA[4:8]} {VISA[8:12]} {VISA[12:]}", pii=NO_PII)
    assert may_contain_secret(f"2026-{VISA}", pii=NO_PII)
    assert not may_contain_secret("ids 123456789012 here", pii=NO_PII)
    assert not may_contain_secret(f"blk_-{VISA}", pii=NO_PII)
    assert not may_contain_secret(f"a{VISA}b", pii=NO_PII)
    assert not may_contain_secret(f"v{VISA}0", pii=NO_PII)


def test_case_folding_finds_every_case_insensitive_match() -> None:
    # The kv rule matches "(?i:...)" case-insensitively, which takes the Kelvin sign for "k"
    # and a long s for "s": the hints must see them too.
    for text in ("to\u212aen=abc123", "pa\u017fsword=abc123"):
        assert redact(text, pii=NO_PII).total == 1
        assert may_contain_secret(text, pii=NO_PII)


def test_a_lone_surrogate_is_no_problem() -> None:
    text = f"\ud800{VISA} password=pw1 \udfff"
    result = redact(text, pii=NO_PII)
    assert result.counts == {"card": 1, "password": 1}
    assert may_contain_secret(text, pii=NO_PII)


def test_every_rule_runs_when_the_set_of_hints_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    # An RE2 set that runs out of memory finds nothing: then every rule is tried.
    class Failing:
        def Match(self, text: bytes) -> None:
            return None

    plan = engine._plan(NO_PII)
    monkeypatch.setitem(engine._PLANS, NO_PII, plan._replace(hints=Failing()))
    text = f"password=pw1 {GITHUB} card {VISA}"
    assert redact(text, pii=NO_PII).counts == {"password": 1, "github_token": 1, "card": 1}


class Recorder:
    """A rule's pattern that notes when it is run."""

    def __init__(self, pattern: re.Pattern[str], runs: list[str]) -> None:
        self.pattern, self.runs = pattern, runs

    def sub(self, replace: Callable[[re.Match[str]], str], text: str) -> str:
        self.runs.append(self.pattern.pattern)
        return self.pattern.sub(replace, text)


def test_only_the_rules_whose_hints_are_found_run(monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[str] = []
    plan = engine._plan(NO_PII)
    recorded = [
        dataclasses.replace(rule, pattern=Recorder(rule.pattern, runs))  # type: ignore[arg-type]
        for rule in plan.rules
    ]
    monkeypatch.setitem(engine._PLANS, NO_PII, plan._replace(rules=tuple(recorded)))
    assert redact("password=pw1", pii=NO_PII).counts == {"password": 1}
    # "pass" is a hint of secrets named in prose too, which find nothing here.
    key_value = key_value_syntax._key_value_pattern(key_names._SECRET_KEY_WORDS).pattern
    assert runs == [key_value, prose._SPACED_SECRET.pattern, prose._STATED_PASSWORD.pattern]
    runs.clear()
    assert redact(f"password=pw1 card {VISA}", pii=NO_PII).total == 2
    assert runs == [
        key_value,
        prose._SPACED_SECRET.pattern,
        prose._STATED_PASSWORD.pattern,
        personal._CARD.pattern,
    ]


def test_plans_are_built_once() -> None:
    assert engine._plan(ALL_PII) is engine._plan(frozenset({"ip", "email"}))


def kinds_of_the_module() -> set[str]:
    kinds = {vendor.kind for vendor in (*vendors._VENDORS, *vendors._TAIL_TOKENS)}
    kinds |= set(urls._WEBHOOK.groupindex) | set(key_names._KEY_KINDS.values())
    kinds |= set(key_names._VENDOR_KEY_KINDS.values())
    return (
        kinds
        | {"private_key", "url_password", "bearer", "basic_auth", "azure_sas_token"}
        | {"url_signature", "secret", "card", "email", "ip", "password_hash", "oauth_code"}
        | {"url_token"}
    )


@pytest.mark.parametrize("kind", sorted(kinds_of_the_module()))
def test_placeholders_trigger_no_rule(kind: str) -> None:
    placeholder = f"[REDACTED:{kind}]"
    assert re.fullmatch(r"[a-z_]+", kind)
    for text in (
        placeholder,
        f"x {placeholder} y",
        f"password={placeholder}",
        f'{{"token": "{placeholder}", "key": "{placeholder}"}}',
        f"Authorization: Bearer {placeholder}",
        f"https://u:{placeholder}@h/?sig={placeholder}",
        f"{placeholder}@example.com",
        f"ALTER ROLE app PASSWORD '{placeholder}'; IDENTIFIED BY {placeholder}",
        f'"AUTH" "default" "{placeholder}" AUTH PLAIN {placeholder}',
        f"<password>{placeholder}</password> password%3D{placeholder}%26",
        f"GET /oauth/callback?code={placeholder}&state=x",
    ):
        assert redact(text, pii=ALL_PII) == Redaction(text, {}), text


CODE = "a1B2c3D4e5F6g7H8i9"


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        pytest.param(f"GET /oauth2/callback?state=a&code={CODE} HTTP/1.1", True, id="path"),
        pytest.param(f"GET ?code={CODE}&state=1", True, id="state-after"),
        pytest.param(f"GET /cb#code={CODE}", True, id="fragment"),
        *[
            pytest.param(f"GET {path}?code={CODE}", True, id=path)
            for path in (
                "/auth",
                "/Auth-Callback",
                "/callback",
                "/login",
                "/signin",
                "/sso",
                "/redirect",
                "/oauth2",
            )
        ],
        pytest.param(f"GET /x?session_state=1&code={CODE}", True, id="session-state"),
        pytest.param(f"GET /logins?code={CODE}", False, id="not-a-whole-segment"),
        pytest.param(f"GET /x?code={CODE} referer=/y?state=1", False, id="state-elsewhere"),
        pytest.param(f"/oauth/x GET /items?code={CODE}", False, id="oauth-path-elsewhere"),
        pytest.param(f"/oauth/x ?code={CODE}", False, id="oauth-path-before-a-space"),
        pytest.param(f"/oauth/x\t?code={CODE}&x=1 state=1", False, id="tab-before-state-after"),
        pytest.param("GET /oauth/cb?code=12345678901234567890", False, id="no-letter"),
        pytest.param("GET /oauth/cb?code=abcdefghijklmnopqrst", False, id="no-digit"),
        pytest.param(f"GET /oauth/cb?code={CODE[:15]}&state=x", False, id="short"),
        pytest.param("/oauth/" + "x" * 2_041 + f"?code={CODE}", True, id="context-in-reach"),
        pytest.param("/oauth/" + "x" * 2_042 + f"?code={CODE}", False, id="context-out-of-reach"),
    ],
)
def test_oauth_codes_need_an_oauth_url(text: str, redacted: bool) -> None:
    expected = text.replace(CODE, "[REDACTED:oauth_code]") if redacted else text
    assert redact(text, pii=NO_PII).text == expected


@pytest.mark.parametrize(
    ("text", "decoded"),
    [
        ("%3D", "="),
        ("%3d", "="),
        ("%253D", "="),
        ("%2526", "&"),
        ("%4142", "A42"),
        ("%25", "%"),
        ("%2", "%2"),
        ("%zz%25z", "%zz%z"),
        ("a%22b%2522c", 'a"b"c'),
    ],
)
def test_escapes_decode_once_or_twice(text: str, decoded: str) -> None:
    assert percent_encoded._unescaped(text) == decoded


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "password%3D%21Xy7pass%26n=1",
            "password%3D[REDACTED:password]%26n=1",
            id="value-starts-with-an-escape",
        ),
        pytest.param(
            "token%3Dab%4126cd%26n", "token%3D[REDACTED:token]%26n", id="escape-then-digits"
        ),
        pytest.param(
            "token%253Dab%252Fcd%2526n",
            "token%253D[REDACTED:token]%2526n",
            id="encoded-twice",
        ),
        pytest.param("token%3A%20%22ab1%22", "token%3A%20%22[REDACTED:token]%22", id="json"),
    ],
)
def test_percent_encoded_pairs(text: str, expected: str) -> None:
    assert redact(text, pii=NO_PII).text == expected


@pytest.mark.parametrize("end", ["&", '"', "'", ",", ";", " ", "\t", "<", ">"])
def test_a_percent_encoded_value_ends_at_an_encoded_separator(end: str) -> None:
    escaped = f"%{ord(end):02X}"
    text = f"token%3Dab1{escaped}rest"
    assert redact(text, pii=NO_PII).text == f"token%3D[REDACTED:token]{escaped}rest"


@pytest.mark.parametrize(
    "text",
    [
        "CREATE USER bob;\nthe job is identified by trace42",
        "the request is identified by trace42; then CREATE USER ran",
        "CREATE USER a;\nCREATE USER b;\nthe job is identified by trace42",
        "x" * 300 + " CREATE USER " + "y" * 300 + " IDENTIFIED BY tiger7",
    ],
)
def test_an_unquoted_identified_by_needs_its_statement_on_its_line(text: str) -> None:
    assert redact(text, pii=NO_PII).total == 0


@pytest.mark.parametrize(
    "mechanism",
    ["PLAIN", "LOGIN", "XOAUTH2", "XOAUTH", "OAUTHBEARER", "CRAM-MD5", "DIGEST-MD5",
     "SCRAM-SHA-1", "SCRAM-SHA-256-PLUS", "NTLM", "GSSAPI", "EXTERNAL"],
)  # fmt: skip
def test_every_sasl_mechanism_hides_its_initial_response(mechanism: str) -> None:
    for command in ("AUTH", "AUTHENTICATE"):
        text = f"C: {command} {mechanism} dXNlcgBwYXNz"
        expected = f"C: {command} {mechanism} [REDACTED:password]"
        assert redact(text, pii=NO_PII).text == expected


SALT, DIGEST = "saltsalt", "a" * 43


@pytest.mark.parametrize(
    "hashed",
    [
        f"$1${SALT}${'b' * 22}",
        f"$5$rounds=5000${SALT}${DIGEST}",
        f"$md5${SALT}${'b' * 22}",
        f"$apr1${SALT}${'b' * 22}",
        f"$gy$j9T${SALT}${DIGEST}",
        f"$argon2i$v=19$m=4096,t=3,p=1${SALT}${DIGEST}",
        f"$scrypt$ln=16,r=8,p=1${SALT}${DIGEST}",
        f"pbkdf2_sha1$260000${SALT}${DIGEST}=",
        "SCRAM-SHA-1$4096:c2FsdA==$a2V5:c2Vy",
        "{SHA}" + "b" * 27 + "=",
        "{SSHA512}" + "b" * 40,
        "{MD5}" + "b" * 22 + "==",
        "{SMD5}" + "b" * 24,
        "{CRYPT}$6$" + SALT + "$" + "b" * 86,
        "{PBKDF2-SHA256}10000$" + SALT + "$" + DIGEST,
    ],
)
def test_password_hashes_of_every_scheme(hashed: str) -> None:
    text = f"user dana hash {hashed} loaded"
    assert redact(text, pii=NO_PII).text == "user dana hash [REDACTED:password_hash] loaded"


def test_a_pass_element_holds_a_password_unless_it_is_a_tally() -> None:
    assert redact("<db><pass>hunter2x</pass></db>", pii=NO_PII).text == (
        "<db><pass>[REDACTED:password]</pass></db>"
    )
    assert redact("<pass>42</pass>", pii=NO_PII).total == 0


# --- hints and hexadecimal ids --------------------------------------------------------------------

HEX_WORD_CHARS = set("0123456789abcdef")


def literal_hints() -> list[str]:
    return sorted({hint for rule in engine._RULES for hint in rule.hints})


@pytest.mark.parametrize("hint", literal_hints())
def test_no_literal_hint_can_touch_a_hex_word(hint: str) -> None:
    # The miner keys texts by a skeleton where hex ids are drawn alike (id_skeleton.id_skeleton):
    # a hint inside such an id, or running into one, would tell apart texts of one key. A word
    # the hint touches holds the hint's word characters, so one of them must not be hex.
    assert hint == hint.casefold()
    for word in re.findall(r"\w+", hint):
        assert not set(word) <= HEX_WORD_CHARS, (hint, word)


HEX_IDS = [
    "a1234567890123456b",
    "DEADBEEF01",
    "4bf92f3576b4e9a6f2c1d3e4f5a6b7c8",
    "1234567890123abc",
    "abc1234567890123",
]
CONTEXTS = [
    ("", ""),
    ("4111 1111 1111 ", "-1111 1111"),
    ("1234567890123-", " 1234567890123"),
    ("sk-ya29.", ".us1:auth="),
    ("10.0.0.", "::1"),
    ("fe80::", ":1.2.3.4"),
]


def shapes() -> list[str]:
    return sorted({shape for rule in engine._RULES for shape in (*rule.shapes, *rule.narrowing)})


@pytest.mark.parametrize("shape", shapes())
def test_no_shape_can_touch_a_hex_word(shape: str) -> None:
    # Shapes are RE2 regexes without look-arounds, which Python reads alike over ASCII text.
    # Every span of the text that touches the id is tried, so that no match is missed; "$"
    # matches only where the text really ends.
    anywhere = re.compile(shape)
    inside = re.compile(re.sub(r"(?<!\\)\$", "(?!)", shape))  # an escaped "$" is a dollar
    for hex_id in HEX_IDS:
        for before, after in CONTEXTS:
            text = (before + hex_id + after).casefold()
            start, end = len(before), len(before) + len(hex_id)
            for first in range(end):
                for last in range(max(first, start) + 1, len(text) + 1):
                    pattern = anywhere if last == len(text) else inside
                    assert not pattern.fullmatch(text, first, last), (text, text[first:last])


# Every rule and plan built again, while the tests run: what import-time building does is
# checked like the rest (mutation testing forks after the import, so it only sees code that runs
# in a test).
AFRESH = [
    *[(f"x {token} y", NO_PII, f"x [REDACTED:{kind}] y") for token, kind in VENDOR_TOKENS],
    ("sk-proj-Ab1-" + "x" * 20, NO_PII, "[REDACTED:openai_api_key]"),
    ("sk-proj-" + "AB1" * 8, NO_PII, "sk-proj-" + "AB1" * 8),
    ("sk-" + "ab1" * 8, NO_PII, "sk-" + "ab1" * 8),
    ("-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\nnext", NO_PII,
     "[REDACTED:private_key]\nnext"),
    (f"https://hooks.slack.com/services/{SLACK_PATH}", NO_PII,
     "https://hooks.slack.com/services/[REDACTED:slack_webhook]"),
    (f"https://discord.com/api/webhooks/{DISCORD_PATH}", NO_PII,
     "https://discord.com/api/webhooks/[REDACTED:discord_webhook]"),
    (f"https://a.webhook.office.com/webhookb2/{TEAMS_PATH}", NO_PII,
     "https://a.webhook.office.com/webhookb2/[REDACTED:teams_webhook]"),
    (f"api.telegram.org/bot1234567890:AA{body(33)}", NO_PII,
     "api.telegram.org/bot[REDACTED:telegram_bot_token]"),
    ("redis://u:pw@h", NO_PII, "redis://u:[REDACTED:url_password]@h"),
    ("Authorization: Bearer abcdef123456", NO_PII, "Authorization: Bearer [REDACTED:bearer]"),
    ("Authorization: Basic dXNlcjpwYXNz", NO_PII, "Authorization: Basic [REDACTED:basic_auth]"),
    ("Authorization: Token abcdef123456", NO_PII, "Authorization: Token [REDACTED:bearer]"),
    ("Authorization: OAuth abcdef123456", NO_PII, "Authorization: OAuth [REDACTED:bearer]"),
    ("x?sig=abc&y=1", NO_PII, "x?sig=[REDACTED:azure_sas_token]&y=1"),
    ("x?Signature=abc&y=1", NO_PII, "x?Signature=[REDACTED:url_signature]&y=1"),
    ("password=p", NO_PII, "password=[REDACTED:password]"),
    ("pwd=p", NO_PII, "pwd=[REDACTED:password]"),
    ("secret=s", NO_PII, "secret=[REDACTED:secret]"),
    ("token=t", NO_PII, "token=[REDACTED:token]"),
    ("DD_API_KEY=v", NO_PII, "DD_API_KEY=[REDACTED:datadog_api_key]"),
    (f"signing_key={RANDOM}", NO_PII, "signing_key=[REDACTED:secret]"),
    (f"auth={RANDOM}", NO_PII, "auth=[REDACTED:secret]"),
    (f"creds: {RANDOM}", NO_PII, "creds: [REDACTED:secret]"),
    (f"card {VISA}", NO_PII, "card [REDACTED:card]"),
    ("bob@example.com", frozenset({"email"}), "[REDACTED:email]"),
    ("bob@example.com", NO_PII, "bob@example.com"),
    ("10.0.0.1 fe80::1", frozenset({"ip"}), "[REDACTED:ip] [REDACTED:ip]"),
    ("10.0.0.1 fe80::1", ALL_PII, "[REDACTED:ip] [REDACTED:ip]"),
    ("10.0.0.1 fe80::1", frozenset({"email"}), "10.0.0.1 fe80::1"),
    ("GET /health 200 in 3 ms", ALL_PII, "GET /health 200 in 3 ms"),
    *[(text, NO_PII, text) for text in (
        "cache 1710408602:" + "0F1E2D3C4B" * 3 + "A1B2C",
        "Splunk abcdef123456",
        'Authorization: OAuth oauth_nonce="abcdef123456"',
        'h: "Authorization: OAuth oauth_nonce=\\"abcdef123456\\""',
        "a, signature=invalid",
        "{Name:DB_PASSWORD Value: ValueFrom:nil}",
        'response="' + "0a" * 16 + '" Digest x',
        'x\nDigest x\ny response="' + "0a" * 16 + '"',
    )],
    *[(f"Authorization: {scheme} abcdef123456", NO_PII,
       f"Authorization: {scheme} [REDACTED:{kind}]")
      for scheme, kind in (("SSWS", "bearer"), ("DPoP", "bearer"), ("NTLM", "auth_ticket"),
                           ("Negotiate", "auth_ticket"), ("ApiKey", "api_key"))],
    ("session_id=abcdef123456", NO_PII, "session_id=[REDACTED:session_id]"),
    ("SAMLResponse=abc", NO_PII, "SAMLResponse=[REDACTED:saml_response]"),
    ("ALTER ROLE a PASSWORD 'p'", NO_PII, "ALTER ROLE a PASSWORD '[REDACTED:password]'"),
    ("GRANT x IDENTIFIED BY p", NO_PII, "GRANT x IDENTIFIED BY [REDACTED:password]"),
    ("SET PASSWORD = 'p'", NO_PII, "SET PASSWORD = '[REDACTED:password]'"),
    ('"AUTH" "p"', NO_PII, '"AUTH" "[REDACTED:password]"'),
    ("auth([ 'p' ])", NO_PII, "auth([ '[REDACTED:password]' ])"),
    ("requirepass p", NO_PII, "requirepass [REDACTED:password]"),
    ("masterauth p", NO_PII, "masterauth [REDACTED:password]"),
    ("AUTHENTICATE PLAIN AGpvaG4A", NO_PII, "AUTHENTICATE PLAIN [REDACTED:password]"),
    ("AUTH XOAUTH2 dXNlcj1q", NO_PII, "AUTH XOAUTH2 [REDACTED:password]"),
    ('"PASS p"', NO_PII, '"PASS [REDACTED:password]"'),
    ("> PASS p", NO_PII, "> PASS [REDACTED:password]"),
    ("<token>t</token>", NO_PII, "<token>[REDACTED:token]</token>"),
    ('<e key="password">p</e>', NO_PII, '<e key="password">[REDACTED:password]</e>'),
    ("token%3Dt", NO_PII, "token%3D[REDACTED:token]"),
    ("$2b$12$" + "a" * 53, NO_PII, "[REDACTED:password_hash]"),
    ("$6$salt$" + "a" * 86, NO_PII, "[REDACTED:password_hash]"),
    ("{SSHA}abcdefgh12", NO_PII, "[REDACTED:password_hash]"),
    ("pbkdf2_sha256$1$s$abc=", NO_PII, "[REDACTED:password_hash]"),
    ("SCRAM-SHA-256$4096:c2FsdA==$a2V5:c2Vy", NO_PII, "[REDACTED:password_hash]"),
    ("$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA", NO_PII, "[REDACTED:password_hash]"),
    (f"/oauth/cb?code={CODE}", NO_PII, "/oauth/cb?code=[REDACTED:oauth_code]"),
    (f"/oauth/cb?a=1&code={CODE}", NO_PII, "/oauth/cb?a=1&code=[REDACTED:oauth_code]"),
    (f"/oauth/cb#code={CODE}", NO_PII, "/oauth/cb#code=[REDACTED:oauth_code]"),
    (f"RAILS_MASTER_KEY={'0a' * 16}", NO_PII, "RAILS_MASTER_KEY=[REDACTED:secret]"),
    (f"Cookie: sid={RANDOM}", NO_PII, "Cookie: sid=[REDACTED:cookie]"),
    ("sshpass -p p", NO_PII, "sshpass -p [REDACTED:password]"),
    ("--password hunter2", NO_PII, "--password [REDACTED:password]"),
    ('{"name":"token","value":"v"}', NO_PII, '{"name":"token","value":"[REDACTED:token]"}'),
    ('{"name":"PROD_US_TWILIO_TOKEN","value":"v"}', NO_PII,
     '{"name":"PROD_US_TWILIO_TOKEN","value":"[REDACTED:twilio_auth_token]"}'),
    ('{"Name":"/prod/datadog/api_key","Value":"v"}', NO_PII,
     '{"Name":"/prod/datadog/api_key","Value":"[REDACTED:datadog_api_key]"}'),
    ("Authorization: Splunk abcdef123456", NO_PII, "Authorization: Splunk [REDACTED:api_key]"),
    ('Digest response="' + "0a" * 16 + '"', NO_PII,
     'Digest response="[REDACTED:digest_response]"'),
    ("a, Signature=" + "0a" * 8, NO_PII, "a, Signature=[REDACTED:url_signature]"),
    ('{"name":"DB_PASSWORD","value":"p"}', NO_PII,
     '{"name":"DB_PASSWORD","value":"[REDACTED:password]"}'),
    ("curl -u u:p", NO_PII, "curl -u u:[REDACTED:password]"),
    ("ldapsearch -w p", NO_PII, "ldapsearch -w [REDACTED:password]"),
    ("machine h login u password p", NO_PII, "machine h login u password [REDACTED:password]"),
    ("mysqldump -pP", NO_PII, "mysqldump -p[REDACTED:password]"),
    ("redis-cli -a p", NO_PII, "redis-cli -a [REDACTED:password]"),
]  # fmt: skip


def test_rules_and_plans_built_afresh_work_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "_RULES", rules._rules())
    for kinds in ((), ("email",), ("ip",), ("email", "ip")):
        monkeypatch.delitem(engine._PLANS, frozenset(kinds), raising=False)
    for text, pii, expected in AFRESH:
        result = redact(text, pii=pii)
        assert result.text == expected, (text, pii)
        assert result.total == expected.count("[REDACTED:"), (text, pii)
        assert may_contain_secret(text, pii=pii) or not result.total
    assert not may_contain_secret("GET /health 200 in 3 ms", pii=ALL_PII)
    assert not may_contain_secret("bob@example.com", pii=NO_PII)
    assert engine._plan(NO_PII) is engine._plan(frozenset())
    plan = engine._plan(frozenset({"ip"}))
    assert [rule.pii for rule in plan.rules].count("ip") == 1
    assert "email" not in [rule.pii for rule in plan.rules]
    assert len(plan.owners) == sum(
        len(r.hints) + len(r.shapes) + len(r.narrowing) for r in plan.rules
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "login ok session_id=8f3a9c2e7b1d4f60a5e2c9d8b7a6f5e4 user=bob",
            "login ok session_id=[REDACTED:session_id] user=bob",
        ),
        (
            "Set-Cookie: JSESSIONID=0A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D; Path=/; HttpOnly",
            "Set-Cookie: JSESSIONID=[REDACTED:session_id]; Path=/; HttpOnly",
        ),
        ('{"sessionId":"a1b2c3d4e5f6a7b8c9d0"}', '{"sessionId":"[REDACTED:session_id]"}'),
        ("Cookie: PHPSESSID=k3j4h5g6f7d8s9a0", "Cookie: PHPSESSID=[REDACTED:session_id]"),
        ("sessionKey: 'Zm9vYmFyYmF6'", "sessionKey: '[REDACTED:session_id]'"),
    ],
)
def test_session_ids_are_bearers_of_access_and_redacted(line: str, expected: str) -> None:
    assert redact(line).text == expected


@pytest.mark.parametrize(
    "line",
    [
        "pg session_id=48213 ended after 3.2 s",  # a database's session number
        "session: started for user bob",
        "session closed (idle 300s)",
    ],
)
def test_session_words_without_an_id_value_stay(line: str) -> None:
    assert redact(line).text == line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # Outside a URL's query, "&" is part of the value ...
        (
            "db connect password=p@ss&w0rd!x host=db",
            "db connect password=[REDACTED:password] host=db",
        ),
        ("PASSWORD=a&b&c", "PASSWORD=[REDACTED:password]"),
        # ... in a query it starts the next parameter, which stays.
        (
            "GET /login?user=bob&password=hunter2&next=/home 200",
            "GET /login?user=bob&password=[REDACTED:password]&next=/home 200",
        ),
    ],
)
def test_an_ampersand_ends_a_value_only_before_the_next_query_parameter(
    line: str, expected: str
) -> None:
    assert redact(line).text == expected


def test_a_cookie_is_hidden_from_sixteen_random_characters_and_the_header_kept() -> None:
    # 16 characters of 8 symbols, each twice (the digit counts as one): exactly 3 bits each.
    at_the_edge = "aBcDeFg1aBcDeFg1"
    text = f"Set-Cookie: sid={at_the_edge}; Path=/; lang=en-US"
    assert redact(text).text == "Set-Cookie: sid=[REDACTED:cookie]; Path=/; lang=en-US"
    shorter = at_the_edge[:15]
    assert redact(f"Cookie: sid={shorter}").total == 0
    plain = "Cookie: _ga=GA1.2.1234567890.1795457333; theme=dark"
    assert redact(plain).text == plain


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            '{"kind":"Secret","metadata":{"name":"db","labels":{"app":"orders"}},"type":"Opaque",'
            '"data":{"DATABASE_URL":"cG9zdGdyZXM6Ly9h","root":"aEFEbHA3","empty":""}}',
            '{"kind":"Secret","metadata":{"name":"db","labels":{"app":"orders"}},"type":"Opaque",'
            '"data":{"DATABASE_URL":"[REDACTED:kubernetes_secret]",'
            '"root":"[REDACTED:kubernetes_secret]","empty":""}}',
            id="json",
        ),
        pytest.param(
            '{"apiVersion":"v1","data":{".dockerconfigjson":"eyJhdXRocyI6e30="},"kind":"Secret"}',
            '{"apiVersion":"v1","data":{".dockerconfigjson":"[REDACTED:kubernetes_secret]"},'
            '"kind":"Secret"}',
            id="kind-after-data",
        ),
        pytest.param(
            r'{"msg":"{\"kind\":\"Secret\",\"stringData\":{\"key.json\":\"abc1\"}}"}',
            r'{"msg":"{\"kind\":\"Secret\",\"stringData\":'
            r'{\"key.json\":\"[REDACTED:kubernetes_secret]\"}}"}',
            id="escaped",
        ),
        pytest.param(
            r'{"log":"{\\\"kind\\\":\\\"Secret\\\",\\\"data\\\":'
            r'{\\\"root\\\":\\\"aEFE\\\"}}"}',
            r'{"log":"{\\\"kind\\\":\\\"Secret\\\",\\\"data\\\":'
            r'{\\\"root\\\":\\\"[REDACTED:kubernetes_secret]\\\"}}"}',
            id="escaped-twice",
        ),
        pytest.param(
            r"kind: Secret\nmetadata:\n  name: b\ndata:\n  rclone.conf: W3MzXQ==\n  root: aEF"
            r"\ntype: Opaque",
            r"kind: Secret\nmetadata:\n  name: b\ndata:\n"
            r"  rclone.conf: [REDACTED:kubernetes_secret]\n  root: [REDACTED:kubernetes_secret]"
            r"\ntype: Opaque",
            id="yaml-block",
        ),
        pytest.param(
            "{kind: Secret, metadata: {name: api}, stringData: {PIN: 1234, note: null}}",
            "{kind: Secret, metadata: {name: api}, stringData: {PIN: [REDACTED:kubernetes_secret],"
            " note: null}}",
            id="yaml-flow",
        ),
    ],
)
def test_every_value_of_a_kubernetes_secret_is_hidden_and_its_metadata_kept(
    line: str, expected: str
) -> None:
    assert redact(line).text == expected


@pytest.mark.parametrize(
    "line",
    [
        '{"kind":"ConfigMap","data":{"LOG_LEVEL":"debug"},"metadata":{"name":"orders"}}',
        '{"kind":"SecretProviderClass","data":{"provider":"vault"}}',
        '{"kind":"SealedSecret","spec":{"encryptedData":{"root":"AgBy3i4OJSWK"}}}',
        '{"level":"info","msg":"cache stats","data":{"hits":1204,"misses":38}}',
        '{"kind":"Secret","metadata":{"name":"db","annotations":{"team":"shop"}},"type":"Opaque"}',
        "metadata: {name: db} kind: Secret",
    ],
)
def test_data_of_other_kinds_and_secret_metadata_stay(line: str) -> None:
    assert redact(line).text == line


def test_a_secrets_data_is_hidden_only_near_its_kind() -> None:
    data = '"data":{"root":"aEFE"}'
    near = '{"kind":"Secret",' + "x" * 4_000 + data
    assert redact(near).counts == {"kubernetes_secret": 1}
    far = '{"kind":"Secret",' + "x" * 4_200 + data
    assert redact(far).text == far


def test_kubernetes_secret_verdicts_do_not_depend_on_digit_values() -> None:
    line = '{"kind":"Secret","data":{"PIN":"1234","root":"0"}}'
    twin = line.replace("1234", "9876").replace('"0"', '"7"')
    assert same_for_all_digits(line)
    assert redact(line).counts == redact(twin).counts == {"kubernetes_secret": 2}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            '{"kty":"RSA","kid":"k1","n":"0vx7","e":"AQAB","d":"X4cT","p":"8Kq2","q":"wN1a",'
            '"dp":"G4sP","dq":"s9To","qi":"GyM_"}',
            '{"kty":"RSA","kid":"k1","n":"0vx7","e":"AQAB","d":"[REDACTED:jwk_private_key]",'
            '"p":"[REDACTED:jwk_private_key]","q":"[REDACTED:jwk_private_key]",'
            '"dp":"[REDACTED:jwk_private_key]","dq":"[REDACTED:jwk_private_key]",'
            '"qi":"[REDACTED:jwk_private_key]"}',
            id="rsa",
        ),
        pytest.param(
            '{"keys":[{"kty":"EC","crv":"P-256","x":"f83O","y":"x_FE","d":"jpsQ"}]}',
            '{"keys":[{"kty":"EC","crv":"P-256","x":"f83O","y":"x_FE",'
            '"d":"[REDACTED:jwk_private_key]"}]}',
            id="ec",
        ),
        pytest.param(
            r'{"msg":"key {\"d\":\"nWGx\",\"kty\":\"OKP\",\"x\":\"11qY\"}"}',
            r'{"msg":"key {\"d\":\"[REDACTED:jwk_private_key]\",\"kty\":\"OKP\",'
            r'\"x\":\"11qY\"}"}',
            id="escaped-kty-after",
        ),
        pytest.param(
            '{"kty":"oct","kid":"hmac","alg":"HS256","k":"GawgguFyGrWKav7AX4VKUg"}',
            '{"kty":"oct","kid":"hmac","alg":"HS256","k":"[REDACTED:jwk_private_key]"}',
            id="oct",
        ),
    ],
)
def test_private_members_of_a_json_web_key_are_hidden(line: str, expected: str) -> None:
    assert redact(line).text == expected


@pytest.mark.parametrize(
    "line",
    [
        '{"kty":"RSA","kid":"k1","use":"sig","n":"0vx7agoebGcQ","e":"AQAB","alg":"RS256"}',
        '{"kty":"EC","crv":"P-256","x":"f83OJ3D2","y":"x_FEzRu9"}',
        '{"kty":"RSA","k":"not-a-member-of-rsa"}',
        '{"msg":"search","q":"shoes","p":"2","d":"desktop"}',
        '{"kty":"RSA","n":"abc","e":"AQAB"} {"d":"other","p":"object"}',
        '{"outer":{"kty":"RSA","n":"abc"},"d":"outside"}',
    ],
)
def test_public_members_and_objects_without_kty_stay(line: str) -> None:
    assert redact(line).text == line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            r'{"msg":"{\u0022user\u0022:\u0022bob\u0022,\u0022password\u0022:\u0022tStwPGrjn9\u0022}"}',
            r'{"msg":"{\u0022user\u0022:\u0022bob\u0022,'
            r'\u0022password\u0022:\u0022[REDACTED:password]\u0022}"}',
            id="unicode-quotes",
        ),
        pytest.param(
            r"{'msg': 'cfg {\u0027api_key\u0027: \u0027k3Y9xPq2Lm\u0027}'}",
            r"{'msg': 'cfg {\u0027api_key\u0027: \u0027[REDACTED:api_key]\u0027}'}",
            id="unicode-single-quotes",
        ),
        pytest.param(
            r'{"log":"{\"msg\":\"{\\\"password\\\":\\\"hunter22\\\"}\"}"}',
            r'{"log":"{\"msg\":\"{\\\"password\\\":\\\"[REDACTED:password]\\\"}\"}"}',
            id="escaped-twice",
        ),
    ],
)
def test_secrets_in_json_escaped_twice_or_with_unicode_quotes(line: str, expected: str) -> None:
    assert redact(line).text == expected


@pytest.mark.parametrize(
    "line",
    [
        r'{"msg":"{\u0022prompt_tokens\u0022:\u0022512\u0022,\u0022passed\u0022:\u0022yes\u0022}"}',
        r'{"msg":"{\u0022secret_name\u0022:\u0022api-tls\u0022}"}',
        r'{"log":"{\"msg\":\"{\\\"token_count\\\":\\\"7\\\"}\"}"}',
        r'{"msg":"invalid password\u0020:\u0020too short"}',
    ],
)
def test_escaped_json_without_a_secret_stays(line: str) -> None:
    assert redact(line).text == line


def test_a_value_in_unicode_quotes_is_read_within_its_reach() -> None:
    reach = key_value_syntax._ESCAPED_VALUE_REACH
    value = "a1B2" * (reach // 4)
    quote = r"\u0022"
    assert redact(f"{quote}password{quote}:{quote}{value}{quote}").total == 1
    longer = f"{quote}password{quote}:{quote}{value}x{quote}"
    # Past its reach the value is not read at all: no scan runs on to the end of the line.
    assert redact(longer).total == 0


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            "POST https://chat.corp.io/hooks/xq7pnh3w8jfz5bt9ky1m4rd6ga 200",
            "POST https://chat.corp.io/hooks/[REDACTED:webhook_token] 200",
            id="mattermost",
        ),
        pytest.param(
            "POST https://hooks.zapier.com/hooks/catch/1234567/3xk9abq/ 200",
            "POST https://hooks.zapier.com/hooks/catch/[REDACTED:webhook_token]/ 200",
            id="zapier",
        ),
        pytest.param(
            "POST https://acme.tines.com/webhook/" + "5f1c0e2a" * 4 + "/" + "9a8b7c6d" * 4,
            "POST https://acme.tines.com/webhook/[REDACTED:webhook_token]/[REDACTED:webhook_token]",
            id="tines",
        ),
        pytest.param(
            # Low entropy with its digits counted as one, but letters and digits mixed through.
            "sending to https://chat.example.com/hooks/xx01x2u7xx70xx8aa5f6xt6o8q",
            "sending to https://chat.example.com/hooks/[REDACTED:webhook_token]",
            id="mixed-through",
        ),
        pytest.param(
            "POST /webhooks/aB3dE5gH7jK9mN1pQ3sT5v?x=1",
            "POST /webhooks/[REDACTED:webhook_token]?x=1",
            id="random",
        ),
    ],
)
def test_random_webhook_path_segments_are_hidden(line: str, expected: str) -> None:
    assert redact(line).text == expected


@pytest.mark.parametrize(
    "line",
    [
        "POST /api/v1/webhooks/stripe 200",
        "PATCH /repos/org/repo/hooks/123456789 200",
        "POST /webhooks/github-events/push 202",
        "POST /webhooks/payment-status-update-v2 200",
        "POST /webhook/0f8fad5b-d9cb-469f-a165-70867728950e 200",
        "GET /hooks/pre-receive ok",
        "POST /webhooks/orderCreatedShipmentNotify 200",
        "POST /hooks/catch/1234567/ab/ 200",
        "POST /hooks/ab1cd2ef3gh4ij5kl6m 200",  # 19 characters
        "POST /hooks/aaaa1111aaaa1111aaaa1111 200",  # three turns to digits, one bit each
    ],
)
def test_webhook_paths_of_names_numbers_and_uuids_stay(line: str) -> None:
    assert redact(line).text == line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            "Cookie: sid=13b22d5f6388268acb850c813fd521dd; theme=dark",
            "Cookie: sid=[REDACTED:cookie]; theme=dark",
            id="hex-sid",
        ),
        pytest.param(
            "Set-Cookie: auth=13b22d5f6388268acb850c813fd521dd; HttpOnly",
            "Set-Cookie: auth=[REDACTED:cookie]; HttpOnly",
            id="hex-set-cookie",
        ),
        pytest.param(
            "GET /dashboard _gitlab_session=ppy1z4a7ehioyd5lt44ipsbjl18zdyvp",
            "GET /dashboard _gitlab_session=[REDACTED:cookie]",
            id="gitlab-session-anywhere",
        ),
        pytest.param(
            "GET /?laravel_session=eyJpdiI6IkF3bVh4TjJ%3D 200",
            "GET /?laravel_session=[REDACTED:cookie] 200",
            id="laravel-session",
        ),
    ],
)
def test_hex_session_cookies_and_session_cookies_outside_headers_are_hidden(
    line: str, expected: str
) -> None:
    assert redact(line).text == expected


@pytest.mark.parametrize(
    "line",
    [
        "Cookie: sid=13b22d5f6388268acb850c813fd521d; theme=dark",  # 31 hex digits
        "Cookie: n=12345678901234567890123456789012345",
        "Cookie: v=abcdefabcdefabcdefabcdefabcdefabcdef",
        "ci_session=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "session_store=cookie_store key=_gitlab_session expire_after=604800",
        "my_session=short1",
        # Names made of words: long and varied enough to pass for random, but no token.
        'level=info msg="cache warmed" session=user_preferences_cache_v2 entries=1200',
        "Cookie: ab=checkout_flow_variant_b2; lang=en",
        "sid=PRIMARY_REPLICA_SET_V2",
        "session=k8s-worker-pool.us-east-1b",
    ],
)
def test_cookies_that_are_no_session_ids_stay(line: str) -> None:
    assert redact(line).text == line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            "db.prod.svc:5432:orders:orders_rw:Xk9#mP2qL7",
            "db.prod.svc:5432:orders:orders_rw:[REDACTED:password]",
            id="fqdn",
        ),
        pytest.param(
            "*:*:*:replicator:s3cr3t",
            "*:*:*:replicator:[REDACTED:password]",
            id="wildcards",
        ),
        pytest.param(
            "localhost:5432:my\\:db:ops\\:admin:pa\\:ss\\:w0rd",
            "localhost:5432:my\\:db:ops\\:admin:[REDACTED:password]",
            id="escaped-colons",
        ),
        pytest.param(
            "localhost:5432:*:postgres:postgres",
            "localhost:5432:*:postgres:[REDACTED:password]",
            id="a-word-on-a-line-that-is-surely-pgpass",
        ),
        pytest.param(
            "pg-primary:6432:orders:orders_rw:hunter2",
            "pg-primary:6432:orders:orders_rw:[REDACTED:password]",
            id="short-host",
        ),
    ],
)
def test_pgpass_lines_hide_their_password(line: str, expected: str) -> None:
    assert redact(line).text == expected


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("2026-03-14T09:30:02:INFO:worker:done", id="time-stamp"),
        pytest.param("fe80:0:0:0:200:f8ff:fe21:67cf", id="ipv6"),
        pytest.param("b8:27:eb:12:34:56", id="mac-address"),
        pytest.param("user:1000:profile:settings:theme", id="cache-key-word"),
        pytest.param("app.views:42:checkout:ERROR:timeout", id="line-number"),
        pytest.param("node-1:9090:metrics:scrape:failed", id="status"),
        pytest.param("pg-primary:5432:orders:orders_rw:hunter", id="a-word-where-unsure"),
    ],
)
def test_lines_of_colons_that_are_no_pgpass_lines_stay(line: str) -> None:
    assert redact(line).text == line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            "GET /app/login?ticket=ST-12345-aBcDeFgHiJkLmNoPqRsT-cas01 302",
            "GET /app/login?ticket=[REDACTED:cas_ticket] 302",
            id="query",
        ),
        pytest.param(
            "INFO Granted ticket [ST-7-Kq2xLmZ9pTvR4wYb-cas.example.org] for service [x]",
            "INFO Granted ticket [[REDACTED:cas_ticket]] for service [x]",
            id="cas-server-log",
        ),
        pytest.param(
            "Ticket: TGT-3-Zx81kPq0aL2mWn5vBc7d-cas01 created",
            "Ticket: [REDACTED:cas_ticket] created",
            id="ticket-granting",
        ),
    ],
)
def test_cas_tickets_are_hidden(line: str, expected: str) -> None:
    assert redact(line).text == expected


@pytest.mark.parametrize(
    "line",
    [
        "ticket=JIRA-1234 closed",
        "support ticket: ST-1234 opened",
        "ticket=ST-1-short",
        "ticketing=ST-12-abcdefghijkl",
        "ticket=REQ-2026-0001234567 assigned",
        "ticket=ST-1-" + "a" * 300,
    ],
)
def test_ticket_words_that_are_no_cas_ticket_stay(line: str) -> None:
    assert redact(line).text == line


def _holds_a_literal(items: Any, literals: frozenset[str]) -> bool:
    """Whether every match of a parsed regex (`re._parser`'s items) holds one of `literals`."""
    run = ""
    for op, arg in [*items, (None, None)]:
        if op is re_parser.LITERAL:
            run += chr(arg)
            continue
        if any(literal in run for literal in literals):
            return True
        run = ""
        if op is re_parser.SUBPATTERN:
            found = _holds_a_literal(arg[-1], literals)
        elif op is re_parser.BRANCH:
            found = all(_holds_a_literal(branch, literals) for branch in arg[1])
        elif op in (re_parser.MAX_REPEAT, re_parser.MIN_REPEAT):
            found = arg[0] >= 1 and _holds_a_literal(arg[2], literals)
        else:
            found = False
        if found:
            return True
    return False


@pytest.mark.parametrize("pii", [NO_PII, DEFAULT_PII, PII_KINDS], ids=["none", "default", "all"])
def test_narrowing_shapes_hold_a_literal_of_a_rule_that_always_runs(pii: frozenset[str]) -> None:
    # The prefilter's alternation leaves them out: a text they match must hold one of the
    # literals it keeps, which only the rules run whatever the personal data are give.
    literals = frozenset(hint for rule in engine._RULES if rule.pii is None for hint in rule.hints)
    narrowing = [shape for rule in engine._plan(pii).rules for shape in rule.narrowing]
    assert len(narrowing) >= 8
    for shape in narrowing:
        assert _holds_a_literal(re_parser.parse(shape), literals), shape
    assert not _holds_a_literal(re_parser.parse(r"sess(?:ion)?[_-]?id"), literals)
    assert not _holds_a_literal(re_parser.parse(r"(?:pass)?word"), literals)


@pytest.mark.parametrize("pii", [DEFAULT_PII, PII_KINDS], ids=["default", "all"])
def test_the_hints_stay_one_small_automaton(pii: frozenset[str]) -> None:
    """Every text the service logs, exports or sends meets the combined hint regex first, much of
    it on the event loop. Long bounded repeats in a shape multiply RE2's program: one shape of
    two 400-character runs made it 8,490 instructions, and the loaded service's /health p95 six
    times slower (bench_load scenario A). At 1,678 (the default) and 2,050 (all personal data)
    /health p95 was 30 ms, as it was at 1,448 (27 to 34 ms across runs); the bound guards against
    such multiplication, with room for a few more rules. Raised from 2,200 to 2,300 for the
    prose vendor tokens and raw Authorization values (1,836 and 2,208): /health p95 35 ms
    against 46 ms at 1,746 before them, on a noisier 2-CPU machine (2026-12-04). Raised to 2,400
    for Kubernetes Secrets' kind and JWKs' "kty" (1,962 and 2,334): /health p50 7 ms, p95 43 ms,
    max 160 ms, no analysis failed, with 100 concurrent analyses; with webhook paths, session
    cookies and CAS tickets too (1,991 and 2,363): p50 6 ms, p95 42 ms, max 99 ms (2026-12-04).
    Raised to 2,700 for DER key bodies, PuTTY keys, next-line values, login lists, prose
    passwords, base64 under connection keys and AWS session tokens (2,239 and 2,611); /health
    was not measured again at that size. Raised to 3,200 for those and the vendor tokens found
    by shape alone (Discord, Entra refresh tokens, Facebook app tokens, DSN keys...) together
    (2,690 and 3,062; 2,787 and 3,159 once base64 under a connection key was hinted by its
    shape); over Loghub-2k's 16,485 lines the vendor tokens' prefilter took 2.11 us a line
    against 2.13 before them, and 2.71 against 2.68 with every kind of personal data; the load
    benchmark's incident lines 2.36 against 2.25 us at 2,022. With 100 concurrent analyses
    (bench_load scenario A) /health p50 4 ms, p95 44 ms, max 89 ms, against 4, 34 and 92 ms
    before both sets (2026-12-04). Not raised for PASETO's shape and the pat, cvv, cvc and mnemonic
    hints (3,162 -> 3,189 with all personal data, 2,790 -> 2,817 by default; a secret flag's
    shape with one dash instead of two saved 2). Room made without raising it (2026-12-05):
    the alternation leaves out literals that hold another literal and the narrowing shapes (each
    holds a literal of a rule that always runs), sorts the literals and shapes so that RE2
    factors their prefixes, and puts the shapes starting at a token's edge behind one edge:
    2,822 -> 1,955 by default, 3,194 -> 2,327 with all personal data; over Loghub-2k's lines the
    prefilter took 2.77 against 2.88 us a line (3.08 -> 2.93 with all personal data), finding
    the same lines. Then the leaks closed after it (tools' positional passwords, echoed
    passwords, .pgpass lines, seed phrases, session ids, psk, environment variables set by a
    call, Consul's gossip key, Honeycomb's header): 2,160 and 2,532, where the alternation as it
    was built before would take 3,153 and 3,525, past the bound. Login calls' hints, Erlang
    cookies, the escaped "@" of an address and `mc admin user`: 2,231 and 2,603. At 2,284 and
    2,656 before the red team of 2026-12-05 06:00 UTC; with its rules (other languages' key
    words, escaped key letters, URL tokens, connect calls, CI runners' secrets): 2,509 and
    2,881; with the operational dumps' rules and Turkish case folding: 2,535 and 2,907."""
    assert engine._plan(pii).hint.programsize < 3_200


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "jdbc:oracle:thin:scott/Tg7xPw2Lq@//db:1521/PDB1",
            "jdbc:oracle:thin:scott/[REDACTED:password]@//db:1521/PDB1",
            id="jdbc-thin",
        ),
        pytest.param(
            "jdbc:oracle:oci8:app/Tg7xPw2Lq@tns",
            "jdbc:oracle:oci8:app/[REDACTED:password]@tns",
            id="jdbc-oci",
        ),
        pytest.param(
            "/opt/oracle/bin/sqlplus -L app/tiger@PDB1 @x.sql",
            "/opt/oracle/bin/sqlplus -L app/[REDACTED:password]@PDB1 @x.sql",
            id="sqlplus-word-password",
        ),
        pytest.param(
            "expdp system/Tg7xPw2Lq@pdb1 schemas=APP",
            "expdp system/[REDACTED:password]@pdb1 schemas=APP",
            id="expdp",
        ),
        pytest.param(
            "rman target sys/Tg7xPw2Lq@prod",
            "rman target sys/[REDACTED:password]@prod",
            id="rman-target",
        ),
        pytest.param(
            "sqlldr userid=app/Tg7xPw2Lq@PDB1 control=x.ctl",
            "sqlldr userid=app/[REDACTED:password]@PDB1 control=x.ctl",
            id="sqlldr-userid",
        ),
        pytest.param("jdbc:oracle:thin:@//db:1521/PDB1", None, id="jdbc-without-user"),
        pytest.param("sqlplus / as sysdba", None, id="os-authentication"),
        pytest.param("see the exp/imp guide: user/role@db", None, id="no-oracle-tool"),
        pytest.param("mysqlplus app/x@db", None, id="tool-inside-a-word"),
        pytest.param("rman target / nocatalog", None, id="rman-os-authentication"),
    ],
)
def test_oracle_connect_strings_hide_their_password(text: str, expected: str | None) -> None:
    assert redact(text, pii=NO_PII).text == (expected or text)


AZURE_KEY = "v2iFeuS0HOkJ9C1hnsSSIIpeUxT0uRcm0EA6Gk8htj+wf0gZpc5RIp=="


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        pytest.param(
            f"POST https://fn-orders.azurewebsites.net/api/Process?code={AZURE_KEY} 500",
            "azure_function_key",
            id="function-url",
        ),
        pytest.param(
            f"https://fn.AZUREWEBSITES.net:443/api/x?name=a&code={AZURE_KEY}",
            "azure_function_key",
            id="port-and-second-parameter",
        ),
        pytest.param(f"GET /oauth/cb?code={AZURE_KEY}", "oauth_code", id="oauth-stays-oauth"),
        pytest.param(f"https://fn.azurewebsites.net/home?code={AZURE_KEY}", None, id="not-api"),
        pytest.param(f"https://x.example.net/api/x?code={AZURE_KEY}", None, id="not-azure"),
    ],
)
def test_an_azure_functions_key_in_code_is_hidden(text: str, kind: str | None) -> None:
    expected = text.replace(AZURE_KEY, f"[REDACTED:{kind}]") if kind else text
    assert redact(text, pii=NO_PII).text == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        pytest.param("invalid api key itebw31ifoo30vj3db62g8kvop8nlxzv", "api_key", id="api-key"),
        pytest.param("got token itebw31ifoo30vj3db62g8kvop8nlxzv ok", "token", id="token"),
        pytest.param("token ITEBW31IFOO30VJ3DB62G8KVOP8NLXZV ok", "token", id="upper-case"),
        pytest.param("token 507f1f77bcf86cd799439011", None, id="hex-id"),
        pytest.param("token itebw31ifoo30vj3db62g8k", None, id="shorter-than-24"),
        pytest.param("token itebw31ifoo30vj3db62g8kv", "token", id="24-characters"),
        pytest.param("api key abcdefghijklmnopqrstuvwx1", None, id="few-turns"),
        pytest.param("token xq7xq7xq7xq7xq7xq7xq7xq7xq7", None, id="repeated-piece"),
        # A separator makes no name of a random part (vendors write sk_<random>, pat-<uuid>)
        pytest.param("token itebw31-ifoo30vj3db62g8kvop8nlxzv", "token", id="with-separator"),
        pytest.param("token api-7d4b9c8f6d-x2x9k", None, id="pod-name"),
    ],
)
def test_a_random_key_in_one_case_after_a_secret_word(text: str, kind: str | None) -> None:
    secret = text.split()[-2] if text.endswith(" ok") else text.split()[-1]
    expected = text.replace(secret, f"[REDACTED:{kind}]") if kind else text
    assert redact(text, pii=NO_PII).text == expected


TWITTER_LIKE = "AAAAAAAAAAAAAAAAAAAAAKlSAqV9839DvgWcbnIe5K1Wlot%3DMp1IHKbjqlQUInehmnjRxkrqAfSHJw"
ADYEN_LIKE = (
    "AQEMihz9aQN339LvebUqVuB+0wyAH8WxZ8XMhids5ttuc94ZDyotlEA1ZCMjvOUB=-WPezDqLygUMEXIHpK4tj"
)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        pytest.param(
            "using key sk_cc3e2ecff4615441050c5bf87362df09a5d7347a5a675c17 for upload",
            "sk_cc3e2ecff4615441050c5bf87362df09a5d7347a5a675c17",
            id="word-then-hex",
        ),
        pytest.param(
            "request failed for credential pat-na1-cb013b22-d5f6-4882-a8ac-b850c813fd52 (401)",
            "pat-na1-cb013b22-d5f6-4882-a8ac-b850c813fd52",
            id="words-then-uuid",
        ),
        pytest.param(
            "Credentials APP-QJDI0RZU4RYXN38QC5GLBUJX6Y rejected",
            "APP-QJDI0RZU4RYXN38QC5GLBUJX6Y",
            id="word-then-one-case",
        ),
        pytest.param(
            "key 1000.588de867f5721089dda25505afa7352f.22c28368a24b8b858c6bf05b1ecd86ec expired",
            "1000.588de867f5721089dda25505afa7352f.22c28368a24b8b858c6bf05b1ecd86ec",
            id="dotted-hex",
        ),
        pytest.param(f"using key {TWITTER_LIKE} now", TWITTER_LIKE, id="percent-escape-inside"),
        pytest.param(f"credential {ADYEN_LIKE} now", ADYEN_LIKE, id="equals-inside"),
    ],
)
def test_a_vendor_key_no_rule_knows_after_key_or_credential_in_prose(
    text: str, secret: str
) -> None:
    out = redact(text, pii=NO_PII).text
    assert out == text.replace(secret, "[REDACTED:secret]")


@pytest.mark.parametrize(
    "text",
    [
        "idempotency key pat-na1-cb013b22-d5f6-4882-a8ac-b850c813fd52 reused",
        "cache key 4bf92f3577b34da6a3ce929d0e0e4736 evicted",
        "public key MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE3fR4kP0qLx7Yb2Nc5VtMw9Jh1Zs8Ka6U pinned",
        "key api-7d4b9c8f6d-x2x9k not found",
        "monkey ABCDEFGHIJKLMNOPQRSTUV1234567890abc",
        "credential 3f2b1c4e-8a7d-4e5f-9b6a-1c2d3e4f5a6b not found",  # a bare UUID: an id
        "key expiry=3600 seconds",
        "correlation key 4bf92f3577b34da6a3ce929d0e0e4736 moved",
        "lock key sk_cc3e2ecff4615441050c5bf87362df09a5d7347a5a675c17 held by worker-2",
        "publishable api key is pk_cc3e2ecff4615441050c5bf87362df09a5d73",
    ],
)
def test_ids_and_names_after_key_or_credential_stay(text: str) -> None:
    assert redact(text, pii=NO_PII).text == text


# Spelled out here, not read from the module: a name taken out of its table must fail a test.
ID_KEY_NAMES = (
    "cache", "idempotency", "partition", "sort", "primary", "routing", "object", "dedup", "shard",
    "foreign", "unique", "composite", "hash", "index", "row", "record", "message", "lock",
    "correlation", "lookup",
)  # fmt: skip


@pytest.mark.parametrize("name", ID_KEY_NAMES)
def test_a_key_that_finds_a_thing_is_no_secret_in_prose_or_as_a_pair(name: str) -> None:
    hex_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    for text in (f"{name} key {hex_id} moved", f"{name}_key={hex_id}"):
        assert redact(text, pii=NO_PII).text == text
    assert redact(f"signing key {hex_id} moved", pii=NO_PII).text != f"signing key {hex_id} moved"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("token_type=Bearer scope=openid", None, id="scope-after-the-scheme"),
        pytest.param("WWW-Authenticate: Bearer realm=api", None, id="challenge-realm"),
        pytest.param(
            "Authorization: Bearer AbcDefGhiJklMnoPqr=-WPezDqLygUMEXIHpK4tj",
            "Authorization: Bearer [REDACTED:bearer]",
            id="upper-case-before-equals-is-a-token",
        ),
    ],
)
def test_a_parameter_after_a_scheme_is_no_credential(text: str, expected: str | None) -> None:
    assert redact(text, pii=NO_PII).text == (expected or text)


# One line per tool of `command_lines._SHORT_FLAG_PASSWORD`, so that a tool taken out of it
# fails a test (the table mutants of scripts/mutate_redact_tables.py).
@pytest.mark.parametrize(
    ("line", "password"),
    [
        *(
            pytest.param(
                f"+ {tool} login -u ci-bot -p xNG0RaLggaacrh registry.example.com",
                "xNG0RaLggaacrh",
                id=f"{tool}-login",
            )
            for tool in ("buildah", "skopeo", "nerdctl", "oras")
        ),
        *(
            pytest.param(
                f"running: {tool} --host mongo -u admin -p q32ohADlp7UTgC --db app",
                "q32ohADlp7UTgC",
                id=tool,
            )
            for tool in (
                "mongosh", "mongorestore", "mongoexport", "mongoimport", "mongostat", "mongotop",
                "mongofiles",
            )
        ),
        *(
            pytest.param(
                f"exec {tool} system/Tg7xPw2Lq9@pdb1 directory=dp dumpfile=app.dmp",
                "Tg7xPw2Lq9",
                id=tool,
            )
            for tool in ("impdp", "expdp")
        ),
        *(
            pytest.param(
                f"rman {word} sys/Tg7xPw2Lq9@prod", "Tg7xPw2Lq9", id=f"rman-{word}"
            )
            for word in ("target", "auxiliary", "catalog")
        ),
    ],
)  # fmt: skip
def test_every_command_line_tool_with_a_password_flag(line: str, password: str) -> None:
    out = redact(line, pii=NO_PII).text
    assert password not in out
    assert out == line.replace(password, "[REDACTED:password]")


# Each tool's password as `set -x` and scripts quote it: the quotes stay, the password goes.
@pytest.mark.parametrize(
    "line",
    [
        "+ redis-cli -h redis -a {q}Tg7x Pw2Lq9{q} ping",
        "+ sshpass -p {q}Tg7x Pw2Lq9{q} ssh deploy@host uptime",
        "+ sshpass -p{q}Tg7x Pw2Lq9{q} ssh deploy@host uptime",
        "+ mysql -h db -u root -p{q}Tg7x Pw2Lq9{q} app",
        "+ docker login -u ci -p {q}Tg7x Pw2Lq9{q} registry.example.com",
        "+ mongosh --host mongo -u admin -p {q}Tg7x Pw2Lq9{q} --quiet",
        "+ sqlcmd -S db -U sa -P {q}Tg7x Pw2Lq9{q} -Q 'SELECT 1'",
        "+ http -a {q}admin:Tg7x Pw2Lq9{q} GET https://api.internal/health",
        "+ curl -fsS -u {q}admin:Tg7x Pw2Lq9{q} https://nexus.example.com/",
        "+ curl --user {q}admin:Tg7x Pw2Lq9{q} https://nexus.example.com/",
        "+ ldapsearch -x -D cn=admin -w {q}Tg7x Pw2Lq9{q} -b dc=example",
        "+ rabbitmqctl add_user app {q}Tg7x Pw2Lq9{q}",
        "+ keytool -importkeystore -srcstorepass {q}Tg7x Pw2Lq9{q} -destkeystore a.jks",
        "+ openssl enc -aes-256-cbc -k {q}Tg7x Pw2Lq9{q} -in a -out b",
        "+ gpg --batch --passphrase {q}Tg7x Pw2Lq9{q} --decrypt a.gpg",
        "+ htpasswd -bc /etc/nginx/.htpasswd admin {q}Tg7x Pw2Lq9{q}",
    ],
)
@pytest.mark.parametrize("quote", ["'", '"', '\\"'], ids=["single", "double", "json-escaped"])
def test_a_quoted_password_flag_keeps_its_quotes(line: str, quote: str) -> None:
    text = line.format(q=quote)
    assert redact(text, pii=NO_PII).text == text.replace("Tg7x Pw2Lq9", "[REDACTED:password]")


@pytest.mark.parametrize(
    "line",
    [
        '+ curl -u "$NEXUS_USER:$NEXUS_PASS" https://nexus.example.com/',
        '+ sshpass -p "$SSHPASS" ssh deploy@host',
        "+ redis-cli -a '' ping",
        "+ mongosh -u admin -p '${MONGO_PASSWORD}' --quiet",
    ],
)
def test_a_quoted_reference_after_a_password_flag_stays(line: str) -> None:
    assert redact(line, pii=NO_PII).text == line


# --- values holding brackets and commas -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        pytest.param("password=Xk9(Lm2#q7Zr) user=bob", "Xk9(Lm2#q7Zr)", id="paren"),
        pytest.param("password=Ab3,cc7Qz9 next=1", "Ab3,cc7Qz9", id="comma"),
        pytest.param("level=info password=a,b user=x", "a,b", id="logfmt-comma"),
        pytest.param("password={Zq8xYw4} next=1", "Zq8xYw4", id="braces"),
        pytest.param('{"password": "{Zq8xYw4}"}', "{Zq8xYw4}", id="json-braces"),
        pytest.param("  password: Xk9(Lm2#q,7Zr)", "Xk9(Lm2#q,7Zr)", id="yaml"),
        pytest.param("&{User:app Password:Xk9(Lm2,q7Zr) Host:db}", "Xk9(Lm2,q7Zr)", id="go-struct"),
        pytest.param("&{User:app Password:Xk9Lm2q7Zr}", "Xk9Lm2q7Zr", id="go-struct-last"),
        pytest.param("map[password:Xk9(Lm2,q7Zr) user:app]", "Xk9(Lm2,q7Zr)", id="go-map"),
        pytest.param("map[user:app password:Xk9Lm2]", "Xk9Lm2", id="go-map-last"),
        pytest.param("{password=Xk9Lm2, user=bob}", "Xk9Lm2", id="java-map"),
        pytest.param("password=Xk9Lm2,user=bob", "Xk9Lm2", id="comma-before-a-key"),
        pytest.param("connect(password=Xk9Lm2)", "Xk9Lm2", id="closing-paren"),
        pytest.param("password=(Xk9Lm2q7Zr)", "(Xk9Lm2q7Zr)", id="in-parens"),
    ],
)
def test_a_value_holding_brackets_or_commas_is_hidden_whole(text: str, secret: str) -> None:
    assert redact(text, pii=NO_PII).text == text.replace(secret, "[REDACTED:password]")


@pytest.mark.parametrize(
    "text",
    [
        "password=(null)", "password=(hidden) user=bob", "token={0}", "password={password}",
        "password={{ .Values.db.password }}", "token = decode(header, key)",
        "secret = secrets.token_hex(32)", "password=${DB_PASSWORD}",
    ],
)  # fmt: skip
def test_brackets_that_hold_no_secret_are_left(text: str) -> None:
    assert redact(text, pii=NO_PII).text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('password: Some("Xk9Lm2q7Zr")', 'password: Some("[REDACTED:password]")'),
        ('token: Some(Secret("Xk9Lm2q7Zr"))', 'token: Some(Secret("[REDACTED:token]"))'),
        ("db_password=Password('Xk9Lm2q7Zr')", "db_password=Password('[REDACTED:password]')"),
        (
            'EnvVar { name: "DB_PASSWORD", value: Some("Xk9Lm2q7Zr"), value_from: None }',
            'EnvVar { name: "DB_PASSWORD", value: Some("[REDACTED:password]"), value_from: None }',
        ),
        (
            "EnvVar(name='DB_PASSWORD', value=Secret('Xk9Lm2q7Zr'))",
            "EnvVar(name='DB_PASSWORD', value=Secret('[REDACTED:password]'))",
        ),
        (
            '{"cfg":"password: Some(\\"Xk9Lm2q7Zr\\")"}',
            '{"cfg":"password: Some(\\"[REDACTED:password]\\")"}',
        ),
        ('password: Some("")', None),
        ('token: Some("<redacted>")', None),
        ("password=SecretStr('**********')", None),
        ('password = os.getenv("DB_PASSWORD")', None),
        ('password_file=Path("/run/secrets/db")', None),
        ('api_key: Some(Env("OPENAI_API_KEY"))', None),
        ('password: Some("HUNTER2X")', 'password: Some("[REDACTED:password]")'),
    ],
)
def test_a_value_wrapped_in_a_type_is_hidden_inside_it(text: str, expected: str | None) -> None:
    """Rust's Debug (``Some("...")``) and Python's reprs wrap a value in its type's name."""
    assert redact(text, pii=NO_PII).text == (expected or text)


# --- passwords stated in prose --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the password is hunter2-p3k64", "the password is [REDACTED:password]"),
        ("admin password was Tr0ub4dor&3", "admin password was [REDACTED:password]"),
        ("login with password s3cr3t-x9 ok", "login with password [REDACTED:password] ok"),
        ("using the password P@ss!word now", "using the password [REDACTED:password] now"),
        ("the password is: hunter2x!", "the password is: [REDACTED:password]"),
        ("password is 'hunter2'.", "password is '[REDACTED:password]'."),
        ("the password is hunter2.", "the password is [REDACTED:password]."),
        ('{"msg":"password set to k9-Lm2q"}', '{"msg":"password set to [REDACTED:password]"}'),
        ("password for user bob is Xk9-lm2q", "password for user bob is [REDACTED:password]"),
        (
            "the password for admin is now hunter2x!",
            "the password for admin is now [REDACTED:password]",
        ),
    ],
)
def test_a_password_stated_in_prose_is_redacted(text: str, expected: str) -> None:
    assert redact(text, pii=NO_PII).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "password is incorrect", "password is too short", "password was changed",
        "the password is expired", "password reset requested", "password is user-defined",
        "password is base64-encoded", "password is sha256-hashed", "password is argon2id",
        "password is 8 characters long", "with password 123456", "login with password failed",
        "using password from /run/secrets/db", "password was set to [REDACTED:password]",
        "nopassword is set", "password hashing failed: x9-y", "password for bob is incorrect",
        "password for user app1 was changed", "password for user1 abc123x",
    ],
)  # fmt: skip
def test_prose_about_a_password_is_left(text: str) -> None:
    assert redact(text, pii=NO_PII).text == text


# --- values on the lines after their key ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        pytest.param("db:\n  password: |\n    Xk9Lm2q7\n  user: app", "Xk9Lm2q7", id="literal"),
        pytest.param(
            "password: >-\n  Xk9Lm2\n  q7ZrTw\nuser: app", "Xk9Lm2\n  q7ZrTw", id="folded"
        ),
        pytest.param(
            '{"log":"x:\\n  api_token: |-\\n    abcDEF123\\n  next: 2"}', "abcDEF123", id="escaped"
        ),
        pytest.param(
            '{"log":"password: |\\n  Xk9Lm2q7"}', "Xk9Lm2q7", id="escaped-ends-the-string"
        ),
        pytest.param("db:\n  password:\n    hunter2x9\n", "hunter2x9", id="plain-next-line"),
        pytest.param("- password: |\n    Xk9Lm2q7", "Xk9Lm2q7", id="list-item"),
        pytest.param("password: |\r\n  Xk9Lm2q7\r\nuser: x", "Xk9Lm2q7", id="crlf"),
    ],
)
def test_a_value_on_the_next_lines_is_redacted(text: str, secret: str) -> None:
    kind = "token" if "token" in text else "password"
    assert redact(text, pii=NO_PII).text == text.replace(secret, f"[REDACTED:{kind}]")


@pytest.mark.parametrize(
    "text",
    [
        "password:\n  min_length: 12\n  require_digit: true", "secrets:\n  - name: api",
        "password: |", "password: |\nuser: app", "bypass: |\n  hello world",
        "password:\n  # comment\n", "password: |\n  ${DB_PASSWORD}",
    ],
)  # fmt: skip
def test_next_lines_that_hold_no_value_are_left(text: str) -> None:
    assert redact(text, pii=NO_PII).text == text


# --- private keys' bodies without their header ----------------------------------------------------

DER_STARTS = {
    "pkcs8-rsa": "308204bd020100300d06092a864886f70d0101010500048204a7308204a30201000282010100",
    "pkcs1-rsa": "308204a40201000282010100",
    "pkcs1-rsa-4096": "308209280201000282020100",
    "sec1-ec": "30770201010420",
    "pkcs8-ec": "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420",
    "pkcs8-ed25519": "302e020100300506032b657004220420",
    "openssh": b"openssh-key-v1\0\0\0\0".hex(),
}


def key_lines(start: str) -> list[str]:
    blob = base64.b64encode(bytes.fromhex(start) + bytes(range(256)) * 2).decode()
    return [blob[i : i + 64] for i in range(0, len(blob), 64)]


@pytest.mark.parametrize("start", DER_STARTS.values(), ids=DER_STARTS.keys())
def test_a_private_keys_first_body_line_is_redacted(start: str) -> None:
    lines = key_lines(start)
    assert redact(lines[0], pii=NO_PII).text == "[REDACTED:private_key]"
    entry = "\n".join(lines[:4]) + "\nDone"
    assert redact(entry, pii=NO_PII).text == "[REDACTED:private_key]\nDone"
    escaped = '{"log":"' + "\\n".join(lines[:3]) + '"}'
    assert redact(escaped, pii=NO_PII).text == '{"log":"[REDACTED:private_key]"}'


@pytest.mark.parametrize(
    "start",
    [
        "3082037730820260a003020102020900",  # a certificate
        "30820122300d06092a864886f70d01010105000382010f003082010a0282010100",  # a public key
        "308202a23082018a020100",  # a certificate request
        "3082010a0282010100",  # an RSA public key (PKCS#1)
    ],
)
def test_der_that_is_no_private_key_is_left(start: str) -> None:
    line = key_lines(start)[0]
    assert redact(line, pii=NO_PII).text == line


def test_puttys_private_lines_are_redacted() -> None:
    text = (
        "PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: k\nPublic-Lines: 1\n"
        "AAAAB3NzaC1yc2EAAAABJQ\nPrivate-Lines: 2\nAAABAQCq8Zr9xY7Lm2Q4wT6bN3pV5k\nZk3Lm9Qp\n"
        "Private-MAC: 7a2c3b9f0e1d"
    )
    assert redact(text, pii=NO_PII).text == text.replace(
        "AAABAQCq8Zr9xY7Lm2Q4wT6bN3pV5k\nZk3Lm9Qp", "[REDACTED:private_key]"
    )


# --- base64 under connection and credential keys --------------------------------------------------

DSN_B64 = base64.b64encode(b"postgres://app:Xk9Lm2q7@db:5432/app").decode()


@pytest.mark.parametrize(
    "text",
    [
        f"  connection-uri: {DSN_B64}", f'{{"DATABASE_URL":"{DSN_B64}"}}', f"dbUrl={DSN_B64}",
        f"  REDIS_DSN: '{DSN_B64}'", f"  .dockerconfigjson: {DSN_B64}",
    ],
)  # fmt: skip
def test_base64_text_under_a_connection_key_is_redacted(text: str) -> None:
    assert redact(text, pii=NO_PII).text == text.replace(DSN_B64, "[REDACTED:kubernetes_secret]")


@pytest.mark.parametrize(
    "text",
    [
        "  url: https://example.com/api", "  connection-uri: postgres-primary",
        "dsn=postgres", "curl: aGVsbG8gd29ybGQ=", "auth: 0123456789abcdef",
        "  url: /api/v1/user", "dsn: AQIDBAUG", "dsn: YWJjZA==",
    ],
)  # fmt: skip
def test_values_under_a_connection_key_that_are_no_base64_text_are_left(text: str) -> None:
    assert redact(text, pii=NO_PII).text == text


# --- lists of logins ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "passwords"),
    [
        ("basic auth users: admin:pw1x,viewer:pw2y", ("pw1x", "pw2y")),
        ("users=alice:Pw9xq;bob:Qz8wr", ("Pw9xq", "Qz8wr")),
        ('{"htpasswd":"admin:hunter,ops:letmein"}', ("hunter", "letmein")),
        ("credentials=admin:pw1x, viewer:pw2y", ("pw1x", "pw2y")),
        ("BASIC_AUTH_USERS=admin:secret", ("secret",)),
        ("args: --basic-auth-users admin:pw1x,viewer:pw2y --port 80", ("pw1x", "pw2y")),
    ],
)
def test_lists_of_logins_are_redacted(text: str, passwords: tuple[str, ...]) -> None:
    expected = text
    for password in passwords:
        expected = expected.replace(f":{password}", ":[REDACTED:password]")
    assert redact(text, pii=NO_PII).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "users: alice:admin,bob:read-only", "users=alice:1001;bob:1002", "superusers=a:b1",
        "auth=es:9200,kibana:5601", "users: 3", "active users: 12:30", "users alice:Pw9q",
        'msg="login ok" users: alice:admin,bob:viewer',
    ],
)  # fmt: skip
def test_users_with_roles_ids_or_ports_are_left(text: str) -> None:
    assert redact(text, pii=NO_PII).text == text


# --- AWS session tokens alone ---------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["FwoGZXIvYXdzE", "FQoGZXIvYXdzE", "IQoJb3JpZ2luX2VjE"])
def test_an_aws_session_token_needs_no_name(prefix: str) -> None:
    token = prefix + body(120)
    assert redact(f"assumed role, using {token} for ci", pii=NO_PII).text == (
        "assumed role, using [REDACTED:aws_session_token] for ci"
    )


# --- key names: access tokens, key shares and encodings ------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GH_PAT=Xk9Lm2q7Zr8wQp4T", "GH_PAT=[REDACTED:token]"),
        ('{"pat":"Xk9Lm2q7Zr8wQp4T"}', '{"pat":"[REDACTED:token]"}'),
        ("gitlabPat: Xk9Lm2q7Zr8wQp4T", "gitlabPat: [REDACTED:token]"),
        ('{"pat":"**/*.go"}', None),
        ("pat=Xk9Lm2q7", None),
        ('"unseal_keys_b64":["Xk9Lm2q7Zr8w"]', '"unseal_keys_b64":["[REDACTED:vault_unseal_key]"]'),
        ('"recovery_keys_hex": ["0f3c4143"]', '"recovery_keys_hex": ["[REDACTED:recovery_key]"]'),
        ("SIGNING_TOKEN_BASE64=Xk9Lm2q7Zr8w", "SIGNING_TOKEN_BASE64=[REDACTED:token]"),
        ("password_hex=0f3c41437441", "password_hex=[REDACTED:password]"),
        ("compat=Xk9Lm2q7Zr8wQp4T spat=Xk9Lm2q7Zr8wQp4T", None),
        ("impasse=Xk9Lm2q mot_de_passe=Xk9Lm", "impasse=Xk9Lm2q mot_de_passe=[REDACTED:password]"),
        ("path=/srv/app pattern=Xk9Lm2q7Zr8w patch=Xk9Lm2q7Zr8w", None),
        ('{"unseal_keys_b64":[],"unseal_shares":5}', None),
        ("token_b64_length=44 password_hex_bytes=32", None),
        ('{"SecretBinary":"Xk9Lm2q7Zr8w"}', '{"SecretBinary":"[REDACTED:secret]"}'),
        ('{"SecretString":"Xk9Lm2q7Zr8w"}', '{"SecretString":"[REDACTED:secret]"}'),
        ('{"SecretId":"prod/db"}', None),
        ('"token":{"t":1,"value":"Xk9Lm2q"}', '"token":{"t":1,"value":"[REDACTED:token]"}'),
        ("password={value='Xk9Lm2q7'}", "password={value='[REDACTED:password]'}"),
        ("password={value=Xk9Lm2q7}", "password={value=[REDACTED:password]}"),
        ('"secret":{"secretName":"api-tls","valueFrom":"x"}', None),
        ('{"OutputKey":"DbPassword","OutputValue":"Xk9Lm2q"}',
         '{"OutputKey":"DbPassword","OutputValue":"[REDACTED:password]"}'),
        ('{"OutputKey":"AdminUser","OutputValue":"admin"}', None),
    ],
)  # fmt: skip
def test_key_names_of_tokens_key_shares_and_encodings(text: str, expected: str | None) -> None:
    assert redact(text, pii=NO_PII).text == (expected or text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+ gpg --passphrase 'a b1C'", "+ gpg --passphrase '[REDACTED:password]'"),
        ('+ argocd --auth-token "Xk9Lm2q7Zr8w"', '+ argocd --auth-token "[REDACTED:token]"'),
        ("+ az login -u app -p Xk9Lm2q7Zr8w", "+ az login -u app -p [REDACTED:password]"),
        ("vault login s.Xk9Lm2q7Zr8w", "vault login [REDACTED:vault_token]"),
        ("npm set _authToken Xk9Lm2q7Zr8wQp4T", "npm set _authToken [REDACTED:token]"),
        ("--token is deprecated", None),
        ("usage: --token TOKEN  --api-key API_KEY", None),
        ("Connect-X -Password hunter2x9", "Connect-X -Password [REDACTED:password]"),
        ("java -jar a.jar -password hunter2x9", "java -jar a.jar -password [REDACTED:password]"),
        ("--Password Hunter2x9", "--Password [REDACTED:password]"),
        ("a -token based scheme", None),
        ("openssl enc -pass stdin", None),
        ('Invoke -Token "$env:API_TOKEN"', None),
        ("Invoke -Token $Env:API_TOKEN -Password $securePassword", None),
        ("New-LocalUser -Password (ConvertTo-SecureString $pw -AsPlainText -Force)", None),
        ("--password (Xk9Lm2q7", "--password [REDACTED:password]"),
        ('--token "$TOKEN"', None),
        ("vault login root", None),
        ("vault login failed: denied", None),
        ("vault login username=bob", None),
        ("the accesstoken Xk9Lm2q7Zr8wQp4T", None),
    ],
)  # fmt: skip
def test_secret_flags_quoted_and_logins_by_token(text: str, expected: str | None) -> None:
    assert redact(text, pii=NO_PII).text == (expected or text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tokens:\n  - Xk9Lm2q7\n  - '{{ .Values.t }}'\nttl: 1h",
         "tokens:\n  - [REDACTED:token]\n  - '{{ .Values.t }}'\nttl: 1h"),
        ('api_keys:\\n- \\"Xk9Lm2q7\\"\\n- ${KEY}\\nnext: 1',
         'api_keys:\\n- \\"[REDACTED:api_key]\\"\\n- ${KEY}\\nnext: 1'),
        ("passwords:\n  - name: db\n    valueFrom: vault", None),
        ("tokens:\n  - Xk9Lm2q7\n  - Zr8wQp4T\n  - db:",
         "tokens:\n  - [REDACTED:token]\n  - [REDACTED:token]\n  - db:"),
        ("tokens:\\n  - Xk9Lm2q7\\n  - Zr8wQp4T\\n  - db:\\n",
         "tokens:\\n  - [REDACTED:token]\\n  - [REDACTED:token]\\n  - db:\\n"),
        ("tokens:\\n  - Xk9Lm2q7\\n  - db:\\n      ttl: 1h\\n",
         "tokens:\\n  - [REDACTED:token]\\n  - db:\\n      ttl: 1h\\n"),
        ("password:\n- Xk9Lm2q7", None),
        ("- name: db\n  password:\n- name: cache", None),
        ("password: |\n  Xk9Lm2q7\n- item", "password: |\n  [REDACTED:password]\n- item"),
    ],
)  # fmt: skip
def test_a_plural_keys_list_items_on_the_next_lines(text: str, expected: str | None) -> None:
    assert redact(text, pii=NO_PII).text == (expected or text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GraphQL query failed using [REDACTED:buildkite_token]: 403", None),
        ("Array ( [tokens] => Array ( [0] => 12 ) )", None),
        ("user[password]=Xk9Lm2q7 commit=1", "user[password]=[REDACTED:password] commit=1"),
        ("a=1&user%5Bpassword%5D=Xk9Lm2q7", "a=1&user%5Bpassword%5D=[REDACTED:password]"),
        ("PrivateKey = yAnz5TFlXXJte14tji3zlMNqhd2rYUIgJBgB3fBmk=",
         "PrivateKey = [REDACTED:private_key]"),
        ("password= user=x", None),
        ("public key: xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=", None),
        ("usage: x [--token TOKEN] [--password PASSWORD]", None),
        ("erl -setcookie XKQJZPLMWNRTYBVCDFGH", "erl -setcookie [REDACTED:secret]"),
        ("erl -setcookie $COOKIE -sname a", None),
        ('server.login(user, "Xk9Lm2q7")', 'server.login(user, "[REDACTED:password]")'),
        ("server.login(user, password)", None),
        ('resetPassword("bob")', None),
    ],
)  # fmt: skip
def test_bracketed_keys_padded_values_cookies_and_login_calls(
    text: str, expected: str | None
) -> None:
    assert redact(text, pii=NO_PII).text == (expected or text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /u?email=jane%40example.com", "GET /u?email=[REDACTED:email]"),
        ('{"to":"jane\\u0040example.com"}', '{"to":"[REDACTED:email]"}'),
        ("GET /files/report%20final.pdf", None),
    ],
)
def test_an_escaped_at_sign_makes_an_address(text: str, expected: str | None) -> None:
    assert redact(text).text == (expected or text)
    # Which escape it is depends on its digits: no verdict is shared across them.
    assert not same_for_all_digits(text)
    assert may_contain_secret(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ACL SETUSER a resetpass <Xk9Lm2q7 >Zr8wQp4T ~* +@all",
         "ACL SETUSER a resetpass <[REDACTED:password] >[REDACTED:password] ~* +@all"),
        ('"acl" "setuser" "a" "on" ">Xk9Lm2q7"', '"acl" "setuser" "a" "on" ">[REDACTED:password]"'),
        ("ACL SETUSER a on nopass #9f86d081884c7d65 ~* +get", None),
        ("ACL SETUSER a on >*** ~*", None),
        ("ACL SETUSER a on >Xk9Lm2q7\nnext > line",
         "ACL SETUSER a on >[REDACTED:password]\nnext > line"),
        ("*cmd* 'PASS Xk9Lm2q7'", "*cmd* 'PASS [REDACTED:password]'"),
        ("existingSecret: pg-creds", None),
        ("existing_secret: Xk9Lm2q7Zr8wQp4T", "existing_secret: [REDACTED:secret]"),
        ("GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D", None),
        ("GPG_KEY=Xk9Lm2q7Zr8wQp4TbN6vC3xZ", "GPG_KEY=[REDACTED:secret]"),
        ("amqps://svc:****@mq:5671/", None),
        ("amqps://svc:${MQ_PASS}@mq:5671/", None),
        ("ssl.key.password = [hidden]", None),
        ('{"login_password": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}', None),
        ("LoadCredential=dbpass:/etc/creds/db", None),
        ("password=/run/secrets/db_password", None),
        ("secret=/K7MDENG/bPxRfiCYzEXAMPLEKEY", "secret=[REDACTED:secret]"),
        ("auth=admin:/Xk9Lm2q7/Zr8", "auth=admin:[REDACTED:password]"),
    ],
)  # fmt: skip
def test_redis_acl_passwords_and_masked_values_of_operational_dumps(
    text: str, expected: str | None
) -> None:
    result = redact(text, pii=NO_PII)
    assert result.text == (expected or text)
    assert sum(result.counts.values()) == (expected or "").count("[REDACTED:")
    assert redact(result.text, pii=NO_PII).text == result.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('~ password = "Xk9Lm2q7" -> "Zr8wQp4T"',
         '~ password = "[REDACTED:password]" -> "[REDACTED:password]"'),
        ("~ api_key = 'Xk9Lm2q7Zr8wQp4T' -> 'Zr8wQp4TXk9Lm2q7'",
         "~ api_key = '[REDACTED:api_key]' -> '[REDACTED:api_key]'"),
        ('~ password = "Xk9Lm2q7" -> "(sensitive value)"',
         '~ password = "[REDACTED:password]" -> "(sensitive value)"'),
        ('~ name = "Xk9Lm2q7" -> "Zr8wQp4T"', None),
        ('~ owner = "[REDACTED:email]" -> "Zr8wQp4T"', None),
        ("ldap_default_authtok = Xk9Lm2q7", "ldap_default_authtok = [REDACTED:password]"),
        ("password sufficient pam_unix.so use_authtok", None),
        ("java.naming.security.credentials=Xk9Lm2q7",
         "java.naming.security.credentials=[REDACTED:password]"),
        ("spring.security.credentials.expired=true", None),
        ('{"secretText": "Xk98Q~aBcDeFgHiJkLmNoPq"}', '{"secretText": "[REDACTED:secret]"}'),
        ('{"token_text": "Hello"}', None),
        ("TOKEN-TEXT=hello", None),
    ],
)  # fmt: skip
def test_a_changed_secrets_new_value_and_ldap_bind_credentials(
    text: str, expected: str | None
) -> None:
    result = redact(text, pii=NO_PII)
    assert result.text == (expected or text)
    assert sum(result.counts.values()) == (expected or "").count("[REDACTED:")
    assert redact(result.text, pii=NO_PII).text == result.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('["--password", "Xk9Lm2q7"]', '["--password", "[REDACTED:password]"]'),
        ("['--api-key', 'Xk9Lm2q7']", "['--api-key', '[REDACTED:api_key]']"),
        ('["--token", "--verbose"]', None),
        ('["--password", "$(DB_PASSWORD)"]', None),
        ("  - --password\n  - Xk9Lm2q7\n", "  - --password\n  - [REDACTED:password]\n"),
        ("    --token\r\n    Xk9Lm2q7", "    --token\r\n    [REDACTED:token]"),
        ("see --token\nXk9Lm2q7 is next", None),
        ("  --token\n      The token to use", None),
        ("pika.PlainCredentials('app', 'Xk9Lm2q7')",
         "pika.PlainCredentials('app', '[REDACTED:password]')"),
        ('new NetworkCredential("svc", "Xk9Lm2q7")',
         'new NetworkCredential("svc", "[REDACTED:password]")'),
        ("PlainTextAuthProvider('cassandra', 'Xk9Lm2q7')",
         "PlainTextAuthProvider('cassandra', '[REDACTED:password]')"),
        ('getCredentials("default", "us-east-1")', None),
        ("Elasticsearch(h, http_auth=('elastic', 'Xk9Lm2q7'))",
         "Elasticsearch(h, http_auth=('elastic', '[REDACTED:password]'))"),
    ],
)  # fmt: skip
def test_flags_in_exec_lists_and_credential_constructors(text: str, expected: str | None) -> None:
    result = redact(text, pii=NO_PII)
    assert result.text == (expected or text)
    assert sum(result.counts.values()) == (expected or "").count("[REDACTED:")
