"""The cache keys of masking: the skeleton, and a coarser one where hexadecimal ids are drawn alike.

Masking replaces a UUID or a hex id whole (``<UUID>``, ``<HEX>``), whatever its length and inner
characters, so texts whose :func:`skeleton` differs only inside such ids mask alike; the miner
(:mod:`log_analyzer.logs.mask_cache`) learns masking under this key, and
:func:`~log_analyzer.logs.masking.mask_token` its tokens.
"""

from __future__ import annotations

import re

__all__ = ["coarsen", "id_skeleton", "skeleton"]

_SKELETON = bytes.maketrans(b"0123456789", b"1111111111")
_HEX_ZERO = b"\xff"  # never part of UTF-8, so it cannot collide with a character of the text


def skeleton(text: str) -> bytes:
    """``text`` with every ASCII digit turned into ``1``, except the ``0`` of ``0x``: a cache key.

    Coarser than :func:`~log_analyzer.logs.masking.digit_shape` (``port 2031`` and ``port 2931``
    share a skeleton), and as safe: the only digit value a rule looks at is the ``0`` before an
    ``x``, which is kept (as a byte no UTF-8 text holds). Two texts with one skeleton differ only
    in the values of their digits, so :func:`~log_analyzer.logs.masking.mask_message` gives
    both the same result up to the digits it keeps. It is computed at C speed (one encode, one
    translate).
    """
    raw = text.encode("utf-8", "surrogatepass")
    # Searched in the text, not its bytes (the same answer): str search is about twice as fast.
    if "0x" in text or "0X" in text:
        raw = raw.replace(b"0x", _HEX_ZERO + b"x").replace(b"0X", _HEX_ZERO + b"X")
    return raw.translate(_SKELETON)


# The hexadecimal ids masking replaces whole (<UUID>, <HEX>) are found in a skeleton (where
# digits are "1" and "0x" is "\xffx") by the classes of its bytes: H for a hex character, W for
# any other word character (every non-ASCII byte counts as one: an id next to a non-ASCII
# letter is left alone, which costs a finer key, never a wrong one).
_CLASSES = bytes.maketrans(
    b"1abcdefABCDEF" + b"ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ_" + bytes(range(0x80, 0x100)),
    b"H" * 13 + b"W" * 41 + b"W" * 0x80,
)
_RUN = re.compile(rb"H+")
_UUID_CLASSES = b"HHHHHHHH-HHHH-HHHH-HHHH-HHHHHHHHHHHH"
_WORD_CLASSES = b"HW"
_HEX_LETTERS = frozenset(b"abcdefABCDEF")


def _hex_id_end(key: bytes, classes: bytes, start: int) -> int:
    """Where the id masking replaces whole that starts at ``start`` ends, or -1 if none does.

    A UUID, or a word-bounded run of 8+ hex characters of one case that has a letter and a digit
    within its first 64 (the <HEX> rule's look-ahead) and is not letters then digits only
    (``deadbeef42`` is a word with a numeric suffix to masking, which keeps its letters).
    """
    if start and classes[start - 1] in _WORD_CLASSES:
        return -1
    size = len(key)
    end = start + 36
    if classes.startswith(_UUID_CLASSES, start) and (end == size or classes[end] not in b"HW"):
        value = key[start:end]
        return end if value.lower() == value or value.upper() == value else -1
    run = _RUN.match(classes, start)
    end = run.end() if run is not None else start
    if end - start < 8 or (end < size and classes[end] in _WORD_CLASSES):
        return -1
    value = key[start:end]
    if value.lower() != value and value.upper() != value:
        return -1  # mixed case: some rules read case (URL schemes), so it stays as it is
    head = value[:64]
    if b"1" not in head or _HEX_LETTERS.isdisjoint(head):
        return -1
    letters = value.rstrip(b"1")
    if len(letters) < len(value) and _HEX_LETTERS.issuperset(letters):
        return -1
    return end


def coarsen(key: bytes) -> bytes:
    """The skeleton ``key`` with its hexadecimal ids drawn alike: see :func:`id_skeleton`.

    Each id becomes a mark no UTF-8 text holds (one for UUIDs, one for the rest) and its first
    and last characters (JSON spacing, URL schemes and host names look at those), whatever its
    length and inner part.
    """
    classes = key.translate(_CLASSES)
    found = classes.find(b"HHHHHHHH")
    if found < 0:
        return key
    pieces: list[bytes] = []
    done = 0
    while found >= 0:
        end = _hex_id_end(key, classes, found)
        if end < 0:
            run = _RUN.match(classes, found)
            found = classes.find(b"HHHHHHHH", run.end() if run is not None else found + 1)
            continue
        mark = b"\xfd" if end - found == 36 and key[found + 8] == 0x2D else b"\xfe"  # "-": a UUID
        pieces += (key[done:found], mark, key[found : found + 1], key[end - 1 : end])
        done = end
        found = classes.find(b"HHHHHHHH", end)
    pieces.append(key[done:])
    return b"".join(pieces)


def id_skeleton(text: str) -> bytes:
    """The skeleton of ``text`` with its hexadecimal ids drawn alike: a coarser cache key.

    Texts that differ only in their trace ids, UUIDs or hashes share one. Masking replaces such
    an id whole whatever its length and its inner characters, so texts with one ``id_skeleton``
    mask alike. Redaction is another matter (a key may be any hex string after ``token=``):
    this key is only for texts :func:`~log_analyzer.logs.redact.may_contain_secret` clears
    (none of its hints can lie inside a hex word), or that were redacted already.
    """
    return coarsen(skeleton(text))
