"""Edge cases of the secret families closed after a red-team round (2026-12-05).

The corpus holds a representative line of each family; these pin where a value ends or which
near miss stays.
"""

from __future__ import annotations

import time

import pytest

from log_analyzer.logs.redact import redact, same_for_all_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            '["password"]=> string(7) "a"b[c] d" ["x"]=> int(1)',
            '["password"]=> string(7) "[REDACTED:password]" ["x"]=> int(1)',
            id="var_dump-quote-inside",
        ),
        pytest.param(
            '["password"]=> string(11) "Xk9#qL2mPz7',
            '["password"]=> string(11) "[REDACTED:password]',
            id="var_dump-cut-short",
        ),
        pytest.param(
            '["password"]=>\n  string(0) ""\n["token"]=>\n  NULL',
            '["password"]=>\n  string(0) ""\n["token"]=>\n  NULL',
            id="var_dump-empty-and-null",
        ),
    ],
)
def test_php_var_dump_values(text: str, expected: str) -> None:
    assert redact(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("user=bob&pass%77ord=Xk9qL2mPz7", "user=bob&pass%77ord=[REDACTED:password]"),
        pytest.param("toke%6E=Xk9qL2mPz7&x=1", "toke%6E=[REDACTED:token]&x=1"),
        # An escape that decodes to no key's character: a path, a space, a "?".
        pytest.param("to=%2Fpassword%3Fnext=Xk9qL2mPz7", "to=%2Fpassword%3Fnext=Xk9qL2mPz7"),
        pytest.param("q=pass%77ord%20policy&page=2", "q=pass%77ord%20policy&page=2"),
    ],
)
def test_escaped_letters_in_a_key(text: str, expected: str) -> None:
    assert redact(text).text == expected


def test_an_escaped_key_is_judged_by_its_digits() -> None:
    """``%77`` is "w" and ``%78`` "x": the verdict reads the escape's digits."""
    assert redact("pass%78ord=Xk9qL2mPz7").total == 0
    assert not same_for_all_digits("pass%77ord=Xk9qL2mPz7")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A Chinese line goes on after a full-width comma: the value ends there.
        pytest.param(
            "密码\uff1aZh0ngW3n!x\uff0c用户\uff1ali",
            "密码\uff1a[REDACTED:password]\uff0c用户\uff1ali",
            id="full-width-comma",
        ),
        pytest.param(
            "Passwort:\u00a0«\u00a0Gehe1m!x\u00a0»",
            "Passwort:\u00a0«\u00a0[REDACTED:password]\u00a0»",
            id="no-break-spaces",
        ),
        pytest.param("Kennwort »Gehe1m!x« abgelehnt", "Kennwort »[REDACTED:password]« abgelehnt"),
        # Quoted after the name: one word of four characters or more, not a sentence.
        pytest.param("password « x » ok", "password « x » ok"),
        pytest.param("пароль «слишком короткий»", "пароль «слишком короткий»"),
        pytest.param("Unexpected token '<' in JSON", "Unexpected token '<' in JSON"),
    ],
)
def test_other_languages_and_quotes(text: str, expected: str) -> None:
    assert redact(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "connect('scott', 'Tg7!xPw2', 'db:1521/XE')",
            "connect('scott', '[REDACTED:password]', 'db:1521/XE')",
            id="oracle-order",
        ),
        pytest.param(
            "cx_Oracle.connect('scott', 'Tg7!xPw2', 'ORCL')",
            "cx_Oracle.connect('scott', '[REDACTED:password]', 'ORCL')",
            id="oracle-module-tns-alias",
        ),
        pytest.param(
            "cx_Oracle.connect(user, 'Tg7!xPw2', 'db:1521/XE')",
            "cx_Oracle.connect(user, '[REDACTED:password]', 'db:1521/XE')",
            id="oracle-module-user-variable",
        ),
        # host/service or a password with a slash, no module to tell which: both are hidden.
        pytest.param(
            "pymysql.connect('db', 'root', 'Ab/cd99x')",
            "pymysql.connect('db', '[REDACTED:password]', '[REDACTED:password]')",
            id="slash-password-or-oracle-address",
        ),
        # Not Oracle's module: a JDBC call's third argument, whatever its shape.
        pytest.param(
            'getConnection(url, "app", "Tg7/xPw2")',
            'getConnection(url, "app", "[REDACTED:password]")',
            id="url-variable-then-literals",
        ),
        pytest.param(
            "connect('db', 'app', 'Tg7!xPw2', 'shop')",
            "connect('db', 'app', '[REDACTED:password]', 'shop')",
            id="address-user-password",
        ),
        pytest.param(
            'getConnection(url, user, "Tg7!xPw2")',
            'getConnection(url, user, "[REDACTED:password]")',
            id="variables-then-literal",
        ),
        # No user: a signal's name, a handler, its data.
        pytest.param(
            "button.connect('clicked', self.on_click, 'refresh')",
            "button.connect('clicked', self.on_click, 'refresh')",
            id="gobject-signal",
        ),
        # A variable passed under its own name is no literal.
        pytest.param(
            "connect(host=host, password=password)",
            "connect(host=host, password=password)",
            id="keyword-variable",
        ),
        pytest.param("PASSWORD: password", "PASSWORD: [REDACTED:password]", id="weak-literal"),
    ],
)
def test_connection_passwords(text: str, expected: str) -> None:
    assert redact(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("password := x9Lk2Qw7", "password := [REDACTED:password]", id="go"),
        pytest.param(
            "const apiKey: string = 'x9Lk2Qw7';",
            "const apiKey: string = '[REDACTED:api_key]';",
            id="typescript",
        ),
        pytest.param(
            "password: Option<String> = x9Lk2Qw7",
            "password: Option<String> = [REDACTED:password]",
            id="generic-type",
        ),
        # An operator is no value, and a type's "::" in code no LDIF separator.
        pytest.param("password == expected", "password == expected", id="comparison"),
        pytest.param("Password::Hasher.new", "Password::Hasher.new", id="path"),
        pytest.param("token = config.auth.token", "token = config.auth.token", id="code-path"),
        # A value that only looks like a path stays a value.
        pytest.param("token: expired.x", "token: [REDACTED:token]", id="dotted-value"),
    ],
)
def test_separators_of_code(text: str, expected: str) -> None:
    assert redact(text).text == expected


