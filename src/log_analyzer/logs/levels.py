"""Levels: the severity a log line states, in whichever way its logging library writes it.

A structured line names it in a field (``level``, ``severity``, bunyan's numbers, MongoDB's
``s``); a plain line in the prefix its library writes before the message (a timestamp and a
level word, a klog header, Celery's bracket, a letter or a sign such as MongoDB's ``E``, Redis's
``#`` or a syslog priority ``<3>``), or else as a level word standing alone in its first 200
characters. A line that opens a Python traceback (``Traceback (most recent call last):``) is an
error: the interpreter writes one for an exception nothing caught, with no level of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from typing import Any

from log_analyzer.logs.localized_levels import LOCALIZED_LEVELS


class Level(Enum):
    """Severity, most severe first; `rank` orders evidence."""

    FATAL = "fatal"
    ERROR = "error"
    WARN = "warn"
    INFO = "info"
    DEBUG = "debug"
    UNKNOWN = "unknown"

    rank: int
    """0 for the most severe level (the order of definition above)."""

    def __init__(self, value: str) -> None:
        self.rank = len(type(self)._member_names_)

    # Members are singletons compared by identity; Enum's own hash is Python code (it hashes the
    # name), and levels are dictionary keys once per distinct message.
    __hash__ = object.__hash__


# Besides the words, the abbreviations of Go's console loggers: logrus' and charmbracelet/log's
# four letters (ERRO, FATA, PANI, DEBU) and zerolog's three (ERR, WRN, FTL, PNC, INF, DBG, TRC).
_LEVEL_WORDS: dict[str, Level] = {
    **dict.fromkeys(
        ("fatal", "panic", "crit", "critical", "emerg", "emergency", "alert"), Level.FATAL
    ),
    **dict.fromkeys(("fata", "pani", "ftl", "pnc"), Level.FATAL),
    **dict.fromkeys(("error", "err", "eror", "erro", "severe", "fail"), Level.ERROR),  # fail: .NET
    **dict.fromkeys(("warn", "warning", "wrn"), Level.WARN),
    **dict.fromkeys(("info", "information", "notice", "informational", "inf"), Level.INFO),
    **dict.fromkeys(
        ("debug", "dbug", "debu", "dbg", "trace", "trce", "trc", "verbose"), Level.DEBUG
    ),
    **{word.lower(): Level(level) for word, level in LOCALIZED_LEVELS.items()},
}
LEVEL_KEYS = (
    "level",
    "lvl",
    "severity",
    "log.level",
    "levelname",
    "loglevel",
    "@l",
    "Level",  # Serilog's JSON formatter
    "LogLevel",  # .NET's JSON console formatter
)

# A level word stands alone: not a part of a path, a file name or a hyphenated name
# (``celery/app/trace.py``, ``X-Trace-Id``, ``non-fatal``); Monolog's ``app.ERROR:`` is one.
_PLAIN_LEVEL = re.compile(
    r"(?<![/\\-])\b(FATAL|PANIC|CRIT(?:ICAL)?|EMERG|ERROR|ERR|SEVERE|WARN(?:ING)?|INFO|NOTICE"
    r"|DEBUG|TRACE)\b(?![/\\.-]\w)"
    r"|^([EWIF])\d{4} ",  # klog: E1123 14:02:03.123456 ...
)  # matched against upper-cased text
_KLOG = {"E": Level.ERROR, "W": Level.WARN, "I": Level.INFO, "F": Level.FATAL}
# MongoDB's severities: F, E, W, I, and D1 to D5 for its debug verbosities.
_MONGODB = {**_KLOG, "D": Level.DEBUG}
# A level's first letter, as klog, MongoDB, spdlog's short names (T, D, I, W, E, C) and
# Python's ``%(levelname)1.1s`` (Tornado, Jupyter) write it; no two of them disagree.
_INITIALS = {**_MONGODB, "T": Level.DEBUG, "C": Level.FATAL}
# PostgreSQL's LOG is informational (its server log's routine messages).
_PREFIX_WORDS = {**_LEVEL_WORDS, "log": Level.INFO}
# Redis and Valkey: debug ".", verbose "-", notice "*", warning "#" (it has no error level).
_REDIS = {".": Level.DEBUG, "-": Level.DEBUG, "*": Level.INFO, "#": Level.WARN}
# Syslog severities 0 to 7: emerg, alert, crit, err, warning, notice, info, debug.
_SYSLOG = (Level.FATAL,) * 3 + (Level.ERROR, Level.WARN, Level.INFO, Level.INFO, Level.DEBUG)
_TRACEBACK = "Traceback (most recent call last):"
_LEVEL_HINTS = (
    "FATAL", "PANIC", "CRIT", "EMERG", "ERR", "SEVERE", "WARN", "INFO", "NOTICE", "DEBUG", "TRACE"
)  # fmt: skip


def level_from_fields(fields: Mapping[str, Any]) -> Level | None:
    """The level a structured line's fields name, or None."""
    for key in LEVEL_KEYS:
        level = level_word(fields.get(key))
        if level is not None:
            return level
    if "ctx" in fields and "c" in fields:  # MongoDB's own log: {"t":..,"s":"E","c":..,"ctx":..}
        severity = fields.get("s")
        if isinstance(severity, str) and severity[:1] in _MONGODB:
            return _MONGODB[severity[:1]]
    return None


