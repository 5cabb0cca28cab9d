r"""The line filter in CloudWatch Logs' terms: a filter pattern that narrows, RE2 that decides.

A FilterLogEvents filter pattern cannot say what the pipeline's line filter says. Its terms are
case-sensitive, match by term rather than by substring, and its regular expressions (between
``%`` signs) have no groups, no flags and few escapes. So the pattern sent to CloudWatch is only
ever a *narrowing*: a filter that every line the exact filter keeps also passes, chosen so that
it cuts most of what the exact filter would drop. The service then applies the exact filter
(RE2, as Loki would) to what comes back. A pattern that cannot be proved wider than the exact
filter is not sent; the query text says what was sent and what the service decided.

What is sent, in order of preference (one regex at most; CloudWatch combines few):

* the request's RE2 pattern as ``%pattern%``, when it uses only the syntax both engines read
  alike (letters, digits, ``.*+?|^$[]{}``, a few symbols, ``\d`` and escaped punctuation);
* the default error/warning selection as a case-expanded regex (``[Ee][Rr][Rr][Oo][Rr]|...``);
* exclusions as ``-"text"`` terms, for texts of letters, digits and ``_.:/@=-`` only: CloudWatch
  drops an event for such a term only when the event contains the text.

A filter pattern holds at most `FILTER_PATTERN_MAX_CHARS` characters (CloudWatch refuses a
longer one): a regex that would not fit is not sent, and exclusion terms are sent in order while
they fit (a coverage pass can name a hundred texts); the service leaves out the rest.

Logs Insights has a full regex engine (``like /.../``), so the count queries filter there with the
exact filter itself (`insights_filters`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import string
from collections.abc import Callable
from dataclasses import dataclass

from log_analyzer.logs.localized_levels import LOCALIZED_LEVELS
from log_analyzer.logs.regex import compile_re2
from log_analyzer.sources.base import SEVERE_PATTERN, LineFilter

_WRITTEN_FOR = "82ca84d6f5367330e83afc16b8fdece6ae31b9d4df9908b98be7758387e0347e"
"""SHA-256 of the `SEVERE_PATTERN` this module's narrowing was written for (see `severe_regex`):
whoever changes the pattern re-checks the narrowing against it, then this digest."""
_SEVERE_JSON = (
    # "level\\{0,3}" ?: ?[4-9]\d[,} ]: the quotes, backslashes and spaces around the colon as
    # any one to five characters
    "[Ll][Ee][Vv][Ee][Ll].{1,5}:.{0,1}[4-9][0-9]",
    # "s\\{0,3}" ?: ?\\{0,3}"[EFW]
    "[Ss].{1,5}:.{1,5}[EFWefw]",
)
"""The JSON levels of `SEVERE_PATTERN` widened to what a filter-pattern regex can hold (no
quotes, no spaces: CloudWatch's regex takes neither)."""


def _cases(word: str) -> str:
    """``word`` in either case, letter by letter (``[Ee][Rr][Rr]``): no flags in CloudWatch.

    A space stands for any character, other punctuation for itself.
    """
    return "".join(f"[{c.upper()}{c}]" if c.isalpha() else "." if c == " " else c for c in word)


_SEVERE_WORDS = (
    # The level words, each by a part in either case: error and eror hold "ror", exception
    # "cept", emerg "merg", and alert\] "rt]"; "fata" and "pani" hold Go's abbreviations too
    *(_cases(part) for part in ("ror", "warn", "fail", "cept", "pani", "fata", "crit", "merg")),
    f"{_cases('rt')}\\]",
    # The words of a crash or a failed call (first letters in either case), each by a part
    # written as the pattern writes it; a space stands for any character (no spaces in
    # CloudWatch's regex)
    "[Uu]n[ch]a", "[Ss]egmentation", "core.dump", "SIG[SABIK][EBUIL]", "[Kk]ill", "of.memory",
    "ate.called", "[Ee]xit", "BackOff", "ErrImage", "imed.out", "ne.exceeded",
    "o.timeout", "onnection.re[fs]", "space.left", "many.open", "on.denied", "ad-only",
    "te.memory", "to.host", "unreachable", "x509:",
    # An exception's name opening the line, at its start, after a runtime's ``stderr F`` or
    # after a shipper's ``"log":"`` (3 to 11 characters after ``log``): a dotted module or a
    # word, and a capital after lowercase letters (``elastic_transport.ConnectionTimeout``,
    # ``KeyboardInterrupt``)
    *(
        f"{before}[A-Za-z_][a-z0-9_.]+[A-Z]"
        for before in ("^", "[RrTt].[FPfp].", f"{_cases('log')}.{{3,11}}")
    ),
)  # fmt: skip
"""What `SEVERE_PATTERN` matches anywhere in the line (besides the prefixes below), widened to
what a filter-pattern regex can hold."""


_SYSLOG_SEVERE = (
    "[0-489]", "[159][0-26-9]", "[26][04-8]", "[37][2-6]", "[48][0-489]",
    "1[048][04-8]", "1[15][2-6]", "1[26][0-489]", "1[37][0-26-9]",
)  # fmt: skip
"""The syslog priorities of `SEVERE_PATTERN` (severity 0 to 4), one branch each: a
filter-pattern regex has no groups to hold them under one ``^<...>``."""
_SEVERE_PREFIXES = (
    # ^\d+:[XCSM] ... # : Redis's warning; its spaces as any characters
    "^[0-9]+:[XCSMxcsm].+#",
    # ^\d+:signal-handler \(\d+\)  and  ^\[\d+\] ... # : Redis's signal handler, Redis 2.8's
    f"^[0-9]+:{_cases('sig')}",
    "^\\[[0-9]+\\].+#",
    # ^\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d) [EWF] : MongoDB's text log
    "^[0-9-]{10}[Tt][0-9:.+Zz-]+.[EWFewf].",
    # ^<...>: no < or > in a filter-pattern regex either, so any character stands in
    *(f"^.{priority}." for priority in _SYSLOG_SEVERE),
    # ^\[[EWC] \d and [\dCZ\]] \[[EWFC]\] : a level's initial in brackets
    "^\\[[EWCewc].[0-9]",
    "\\[[EWFCewfc]\\]",
    # ^(?:ERRO|FATA|PANI)\[\d+\]  and  ^\d[...] (?:ERRO|FATA|PANI|ERR|WRN|FTL|PNC) : Go's
    # console loggers (FATA and PANI are among the words above); whatever stands between the
    # leading digit and the level as ".*"
    f"^{_cases('erro')}\\[",
    *(f"^[0-9].*{_cases(word)}" for word in ("err", "wrn", "ftl", "pnc")),
    # The same prefixes inside a wrapper. Each holds a digit within its first six characters
    # (``E0314``, ``<3>``, Docker's ``\u003c3``, ``[E 2603``, ``ERRO[0005]``, a time), and
    # a filter-pattern regex has neither groups nor ``<``: so a digit that near the wrapper's
    # end stands in for them all. In a shipper's record the line starts 3 to 11 characters
    # after ``log`` (``":"``, or with spaces and up to three backslashes before each quote
    # when records nest); after a runtime's prefix, 2 after the end of ``stderr F``.
    f"{_cases('log')}.{{3,16}}[0-9]",
    "[RrTt].[FPfp].{1,6}[0-9]",
)
"""The plain prefixes of `SEVERE_PATTERN` widened the same way. The syslog branches also pass
a line that opens with an IPv4 address (``10.0.0.7 - - ...``), and the wrapped branches every
wrapped line whose own line opens with a time or a number: a narrowing, the service decides."""
_SEVERE_LOCALIZED = "[A-Z]{3}:"
"""The localized level words of `SEVERE_PATTERN` (``FEHLER:``, ``ERREUR:``), by their last three
capitals and the colon: it passes other capitalised words before a colon too (``LOG:``,
``INFO:``), a narrowing. A word in another script, or ending in a letter beyond ASCII
(``ОШИБКА:``, ``错误:``, ``BŁĄD:``), it cannot hold: CloudWatch's regex takes ASCII only."""
_REGEX_CHARS = frozenset(string.ascii_letters + string.digits + ":_#=@/;,-" + "^$?[]{}|*+.")
"""What a CloudWatch filter-pattern regex may hold (besides escapes), per its documentation."""
_ESCAPABLE = frozenset(":_#=@/;,-^$?[]{}|*+.")
_REPEAT = re.compile(r"\{\d+(,\d*)?\}")
_SAFE_TERM = re.compile(r"[A-Za-z0-9_.:/@=-]+\Z")
FILTER_PATTERN_MAX_CHARS = 1024
"""FilterLogEvents' longest ``filterPattern`` (its API model's ``FilterPattern`` shape)."""


@dataclass(frozen=True, slots=True)
class LinePlan:
    """How one line filter is applied: what CloudWatch narrows, what the service decides."""

    pattern: str | None
    """The ``filterPattern`` sent with FilterLogEvents, or None to fetch every event."""
    keep: Callable[[str], bool] | None
    """The exact line filter, run in the service; None when every line counts."""
    service: str
    """What `keep` checks, in words for the query text ("" when nothing)."""
    unsent: tuple[str, ...] = ()
    """Words `keep` would keep that `pattern` cannot pass (CloudWatch never sends their lines)."""


def plan(line_filter: LineFilter, *, narrow: bool = True) -> LinePlan:
    """The plan for ``line_filter``; with ``narrow`` false nothing is sent to CloudWatch."""
    pattern = filter_pattern(line_filter) if narrow else None
    severe = severe_regex()
    narrowed = line_filter.severe and severe is not None and pattern == f"%{severe}%"
    return LinePlan(
        pattern,
        line_test(line_filter),
        service_text(line_filter),
        severe_unsent() if narrowed else (),
    )


def filter_pattern(line_filter: LineFilter) -> str | None:
    """A FilterLogEvents pattern that passes every line ``line_filter`` keeps, or None."""
    for regex in (
        pattern_regex(line_filter.pattern) if line_filter.pattern else None,
        severe_regex() if line_filter.severe else None,
    ):
        if regex is not None and len(regex) + 2 <= FILTER_PATTERN_MAX_CHARS:
            return f"%{regex}%"
    terms: list[str] = []
    length = -1  # no space before the first term
    for text in line_filter.exclude:
        term = f'-"{text}"'
        if _SAFE_TERM.match(text) and length + 1 + len(term) <= FILTER_PATTERN_MAX_CHARS:
            terms.append(term)
            length += 1 + len(term)
    return " ".join(terms) or None


def severe_regex() -> str | None:
    """`SEVERE_PATTERN` as a CloudWatch regex that matches at least what it matches.

    CloudWatch has no case-insensitive flag, so each letter becomes a class of both cases; the
    klog prefix loses its trailing space (no space is allowed), the JSON levels and the plain
    prefixes their quotes, spaces, ``<`` and ``>`` (any character stands in for them) and
    their groups (each alternative a branch of its own), which only widens them. None if
    `SEVERE_PATTERN` changed since this was written: then nothing is sent, never a wrong regex.
    """
    if hashlib.sha256(SEVERE_PATTERN.encode()).hexdigest() != _WRITTEN_FOR:
        return None
    return "|".join(
        [*_SEVERE_WORDS, "^[EWFewf][0-9]{4}", *_SEVERE_JSON, *_SEVERE_PREFIXES, _SEVERE_LOCALIZED]
    )


def severe_unsent() -> tuple[str, ...]:
    """The localized level words `SEVERE_PATTERN` fetches that `severe_regex` cannot pass.

    CloudWatch's regex takes no character beyond ASCII, so a line whose only sign of trouble
    is such a word (``ОШИБКА:  ...``) is never sent by CloudWatch when the pattern narrows; the
    query text names them (`LinePlan.unsent`) rather than leaving them out silently.
    """
    regex = severe_regex()
    return () if regex is None else _unsent(SEVERE_PATTERN, regex)


@functools.cache
def _unsent(exact_pattern: str, narrowing_pattern: str) -> tuple[str, ...]:
    """`severe_unsent` for these two patterns: both are constants, so each is compiled once."""
    narrowing, exact = compile_re2(narrowing_pattern).search, compile_re2(exact_pattern).search
    return tuple(
        word for word in LOCALIZED_LEVELS if exact(f"{word}:  x") and not narrowing(f"{word}:  x")
    )


def pattern_regex(pattern: str) -> str | None:
    r"""``pattern`` (RE2) unchanged when CloudWatch's regex reads it the same way, else None.

    Only the syntax CloudWatch documents and RE2 reads alike passes: no groups or flags (no
    parentheses at all), no negated classes, braces only as counted repeats, and of the
    escapes only ``\d`` and escaped punctuation. ASCII only (CloudWatch takes no multibyte
    characters in a regex).
    """
    if not pattern.isascii() or "[^" in pattern:
        return None
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            following = pattern[i + 1 : i + 2]
            if following != "d" and following not in _ESCAPABLE:
                return None
            i += 2
            continue
        if char == "{":
            repeat = _REPEAT.match(pattern, i)
            if repeat is None:
                return None
            i = repeat.end()
            continue
        if char not in _REGEX_CHARS or char == "}":
            return None
        i += 1
    return pattern


def line_test(line_filter: LineFilter) -> Callable[[str], bool] | None:
    """The exact line filter as a test of one line (RE2 searches, literal exclusions)."""
    searches = []
    if line_filter.severe:
        searches.append(compile_re2(SEVERE_PATTERN).search)
    if line_filter.pattern:
        searches.append(compile_re2(line_filter.pattern).search)
    excluded = line_filter.exclude
    if not searches and not excluded:
        return None

    def keep(line: str) -> bool:
        return all(search(line) for search in searches) and not any(
            text in line for text in excluded
        )

    return keep


def service_text(line_filter: LineFilter) -> str:
    """The exact filter in words: ``RE2 <pattern>``, ``without "<text>"``."""
    parts = []
    if line_filter.severe:
        parts.append(f"RE2 {SEVERE_PATTERN}")
    if line_filter.pattern:
        parts.append(f"RE2 {line_filter.pattern}")
    parts.extend(f"without {json.dumps(text)}" for text in line_filter.exclude)
    return ", ".join(parts)


def insights_filters(line_filter: LineFilter) -> list[str]:
    """The Logs Insights ``filter`` commands of ``line_filter`` (exact, not a narrowing)."""
    commands = []
    if line_filter.severe:
        commands.append(f"filter @message like {insights_regex(SEVERE_PATTERN)}")
    if line_filter.pattern:
        commands.append(f"filter @message like {insights_regex(line_filter.pattern)}")
    commands.extend(
        f"filter @message not like {insights_regex(regex_literal(text))}"
        for text in line_filter.exclude
    )
    return commands


def insights_regex(pattern: str) -> str:
    r"""``pattern`` as a Logs Insights regex literal ``/.../`` that reads back as ``pattern``.

    A slash ends the literal, so an unescaped one is escaped; a line break would end the
    query's line, so it becomes ``\n`` (RE2 and Insights read both escapes the same way).
    """
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append("\\" + _CONTROL_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(_LITERAL_ESCAPES.get(char, char))
        i += 1
    return "/" + "".join(out) + "/"


_CONTROL_ESCAPES = {"\n": "n", "\r": "r", "\t": "t"}
_LITERAL_ESCAPES = {"/": "\\/", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def regex_literal(text: str) -> str:
    r"""A regex matching ``text`` literally: ASCII punctuation escaped, controls as ``\xHH``."""
    out = []
    for char in text:
        if char in string.punctuation:
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return "".join(out)