def test_a_pair_after_a_colon_is_no_typed_declaration() -> None:
    """``token: ttl=30``: the colon's value is the pair, read whole as before."""
    assert redact("token: expires_in=3600").text == "token: [REDACTED:token]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A password that opens with "!" is the value, not a YAML tag before it.
        pytest.param(
            "password=!Abc123xyz user=bob", "password=[REDACTED:password] user=bob", id="logfmt"
        ),
        pytest.param("password: !Qw3rtyXy9", "password: [REDACTED:password]", id="alone"),
        pytest.param("password: !Summer", "password: [REDACTED:password]", id="a-word-alone"),
        pytest.param(
            "secret: !Zx9Lm2Qp7 # rotated", "secret: [REDACTED:secret] # rotated", id="comment"
        ),
        pytest.param(
            "db: {password: !Kx8vQ2mL9p, user: app}",
            "db: {password: [REDACTED:password], user: app}",
            id="flow-mapping",
        ),
        # Tags of letters stay tags: the value after them is judged, a reference is left.
        pytest.param(
            "password: !!binary c2VjcmV0cGFzc3dvcmQ=",
            "password: !!binary [REDACTED:password]",
            id="binary",
        ),
        pytest.param("db_password: !vault", "db_password: !vault", id="vault-alone"),
        pytest.param("password: !Ref DbPassword", "password: !Ref DbPassword", id="ref"),
    ],
)
def test_yaml_tags_and_values_opening_with_a_bang(text: str, expected: str) -> None:
    assert redact(text).text == expected


def test_a_value_after_a_tag_is_redacted_once() -> None:
    """Redacted again, a tag before a placeholder stays: the tag is no value of its own."""
    for text in ("password: !!binary c2VjcmV0cGFzc3dvcmQ=", "password: !Encrypted Xk9qL2mPz7"):
        once = redact(text).text
        assert once.endswith(" [REDACTED:password]")
        assert redact(once).text == once


def test_a_declared_secret_with_long_runs_of_spaces_is_read_in_linear_time() -> None:
    """Each space of a run inside the value once, not once per character before it."""
    line = "::add-mask::x" + " " * 1_000 + "y"
    vso = "##vso[task.setvariable variable=a;issecret=true]x" + " " * 1_000 + "y"
    text = "\n".join([line, vso] * 32)
    started = time.perf_counter()
    result = redact(text)
    assert time.perf_counter() - started < 0.5
    assert result.counts["secret"] == 64


def test_a_declared_secret_is_read_whole_and_each_line_once() -> None:
    """A value past 1 KB is still one secret; a line of bare commands is read in linear time."""
    long_value = "A1b2" * 400
    assert redact(f"::add-mask::{long_value}").text == "::add-mask::[REDACTED:secret]"
    text = "::add-mask::" * 5_462
    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 0.2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "MasterUserPassword: !Sub 'Xk9qL2mPz7'",
            "MasterUserPassword: !Sub '[REDACTED:password]'",
            id="literal",
        ),
        pytest.param(
            "MasterUserPassword: !Sub '{{resolve:secretsmanager:${DbSecret}:SecretString}}'",
            "MasterUserPassword: !Sub '{{resolve:secretsmanager:${DbSecret}:SecretString}}'",
            id="resolved",
        ),
        pytest.param(
            "MasterUserPassword: !Sub '${DbPasswordParameter}'",
            "MasterUserPassword: !Sub '${DbPasswordParameter}'",
            id="substituted",
        ),
    ],
)
def test_a_sub_tag_with_nothing_to_substitute_holds_the_value(text: str, expected: str) -> None:
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "ŞİFRE=Xk9qL2mPz7",  # Turkish upper case: a dotted capital I, case-folded to i + U+0307
        "SİFRE: Xk9qL2mPz7",
        "Kullan\u0131c\u0131 \u015e\u0130FRE «Xk9qL2mPz7» hatal\u0131",
    ],
)
def test_turkish_upper_case_password_words_are_found(text: str) -> None:
    assert "Xk9qL2mPz7" not in redact(text).text