def level_word(value: Any) -> Level | None:
    """The level a field's value or a label names (a word, or bunyan's and pino's numbers)."""
    if isinstance(value, str):
        return _LEVEL_WORDS.get(value.strip().lower())
    if isinstance(value, int) and not isinstance(value, bool):  # bunyan/pino numeric levels
        return (
            Level.FATAL
            if value >= 60
            else Level.ERROR
            if value >= 50
            else Level.WARN
            if value >= 40
            else Level.INFO
            if value >= 30
            else Level.DEBUG
        )
    return None


_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_STAMP = (
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:[.,]\d{1,9})?(?:Z| ?[+-]\d{2}:?\d{2}| ?UTC)?"
    r"|\d{4}/\d{2}/\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"
    rf"|(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? )?(?:{_MONTHS}) +\d{{1,2}},? \d{{2}}:\d{{2}}:\d{{2}}"
    r"(?:\.\d+)?(?: \d{4})?"
    r"|\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"
    r"|\d{1,2}:\d{2}[AP]M"  # Go's time.Kitchen, zerolog's console default
)
# The localized words, as their programs write them: a prefix followed by a colon.
_LOCAL_WORD = "|".join(map(re.escape, sorted(LOCALIZED_LEVELS, key=len, reverse=True)))
_LEVEL_WORD = (
    r"FATAL|PANIC|CRITICAL|CRIT|EMERG|ALERT|ERROR|ERR|SEVERE|FAIL|WARNING|WARN|INFO|NOTICE|DEBUG"
    r"|TRACE|DBUG|TRCE"  # .NET's console logger: trce, dbug, info, warn, fail, crit
)
# Go's console loggers' abbreviations (`_LEVEL_WORDS`), only as a prefix in capitals: logrus
# writes ``ERRO[0005] ...`` on a terminal, charmbracelet/log ``2026/03/14 09:41:12 ERRO ...``,
# zerolog's console writer ``9:41AM WRN ...`` or ``2026-03-14T09:41:12Z WRN ...``.
_SHORT_LEVEL = r"ERRO|FATA|PANI|DEBU|WRN|FTL|PNC|INF|DBG|TRC"
# PostgreSQL's ``%m``/``%t`` name the zone of ``log_timezone`` by its abbreviation (``CET``)
# or, lacking one, by its offset in hours (``+03``); read as a zone only where PostgreSQL's
# prefix goes on (a process id, a user, a severity), never as a level word after a time.
_PG_ZONE = (
    rf"(?: (?:(?!(?:{_LEVEL_WORD}|{_SHORT_LEVEL})\b)[A-Z]{{2,5}}|[+-]\d{{2}})"
    rf"(?=[ \t]+(?:\[\d+\]|\S*@|(?:[A-Z]+|{_LOCAL_WORD}):  )))?"
)
# PostgreSQL's ``%u@%d`` (``%q%u@%d`` in Debian's default), ``[unknown]`` when not known yet.
_PG_NAME = r"(?:\[unknown\]|[^\s@\[\]]{1,63})?"
_PG_USER = rf"(?:{_PG_NAME}@{_PG_NAME}[ \t]+)?"
# What a logging library writes before the message of a plain line: a timestamp (and a
# process id in brackets, as PostgreSQL's and gunicorn's defaults write it) and a level (at
# least the level, or a klog header), then a process id, threads or a component in brackets,
# and a dotted logger name. The message is what follows. A level written as one letter, in
# brackets (spdlog's ``[E]``) or padded and followed by a component (MongoDB's text log before
# 4.4, ``E  NETWORK  [conn12]``), counts only after a timestamp (the look-behinds fail at the
# start of the line): alone it would too easily be a word. The timestamp is read once (an
# atomic group): no shorter reading of it is followed by a level, and retrying each would cost
# every line that has none. PostgreSQL writes its severity and two spaces: ``LOG:  ...``.
_PREFIX = re.compile(
    "".join(
        (
            rf"(?>\[?(?:{_STAMP}){_PG_ZONE}\]?[ \t]+(?:\[\d+\][ \t]+)?{_PG_USER})?",
            r"(?:(?P<klog>[EWIF])\d{4} \d{2}:\d{2}:\d{2}\.\d+ +\d+ [\w./-]+:\d+\] ",
            rf"|(?:\[(?P<bracketed>(?i:{_LEVEL_WORD}))\]",
            # The abbreviations with logrus' seconds, or after a timestamp (not "INF loop").
            rf"|(?P<level>(?:{_SHORT_LEVEL})(?=\[\d+\] )|(?<=[ \t])(?:{_SHORT_LEVEL})(?= )"
            rf"|{_LEVEL_WORD}|(?i:{_LEVEL_WORD})(?=:)|LOG(?=:  )|(?:{_LOCAL_WORD})(?=[:\uff1a]))"
            r"(?:\[\d+\])?",
            r"|(?<=[ \t])(?:\[(?P<letter>[TDIWEFC])\]",
            r"|(?P<mongodb>[FEWID])(?:\d| ) ?(?:[A-Z][A-Z0-9_]*|-)? *(?= \[)))",
            "(?:[:\uff1a]" r"(?:(?P<pylogger>[\w.$-]+):)?[ \t]*| +-[ \t]+|[ \t]+))",
            r"(?:\d+ --- |\d+#\d+: (?:\*\d+ )?)?",
            r"(?:\[[^\]\n]{1,80}\][ \t]*){0,3}",
            # A dotted logger name, unless Python's ``LEVEL:logger:`` named it already: what
            # follows that is the message (``psycopg2.errors.UndefinedColumn: column ...``).
            r"(?(pylogger)|(?:[\w$-]+(?:\.[\w$-]+)+ *(?::| -) +)?)",
        )
    )
)
_LEVEL_GROUPS = ("klog", "bracketed", "level", "letter", "mongodb")
_STAMP_ONLY = re.compile(rf"\[?(?:{_STAMP})\]?[ \t]+(?=\S)")
# A prefix in one bracket: Celery's worker prefix, time and level with the process' name
# (``[2026-03-14 09:41:12,345: ERROR/ForkPoolWorker-3] Task orders.sync[1f2e] raised ...``),
# or a level's initial, date and time and a logger, as Tornado (``[E 260314 09:41:12
# web:2250] 500 GET /``) and Jupyter (``[E 2026-03-14 09:41:12.345 JupyterHub app:3500]``) write.
_BRACKETED = re.compile(
    rf"\[(?:(?:{_STAMP}): (?P<level>{_LEVEL_WORD})/[^\]\n]{{1,80}}"
    r"|(?P<initial>[DIWEC]) (?:\d{6}|\d{4}-\d{2}-\d{2}) \d{2}:\d{2}:\d{2}[^\]\n]{0,80})"
    r"\][ \t]+(?=\S)"
)
# What else a line may open with: a timestamp alone; a syslog priority (facility * 8 +
# severity, 0 to 191, no leading zero) as systemd's ``SD_ERR`` ("<3>") or the kernel's log
# writes it, followed by the kernel's time since boot or an RFC 5424 header's version; Redis's
# and Valkey's ``pid:role`` (X sentinel, C child, S replica, M primary), the time in one of
# Valkey's log-timestamp-format choices (legacy, iso8601, milliseconds) and the level's sign,
# or ``pid:signal-handler (<epoch seconds>)``, or Redis 2.8's and older ``[pid] <time> <sign>``.
# One regex, so that a line which opens with none of them is rejected at its first character.
_LEAD = re.compile(
    "".join(
        (
            rf"\[?(?:{_STAMP})\]?[ \t]+(?=\S)",
            r"|<(?P<syslog>0|[1-9]\d{0,2})>(?:\[ *\d+\.\d+\]|1(?= \d{4}-\d{2}-\d{2}T))?[ \t]*",
            rf"|\d++:(?:[XCSM] (?:\d{{2}} (?:{_MONTHS}) (?:\d{{4}} )?"
            r"\d{2}:\d{2}:\d{2}\.\d{3}",
            r"|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}|\d+) (?P<redis>[.*#-]) ",
            r"|(?P<signal>signal-handler) \(\d+\) )",
            rf"|\[\d+\] \d{{2}} (?:{_MONTHS}) \d{{2}}:\d{{2}}:\d{{2}}\.\d{{3}} (?P<redis2>[.*#-]) ",
        )
    )
)


