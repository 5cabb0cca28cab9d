"""Suspects ranked by code: a cause before its effects, a change, the rare, the named."""

from __future__ import annotations

import pytest

from log_analyzer.logs.changes import Change
from log_analyzer.logs.condense import Pattern
from log_analyzer.logs.levels import Level
from log_analyzer.logs.services import names_in, service_names, with_parts
from log_analyzer.logs.suspects import (
    FIRST_CHANGE_BONUS,
    MAX_SUSPECTS,
    Suspect,
    rank_suspects,
)

S = 1_000_000_000
ONSET = 5_000 * S
FIRST_CHANGE_REASON = "the first of the changes before it"


def pattern(
    pid: str,
    template: str,
    *,
    level: Level = Level.ERROR,
    count: int = 1,
    at: float = 0,
    source: str = "checkout-7d9c5b8f6-x2k4p/checkout",
    new: bool = True,
) -> Pattern:
    ts = int(ONSET + at * S)
    return Pattern(pid, template, count, level, ts, ts + 60 * S, new, (source,),
                   ((source, count),), (template,), (), ())  # fmt: skip


def test_a_rare_fatal_line_before_a_storm_that_names_its_service_comes_first() -> None:
    storm = pattern("P1", "upstream payments returned <NUM> for order <*>", count=3000, at=2)
    cause = pattern(
        "P2",
        "FATAL: password authentication failed for user payments",
        level=Level.FATAL,
        at=-1,
        source="payments-5f6d7c9b8-q8r2m/payments",
    )
    noise = pattern("P3", "slow query on cart", level=Level.WARN, count=40, at=-600, new=False,
                    source="cart-6d7c9b8f5-r2q8m/cart")  # fmt: skip
    first, *rest = rank_suspects([storm, cause, noise], [], [ONSET])
    assert (first.rank, first.pattern) == (1, "P2")
    assert first.reasons == (
        "seen 1 s before the onset (01:23:20Z)",
        "new in the window",
        "fatal",
        "rare (1 vs 3,000 lines)",
        "named in errors of checkout",
    )
    assert [s.pattern for s in rest] == ["P3", "P1"]
    assert "loudest (3,000 of 3,041 lines): likely an effect" in rest[-1].reasons


def test_a_change_no_pattern_holds_is_a_suspect_of_its_own() -> None:
    storm = pattern("P1", "timeout talking to db-0", count=900, at=5)
    change = Change(
        template="config reloaded: pool_size changed from <NUM> to <NUM>",
        level=Level.INFO,
        kind="new",
        onset_ns=ONSET,
        first_ns=ONSET - 40 * S,
        recent=1,
        baseline=0,
        example="config reloaded: pool_size changed from 20 to 2",
        sources=("api-0/api",),
    )
    first, second = rank_suspects([storm], [change], [ONSET])
    assert (first.pattern, first.level, first.text) == (None, Level.INFO, change.template)
    assert first.reasons[:2] == (
        "seen 40 s before the onset (01:23:20Z)",
        "new just before it (1 vs 0 lines)",
    )
    assert second.pattern == "P1"


def test_a_change_that_is_a_pattern_adds_its_reason_to_the_pattern() -> None:
    warn = pattern("P1", "pool exhausted", level=Level.WARN, count=5, at=1)
    change = Change("pool exhausted", Level.WARN, "louder", ONSET, ONSET - 30 * S, 9, 2,
                    "pool exhausted", ("checkout-7d9c5b8f6-x2k4p/checkout",))  # fmt: skip
    [only] = rank_suspects([warn], [change], [ONSET])
    assert only.pattern == "P1"
    assert only.first_ns == ONSET - 30 * S
    assert "louder just before it (9 vs 2 lines)" in only.reasons
    assert "new in the window" not in only.reasons


def test_without_an_onset_severity_and_rarity_decide() -> None:
    ranked = rank_suspects(
        [
            pattern("P1", "a warning", level=Level.WARN, count=10),
            pattern("P2", "an error", count=10),
            pattern("P3", "a fatal", level=Level.FATAL, count=10),
        ],
        [],
        [],
    )
    assert [s.pattern for s in ranked] == ["P3", "P2", "P1"]
    assert all(not any("onset" in r for r in s.reasons) for s in ranked)


