"""Worst-case redaction time on long hostile lines: one regex that scans back over the text would
turn a single 64 KB line into seconds of CPU in a worker.

Run: uv run python bench/bench_redact_worst.py [--chars 65536] [--top 10]

Each line repeats one rule's hint (``cookie``, ``mysql``, ``digest``...) glued to a filler
(``" a "``, ``"="``, ``":a@"``...) up to ``--chars`` characters, so that every occurrence of the
hint starts a match attempt that fails late; lines of digit shapes (card numbers, addresses)
follow, and the starts of the rules that have shapes instead of hints. Redaction runs on whole
messages before they are cut to ``MAX_LINE_CHARS`` (Loki accepts lines of 256 KB by default),
so its time must grow linearly with the line. Prints the slowest cases; a quadratic pattern
shows up as seconds where the rest take milliseconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from log_analyzer.logs.redact import PII_KINDS, redact
from log_analyzer.logs.redact.engine import _RULES

FILLERS = (" a ", "=", ": ", "=a", " ", "-", '"', "a", "1", ":a@", '="', " -a ", "://", "A1b2")
SHAPES = ("1 ", "1-", "1", "a1.", "::", "1:", "ff:", "name: a value: ", "key=a, ")
# Starts of the rules found by shape rather than by a hint (SQL, XML, encoded pairs, hashes).
STARTS = (
    "password '",
    "identified by ",
    "identified with a by ",
    "set password for a",
    "<password>",
    "<a:password>",
    "</password>",
    '<entry key="password">',
    '<a b="c" key="',
    "password%3D",
    "password%25",
    "%22token%22%3A%22",
    "$1$",
    "$2y$10$",
    "$argon2id$v=1$",
    "$y$j9T$",
    "{SSHA}",
    "pbkdf2_sha256$1$",
    "SCRAM-SHA-256$1:",
    "?code=a1",
    "sha256~",
    "GR1234567",
    "v1.0-abcd",
    "A3-ABCDEF-",
    "EAAG",
    "AAAAa1b2c3d:APA91b",
    "fm1a_",
    "fo1_",
    "sq0atb-",
    "token is ",
    "api key set to ",
    "%20Bearer%20",
    "a1 LOGIN ",
    "334 UGFzc3dvcmQ6\n",
    "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVkt",
    "LS0tLS1CRUdJTi",
    "-storepass ",
    "u:p@h",
    "password: |\n",
    "password:\n ",
    "\\n  token: >-\\n    ",
    "\n password:\n  ",
    "MIIEvQIBADAN",
    "MHcCAQEEI",
    "b3BlbnNzaC1rZXktdjE",
    "Private-Lines: 2\n",
    "the password is ",
    "with password ",
    "password=Xk9(",
    "password={",
    "password=a,",
    "users=a:b,",
    "basic auth users: a:b;",
    "connection-uri: ",
    "FwoGZXIvYXdzE",
    # Vendor tokens found by shape: Discord's parts, Entra refresh tokens, Facebook app tokens,
    # DSN keys, Airtable, Yandex, 42, Adobe, Dropbox, Plaid, Authress, a base64-encoded JWT.
    "MTk4NjIyNDgzNDcxOTI1MjQ4.",
    "Cl2FMQ.",
    "0.A",
    ".Ag",
    "1234567890123456|",
    "://0123456789abcdef",
    "patAb1Ab1Ab1Ab1Ab.",
    "t1.",
    "s-s4t2ud-",
    "p8e-",
    "sl.",
    "access-production-",
    "sc_abcde.abcd.acc_",
    "ZXlKaGJHY2lPaU",
    'pagerduty "routing_key":"',
    # CI runners' declared secrets: their hints ("-mask::") start no match on their own.
    "::add-mask::",
    "##vso[task.setvariable issecret=true]",
)


def seconds(text: str) -> float:
    start = time.perf_counter()
    redact(text, pii=PII_KINDS)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=65_536, help="length of each line")
    parser.add_argument("--top", type=int, default=10, help="how many of the slowest to print")
    args = parser.parse_args()
    hints = sorted({hint for rule in _RULES for hint in rule.hints})
    starts = [*hints, *STARTS]
    pieces = [start + filler for start in starts for filler in FILLERS] + list(SHAPES)
    timed = sorted(
        ((seconds(piece * (args.chars // len(piece))), piece) for piece in pieces), reverse=True
    )
    print(f"{len(pieces)} lines of {args.chars:,} characters; the {args.top} slowest:\n")
    print("| repeated piece | ms |\n|---|---:|")
    for took, piece in timed[: args.top]:
        print(f"| `{piece!r}` | {took * 1000:.1f} |")
    median, slowest = timed[len(timed) // 2][0], timed[0][0]
    print(f"\nmedian {median * 1000:.1f} ms, slowest {slowest * 1000:.1f} ms")


if __name__ == "__main__":
    main()
