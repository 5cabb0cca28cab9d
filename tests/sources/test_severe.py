"""The default selection of errors and warnings (`SEVERE_PATTERN`) over lines of real formats."""

from __future__ import annotations

import pytest

from log_analyzer.logs.levels import Level, plain_prefix
from log_analyzer.logs.localized_levels import LOCALIZED_LEVELS
from log_analyzer.logs.normalize import parse_line
from log_analyzer.logs.regex import compile_re2
from log_analyzer.sources.base import SEVERE_PATTERN
from log_analyzer.sources.cloudwatch import filters
from log_analyzer.sources.cloudwatch.filters import pattern_regex, severe_regex, severe_unsent
from tests.wrapped import WRAPPERS

SEVERE = [
    "2025/06/02 14:18:01 [alert] 31#31: 16384 worker_connections are not enough",
    "2025/06/02 14:18:01 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address in use)",
    "[Tue Jun 02 14:18:01.123 2025] [core:alert] [pid 12] AH00052: child pid 13 exit signal",
    "2025/06/02 14:18:01 [crit] 31#31: *1 SSL_do_handshake() failed",
    "E0602 14:18:01.123456       1 reflector.go:138] watch of *v1.Pod ended",
    'level=error msg="dial tcp 10.0.0.7:5432: connect: connection refused"',
    "java.lang.IllegalStateException: pool exhausted",
    "panic: assignment to entry in nil map",
    "fail: Microsoft.AspNetCore.Server.Kestrel[13]",
    "Readiness probe failure: HTTP probe failed with statuscode: 503",
    "Warning  FailedScheduling  0/3 nodes are available: 3 Insufficient memory.",
    # pino and bunyan name the level by number only; this message names none in words
    '{"level":50,"time":1733321000000,"pid":1,"hostname":"api-7c9","msg":"connect ECONNREFUSED"}',
    '{"name":"cart","hostname":"cart-1","pid":7,"level":40,"msg":"slow upstream","v":0}',
    '{"level": 60, "msg": "uncaught"}',
    # MongoDB's own JSON log: the severity is one letter
    '{"t":{"$date":"2026-12-04T10:00:00.000+00:00"},"s":"E",  "c":"REPL",     "id":21235,'
    ' "ctx":"ReplCoord-0","msg":"Initial sync attempt"}',
    '{"t":{"$date":"2026-12-04T10:00:00.000+00:00"},"s":"W",  "c":"NETWORK",  "id":4615610,'
    ' "ctx":"conn12","msg":"Slow query"}',
    # log15 (go-ethereum and its forks)
    't=2026-12-04T10:00:00+0000 lvl=eror msg="Synchronisation stalled" peer=ab12',
    # plain prefixes whose level is a sign or a letter; none of these lines names a level word
    "1:M 04 Dec 2026 14:02:03.123 # Connection with replica 10.0.0.7:6379 lost.",
    "1:X 04 Dec 2026 14:02:03.123 # +sdown master mymaster 10.0.0.7 6379",
    "1:S 04 Dec 14:02:03.123 # MASTER timeout: no data nor PING received...",
    "1:M 2026-12-04T14:02:03.123+00:00 # Valkey: connection with primary lost.",
    "1:M 1796392923123 # Valkey: the time in milliseconds",
    "7:signal-handler (1796392923) Received SIGTERM scheduling shutdown...",
    "[1234] 04 Dec 14:02:03.123 # Server started, Redis version 2.8.19",
    "2026-12-04T14:02:03.123+0000 E  NETWORK  [conn12] recv(): message len 0 is invalid",
    "2026-12-04T14:02:03.123+0000 W  STORAGE  [initandlisten] Detected unclean shutdown",
    "2026-12-04T14:02:03.123Z F  -        [main] Got signal: 6 (Aborted).",
    "2019-03-12T14:52:03.123-05:00 E QUERY    [conn4] assertion 13 not authorized",
    "<3>disk quota exceeded",
    "<4>low on memory",
    "<0>kernel went away",
    "<11>daemon: connection refused",
    "<188>local7: queue is full",
    "<2>[  12.345678] EXT4-fs (sda1): Remounting filesystem read-only",
    "<34>Oct 11 22:14:15 mymachine su: 'su root' denied for lonvick on /dev/pts/8",
    "[E 260314 09:41:12 web:2250] 500 GET /api/orders (10.0.0.1) 12.00ms",
    "[W 2026-03-14 09:41:12.345 JupyterHub proxy:880] Adding missing route for /user/ann",
    "[C 2026-03-14 09:41:12.345 ServerApp] Bad config encountered during initialization",
    "2026-12-04 14:02:03.123 [E] disk quota reached",
    "[2026-12-04 14:02:03.123] [W] slow consumer on topic orders",
    "2026-12-04T14:02:03Z [C] out of file descriptors",
    # Go's console loggers' abbreviations
    "ERRO[0005] failed to pull image registry.example.com/api:1.2",
    "FATA[0001] cannot bind :8080",
    "2026/03/14 09:41:12 ERRO connection lost err=EOF",
    "9:41AM WRN slow upstream latency=3s",
    "2026-03-14T09:41:12Z FTL cannot start",
    "2026-03-14T09:41:12.123+01:00 PNC boom",
    # a crash, a kill or a failed call that names no level word: a Python exception's line,
    # a shell's or the kernel's kill, a native crash, a container's exit and restart reasons,
    # and the errno texts of the C library and of Go
    "KeyboardInterrupt",
    "StopIteration",
    "SystemExit: 3",
    "elastic_transport.ConnectionTimeout: Connection timed out",
    "django.http.response.Http404: No Order matches the given query.",
    "/entrypoint.sh: line 12:     7 Killed                  python -m worker --queue reports",
    "Out of memory: Killed process 4242 (java) total-vm:8388608kB, anon-rss:4194304kB",
    "Memory cgroup out of memory: Killed process 77 (node)",
    "Segmentation fault (core dumped)",
    "Aborted (core dumped)",
    "terminate called after throwing an instance of 'std::bad_alloc'",
    "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a1b2c]",
    "Last State: Terminated, Reason: OOMKilled, Exit Code: 137",
    "signal: killed",
    "exit status 137",
    "worker 3 exited with code 1",
    '{"reason":"CrashLoopBackOff","message":"back-off 5m0s restarting the container"}',
    'Back-off pulling image "registry.example.com/api:1.2": ErrImagePull',
    "Unhandled rejection at: Promise { <pending> } reason: socket hang up",
    "Uncaught exception in worker 4",
    "2025/06/02 14:05:00 dial tcp 10.0.0.5:5432: connect: connection refused",
    "read tcp 10.1.1.1:5555->10.2.2.2:443: read: connection reset by peer",
    "write /data/wal/000000010000000A: no space left on device",
    "accept tcp [::]:8080: accept4: too many open files",
    "open /etc/app/tls.key: permission denied",
    'Get "http://api:8080/x": context deadline exceeded',
    "dial tcp 10.0.0.9:443: i/o timeout",
    "mkdir /var/lib/app/cache: read-only file system",
    "fork: Cannot allocate memory",
    "dial tcp 10.0.0.9:443: connect: no route to host",
    'Post "https://hooks.example.com/v1/events": x509: certificate signed by unknown authority',
]
QUIET = [
    "2025/06/02 14:18:01 [notice] 1#1: signal process started",
    'level=info msg="sent 3 alerts to alertmanager"',
    "I0602 14:18:01.123456       1 leaderelection.go:258] successfully acquired lease",
    "GET /healthz 200 1ms",
    '{"level":30,"time":1733321000000,"pid":1,"hostname":"api-7c9","msg":"request completed"}',
    '{"level":20,"msg":"cache hit","count":45}',
    '{"t":{"$date":"2026-12-04T10:00:00.000+00:00"},"s":"I",  "c":"NETWORK",  "id":22943,'
    ' "ctx":"listener","msg":"Connection accepted"}',
    # the same prefixes at info and debug, and text that looks a little like them
    "1:M 04 Dec 2026 14:02:03.123 * Ready to accept connections tcp",
    "1:S 04 Dec 2026 14:02:03.123 - Accepted 10.0.0.1:50412",
    "1:M 04 Dec 2026 14:02:03.123 . Client closed connection id=7",
    "[1234] 04 Dec 14:02:03.123 * The server is now ready to accept connections",
    "[1234] 04 Dec 14:02:03.123 - 0 clients connected (0 replicas)",
    "[1234] # not Redis without a time",
    "2026-12-04T14:02:03.123+0000 I  NETWORK  [listener] connection accepted from 10.0.0.1",
    "2026-12-04T14:02:03.123+0000 D1 REPL     [replexec-3] Sending heartbeat",
    "<6>started nginx",
    "<5>link up",
    "<7>poll",
    "<14>daemon: ready",
    "<190>local7: rotated",
    "<192>not a priority",
    "[I 260314 09:41:12 web:2250] 200 GET / (10.0.0.1) 1.00ms",
    "[D 2026-03-14 09:41:12.345 JupyterHub app:3500] Loading config",
    "2026-12-04 14:02:03.123 [I] ready",
    "# heading",
    "## Release notes",
    "price #1 today, #2 tomorrow",
    "10:30 # standup",
    "2026-12-04T14:02:03Z E2E suite passed",
    "see [E] below",
    "<b>bold</b> text",
    "INFO[0000] starting",
    "9:41AM INF started",
    "2026-03-14T09:41:12Z DBG tick",
    "INF loop detected",
    # nothing failed: a clean exit, a config dump's keys, a class name in a started line
    "exit status 0",
    "worker 3 exited with code 0",
    "LogLevel: info",
    "ServerName: api",
    "2025-06-02 14:00:00 INFO worker.Main: started 4 threads",
    "Started Application in 3.2 seconds (process running for 3.9)",
    "HikariPool-1 - Start completed.",
    "retrying in 2s with backoff",
    "skill matrix reloaded",
    "Evicted 120 entries from the LRU cache",
]