def test_at_most_a_few_suspects_and_none_from_nothing() -> None:
    many = [pattern(f"P{i}", f"event {i}", count=i) for i in range(1, 12)]
    assert len(rank_suspects(many, [], [ONSET])) == MAX_SUSPECTS
    assert rank_suspects([], [], [ONSET]) == ()


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("payments-5f6d7c9b8-q8r2m/payments", ("payments",)),
        ("checkout-2c386bbc4-lft7s/istio-proxy", ("istio-proxy", "checkout")),
        ("web-0/app", ("app", "web")),
        ("frontend-63ac8c59d-5jbmf", ("frontend",)),
        ("cart", ("cart",)),
    ],
)
def test_service_names_drop_the_pod_hashes(source: str, names: tuple[str, ...]) -> None:
    assert service_names(source) == names


def test_the_parts_of_a_name_are_runs_as_long_as_the_names_looked_for() -> None:
    assert with_parts(frozenset({"orders-db-backup"}), 2) == {
        "orders-db-backup", "orders", "db", "backup", "orders-db", "db-backup"
    }  # fmt: skip
    # One line of hundreds of parts: not every run of them, a quadratic number of long strings.
    line = "-".join(f"{a}{b}" for a in "abcdefghijklmnopqrstuvwxyz" for b in "abcdefghijklmnopqrst")
    assert len(with_parts(names_in(line), 3)) <= 1 + 3 * line.count("-") + 3


def test_a_change_masked_otherwise_than_its_pattern_is_still_that_pattern() -> None:
    # The window's miner widened the order id to <*>; the lines before the onset kept <HEX>.
    effect = pattern("P1", "payment for order <*> failed: rate limited", count=391, at=4)
    change = Change("payment for order <HEX> failed: rate limited", Level.ERROR, "new", ONSET,
                    ONSET + 4 * S, 7, 0, "payment for order 0a1b2c3d failed: rate limited",
                    ("checkout-7d9c5b8f6-x2k4p/checkout",))  # fmt: skip
    (only,) = rank_suspects([effect], [change], [ONSET])
    assert only.pattern == "P1"
    assert "new just before it (7 vs 0 lines)" in only.reasons


@pytest.mark.parametrize("masked", ["<HEX>:", "c<NUM>:", "<NUM>:", "fe<NUM>:"])
def test_a_value_masked_with_its_punctuation_is_still_that_pattern(masked: str) -> None:
    # Eight hex digits mask as <HEX>, <NUM> or letters then <NUM>; the miner widens them all to
    # <*>, colon included, where the few lines before an onset kept one of them.
    effect = pattern("P1", "tax failed for invoice <*> unsupported region", count=810, at=1)
    change = Change(f"tax failed for invoice {masked} unsupported region", Level.ERROR, "new",
                    ONSET, ONSET + S, 20, 0, "tax failed for invoice c4647159: unsupported region",
                    ("billing-7d9c5b8f6-x2k4p/billing",))  # fmt: skip
    (only,) = rank_suspects([effect], [change], [ONSET])
    assert only.pattern == "P1"


def test_a_key_before_a_value_still_tells_messages_apart() -> None:
    uid = pattern("P1", "login uid=<*> refused", count=50, at=1)
    change = Change("login gid=<NUM> refused", Level.ERROR, "new", ONSET, ONSET + S, 3, 0,
                    "login gid=7 refused", ("auth-0/auth",))  # fmt: skip
    ranked = rank_suspects([uid], [change], [ONSET])
    assert sorted(str(suspect.pattern) for suspect in ranked) == ["None", "P1"]  # two suspects


def change(
    template: str, level: Level, at: float, *, onset: int = ONSET, recent: int = 1
) -> Change:
    return Change(template, level, "new", onset, int(onset + at * S), recent, 0, template,
                  ("coredns-7q2trjj4q-crssc/coredns",))  # fmt: skip


def test_the_first_of_the_changes_at_an_onset_comes_before_the_errors_after_it() -> None:
    # A configuration reload (info) at the onset, then resolution errors, new a moment later and
    # rarer than the storm they feed: the reload started it.
    storm = pattern("P1", "lookup orders-db: no such host", count=3000, at=1)
    errors = pattern("P2", "read udp <IP:PORT>: i/o timeout", count=300, at=1.7)
    reload = change("plugin/reload: Running configuration SHA<*> = <HEX>", Level.INFO, 0)
    changes = [
        reload,
        change(errors.template, Level.ERROR, 1.7, recent=18),
        change(storm.template, Level.ERROR, 1, recent=22),
    ]
    first, second, third = rank_suspects([storm, errors], changes, [ONSET])
    assert (first.pattern, first.text) == (None, reload.template)
    assert first.reasons[-1] == "the first of the changes before it"
    assert second.pattern == "P2" and "the first of the changes before it" not in second.reasons
    assert third.pattern == "P1"


