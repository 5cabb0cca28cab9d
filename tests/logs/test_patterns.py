from __future__ import annotations

import dataclasses
import random
import string

import pytest

from log_analyzer.logs import patterns as patterns_module
from log_analyzer.logs.event_lines import event_text
from log_analyzer.logs.masking import PLACEHOLDERS, digit_shape, mask_message, skeleton
from log_analyzer.logs.patterns import MinedTemplate, PatternMiner, mine


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        pytest.param("retry 3 of 10", "retry <NUM> of <NUM>", id="numbers"),
        pytest.param("offset -42 ratio 0.75", "offset <NUM> ratio <NUM>", id="signed-decimal"),
        pytest.param("lock at 0x7ffe1234 held", "lock at <HEX> held", id="hex-prefixed"),
        pytest.param("digest 9f86d081884c7d659a2f done", "digest <HEX> done", id="hex-bare-mixed"),
        pytest.param(
            "job 123e4567-e89b-12d3-a456-426614174000 queued", "job <UUID> queued", id="uuid"
        ),
        pytest.param("peer 10.0.0.7 up", "peer <IP> up", id="ipv4"),
        pytest.param("dial 10.0.0.7:5432 refused", "dial <IP:PORT> refused", id="ipv4-port"),
        pytest.param("bind [::1]:8080 ok", "bind <IP:PORT> ok", id="ipv6-port"),
        pytest.param("route fe80::1ff:fe23:4567:890a added", "route <IP> added", id="ipv6"),
        pytest.param("dial db.internal.svc:5432 failed", "dial <HOST:PORT> failed", id="host-port"),
        pytest.param(
            "took 12ms then 1.5s, waited 30 seconds and <1 sec",
            "took <DURATION> then <DURATION>, waited <DURATION> and <DURATION>",
            id="durations",
        ),
        pytest.param(
            "wrote 10KB and 2717 bytes (2.65 KB) of 3 MiB",
            "wrote <SIZE> and <SIZE> of <SIZE>",
            id="sizes",
        ),
        pytest.param("started 2024-05-01T10:11:12.123Z", "started <TS>", id="iso-timestamp"),
        pytest.param("on 2024-05-01 at 10:11:12", "on <TS> at <TS>", id="date-and-time"),
        pytest.param(
            "connect at Sat Jul  9 11:35:59 2005 from x", "connect at <TS> from x", id="ctime"
        ),
        pytest.param("open '/tmp/f1.txt' as 'rb'", "open <QUOTED> as 'rb'", id="quoted-value"),
        pytest.param('set name="" now', "set name=<QUOTED> now", id="quoted-empty"),
        pytest.param(
            "GET /api/users/123/orders/9 done",
            "GET /api/users/<NUM>/orders/<NUM> done",
            id="path-segments",
        ),
        pytest.param(
            "block blk_-3886504 on node-17 via ssh2",
            "block blk_<NUM> on node-<NUM> via ssh2",
            id="word-ids-and-code-words",
        ),
        pytest.param("fetch https://x.io/a?b=1 now", "fetch <URL> now", id="url"),
        pytest.param(
            "auth failed (dsn=postgres://app:[REDACTED:url_password]@db:5432/app).",
            "auth failed (dsn=<URL>).",
            id="url-in-parentheses-keeps-the-closer-and-stop",
        ),
        pytest.param("see [https://h/x], then", "see [<URL>], then", id="url-in-brackets"),
        pytest.param(
            "doc https://en.wikipedia.org/wiki/Foo_(bar) ok", "doc <URL> ok", id="url-own-parens"
        ),
        pytest.param("mail bob@example.com sent", "mail <EMAIL> sent", id="email"),
        pytest.param(
            "level=info msg=done user=bob request_id=ab12cd duration=12ms",
            "level=info msg=done user=bob request_id=<ID> duration=<DURATION>",
            id="logfmt",
        ),
        pytest.param(
            '{"level":"error","msg":"db timeout","attempt":3,"id":"a-1"}',
            '{"level": "error", "msg": "db timeout", "attempt": <NUM>, "id": <QUOTED>}',
            id="json",
        ),
        pytest.param("cache warmed", "cache warmed", id="no-variables"),
    ],
)
def test_mask_message(message: str, expected: str) -> None:
    assert mask_message(message) == expected


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(
            "user 41 logged in from 10.1.2.3:5512", "user 97 logged in from 172.16.0.9:80", id="ids"
        ),
        pytest.param(
            "req 3f2a9c1d7e8b done in 12ms", "req 0a1b2c3d4e5f done in 340ms", id="hex-durations"
        ),
        pytest.param(
            "job 123e4567-e89b-12d3-a456-426614174000 at 2024-05-01T10:11:12Z",
            "job 00000000-0000-4000-8000-000000000001 at 2023-12-31T23:59:59Z",
            id="uuid-timestamp",
        ),
    ],
)
def test_lines_differing_only_in_ids_mask_alike(first: str, second: str) -> None:
    assert mask_message(first) == mask_message(second)