@pytest.mark.parametrize("line", SEVERE)
def test_errors_and_warnings_of_every_format_are_selected(line: str) -> None:
    assert compile_re2(SEVERE_PATTERN).search(line)


@pytest.mark.parametrize("line", QUIET)
def test_quiet_lines_are_not(line: str) -> None:
    assert compile_re2(SEVERE_PATTERN).search(line) is None


def test_cloudwatch_narrows_only_the_pattern_it_was_written_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert severe_regex() is not None
    monkeypatch.setattr(filters, "SEVERE_PATTERN", SEVERE_PATTERN + "|(?i:oops)")
    assert severe_regex() is None  # a changed pattern sends no narrowing, never a wrong one
    assert severe_unsent() == ()


@pytest.mark.parametrize("line", SEVERE)
def test_cloudwatch_narrowing_keeps_every_selected_line(line: str) -> None:
    regex = severe_regex()
    assert regex is not None
    assert compile_re2(regex).search(line)


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("1:M 04 Dec 2026 14:02:03.123 # Connection with replica 10.0.0.7:6379 lost.", Level.WARN),
        ("1:M 04 Dec 2026 14:02:03.123 * Ready to accept connections tcp", Level.INFO),
        ("1:S 04 Dec 2026 14:02:03.123 - Accepted 10.0.0.1:50412", Level.DEBUG),
        ("7:signal-handler (1796392923) Received SIGTERM scheduling shutdown...", Level.WARN),
        ("[1234] 04 Dec 14:02:03.123 # Server started, Redis version 2.8.19", Level.WARN),
        ("[1234] 04 Dec 14:02:03.123 * The server is now ready", Level.INFO),
        ("2026-12-04T14:02:03.123+0000 E  NETWORK  [conn12] recv(): message len 0", Level.ERROR),
        ("2026-12-04T14:02:03.123+0000 W  STORAGE  [initandlisten] unclean shutdown", Level.WARN),
        ("2026-12-04T14:02:03.123Z F  -        [main] Got signal: 6 (Aborted).", Level.FATAL),
        ("2026-12-04T14:02:03.123+0000 I  NETWORK  [listener] connection accepted", Level.INFO),
        ("2026-12-04T14:02:03.123+0000 D1 REPL     [replexec-3] Sending heartbeat", Level.DEBUG),
        ("[E 260314 09:41:12 web:2250] 500 GET /api/orders (10.0.0.1) 12.00ms", Level.ERROR),
        ("[I 260314 09:41:12 web:2250] 200 GET / (10.0.0.1) 1.00ms", Level.INFO),
        ("2026-12-04 14:02:03.123 [E] disk quota reached", Level.ERROR),
        ("2026-12-04 14:02:03.123 [I] ready", Level.INFO),
        ("2026-12-04 14:02:03.123 UTC [123] LOG:  autovacuum launcher started", Level.INFO),
    ],
)
def test_the_selection_fetches_what_the_levels_read_as_warnings_or_worse(
    line: str, level: Level
) -> None:
    assert plain_prefix(line)[1] is level
    selected = compile_re2(SEVERE_PATTERN).search(line) is not None
    assert selected is (level.rank <= Level.WARN.rank)