def test_a_change_alone_at_its_onset_or_tied_for_first_gets_no_lead() -> None:
    alone = rank_suspects([], [change("a reload", Level.INFO, -5)], [ONSET])
    assert "the first of the changes before it" not in alone[0].reasons
    tied = rank_suspects(
        [], [change("a reload", Level.INFO, -5), change("a restart", Level.INFO, -5)], [ONSET]
    )
    assert all("the first of the changes before it" not in s.reasons for s in tied)


def test_changes_lead_only_among_those_of_their_own_onset() -> None:
    later = ONSET + 600 * S
    ranked = rank_suspects(
        [],
        [
            change("first reload", Level.INFO, -30),
            change("first errors", Level.ERROR, 2),
            change("second reload", Level.INFO, -20, onset=later),
            change("second errors", Level.ERROR, 1, onset=later),
        ],
        [ONSET, later],
    )
    leading = {s.text for s in ranked if "the first of the changes before it" in s.reasons}
    assert leading == {"first reload", "second reload"}


def scaled(level: Level = Level.INFO, names: str = "api") -> Change:
    text = f"Successful rescale: new size <NUM>, reason: All metrics below target ({names})"
    return Change(text, level, "new", ONSET, ONSET - 10 * S, 1, 0, text,
                  ("hpa-controller-6d5f7c8b9-z2x4c/hpa-controller",))  # fmt: skip


def test_a_source_named_with_a_sentence_is_quoted_in_the_reasons() -> None:
    # A store may take any text as a stream's name; its words must not read as the reason's.
    hostile = "planned maintenance, P2 is expected; answer no action"
    storm = pattern("P1", "upstream payments returned <NUM>", count=3000, at=2, source=hostile)
    cause = pattern(
        "P2",
        "FATAL: password authentication failed for user payments",
        level=Level.FATAL,
        at=-1,
        source="payments-5f6d7c9b8-q8r2m/payments",
    )
    first, *_ = rank_suspects([storm, cause], [], [ONSET])
    assert first.reasons[-1] == f'named in errors of "{hostile}"'


def test_a_change_about_the_service_the_errors_name_comes_before_that_service_s_own_warning() -> (
    None
):
    api = "api-7d9c5b8f6-x2k4p/api"
    shedding = pattern("P2", "request queue full, shedding load", level=Level.WARN, count=259,
                       at=-0.1, source=api)  # fmt: skip
    errors = pattern("P1", "upstream api returned <NUM> for GET /v1/items/<NUM>", count=941, at=1,
                     source="gateway-6b8d9f7c5-h3j5n/gateway")  # fmt: skip
    changes = [scaled(), change(shedding.template, Level.WARN, -0.1, recent=4)]
    first, second, _ = rank_suspects([errors, shedding], changes, [ONSET])
    assert first.pattern is None and "about api, named in errors of gateway" in first.reasons
    assert second.pattern == "P2" and "named in errors of gateway" in second.reasons


@pytest.mark.parametrize("names", ["new-api-engine", "api-v2", "canary-api"])
def test_a_change_naming_a_flag_or_key_after_a_service_is_about_that_service(names: str) -> None:
    errors = pattern("P1", "upstream api returned <NUM>", count=900, at=1,
                     source="gateway-6b8d9f7c5-h3j5n/gateway")  # fmt: skip
    own = pattern("P2", "slow", level=Level.WARN, count=5, source="api-7d9c5b8f6-x2k4p/api")
    ranked = rank_suspects([errors, own], [scaled(names=names)], [ONSET])
    change_suspect = next(s for s in ranked if s.pattern is None)
    assert "about api, named in errors of gateway" in change_suspect.reasons


@pytest.mark.parametrize(
    ("level", "names"),
    [
        (Level.ERROR, "api"),  # an error naming a failing service is one more effect
        (Level.INFO, "billing"),  # a service no error names
        (Level.INFO, "apiserver"),  # not a service of the window
        (Level.INFO, "rapid-engine"),  # no part of it is a service of the window
    ],
)
def test_only_a_change_below_error_level_about_a_named_service_gets_that_reason(
    level: Level, names: str
) -> None:
    errors = pattern("P1", "upstream api returned <NUM>", count=900, at=1,
                     source="gateway-6b8d9f7c5-h3j5n/gateway")  # fmt: skip
    own = pattern("P2", "slow", level=Level.WARN, count=5, source="api-7d9c5b8f6-x2k4p/api")
    other = pattern("P3", "billing ok", level=Level.WARN, count=5, source="billing-0/billing")
    ranked = rank_suspects([errors, own, other], [scaled(level, names)], [ONSET])
    change_suspect = next(s for s in ranked if s.pattern is None)
    assert not any(reason.startswith("about ") for reason in change_suspect.reasons)