def plain_prefix(head: str) -> tuple[int, Level | None]:
    """How many leading characters of a plain line are its logging prefix, and its level.

    ``2026-03-14T09:41:12Z ERROR [cart] failed to reserve stock`` has the message ``failed to
    reserve stock`` and the level error, as the same event logged as JSON by another pod would.
    A line that opens with neither a timestamp nor a level keeps its text; one that opens with
    a timestamp alone loses only that. The level, when the prefix names none, is looked for in
    the text as before.
    """
    if head[:1] == "[":
        match = _BRACKETED.match(head)
        if match is not None:
            word = match.group("level")
            if word:
                return match.end(), _LEVEL_WORDS[word.lower()]
            return match.end(), _INITIALS[match.group("initial")]
    match = _PREFIX.match(head)
    if match is not None and match.end() < len(head.rstrip()):
        groups = match.groupdict()
        # The one level group that matched (the stamps hold none; ``pylogger`` is no level).
        name = next((group for group in _LEVEL_GROUPS if groups[group] is not None), None)
        found = groups[name] if name else ""
        if name in ("klog", "letter", "mongodb"):
            return match.end(), _INITIALS[found]
        return match.end(), _PREFIX_WORDS.get(found.lower()) if found else None
    match = _LEAD.match(head)
    if match is None:
        return 0, _plain_level(head)
    name = match.lastgroup
    if name is None:  # a timestamp alone
        return match.end(), _plain_level(head)
    if name in ("redis", "redis2", "signal"):
        if match.end() < len(head.rstrip()):
            # Redis writes from a signal handler at its warning level only, without the sign.
            return match.end(), Level.WARN if name == "signal" else _REDIS[match.group(name)]
    elif (priority := int(match.group(name))) < 192:
        stamp = _STAMP_ONLY.match(head, match.end())
        cut = (stamp or match).end()
        return (cut if cut < len(head.rstrip()) else 0), _SYSLOG[priority & 7]
    return 0, _plain_level(head)