@pytest.mark.parametrize("priority", [*range(200), 255, 256, 999])
def test_a_syslog_priority_is_selected_for_severities_emerg_to_warning(priority: int) -> None:
    line = f"<{priority}>daemon: message"
    severity = priority % 8 if priority < 192 else None
    level = plain_prefix(line)[1]
    selected = compile_re2(SEVERE_PATTERN).search(line) is not None
    assert selected is (severity is not None and severity <= 4)
    assert (level is not None and level.rank <= Level.WARN.rank) is selected
    assert (level is None) is (severity is None)
    regex = severe_regex()
    assert regex is not None
    assert not selected or compile_re2(regex).search(line)


def test_the_cloudwatch_narrowing_is_a_regex_cloudwatch_reads() -> None:
    regex = severe_regex()
    assert regex is not None
    assert pattern_regex(regex) == regex


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_a_wrapped_line_is_selected_as_the_line_inside(wrapper: str) -> None:
    severe = compile_re2(SEVERE_PATTERN)
    narrowing = severe_regex()
    assert narrowing is not None
    for line in [*SEVERE, *QUIET]:
        wrapped = WRAPPERS[wrapper](line)
        selected = severe.search(wrapped) is not None
        assert selected is (severe.search(line) is not None), wrapped
        assert not selected or compile_re2(narrowing).search(wrapped), wrapped


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize("priority", range(192))
def test_a_wrapped_syslog_priority_is_selected_as_its_level_reads(
    wrapper: str, priority: int
) -> None:
    wrapped = WRAPPERS[wrapper](f"<{priority}>daemon: message")
    level = parse_line(wrapped, {}, 2000).level
    selected = compile_re2(SEVERE_PATTERN).search(wrapped) is not None
    assert selected is (level.rank <= Level.WARN.rank)


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_a_wrappers_stderr_is_not_selected(wrapper: str) -> None:
    wrapped = WRAPPERS[wrapper]("GET /healthz 200 1ms")
    assert compile_re2(SEVERE_PATTERN).search(wrapped) is None