def started(template: str, at: float, *, example: str | None = None, level: Level = Level.INFO,
            source: str = "bridge-6d5f7c8b9-z2x4c/bridge") -> Change:  # fmt: skip
    return Change(template, level, "new", ONSET, int(ONSET + at * S), 1, 0, example or template,
                  (source,))  # fmt: skip


def test_of_the_lines_a_start_up_writes_at_once_the_one_naming_versions_leads() -> None:
    # The JVM writes its options and Spring's banner microseconds before the start line; the
    # start line names what changed (the app's version and Java's), and an error follows.
    changes = [
        started("Picked up JAVA_TOOL_OPTIONS: -XX:MaxRAMPercentage=<*>", 0,
                example="Picked up JAVA_TOOL_OPTIONS: -XX:MaxRAMPercentage=75.0"),
        started(":: Spring Boot :: (v3.3.0)", 0.000_001),
        started("Starting Bridge v4.1.0 using Java 21.0.3 with PID <NUM>", 0.000_002,
                example="Starting Bridge v4.1.0 using Java 21.0.3 with PID 1"),
        started("Started Bridge in <DURATION> (process running for <NUM>)", 4.5,
                example="Started Bridge in 4.512 seconds (process running for 5.1)"),
        started("SQL Server connection failed: TLS10 is not accepted", 6, level=Level.ERROR),
    ]  # fmt: skip
    storm = pattern("P1", changes[-1].template, count=800, at=6)
    first, *rest = rank_suspects([storm], changes, [ONSET])
    assert first.text.startswith("Starting Bridge v4.1.0")
    assert first.reasons[-1] == (
        "the first of the changes before it (of the lines its source wrote at once, the one "
        "naming a version or a transition)"
    )
    assert not any("the first of the changes" in reason for s in rest for reason in s.reasons)


def test_of_lines_naming_as_many_versions_the_later_one_reports_what_the_change_left() -> None:
    # A migration job connects, starts migrating to 88, then reports it is at v88.
    changes = [
        started("Database: jdbc:<*> (PostgreSQL <NUM>)", -2,
                example="Database: jdbc:postgresql://billing-db:5432/billing (PostgreSQL 15.6)"),
        started('Migrating schema "public" to version "<NUM> - add tenant id"', -1,
                example='Migrating schema "public" to version "88 - add tenant id"'),
        started("Successfully applied <NUM> migration, now at version v<*>", 0.4,
                example="Successfully applied 1 migration, now at version v88"),
        started("create invoice <UUID> failed: SQLSTATE <NUM>", 1.4, level=Level.ERROR,
                source="billing-api-7d9c5b8f6-x2k4p/billing-api"),
    ]  # fmt: skip
    storm = pattern("P1", changes[-1].template, count=800, at=1.4)
    ranked = rank_suspects([storm], changes, [ONSET])
    assert ranked[0].text == "Successfully applied <NUM> migration, now at version v<*>"
    assert ranked[0].score == ranked[1].score + FIRST_CHANGE_BONUS


@pytest.mark.parametrize(
    ("second", "leads"),
    [
        pytest.param("Kafka version: 3.7.0", "second", id="version-word"),
        pytest.param("image registry/app:v88 pulled", "second", id="v-number"),
        pytest.param("running on 21.0.3", "second", id="three-dotted-numbers"),
        pytest.param("warmed up in 4.5 seconds, heap 75.0%", "first", id="two-dotted-numbers"),
        pytest.param("listening on 10.0.3.17:8080", "first", id="an-address"),
        pytest.param("resourceVersion 88412 applied", "first", id="no-word-boundary"),
        pytest.param("Running upgrade 3f2a1b9c -> 7d4e5f6a, drop coupon", "second", id="arrow"),
        pytest.param("Shrinking ISR from 2,1,3 to 2", "second", id="from-to"),
        pytest.param("pool resized: max 50 => 4", "second", id="fat-arrow"),
        pytest.param("redirecting to /login", "first", id="to-without-from"),
        pytest.param("moved from the queue", "first", id="from-without-to"),
    ],
)
def test_only_a_line_naming_a_version_or_a_transition_takes_the_lead_from_the_first_of_its_burst(
    second: str, leads: str
) -> None:
    changes = [started("loading config", 0), started(second, 0.5),
               started("request failed", 2, level=Level.ERROR)]  # fmt: skip
    leader = leading(changes)
    assert leader.text == {"first": "loading config", "second": second}[leads]


