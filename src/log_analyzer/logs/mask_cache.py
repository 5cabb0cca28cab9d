"""The miner's masking cache: how every text of one skeleton masks, learned from its first.

Masking a line is the costly step of mining. Lines that differ only in their digits (one
:func:`~log_analyzer.logs.masking.skeleton`) mask alike up to the digits masking keeps, so the
miner (:mod:`log_analyzer.logs.patterns`) masks the first text of a skeleton, keeps a
:data:`Plan` of how it masked, and applies that plan to the next texts. Every cache it keeps is
bounded (:func:`remember`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from typing import TypeVar

from log_analyzer.logs.id_skeleton import coarsen, id_skeleton
from log_analyzer.logs.masking import mask_message, mask_token
from log_analyzer.logs.redact import may_contain_secret, redact, same_for_all_digits

CACHE_LIMIT = 50_000
"""Entries a miner's cache holds before it is emptied."""
_DIGIT = re.compile(r"\d")
_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


Plan = tuple[tuple[str, ...], tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]
"""How to mask every text of one skeleton: its masked tokens, then (masked position, text
position) of the tokens masking keeps whole, to copy from the text, and of the tokens it
masks only in part, to mask one by one."""
NO_PLAN: Plan = ((), (), ())
SUSPECT: Plan = ((), (), ((-1, -1),))
"""A skeleton whose texts may hold a secret: they are redacted before masking."""
_GLOBAL_RULE_HINTS = ("://", "@", '"', "'")


def plan_for(text: str, masked: str) -> Plan:
    """How every text of the skeleton of ``text`` masks (``masked`` is how ``text`` does).

    Masking rewrites each whitespace-separated token on its own (:func:`mask_token`), except
    for URLs, e-mail addresses and quoted values, which it replaces first, runs of masked
    tokens, which it may merge (``Jul <NUM> <TS>`` -> ``<TS>``), and JSON, which it spaces
    out. Those depend on where digits are, not on their values, so:

    * with as many tokens out as in, token ``i`` comes from token ``i``: one kept whole
      (``ssh2``) is copied, one masked in part (``part-<NUM>.``) by :func:`mask_token` alone
      is masked alone;
    * with tokens merged, a token kept whole is kept wherever it appears, so the kept
      tokens are, in order, the text's tokens equal to them; one masked in part leaves no
      plan, nor does JSON (NO_PLAN): such texts are masked whole, one by one.
    """
    if text.startswith("{") and '":' in text:
        return NO_PLAN
    parts = text.split()
    tokens = masked.split()
    kept: list[tuple[int, int]] = []
    partial: list[tuple[int, int]] = []
    if len(tokens) == len(parts):
        for position, token in enumerate(tokens):
            if _DIGIT.search(token) is None:
                continue
            part = parts[position]
            if token == part:
                kept.append((position, position))
            elif not any(hint in part for hint in _GLOBAL_RULE_HINTS) and mask_token(part) == token:
                partial.append((position, position))
            else:
                return NO_PLAN
        return tuple(tokens), tuple(kept), tuple(partial)
    cursor = 0
    for position, token in enumerate(tokens):
        if _DIGIT.search(token) is not None:
            if "<" in token:
                return NO_PLAN
            try:
                cursor = parts.index(token, cursor)
            except ValueError:
                return NO_PLAN
            kept.append((position, cursor))
            cursor += 1
    return tuple(tokens), tuple(kept), ()


def remember(cache: dict[_K, _V], key: _K, index: _V) -> None:
    """Keep ``index`` under ``key`` in ``cache``, emptying it first when it is full."""
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    cache[key] = index


class MaskingCache:
    """The masking half of the miner: mixed into `PatternMiner`, which owns the state below.

    Each method returns the index of the template a text joins, masking it only when no plan
    for its skeleton is known yet.
    """

    _redact: bool
    _pii: frozenset[str]
    _skeletons: dict[bytes, int | Plan]
    _redacted: dict[bytes, int | Plan]
    _kept: dict[tuple[bytes, tuple[str, ...]], int]
    _seen: dict[str, int]
    _index_of: Callable[[str], int]
    """The index of the template a masked text joins: the miner places it."""

    def _add_slow(self, text: str, key: bytes, known: Plan | None) -> int:
        if known is SUSPECT:
            return self._masked(redact(text, pii=self._pii).text, self._redacted)
        if known is not None:
            return self._apply(text, key, known)
        # Masking depends on the coarser id_skeleton only (texts that differ only in their
        # trace ids or UUIDs mask alike), so that is the key it is learned under. Texts that
        # may hold a secret are redacted first and learned apart, so that a text found under
        # a coarse key is one redaction had no say in.
        cache = self._skeletons
        if self._redact and may_contain_secret(text, pii=self._pii):
            redacted = redact(text, pii=self._pii)
            if redacted.total or not same_for_all_digits(text, pii=self._pii):
                remember(cache, key, SUSPECT)
                return self._masked(redacted.text, self._redacted)
            # A skeleton whose first text is clean is clean (redact.same_for_all_digits).
            cache = self._redacted
        coarse = coarsen(key)
        index = self._masked(text, cache, coarse)
        remember(self._skeletons, key, cache.get(coarse, index))
        return index

    def _masked(self, text: str, cache: dict[bytes, int | Plan], key: bytes | None = None) -> int:
        """The index of ``text``, masked as the texts of its id_skeleton, ``key``, in ``cache``."""
        if key is None:
            key = id_skeleton(text)
        known = cache.get(key)
        if isinstance(known, int):
            return known
        if known is not None:
            return self._apply(text, key, known)
        masked = mask_message(text)
        index = self._index_of(masked)
        if _DIGIT.search(masked) is None:
            remember(cache, key, index)
        else:
            remember(cache, key, plan_for(text, masked))
            remember(self._seen, text, index)
        return index

    def _apply(self, text: str, key: bytes, plan: Plan) -> int:
        """The index of ``text`` masked by the ``plan`` learned for its (coarse) ``key``."""
        if plan is NO_PLAN:
            index = self._seen.get(text, -1)
            if index < 0:
                index = self._index_of(mask_message(text))
                remember(self._seen, text, index)
            return index
        tokens, kept, partial = plan
        parts = text.split()
        values = tuple([parts[source] for _, source in (*kept, *partial)])
        by_values = self._kept
        index = by_values.get((key, values), -1)
        if index < 0:
            restored = list(tokens)
            for position, source in kept:
                restored[position] = parts[source]
            for position, source in partial:
                restored[position] = mask_token(parts[source])
            index = self._index_of(" ".join(restored))
            remember(by_values, (key, values), index)
        return index