def test_the_cloudwatch_narrowing_fits_a_filter_pattern() -> None:
    # FilterLogEvents takes a filterPattern of at most 1,024 characters (with its two %).
    regex = severe_regex()
    assert regex is not None
    assert len(regex) + 2 <= 1024


# Localized severities as PostgreSQL (lc_messages) and Java's logging write them.
LOCALIZED = [
    ("2026-12-04 14:02:03.123 CET [412] FEHLER:  storniere Anfrage", Level.ERROR),
    ("2026-12-04 14:02:03.123 CET [412] WARNUNG:  Checkpoints passieren zu oft", Level.WARN),
    ("2026-12-04 14:02:03.123 CET [412] PANIK:  konnte nicht schreiben", Level.FATAL),
    ("2026-12-04 14:02:03.123 CET [412] HINWEIS:  Relation existiert bereits", Level.INFO),
    ("2026-12-04 14:02:03.123 CET [412] ERREUR:  la relation « t » n'existe pas", Level.ERROR),
    ("2026-12-04 14:02:03.123 CET [412] ATTENTION:  trop de points de contrôle", Level.WARN),
    ("2026-12-04 14:02:03.123 CET [412] ERRORE:  la relazione non esiste", Level.ERROR),
    ("2026-12-04 14:02:03.123 MSK [412] ОШИБКА:  отношение «t» не существует", Level.ERROR),
    ("2026-12-04 14:02:03.123 MSK [412] ПРЕДУПРЕЖДЕНИЕ:  контрольные точки", Level.WARN),
    ("2026-12-04 14:02:03.123 MSK [412] ВАЖНО:  база данных не существует", Level.FATAL),
    ("2026-12-04 14:02:03.123 MSK [412] СООБЩЕНИЕ:  система БД готова", Level.INFO),
    ('2026-12-04 14:02:03.123 CST [412] 错误:  关系 "t" 不存在', Level.ERROR),
    ("2026-12-04 14:02:03.123 CST [412] 警告:  检查点发生得太频繁", Level.WARN),
    ('2026-12-04 14:02:03.123 JST [412] エラー:  リレーション"t"は存在しません', Level.ERROR),
    ("2026-12-04 14:02:03.123 CET [412] BŁĄD:  relacja nie istnieje", Level.ERROR),
    ("SCHWERWIEGEND: Servlet.service() for servlet [dispatcher] threw", Level.ERROR),
    ("GRAVE: Exception lors du démarrage du contexte", Level.ERROR),
]