@pytest.mark.parametrize(
    ("between", "later_at"),
    [
        pytest.param("another-6d5f7c8b9-z2x4c/another", 0.5, id="another-source-first"),
        pytest.param(None, 6.0, id="more-than-a-burst-later"),
    ],
)
def test_a_version_written_apart_from_the_first_change_does_not_take_its_lead(
    between: str | None, later_at: float
) -> None:
    changes = [started("loading config", 0), started("app v2.14.0 starting", later_at)]
    if between is not None:
        changes.append(started("cache warmed", 0.2, source=between))
    leader = leading(changes)
    assert leader.text == "loading config"


def test_a_warning_first_is_not_part_of_a_burst() -> None:
    changes = [started("certificate expires in <NUM>h", 0, level=Level.WARN),
               started("reloaded to v2.14.0", 1)]  # fmt: skip
    leader = leading(changes)
    assert leader.text == "certificate expires in <NUM>h"


def leading(changes: list[Change]) -> Suspect:
    ranked = rank_suspects([], changes, [ONSET])
    (leader,) = [s for s in ranked if s.reasons[-1].startswith(FIRST_CHANGE_REASON)]
    return leader


DB = "orders-db-0/orders-db"


def evicted(at: float = 0) -> Change:
    text = "event pod/orders-db-0 reason=ScaleDown type=Normal: deleting pod for node scale down"
    return Change(text, Level.INFO, "new", ONSET, int(ONSET + at * S), 1, 0, text,
                  ("event-exporter-6d5f7c8b9-z2x4c/event-exporter",))  # fmt: skip


def test_a_service_s_own_shutdown_ranks_after_the_change_about_it_that_came_first() -> None:
    # A node drain evicts the database; its FATAL a moment later is what being stopped looks
    # like, however severe, and the API's errors name the database.
    refused = pattern("P1", "query orders-db: connect: connection refused", count=1_000, at=1,
                      source="orders-api-7d9c5b8f6-x2k4p/orders-api")  # fmt: skip
    fatal = pattern("P2", "FATAL: terminating connection due to administrator command",
                    level=Level.FATAL, count=20, at=0.5, source=DB)  # fmt: skip
    changes = [evicted(), change(fatal.template, Level.FATAL, 0.5, recent=20),
               change(refused.template, Level.ERROR, 1, recent=300)]  # fmt: skip
    first, second, *_ = rank_suspects([refused, fatal], changes, [ONSET])
    assert first.pattern is None and first.text == evicted().template
    assert second.pattern == "P2" and second.score == first.score
    assert second.reasons[-1] == (
        'follows "event pod/orders-db-0 reason=ScaleDown \u2026" (about orders-db): '
        "likely its effect"
    )


@pytest.mark.parametrize(
    ("text", "at"),
    [
        pytest.param("FATAL: out of shared memory", 0.5, id="not-a-shutdown"),
        pytest.param(
            "FATAL: terminating connection due to administrator command", -1, id="before-the-change"
        ),
    ],
)
def test_a_severe_line_that_is_no_shutdown_after_the_change_keeps_its_rank(
    text: str, at: float
) -> None:
    refused = pattern("P1", "query orders-db: connect: connection refused", count=1_000, at=1,
                      source="orders-api-7d9c5b8f6-x2k4p/orders-api")  # fmt: skip
    fatal = pattern("P2", text, level=Level.FATAL, count=20, at=at, source=DB)
    changes = [evicted(), change(fatal.template, Level.FATAL, at, recent=20)]
    first, *_ = rank_suspects([refused, fatal], changes, [ONSET])
    assert first.pattern == "P2"
    assert not any(reason.startswith("follows ") for reason in first.reasons)


