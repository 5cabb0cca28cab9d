"""Untrusted text shown to a person: on a terminal every control or invisible character is
written as an escape that names it; in JSON, as a ``\\u`` escape that reads back the same."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from log_analyzer.logs.terminal_text import inert_json, inert_text

# What a log line (or a pod's name, or the model repeating either) can do to a terminal or to
# the reader of one, and the text the reader is shown instead.
HOSTILE = [
    pytest.param("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H", id="clear-screen"),
    pytest.param("\x1bc", "\\x1bc", id="reset-terminal"),
    pytest.param(
        "\x1b]8;;https://evil.example/\x1b\\docs\x1b]8;;\x1b\\",
        "\\x1b]8;;https://evil.example/\\x1b\\docs\\x1b]8;;\\x1b\\",
        id="osc8-hyperlink",
    ),
    pytest.param(
        "\x1b]52;c;cm0gLXJmIH4=\x07", "\\x1b]52;c;cm0gLXJmIH4=\\x07", id="osc52-clipboard"
    ),
    pytest.param("\x1b]0;root@prod\x07", "\\x1b]0;root@prod\\x07", id="window-title"),
    pytest.param("\x9b2J\x9d0;t\x9c", "\\x9b2J\\x9d0;t\\x9c", id="c1-csi-osc-st"),
    pytest.param("\x85", "\\x85", id="c1-next-line"),
    pytest.param("all is well\rERROR", "all is well\\x0dERROR", id="carriage-return"),
    pytest.param("abc\x08\x08\x08xyz", "abc\\x08\\x08\\x08xyz", id="backspaces"),
    pytest.param("nul\x00bel\x07del\x7f", "nul\\x00bel\\x07del\\x7f", id="nul-bel-del"),
    pytest.param("a\x0bb\x0cc", "a\\x0bb\\x0cc", id="vertical-tab-form-feed"),
    pytest.param("user \u202eexe.gnp\u202c", "user \\u202eexe.gnp\\u202c", id="rlo-trojan"),
    pytest.param("a\u2066b\u2069\u2067c\u2068", "a\\u2066b\\u2069\\u2067c\\u2068", id="isolates"),
    pytest.param("x\u200ey\u200f\u061c", "x\\u200ey\\u200f\\u061c", id="bidi-marks"),
    pytest.param(
        "pass\u200bword\u200c\u200d\u2060\ufeff",
        "pass\\u200bword\\u200c\\u200d\\u2060\\ufeff",
        id="zero-width",
    ),
    pytest.param("ok\U000e0049\U000e0047", "ok\\U000e0049\\U000e0047", id="tag-characters"),
    pytest.param("a\ufe0fb\xadc", "a\\ufe0fb\\xadc", id="selector-soft-hyphen"),
    pytest.param("a\u2028b\u2029c", "a\\u2028b\\u2029c", id="line-separators"),
]


@pytest.mark.parametrize(("hostile", "shown"), HOSTILE)
def test_a_terminal_is_shown_each_control_or_invisible_character_by_name(
    hostile: str, shown: str
) -> None:
    out = inert_text(f"ERROR {hostile} end")
    assert out == f"ERROR {shown} end"
    assert out.isprintable()  # nothing in it acts on a terminal, nothing is hidden


def test_no_format_or_control_character_is_left_for_a_terminal() -> None:
    everything = "".join(map(chr, range(0x30000))) + "".join(map(chr, range(0xE0000, 0xE1000)))
    left = {
        f"U+{ord(c):04X}"
        for c in inert_text(everything)
        if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c not in "\n\t"
    }
    assert not left


@pytest.mark.parametrize(
    "text",
    [
        "plain ascii line with tabs\tand\nnewlines",
        "café naïve Zürich 日本語 ログ 🔥 Ω≈ç√ ⏎ …",
        "E\u0338N\u0336D",  # combining marks are printable and shown as the glyphs they make
        "END-DATA-\uff58 \uff25\uff2e\uff24 <|im_start|>",  # fullwidth: text to a terminal
    ],
)
def test_ordinary_text_is_left_as_it_is(text: str) -> None:
    assert inert_text(text) == text


@pytest.mark.parametrize(
    "emoji",
    [
        "\u26a0\ufe0f",  # warning sign, drawn as an emoji
        "\u2714\ufe0e",  # heavy check mark, drawn as text
        "\U0001f469\u200d\U0001f4bb",  # woman technologist: two symbols joined
        "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag: a selected symbol, then joined
        "1\ufe0f\u20e3",  # keycap one
    ],
)
def test_an_emoji_keeps_the_selector_or_joiner_it_is_written_with(emoji: str) -> None:
    assert inert_text(f"{emoji} deploy done") == f"{emoji} deploy done"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\u26a0\ufe0f\ufe0f", "\u26a0\\ufe0f\\ufe0f"),  # a run of selectors can spell text
        ("\U0001f525\ufe00\ufe01", "\U0001f525\\ufe00\\ufe01"),  # selectors no emoji uses
        ("1\ufe0f", "1\\ufe0f"),  # a digit's selector without its keycap
        ("\ufe0fok", "\\ufe0fok"),  # a selector after nothing
        ("a\u200db", "a\\u200db"),  # a joiner between letters
        ("\u2705\u200d", "\u2705\\u200d"),  # a joiner after a symbol, before nothing
    ],
)
def test_a_selector_or_joiner_no_emoji_is_written_with_is_escaped(text: str, shown: str) -> None:
    assert inert_text(text) == shown


def test_a_crlf_is_a_newline_and_a_lone_surrogate_a_replacement() -> None:
    assert inert_text("one\r\ntwo \ud800 three") == "one\ntwo \ufffd three"


@pytest.mark.parametrize(("hostile", "shown"), HOSTILE)
def test_json_reads_back_the_same_and_holds_nothing_raw(hostile: str, shown: str) -> None:
    del shown
    line = inert_json(json.dumps({"text": hostile}, ensure_ascii=False))
    assert json.loads(line) == {"text": hostile}  # faithful: a JSON reader gets the text
    assert line.isascii() or line.isprintable(), line
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", line)


def test_json_escapes_a_tag_character_as_its_surrogate_pair() -> None:
    line = inert_json(json.dumps("a\U000e0041é", ensure_ascii=False))
    assert line == '"a\\udb40\\udc41é"'
    assert json.loads(line) == "a\U000e0041é"