def _plain_level(text: str) -> Level | None:
    if text.startswith(_TRACEBACK):  # Python's report of an exception nothing caught
        return Level.ERROR
    # Searching the level regex over every line is slow; most lines hold none of the words, and
    # no match can start before the first of these prefixes, found with cheap substring scans.
    head = text[:200].upper()
    match = _PLAIN_LEVEL.match(head) if head[:1] in _KLOG else None
    if match is None:
        found = [
            position for hint in _LEVEL_HINTS if hint in head and (position := head.find(hint)) >= 0
        ]
        if found:
            match = _PLAIN_LEVEL.search(head, min(found))
    if match is None:
        return _localized_level(text[:200])
    if match.group(2):
        return _KLOG[match.group(2).upper()]
    return _LEVEL_WORDS.get(match.group(1).lower())


# What ends every localized word before its colon: a capital or a letter beyond ASCII.
_LOCAL_HINT = re.compile("[^\x00-\x40\x5b-\x7f][:\uff1a]")


def _localized_level(head: str) -> Level | None:
    """The level of the first localized word that stands before a colon (`LOCALIZED_LEVELS`).

    The word is the run of letters before a colon (or a full-width colon), so a word inside a
    longer one is none. A scan of the colons: most lines hold only a time's.
    """
    if _LOCAL_HINT.search(head) is None:
        return None
    for colon in (":", "\uff1a"):
        at = head.find(colon)
        while at > 0:
            start = at
            while start > 0 and head[start - 1].isalnum():
                start -= 1
            level = LOCALIZED_LEVELS.get(head[start:at])
            if level is not None:
                return Level(level)
            at = head.find(colon, at + 1)
    return None