def test_placeholders_used_are_documented() -> None:
    masked = mask_message("a 1 0x1f 10.0.0.1 10.0.0.1:80 h.io:80 3ms 4KB '/x/1' k=a1")
    used = {token for token in masked.split() if token.startswith("<")}
    assert used <= PLACEHOLDERS
    assert len(used) >= 8


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        pytest.param(
            "java.lang.IllegalStateException: boom\n\tat com.x.A.f(A.java:12)\n"
            "\tat com.x.B.g(B.java:3)\nCaused by: java.io.IOException: disk full\n"
            "\tat com.x.C.h(C.java:9)\n\t... 5 more",
            "java.lang.IllegalStateException: boom | Caused by: java.io.IOException: disk full",
            id="java",
        ),
        pytest.param(
            'Traceback (most recent call last):\n  File "a.py", line 3, in <module>\n'
            "    f()\nValueError: bad value",
            "Traceback (most recent call last): | ValueError: bad value",
            id="python",
        ),
        pytest.param("single line", "single line", id="one-line"),
    ],
)
def test_event_text_keeps_first_and_exception_lines(message: str, expected: str) -> None:
    assert event_text(message) == expected


def test_stack_traces_of_different_depth_are_one_template() -> None:
    frames = "".join(f"\n\tat com.x.C{i}.run(C{i}.java:{i})" for i in range(9))
    result = mine(
        [
            "java.lang.NullPointerException: id 7 missing\n\tat com.x.A.f(A.java:1)",
            "java.lang.NullPointerException: id 8 missing" + frames,
            "request 5 served",
        ]
    )
    assert result.assignments == (0, 0, 1)
    assert result.templates[0].template == "java.lang.NullPointerException: id <NUM> missing"


# Golden sample: three events with numeric, address and user-name variables, and two events
# that differ in a single word (which must stay apart).
_USERS = ("alice", "bob", "carol", "dave", "erin")
_GOLDEN = [
    *(f"Accepted key for {u} from 10.0.{i}.1 port {4000 + i}" for i, u in enumerate(_USERS)),
    *(f"worker {i} finished batch {i * 7} in {i + 1}ms" for i in range(4)),
    "cache flush started",
    "cache flush finished",
    "cache flush started",
    *(f"Accepted key for {u} from 10.9.{i}.2 port {5000 + i}" for i, u in enumerate(_USERS)),
]
_GOLDEN_LABELS = [0] * 5 + [1] * 4 + [2, 3, 2] + [0] * 5


def test_grouping_matches_golden_sample() -> None:
    result = mine(_GOLDEN)
    assert len(result.assignments) == len(_GOLDEN)
    # Same grouping as the labels, whatever the numbering.
    pairs = set(zip(result.assignments, _GOLDEN_LABELS, strict=True))
    assert len(pairs) == len(set(_GOLDEN_LABELS)) == len(result.templates)
    by_label = {label: index for index, label in pairs}
    assert result.templates[by_label[0]] == MinedTemplate(
        index=by_label[0], template="Accepted key for <*> from <IP> port <NUM>", count=10
    )
    assert result.templates[by_label[1]].template == (
        "worker <NUM> finished batch <NUM> in <DURATION>"
    )
    assert result.templates[by_label[2]].count == 2


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param(["cupsd startup succeeded", "sshd startup succeeded"], id="short-event-name"),
        pytest.param(
            ["link up on interface eth0 of rack", "link up on interface ib1 of rack"],
            id="code-words",
        ),
        pytest.param(["tunnel open via HTTPS", "tunnel open via SOCKS5"], id="protocols"),
    ],
)
def test_events_differing_in_one_word_stay_apart(lines: list[str]) -> None:
    result = mine(lines * 3)
    assert len(result.templates) == len(lines)


def test_templates_are_indexed_by_first_appearance() -> None:
    result = mine(["b 1 happened", "a happened twice", "b 2 happened"])
    assert [t.index for t in result.templates] == [0, 1]
    assert result.assignments == (0, 1, 0)
    assert [t.count for t in result.templates] == [2, 1]


def test_final_assignments_reflect_merges() -> None:
    # Each user first opens a template of its own; the fourth distinct user shows the
    # position is a variable, and all four merge into the first template.
    lines = [f"session opened for user {u} by sshd" for u in ("ann", "ben", "cid", "dee")]
    miner = PatternMiner()
    raw = [miner.add(line) for line in lines]
    assert raw[:3] == [0, 1, 2]
    assert {miner.resolve(index) for index in raw} == {0}
    result = mine([*lines, "disk full"])
    assert result.assignments == (0, 0, 0, 0, 1)
    assert result.templates[0].template == "session opened for user <*> by sshd"
    assert result.templates[0].count == 4