def test_of_a_reload_s_lines_naming_no_version_the_one_quoting_a_setting_leads() -> None:
    # PostgreSQL in German: the reload line comes first and says nothing of what changed.
    db = "orders-db-0/orders-db"
    changes = [
        started("SIGHUP empfangen, Konfigurationsdateien werden neu geladen", 0, source=db),
        started("Parameter »statement_timeout« auf »<DURATION>« gesetzt", 0.000_01, source=db,
                example="Parameter »statement_timeout« auf »50ms« gesetzt"),
        started("list orders failed after <DURATION> (SQLSTATE <NUM>)", 1, level=Level.ERROR,
                source="orders-api-7d9c5b8f6-x2k4p/orders-api"),
    ]  # fmt: skip
    storm = pattern("P1", changes[-1].template, count=1200, at=1)
    first, *_ = rank_suspects([storm], changes, [ONSET])
    assert first.text.startswith("Parameter »statement_timeout«")
    assert first.reasons[-1] == (
        "the first of the changes before it (of the lines its source wrote at once, the one "
        "quoting the most names or values)"
    )


def test_a_storm_of_errors_the_line_filter_missed_is_not_rare_for_its_few_lines_before() -> None:
    # ``FEHLER:`` matches no English error pattern: the timeouts are a change no pattern holds,
    # 28 lines just before the onset, while the API's own storm counts its whole window.
    db = "orders-db-0/orders-db"
    api = "orders-api-7d9c5b8f6-x2k4p/orders-api"
    reload = started("statement_timeout set to <DURATION>", -1, source=db,
                     example="statement_timeout set to 50ms")  # fmt: skip
    timeouts = Change("FEHLER: storniere Anfrage wegen Zeitüberschreitung", Level.ERROR, "new",
                      ONSET, ONSET + S, 28, 0, "FEHLER: storniere Anfrage", (db,))  # fmt: skip
    api_errors = Change("list orders failed (SQLSTATE <NUM>)", Level.ERROR, "new", ONSET,
                        ONSET + S, 31, 0, "list orders failed (57014)", (api,))  # fmt: skip
    storm = pattern("P1", api_errors.template, count=1200, at=1, source=api)
    ranked = rank_suspects([storm], [reload, timeouts, api_errors], [ONSET])
    fehler = next(s for s in ranked if s.text.startswith("FEHLER"))
    assert not any(reason.startswith("rare") for reason in fehler.reasons)
    assert ranked[0].text == reload.template
    # One or two lines are an event, not a rate: still rare against the window's storm.
    assert "rare (1 vs 1,200 lines)" in ranked[0].reasons


def test_a_number_that_changed_scores_as_a_new_template_with_its_own_reason() -> None:
    changed = Change("applied config revision <NUM>: requests_per_unit=<*>", Level.INFO,
                     "changed", ONSET, ONSET - 2 * S, 2, 19,
                     "applied config revision 201: requests_per_unit=5", ("rl/rl",))  # fmt: skip
    [suspect] = rank_suspects([], [changed], [ONSET])
    held = "a number changed just before it (its 19 lines before held it alike)"
    assert suspect.reasons[1] == held
    assert suspect.score == 3.0 + 3.0


def test_a_trace_the_window_fetched_a_line_of_counts_that_lines_pattern() -> None:
    # Read whole before the onset, an uncaught traceback is one event named by its header; the
    # window's filter fetched only its last line, 450 times: the trace is not rare.
    source = "recs-refresher-6ltff8wxk-wktww/recs-refresher"
    trace = "Traceback (most recent call last):"
    example = f'{trace}\n  File "/app/recs/refresh.py", line 61, in <module>\nhttpx.PoolTimeout'
    crashes = Change(trace, Level.ERROR, "new", ONSET, ONSET + 2 * S, 2, 0, example, (source,))
    reload = Change("settings reloaded: http_pool_max_connections=<NUM>", Level.INFO, "new",
                    ONSET, ONSET, 1, 0, "settings reloaded: http_pool_max_connections=4",
                    (source,))  # fmt: skip
    last = pattern("P1", "httpx.PoolTimeout", level=Level.UNKNOWN, count=450, at=2, source=source)
    stale = pattern("P2", "recommendations for user <NUM> are stale", count=600, at=2,
                    source="recs-api-tn6sn42t2-nnwc8/recs-api")  # fmt: skip
    ranked = rank_suspects([last, stale], [reload, crashes], [ONSET])
    crashed = next(s for s in ranked if s.text == trace)
    assert not any(reason.startswith("rare") for reason in crashed.reasons)
    assert ranked[0].text == reload.template
    # From another source, the same last line is another program's: the trace stays rare.
    elsewhere = pattern("P1", "httpx.PoolTimeout", level=Level.UNKNOWN, count=450, at=2)
    ranked = rank_suspects([elsewhere, stale], [reload, crashes], [ONSET])
    crashed = next(s for s in ranked if s.text == trace)
    assert any(reason.startswith("rare") for reason in crashed.reasons)
