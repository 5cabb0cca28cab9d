r"""Private keys' bodies without their PEM header: a DER key's first line, PuTTY's private lines.

A key logged one line per entry loses its ``-----BEGIN ... PRIVATE KEY-----`` to another entry.
Its first body line still says what it is: DER's first bytes of a private key (a SEQUENCE, then
the version 0 or 1, then the modulus, the algorithm or the EC key) and OpenSSH's
``openssh-key-v1`` give base64 that starts alike in every key, and no certificate, public key or
hash starts so. The later lines are random base64, like any certificate's or digest's: they are
hidden only when they follow in the same entry.
"""

from __future__ import annotations

import re

from log_analyzer.logs.redact.rule import _inside_word, _placeholder, _swap

_B64 = "A-Za-z0-9+/"
# Base64 of 30 82 LL LL 02 01 0v, 30 81 LL 02 01 0v and 30 LL 02 01 0v followed by the key's
# next element (02, 30 or 04), and of "openssh-key-v1" (digits matched as any digit).
_DER_STARTS = (
    rf"MI[I-L][{_B64}]{{2}}[AQgw]IBA[ADQT]",
    rf"MI[GH][{_B64}]AgE[AB]",
    rf"M[A-H][{_B64}]CAQ[AE][CEw]",
    r"b[0-9]BlbnNzaC[0-9]rZXktdjE",
)
# The first line, then the lines of the same entry that are only base64 (real or escaped line
# breaks), as long as a key's lines or ending with its padding.
_KEY_BODY = re.compile(
    rf"(?:{'|'.join(_DER_STARTS)})[{_B64}]{{32,}}={{0,2}}"
    rf"(?:(?:\r?\n|(?:\\r)?\\n)(?:[{_B64}]{{16,}}={{0,2}}|[{_B64}]*={{1,2}})(?=[\s\"'\\]|$))*"
)
# The same starts as the prefilter sees a text, case-folded (they hold no escape that lower
# case would change, such as \S).
_KEY_BODY_SHAPES = tuple(start.lower() for start in _DER_STARTS)


def _key_body(match: re.Match[str]) -> tuple[str, str] | None:
    return None if _inside_word(match) else ("private_key", _placeholder("private_key"))


# PuTTY's key file: "Private-Lines: N" and the N lines of the private key after it.
_PUTTY_PRIVATE = re.compile(
    rf"Private-Lines:[ \t]*[0-9]{{1,4}}(?P<nl>\r?\n|(?:\\r)?\\n)"
    rf"(?P<secret>[{_B64}]+={{0,2}}(?=[\s\"'\\]|$)"
    rf"(?:(?:\r?\n|(?:\\r)?\\n)[{_B64}]+={{0,2}}(?=[\s\"'\\]|$))*)"
)


def _putty_private(match: re.Match[str]) -> tuple[str, str] | None:
    return _swap(match, "secret", "private_key")