def test_templates_merge_when_one_already_has_a_variable() -> None:
    miner = PatternMiner()
    for user in ("ann", "ben", "cid", "dee", "eve"):
        miner.add(f"login failed for {user} at gate")
    late = miner.add("login failed for zed at gate")
    (only,) = miner.templates()
    assert miner.resolve(late) == only.index
    assert only.count == 6


def test_results_are_frozen() -> None:
    result = mine(["x 1"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.templates[0].count = 9  # type: ignore[misc]


def test_mine_empty_input() -> None:
    result = mine([])
    assert result.assignments == ()
    assert result.templates == ()


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("child 6748 in slot 10 at 12:04:55", id="nums-and-clock"),
        pytest.param("lock 0x7ffe1234 by 10.0.0.7:443", id="hex-ip-port"),
        pytest.param("blk_-3886504 on node-17 took 12ms", id="word-ids"),
    ],
)
def test_lines_of_one_digit_shape_mask_alike(line: str) -> None:
    other = line.translate(str.maketrans("123456789", "234567891"))
    assert digit_shape(line) == digit_shape(other)
    assert mask_message(line) == mask_message(other)


def test_kept_digits_are_not_shared_between_lines_of_one_shape() -> None:
    result = mine(["link up via ssh2 port 22", "link up via ssh3 port 22"] * 3)
    assert result.assignments == (0, 1, 0, 1, 0, 1)


# Pairs of lines with one skeleton that mask alike: the miner masks the first and reuses
# that work for the second, copying or re-masking the tokens that keep digits. A token
# restored wrongly would differ from the first line's and turn into <*>.
_SAME_MASK = [
    pytest.param("user 41 from 10.1.2.3:5512", "user 97 from 172.16.0.9:8080", id="all-masked"),
    pytest.param("link via ssh2 port 22", "link via ssh2 port 80", id="kept-whole"),
    pytest.param(
        "connection from 10.1.2.3 (host8.ex.net) at Sun Jul  9 11:35:59 2005",
        "connection from 10.9.8.7 (host8.ex.net) at Mon Jul 12 01:05:09 2006",
        id="kept-whole-after-merged-time",
    ),
    pytest.param(
        "wrote /data/rand4/part-00541. ok", "wrote /data/rand4/part-00999. ok", id="kept-in-part"
    ),
    pytest.param(
        "rhost=71-76-216-249.dsl.zen.co.uk via ssh2",
        "rhost=12-76-216-249.dsl.zen.co.uk via ssh2",
        id="kept-in-part-after-key",
    ),
    pytest.param(
        '{"msg": "moved", "node": "n1", "to": 3}',
        '{"msg": "moved", "node": "n1", "to": 4}',
        id="json",
    ),
    pytest.param("lock 0x7f0a by w1", "lock 0x1f9a by w1", id="hex-and-kept"),
    pytest.param(
        "ERROR x\n\tat a.B.c(B.java:12)\nCaused by: e1.Err: k9 after 3",
        "ERROR x\nCaused by: e1.Err: k9 after 5",
        id="stack-trace",
    ),
]


@pytest.mark.parametrize(("first", "second"), _SAME_MASK)
def test_lines_of_one_skeleton_mine_as_if_alone(first: str, second: str) -> None:
    (alone,) = mine([second]).templates
    assert "<*>" not in alone.template
    for lines in ([first, second], [second, first]):
        together = mine(lines)
        assert together.assignments == (0, 0)
        assert together.templates[0].template == alone.template


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param(["link via ssh2 port 22", "link via ssh3 port 80"], id="code-words"),
        pytest.param(["tunnel 1 via SOCKS5 up", "tunnel 2 via SOCKS4 up"], id="protocols"),
    ],
)
def test_lines_of_one_skeleton_keeping_other_words_stay_apart(lines: list[str]) -> None:
    alone = [mine([line]).templates[0].template for line in lines]
    result = mine(lines * 2)
    assert result.assignments == (0, 1, 0, 1)
    assert [t.template for t in result.templates] == alone


@pytest.mark.parametrize(
    ("message", "secret"),
    [
        pytest.param("login ok token=abcdefghijkl for bob", "abcdefghijkl", id="key-value"),
        pytest.param(
            "auth with eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N failed",
            "eyJhbGciOiJIUzI1NiJ9",
            id="jwt-masking-would-mangle",
        ),
        pytest.param("retry Basic dTA6cDA= now", "dTA6cDA=", id="basic-credential"),
    ],
)
def test_redacting_miner_keeps_secrets_out_of_templates(message: str, secret: str) -> None:
    miner = PatternMiner(redact=True)
    miner.add(message)
    (template,) = miner.templates()
    assert secret not in template.template
    assert "[REDACTED:" in template.template


