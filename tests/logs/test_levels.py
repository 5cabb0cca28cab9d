"""The logging prefix of a plain line: how much of the line it is, and the level it names."""

from __future__ import annotations

import pytest

from log_analyzer.logs.levels import Level, plain_prefix


def message_and_level(line: str) -> tuple[str, Level | None]:
    cut, level = plain_prefix(line[:200])
    return line[cut:], level


@pytest.mark.parametrize(
    ("line", "message", "level"),
    [
        # Go's console loggers: logrus on a terminal, charmbracelet/log, zerolog's console writer
        pytest.param(
            "ERRO[0005] failed to pull image registry.example.com/api:1.2",
            "failed to pull image registry.example.com/api:1.2",
            Level.ERROR,
            id="logrus-terminal-error",
        ),
        pytest.param("WARN[0003] retrying in 2s", "retrying in 2s", Level.WARN, id="logrus-warn"),
        pytest.param("FATA[0001] cannot bind :8080", "cannot bind :8080", Level.FATAL, id="logrus"),
        pytest.param("INFO[0000] starting", "starting", Level.INFO, id="logrus-info"),
        pytest.param("DEBU[0000] config loaded", "config loaded", Level.DEBUG, id="logrus-debug"),
        pytest.param(
            "2026/03/14 09:41:12 ERRO connection lost err=EOF",
            "connection lost err=EOF",
            Level.ERROR,
            id="charm-log",
        ),
        pytest.param(
            "9:41AM WRN slow upstream latency=3s",
            "slow upstream latency=3s",
            Level.WARN,
            id="zerolog-kitchen-time",
        ),
        pytest.param(
            "2026-03-14T09:41:12Z FTL cannot start", "cannot start", Level.FATAL, id="zerolog"
        ),
        pytest.param("2026-03-14T09:41:12Z PNC boom", "boom", Level.FATAL, id="zerolog-panic"),
        pytest.param("9:41AM INF started", "started", Level.INFO, id="zerolog-info"),
        pytest.param("9:41AM DBG tick", "tick", Level.DEBUG, id="zerolog-debug"),
        # Without a time an abbreviation is a word of the message
        pytest.param("INF loop detected", "INF loop detected", None, id="abbreviation-alone"),
        # Redis and Valkey: pid:role, the time, then . - * # for debug, verbose, notice, warning
        pytest.param(
            "1:M 04 Dec 2026 14:02:03.123 # Connection with replica 10.0.0.7:6379 lost.",
            "Connection with replica 10.0.0.7:6379 lost.",
            Level.WARN,
            id="redis-warning",
        ),
        pytest.param(
            "1:M 04 Dec 2026 14:02:03.123 * Ready to accept connections tcp",
            "Ready to accept connections tcp",
            Level.INFO,
            id="redis-notice",
        ),
        pytest.param(
            "1:S 04 Dec 2026 14:02:03.123 - Accepted 10.0.0.1:50412",
            "Accepted 10.0.0.1:50412",
            Level.DEBUG,
            id="redis-verbose",
        ),
        pytest.param(
            "1:M 04 Dec 2026 14:02:03.123 . Client closed connection id=7",
            "Client closed connection id=7",
            Level.DEBUG,
            id="redis-debug",
        ),
        pytest.param(
            "1:X 04 Dec 2026 14:02:03.123 # +sdown master mymaster 10.0.0.7 6379",
            "+sdown master mymaster 10.0.0.7 6379",
            Level.WARN,
            id="redis-sentinel",
        ),
        pytest.param(
            "57:C 04 Dec 2026 14:02:03.123 * DB saved on disk",
            "DB saved on disk",
            Level.INFO,
            id="redis-child",
        ),
        pytest.param(
            "1:M 04 Dec 14:02:03.123 # Redis 3 wrote no year",
            "Redis 3 wrote no year",
            Level.WARN,
            id="redis-3-no-year",
        ),
        pytest.param(
            "1:M 2026-12-04T14:02:03.123+01:00 # Valkey's iso8601 time",
            "Valkey's iso8601 time",
            Level.WARN,
            id="valkey-iso8601",
        ),
        pytest.param(
            "1:M 1796392923123 * Valkey's milliseconds",
            "Valkey's milliseconds",
            Level.INFO,
            id="valkey-milliseconds",
        ),
        pytest.param("1:M # not Redis without a time", None, None, id="redis-needs-its-time"),
        # Redis's lines from a signal handler (written at its warning level, with no sign)
        pytest.param(
            "7:signal-handler (1796392923) Received SIGTERM scheduling shutdown...",
            "Received SIGTERM scheduling shutdown...",
            Level.WARN,
            id="redis-signal-handler",
        ),
        # Redis 2.8 and older: [pid] then the time without a year
        pytest.param(
            "[1234] 14 Mar 09:30:05.123 # Server started, Redis version 2.8.19",
            "Server started, Redis version 2.8.19",
            Level.WARN,
            id="redis-2.8-warning",
        ),
        pytest.param(
            "[1234] 14 Mar 09:30:05.123 * The server is now ready",
            "The server is now ready",
            Level.INFO,
            id="redis-2.8-notice",
        ),
        pytest.param(
            "[1234] 14 Mar 09:30:05.123 - Accepted 10.0.0.1:50412",
            "Accepted 10.0.0.1:50412",
            Level.DEBUG,
            id="redis-2.8-verbose",
        ),
        pytest.param("[1234] # not Redis without a time", None, None, id="redis-2.8-needs-time"),
        pytest.param("10:30 # standup notes", None, None, id="clock-and-heading"),
        # MongoDB's text log (before 4.4): the time, a severity letter, a component, a context
        pytest.param(
            "2026-12-04T14:02:03.123+0000 E  NETWORK  [conn12] recv(): message len 0 is invalid",
            "recv(): message len 0 is invalid",
            Level.ERROR,
            id="mongodb-error",
        ),
        pytest.param(
            "2026-12-04T14:02:03.123+0000 W  STORAGE  [initandlisten] Detected unclean shutdown",
            "Detected unclean shutdown",
            Level.WARN,
            id="mongodb-warning",
        ),
        pytest.param(
            "2026-12-04T14:02:03.123+0000 I  NETWORK  [listener] connection accepted",
            "connection accepted",
            Level.INFO,
            id="mongodb-info",
        ),
        pytest.param(
            "2026-12-04T14:02:03.123+0000 F  -        [main] Got signal: 6 (Aborted).",
            "Got signal: 6 (Aborted).",
            Level.FATAL,
            id="mongodb-fatal-default-component",
        ),
        pytest.param(
            "2026-12-04T14:02:03.123Z D1 REPL_HB  [replexec-3] Sending heartbeat",
            "Sending heartbeat",
            Level.DEBUG,
            id="mongodb-debug-utc",
        ),
        pytest.param(
            "2019-03-12T14:52:03.123-0500 E QUERY    [conn4] assertion 13 not authorized",
            "assertion 13 not authorized",
            Level.ERROR,
            id="mongodb-3-one-space",
        ),
        pytest.param(
            "2015-03-01T10:00:00.000+0000 I          [initandlisten] db version v3.0.0",
            "db version v3.0.0",
            Level.INFO,
            id="mongodb-3.0-blank-component",
        ),
        pytest.param(
            "E  NETWORK  [conn12] no time, no MongoDB prefix", None, None, id="mongodb-needs-time"
        ),
        pytest.param("2026-12-04T14:02:03Z I am done [ok]", "I am done [ok]", None, id="a-word-i"),
        # a syslog priority: <N>, N = facility * 8 + severity
        pytest.param("<3>disk quota exceeded", "disk quota exceeded", Level.ERROR, id="syslog-3"),
        pytest.param("<4>low on memory", "low on memory", Level.WARN, id="syslog-4"),
        pytest.param("<0>kernel panic", "kernel panic", Level.FATAL, id="syslog-0"),
        pytest.param("<2>raid degraded", "raid degraded", Level.FATAL, id="syslog-2"),
        pytest.param("<5>link up", "link up", Level.INFO, id="syslog-5"),
        pytest.param("<6>started", "started", Level.INFO, id="syslog-6"),
        pytest.param("<7>poll", "poll", Level.DEBUG, id="syslog-7"),
        pytest.param("<11>daemon: refused", "daemon: refused", Level.ERROR, id="syslog-pri-11"),
        pytest.param("<14>daemon: ready", "daemon: ready", Level.INFO, id="syslog-pri-14"),
        pytest.param("<188>local7: gone", "local7: gone", Level.WARN, id="syslog-pri-188"),
        pytest.param(
            "<3>[  12.345678] usb 1-1: device descriptor read/64, error -71",
            "usb 1-1: device descriptor read/64, error -71",
            Level.ERROR,
            id="kernel-with-time",
        ),
        pytest.param(
            "<34>Oct 11 22:14:15 mymachine su: 'su root' denied for lonvick",
            "mymachine su: 'su root' denied for lonvick",
            Level.FATAL,
            id="rfc3164",
        ),
        pytest.param(
            "<165>1 2026-12-04T14:02:03.003Z host app - ID47 - an application event",
            "host app - ID47 - an application event",
            Level.INFO,
            id="rfc5424",
        ),
        pytest.param("<192>not a priority", None, None, id="over-191"),
        pytest.param("<03>a leading zero", None, None, id="leading-zero"),
        pytest.param("<b>bold</b> text", None, None, id="html"),
        pytest.param("<3 hearts", None, None, id="no-closing-bracket"),
        # a level's initial in brackets after a time (spdlog's short names), or opening a
        # bracket with the time (Tornado, Jupyter)
        pytest.param(
            "2026-12-04 14:02:03.123 [E] disk quota reached",
            "disk quota reached",
            Level.ERROR,
            id="letter-after-time",
        ),
        pytest.param(
            "[2026-12-04 14:02:03.123] [W] slow consumer",
            "slow consumer",
            Level.WARN,
            id="letter-after-bracketed-time",
        ),
        pytest.param(
            "2026-12-04T14:02:03Z [C] out of descriptors",
            "out of descriptors",
            Level.FATAL,
            id="letter-critical",
        ),
        pytest.param(
            "2026-12-04T14:02:03Z [T] entering poll",
            "entering poll",
            Level.DEBUG,
            id="letter-trace",
        ),
        pytest.param("[E] without a time", None, None, id="letter-needs-time"),
        pytest.param(
            "[E 260314 09:41:12 web:2250] 500 GET /api (10.0.0.1) 12.00ms",
            "500 GET /api (10.0.0.1) 12.00ms",
            Level.ERROR,
            id="tornado",
        ),
        pytest.param(
            "[W 2026-03-14 09:41:12.345 JupyterHub proxy:880] Adding missing route",
            "Adding missing route",
            Level.WARN,
            id="jupyterhub",
        ),
        pytest.param(
            "[I 2026-03-14 09:41:12.345 ServerApp] Kernel started",
            "Kernel started",
            Level.INFO,
            id="jupyter-server",
        ),
        pytest.param("[C 12 items] in cart", None, None, id="not-tornado"),
        # PostgreSQL's default log_line_prefix '%m [%p] ', and its severities
        pytest.param(
            "2026-12-04 14:02:03.123 UTC [123] LOG:  autovacuum launcher started",
            "autovacuum launcher started",
            Level.INFO,
            id="postgres-log",
        ),
        pytest.param(
            '2026-12-04 14:02:03.123 UTC [123] ERROR:  relation "users" does not exist',
            'relation "users" does not exist',
            Level.ERROR,
            id="postgres-error",
        ),
        pytest.param(
            '2026-12-04 14:02:03.123 UTC [123] FATAL:  password authentication failed for user "a"',
            'password authentication failed for user "a"',
            Level.FATAL,
            id="postgres-fatal",
        ),
        pytest.param(
            "2026-12-04 14:02:03.123 UTC [123] PANIC:  could not locate a valid checkpoint record",
            "could not locate a valid checkpoint record",
            Level.FATAL,
            id="postgres-panic",
        ),
        pytest.param(
            "2026-12-04 14:02:03.123 UTC [123] WARNING:  there is no transaction in progress",
            "there is no transaction in progress",
            Level.WARN,
            id="postgres-warning",
        ),
        pytest.param(
            "2026-12-04 14:02:03.123 UTC [123] STATEMENT:  select * from users",
            "[123] STATEMENT:  select * from users",
            None,
            id="postgres-statement-keeps-its-label",
        ),
        pytest.param(
            "LOG:  checkpoint starting: time",
            "checkpoint starting: time",
            Level.INFO,
            id="postgres-log-without-prefix",
        ),
        pytest.param("LOG: one space is not PostgreSQL", None, None, id="log-word"),
        # PostgreSQL's prefix with %u@%d (Debian's '%m [%p] %q%u@%d '), and a zone not UTC
        pytest.param(
            "2026-12-04 14:02:03.123 UTC [123] app@shop ERROR:  duplicate key value",
            "duplicate key value",
            Level.ERROR,
            id="postgres-user-at-db",
        ),
        pytest.param(
            "2026-12-04 14:02:03.123 UTC [123] [unknown]@[unknown] LOG:  connection received",
            "connection received",
            Level.INFO,
            id="postgres-user-unknown",
        ),
        pytest.param(
            "2026-12-04 14:02:03.123 UTC [123] @shop FATAL:  database is starting up",
            "database is starting up",
            Level.FATAL,
            id="postgres-no-user",
        ),
        pytest.param(
            "2026-12-04 15:02:03.123 CET [123] LOG:  checkpoint starting: time",
            "checkpoint starting: time",
            Level.INFO,
            id="postgres-zone-abbreviation",
        ),
        pytest.param(
            "2026-12-04 17:02:03 +03 [123] WARNING:  there is no transaction in progress",
            "there is no transaction in progress",
            Level.WARN,
            id="postgres-zone-offset-hours",
        ),
        pytest.param(
            "2026-12-04 09:02:03.123 EST app@shop ERROR:  canceling statement",
            "canceling statement",
            Level.ERROR,
            id="postgres-zone-without-pid",
        ),
        pytest.param(
            "2026-12-04 14:02:03 INFO [123] started", "started", Level.INFO, id="level-not-zone"
        ),
        pytest.param(
            "2026-12-04 14:02:03 [12] ann@example.com logged in",
            "[12] ann@example.com logged in",
            None,
            id="an-address-is-no-postgres-user",
        ),
        pytest.param(
            "[2026-12-04 14:02:03 +0000] [7] [ERROR] Worker (pid:8) was sent SIGKILL!",
            "Worker (pid:8) was sent SIGKILL!",
            Level.ERROR,
            id="gunicorn",
        ),
        # what worked before still does
        pytest.param("2026-01-01T10:00:00Z ERROR [cart] boom", "boom", Level.ERROR, id="plain"),
        pytest.param(
            "E1123 14:02:03.123456       1 reflector.go:138] failed to list",
            "failed to list",
            Level.ERROR,
            id="klog",
        ),
        pytest.param(
            "2026-01-01 10:00:00 [123] some message", "[123] some message", None, id="time-pid"
        ),
        pytest.param("# heading", None, None, id="markdown-heading"),
        pytest.param("price #1 today", None, None, id="number-sign"),
        # the interpreter's report of an uncaught exception: an error with no level word
        pytest.param(
            "Traceback (most recent call last):", None, Level.ERROR, id="python-traceback"
        ),
        pytest.param("see the Traceback (most recent call last): below", None, None, id="quoted"),
    ],
)
def test_plain_prefix(line: str, message: str | None, level: Level | None) -> None:
    assert message_and_level(line) == (line if message is None else message, level)


@pytest.mark.parametrize("priority", range(192))
def test_a_syslog_priority_names_its_severity(priority: int) -> None:
    severities = [Level.FATAL] * 3 + [Level.ERROR, Level.WARN, Level.INFO, Level.INFO, Level.DEBUG]
    assert message_and_level(f"<{priority}>x") == ("x", severities[priority % 8])