@pytest.mark.parametrize(("line", "level"), LOCALIZED)
def test_localized_severities_are_read_and_fetched_down_to_warnings(
    line: str, level: Level
) -> None:
    assert plain_prefix(line)[1] is level
    selected = compile_re2(SEVERE_PATTERN).search(line) is not None
    assert selected is (level.rank <= Level.WARN.rank)


@pytest.mark.parametrize(
    "line",
    [
        "Bitte Fehler melden an support@example.org",  # a word in a sentence, no prefix
        "pay attention to the cache size",
        "HTTP: GET /grave/site 200",
        "2026-12-04 14:02:03.123 CET [412] LOG:  Datenbanksystem ist bereit",
    ],
)
def test_localized_words_in_a_sentence_are_not_fetched(line: str) -> None:
    assert compile_re2(SEVERE_PATTERN).search(line) is None


@pytest.mark.parametrize(("line", "level"), LOCALIZED)
def test_cloudwatch_narrowing_keeps_ascii_localized_lines_and_names_the_rest(
    line: str, level: Level
) -> None:
    regex = severe_regex()
    assert regex is not None
    if level.rank > Level.WARN.rank:
        return
    if compile_re2(regex).search(line) is None:
        word = line.split("] ")[-1].split(":")[0]
        assert not word.isascii() and word in severe_unsent()


@pytest.mark.parametrize(("word", "level"), sorted(LOCALIZED_LEVELS.items()))
def test_every_localized_word_is_levelled_and_fetched_down_to_warnings(
    word: str, level: str
) -> None:
    line = f"2026-12-04 14:02:03.123 UTC [412] {word}:  something happened"
    assert plain_prefix(line) == (len(line) - len("something happened"), Level(level))
    assert plain_prefix(f"{word}: something happened")[1] is Level(level)
    fetched = compile_re2(SEVERE_PATTERN).search(line) is not None
    assert fetched is (Level(level).rank <= Level.WARN.rank)