def test_redacting_miner_judges_basic_credentials_one_by_one() -> None:
    # Same skeleton; only the first decodes to user:password ("u0:p0" vs "u0;p0").
    miner = PatternMiner(redact=True)
    for line in ("retry Basic dTA7cDA= now", "retry Basic dTA6cDA= now"):
        miner.add(line)
    templates = " ".join(t.template for t in miner.templates())
    assert "dTA6cDA=" not in templates


def test_a_skeleton_computed_upstream_gives_the_same_templates() -> None:
    lines = [
        "lock at 0x7ffe1234 held by 7",
        "lock at 0x7ffe9934 held by 8",
        "retry Basic dTA7cDA= now",
        "retry Basic dTA6cDA= now",
        "worker 3 failed\n  at Foo.bar(Foo.java:12)\nCaused by: IOError: disk 2",
        "login ok token=abcdefghijkl for bob",
        "peer 10.0.0.7 up",
    ]
    plain, keyed = PatternMiner(redact=True), PatternMiner(redact=True)
    indexes = [plain.add(line) for line in lines]
    # A multi-line message is mined on its event lines; the key given for it is ignored.
    keys = [skeleton(line) if "\n" not in line else b"ignored" for line in lines]
    assert [keyed.add(line, key) for line, key in zip(lines, keys, strict=True)] == indexes
    assert keyed.templates() == plain.templates()


def one_off_lines(count: int, seed: int = 7) -> list[str]:
    """Lines of one length sharing their first word, every other word drawn at random."""
    rng = random.Random(seed)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(5000)]
    return [" ".join(["error", *rng.choices(words, k=6)]) for _ in range(count)]


def test_a_crowded_leaf_merges_later_to_the_same_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    # Past 256 templates in one leaf, merging waits until the leaf has grown by half (each new
    # template merged over the whole leaf made such a window quadratic: minutes for 10,000
    # lines, bench/bench_mine_worst.py). One-off lines, then lines that do merge, arriving late.
    rng = random.Random(3)
    late = [f"error disk {rng.choice('abcdefgh')}{n} full on node {n % 7} now" for n in range(60)]
    lines = [*one_off_lines(400), *late, *one_off_lines(150, seed=8)]
    throttled = mine(lines)
    monkeypatch.setattr(patterns_module, "_MERGE_EACH_UP_TO", 10**9)
    eager = mine(lines)
    assert throttled == eager
    assert any("<*>" in t.template and t.count >= 60 for t in throttled.templates)


def varied_crowd(count: int, seed: int) -> list[str]:
    """Lines of a few lengths that share their first words, with numbers, ids and words drawn
    at random in their other places: crowded leaves whose templates merge and loosen."""
    rng = random.Random(seed)
    words = ["".join(rng.choices(string.ascii_lowercase, k=5)) for _ in range(40)]
    lines = []
    for n in range(count):
        middle = [
            rng.choice([rng.choice(words), str(rng.randint(1, 99)), f"id={rng.randint(1, 9)}x"])
            for _ in range(rng.choice([3, 4, 5]))
        ]
        lines.append(" ".join(["error", "in", *middle, rng.choice(words[:3]), f"#{n % 5}"]))
    return lines


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_indexed_crowded_leaves_find_the_templates_a_scan_finds(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past 64 templates a leaf is indexed by the word after the tree's key (FitIndex); a line
    # must join the same template as when every template of the leaf is tried in turn.
    lines = [*varied_crowd(700, seed), *one_off_lines(300, seed=seed)]
    indexed = mine(lines)
    monkeypatch.setattr(patterns_module, "_SCAN_UP_TO", 10**9)
    scanned = mine(lines)
    assert indexed == scanned
    assert len(indexed.templates) < 300 + 700 // 2  # the crowd's templates merged


def test_a_template_loosened_by_a_merge_is_found_in_an_indexed_leaf() -> None:
    miner = PatternMiner()
    for line in one_off_lines(100):  # a crowded leaf of 7-word lines: indexed
        miner.add(line.replace("error", "error in", 1).rsplit(" ", 1)[0])
    first = miner.add("error in alpha disk full on node")
    for word in ("bravo", "charlie", "delta"):
        miner.add(f"error in {word} disk full on node")
    miner.templates()  # merges the four: "error in <*> disk full on node"
    assert miner.add("error in echo disk full on node") == miner.resolve(first)
