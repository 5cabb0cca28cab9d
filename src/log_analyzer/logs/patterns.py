"""Mine log templates: group messages that come from the same line of code.

The miner is of the Drain family (He et al., ICWS 2017): a message is reduced to its event
lines (:func:`~log_analyzer.logs.masking.event_text`, so a stack trace is one message),
masked (:mod:`log_analyzer.logs.masking`), split on whitespace and routed through a
fixed-depth prefix tree keyed by its token count and leading tokens. What differs from Drain:

* **Values, words and shapes.** A token holding a digit or that is a placeholder with only
  punctuation around it (``node-17``, ``/<IP:PORT>``) is a value: it routes down the
  wildcard branch and never keeps a message out of a template. Code words (``ssh2``,
  ``eth0``) are words. A word holding a placeholder (``uid=<NUM>``) is a fixed shape, compared
  without the placeholder's type. A run of values of one kind (a list of ids) is one value.
* **Exact join on words.** In its leaf, a message joins the first template whose every
  constant word it repeats; there is no similarity threshold to tune.
* **Variables by cardinality.** Templates of one length that differ in a single position
  merge when one of them already has a wildcard there, or when that position shows at least
  ``min_values`` distinct words with ``min_context`` constant words around it: user names
  vary a lot, while ``LOOKING``/``LEADING`` or ``alt0``/``ee0`` name distinct events. This
  runs on a leaf when it grows, and across the whole miner when templates are read.
* **Aliases.** A merged template becomes an alias of the earliest one, so every index
  :meth:`PatternMiner.add` ever returned still resolves, and :func:`mine`'s assignments are the
  final ones.

Memory is bounded by the number of templates plus fixed-size caches (skeletons, seen masked
lines, token kinds, and seen lines whose masking keeps digits in an irregular way) that make
repeated lines, and lines differing only in their digits, cheap: a line whose skeleton
(:func:`~log_analyzer.logs.masking.skeleton`) was seen costs one translate and a dict lookup,
plus copying the tokens masking keeps (``ssh2``) from the line; nothing is kept per line.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from log_analyzer.logs.masking import (
    coarsen,
    event_text,
    id_skeleton,
    mask_message,
    mask_token,
    skeleton,
)
from log_analyzer.logs.redact import DEFAULT_PII, may_contain_secret, redact, same_for_all_digits

__all__ = ["WILDCARD", "MinedTemplate", "MiningResult", "PatternMiner", "mask_message", "mine"]

WILDCARD = "<*>"
"""What a template shows where its messages disagree."""

_DIGITS = frozenset("0123456789")
_STEM_END = frozenset("0123456789<-+*")
# Protocol, interface and version names (ssh2, eth0, SOCKS5) are words, not values.
_CODE_WORD = re.compile(r"[A-Za-z]{2,}\d")
_PLACEHOLDER = re.compile(r"<[A-Z:]+>|<\*>")
_CACHE_LIMIT = 50_000
_SCAN_UP_TO = 64
"""Templates in a leaf up to which a line is tried against each in turn; a more crowded leaf
is indexed by its templates' word after the tree's key (`_FitIndex`)."""
_MERGE_EACH_UP_TO = 64
"""Templates in a leaf up to which each new one is merged at once. Past it, a leaf is merged
again when it has grown by half since its last merge (a leaf of thousands of lines that share
only their length and first words, each new one merged over the whole leaf, took minutes);
`PatternMiner.templates` merges every leaf at the end in any case."""
_ONES = bytes.maketrans(b"0123456789", b"1111111111")  # masking.skeleton, for texts without 0x
_DIGIT = re.compile(r"\d")
_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


@dataclass(frozen=True, slots=True)
class MinedTemplate:
    """One template: its stable index, its text and how many messages joined it."""

    index: int
    """0-based, in order of first appearance."""
    template: str
    """Tokens joined by spaces; disagreeing positions are ``<*>``, masked ones typed."""
    count: int
    """Messages that joined this template (including merged templates)."""


@dataclass(frozen=True, slots=True)
class MiningResult:
    """The outcome of :func:`mine`: a template index for every message, and the templates."""

    assignments: tuple[int, ...]
    """For each input message, the index of its final template in :attr:`templates`."""
    templates: tuple[MinedTemplate, ...]
    """Final templates, indexed 0..n-1 in order of first appearance."""


class _FitIndex:
    """A crowded leaf's templates by their word at one ``position``.

    A line is tried only against the templates that may fit it: the ones holding its word
    there, and the ones with a variable there (``loose``). Templates only ever loosen, and
    those absorbed by a merge are left in place for the caller to skip.
    """

    __slots__ = ("by_word", "loose", "position")

    def __init__(self, position: int, clusters: Iterable[_Cluster]) -> None:
        self.position = position
        self.by_word: dict[str, list[_Cluster]] = {}
        self.loose: list[_Cluster] = []
        for cluster in clusters:
            self.add(cluster)

    def add(self, cluster: _Cluster) -> None:
        word = cluster.tokens[self.position]
        if word == WILDCARD:
            self.loose.append(cluster)
        else:
            self.by_word.setdefault(word, []).append(cluster)

    def candidates(self, word: str) -> list[_Cluster]:
        """The templates that may fit a line with ``word`` at the position, in leaf order."""
        found = {cluster.index: cluster for cluster in self.by_word.get(word, ())}
        found.update((cluster.index, cluster) for cluster in self.loose)
        return [found[index] for index in sorted(found)]


class _Cluster:
    """Mutable state of one template inside the miner."""

    __slots__ = ("count", "index", "leaf", "shape", "tokens")

    def __init__(self, index: int, tokens: list[str], leaf: list[_Cluster]) -> None:
        self.index = index
        self.tokens = tokens
        self.leaf = leaf
        self.count = 0
        self.shape: list[str] | None = None
        """`PatternMiner._shape_of` its tokens, once asked; None again when they change."""


def _is_variable(token: str) -> bool:
    """Whether a token is a value rather than a word.

    Values hold a digit (code words such as ``ssh2`` aside), or are a placeholder with at
    most punctuation around it (``/<IP:PORT>``); ``uid=<NUM>`` is a word with a fixed shape.
    """
    if "<" in token:
        token = _PLACEHOLDER.sub("", token)
        if not any(char.isalpha() for char in token):
            return True
    if _DIGITS.isdisjoint(token):
        return False
    return _CODE_WORD.fullmatch(token) is None


def _stem(token: str) -> str:
    """The part of a variable token before its first digit or placeholder: its kind."""
    for position, char in enumerate(token):
        if char in _STEM_END:
            return token[:position]
    return token


class PatternMiner:
    """Incremental template miner: feed messages with :meth:`add`, read :meth:`templates`.

    Indices returned by :meth:`add` are stable: a template that is later merged into an older
    one keeps resolving through :meth:`resolve`; :meth:`templates` lists only surviving ones.
    """

    def __init__(
        self,
        *,
        depth: int = 2,
        max_children: int = 64,
        min_values: int = 4,
        min_context: int = 3,
        redact: bool = False,
        pii: frozenset[str] = DEFAULT_PII,
    ) -> None:
        """Configure the miner.

        ``depth`` is how many leading tokens key the prefix tree; a tree node with more than
        ``max_children`` distinct tokens sends the rest down a wildcard branch. A position
        where templates that agree everywhere else show at least ``min_values`` distinct
        words is a variable, and those templates are merged; fewer words name distinct events.
        Only templates with at least ``min_context`` other constant tokens are merged so: in
        ``cupsd startup succeeded`` the first word is the event.

        With ``redact``, a message that may hold a secret
        (:func:`~log_analyzer.logs.redact.may_contain_secret`) is mined as
        :func:`~log_analyzer.logs.redact.redact` returns it (personal data as ``pii`` asks), so
        no secret it finds can reach a template.
        """
        self._depth = depth
        self._max_children = max_children
        self._min_values = min_values
        self._min_context = min_context
        self._clusters: list[_Cluster] = []
        self._alias: list[int] = []
        self._leaves: dict[tuple[str | int, ...], list[_Cluster]] = {}
        self._children: dict[tuple[str | int, ...], set[str]] = {}
        self._kind: dict[str, bool] = {}
        self._shape: dict[str, str] = {}
        self._seen: dict[str, int] = {}
        self._redact = redact
        self._pii = pii
        self._skeletons: dict[bytes, int | _Plan] = {}
        self._redacted: dict[bytes, int | _Plan] = {}
        self._kept: dict[tuple[bytes, tuple[str, ...]], int] = {}
        self._seen_masked: dict[str, int] = {}
        # Per leaf, by its id (a leaf lives as long as the miner): its size after its last
        # merge, and the index of a leaf with more than `_SCAN_UP_TO` templates.
        self._merged_at: dict[int, int] = {}
        self._fit_index: dict[int, _FitIndex] = {}
        # The leaves, by id, that `_merge` left with nothing more to merge, and that no template
        # has loosened since: a new template there is merged only if it joins one (`_joins_any`).
        self._settled: set[int] = set()
        self._dirty = False

    def add(self, message: str, key: bytes | None = None) -> int:
        """Add one message and return the index of the template it joined.

        ``key``, from a caller that computed it already, is ``masking.skeleton(message)``; it
        is not used for a multi-line message, which is mined on its event lines.
        """
        # Masking depends only on the skeleton (see masking.skeleton): lines that differ only
        # in their digits share one lookup; the tokens masking keeps are copied from the line.
        if "\n" in message:
            text = event_text(message)
            key = skeleton(text)
        else:
            text = message
            if key is None:
                key = (
                    skeleton(text)
                    if "0x" in text or "0X" in text
                    else text.encode("utf-8", "surrogatepass").translate(_ONES)
                )
        known = self._skeletons.get(key)
        index = known if isinstance(known, int) else self._add_slow(text, key, known)
        alias = self._alias
        if alias[index] != index:
            index = self.resolve(index)
        self._clusters[index].count += 1
        return index

    def _add_slow(self, text: str, key: bytes, known: _Plan | None) -> int:
        if known is _SUSPECT:
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
                _remember(cache, key, _SUSPECT)
                return self._masked(redacted.text, self._redacted)
            # A skeleton whose first text is clean is clean (redact.same_for_all_digits).
            cache = self._redacted
        coarse = coarsen(key)
        index = self._masked(text, cache, coarse)
        _remember(self._skeletons, key, cache.get(coarse, index))
        return index

    def _masked(self, text: str, cache: dict[bytes, int | _Plan], key: bytes | None = None) -> int:
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
            _remember(cache, key, index)
        else:
            _remember(cache, key, _plan(text, masked))
            _remember(self._seen, text, index)
        return index

    def _apply(self, text: str, key: bytes, plan: _Plan) -> int:
        """The index of ``text`` masked by the ``plan`` learned for its (coarse) ``key``."""
        if plan is _NO_PLAN:
            index = self._seen.get(text, -1)
            if index < 0:
                index = self._index_of(mask_message(text))
                _remember(self._seen, text, index)
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
            _remember(by_values, (key, values), index)
        return index

    def _index_of(self, masked: str) -> int:
        index = self._seen_masked.get(masked)
        if index is None:
            index = self._place(masked)
            _remember(self._seen_masked, masked, index)
        return index

    def resolve(self, index: int) -> int:
        """Return the surviving template index for any index :meth:`add` returned."""
        alias = self._alias
        root = index
        while alias[root] != root:
            root = alias[root]
        while alias[index] != root:
            alias[index], index = root, alias[index]
        return root

    def templates(self) -> tuple[MinedTemplate, ...]:
        """Merge templates that differ only in variables, then return the surviving ones."""
        if self._dirty:
            self._merge([c for c in self._clusters if self._alias[c.index] == c.index])
            self._dirty = False
        return tuple(
            MinedTemplate(index=c.index, template=" ".join(c.tokens), count=c.count)
            for c in self._clusters
            if self._alias[c.index] == c.index
        )

    def _tokens(self, masked: str) -> tuple[list[str], list[bool]]:
        """Split ``masked`` and mark which tokens are variables.

        A word holding a placeholder keeps its shape but not the placeholder's type
        (``rhost=<IP>`` and ``rhost=<ID>`` are both ``rhost=<*>``), so its values agree.
        """
        kinds = self._kind
        shapes = self._shape
        tokens: list[str] = []
        variable: list[bool] = []
        for token in masked.split():
            kind = kinds.get(token)
            if kind is None:
                kind = _is_variable(token)
                if len(kinds) >= _CACHE_LIMIT:
                    kinds.clear()
                    shapes.clear()
                kinds[token] = kind
                if not kind and "<" in token:
                    shapes[token] = _PLACEHOLDER.sub(WILDCARD, token)
            if not kind and token in shapes:
                token = shapes[token]
            if kind and variable and variable[-1] and _stem(token) == _stem(tokens[-1]):
                # A run of ids of one kind is one variable, whatever its length.
                tokens[-1] = WILDCARD
                continue
            tokens.append(token)
            variable.append(kind)
        return tokens, variable

    def _place(self, masked: str) -> int:
        tokens, variable = self._tokens(masked)
        key: list[str | int] = [len(tokens)]
        for position in range(min(self._depth, len(tokens))):
            token = WILDCARD if variable[position] else tokens[position]
            children = self._children.setdefault(tuple(key), set())
            if token not in children:
                if len(children) >= self._max_children:
                    token = WILDCARD
                children.add(token)
            key.append(token)
        leaf = self._leaves.setdefault(tuple(key), [])
        index = self._fit_index.get(id(leaf))
        if index is None and len(leaf) > _SCAN_UP_TO and len(tokens) > self._depth:
            index = self._fit_index[id(leaf)] = _FitIndex(self._depth, leaf)
        alias = self._alias
        at = -1 if index is None else index.position
        tried = leaf if index is None or variable[at] else index.candidates(tokens[at])
        for cluster in tried:
            if alias[cluster.index] == cluster.index and _fits(cluster.tokens, tokens, variable):
                template = cluster.tokens
                for position, token in enumerate(tokens):
                    if template[position] != token and template[position] != WILDCARD:
                        template[position] = WILDCARD
                        cluster.shape = None
                        self._dirty = True
                        self._settled.discard(id(leaf))
                        if position == at and index is not None:
                            index.loose.append(cluster)
                return cluster.index
        cluster = _Cluster(len(self._clusters), tokens, leaf)
        self._clusters.append(cluster)
        self._alias.append(cluster.index)
        leaf.append(cluster)
        if index is not None:
            index.add(cluster)
        self._dirty = True
        size = len(leaf)
        if size >= self._min_values and (
            size <= _MERGE_EACH_UP_TO or size >= self._merged_at.get(id(leaf), 0) * 3 // 2
        ):
            if id(leaf) not in self._settled or self._joins_any(cluster, leaf):
                self._merge(list(leaf))
                self._settled.add(id(leaf))
            self._merged_at[id(leaf)] = len(leaf)
        else:
            self._settled.discard(id(leaf))
        return self.resolve(cluster.index)

    def _merge(self, clusters: list[_Cluster]) -> None:
        """Merge templates of one length that differ in a single variable position.

        A position is a variable when one of the templates has a wildcard there, or when it
        shows at least ``min_values`` distinct words. Repeats until nothing changes.
        """
        changed = True
        while changed:
            changed = False
            by_length: dict[int, list[_Cluster]] = {}
            for cluster in clusters:
                if self._alias[cluster.index] == cluster.index:
                    by_length.setdefault(len(cluster.tokens), []).append(cluster)
            for group in by_length.values():
                if len(group) > 1 and self._merge_group(group):
                    changed = True

    def _merge_group(self, group: list[_Cluster]) -> bool:
        shapes = [list(self._shape_of(c)) for c in group]
        merged = False
        for position in range(len(shapes[0])):
            buckets: dict[tuple[str, ...], list[int]] = {}
            for member, shape in enumerate(shapes):
                if self._alias[group[member].index] != group[member].index:
                    continue
                rest = (*shape[:position], *shape[position + 1 :])
                buckets.setdefault(rest, []).append(member)
            for rest, members in buckets.items():
                values = {shapes[m][position] for m in members}
                if not self._mergeable(len(members), values, rest):
                    continue
                survivor = group[members[0]]
                for member in members[1:]:
                    self._absorb(survivor, group[member])
                    shapes[member] = shapes[members[0]]
                shapes[members[0]][position] = WILDCARD
                merged = True
        return merged

    def _mergeable(self, members: int, values: set[str], rest: Sequence[str]) -> bool:
        """Whether ``members`` templates that agree on ``rest`` merge over their ``values``."""
        if members < 2 or (WILDCARD not in values and len(values) < self._min_values):
            return False
        return len(rest) - rest.count(WILDCARD) >= self._min_context

    def _joins_any(self, cluster: _Cluster, leaf: list[_Cluster]) -> bool:
        """Whether ``cluster``, new in a settled ``leaf``, would merge with any of the others.

        A settled leaf is one `_merge` left with nothing more to merge; ``cluster`` can only
        add itself to the groups `_merge_group` forms, so a merge needs a group holding it:
        the templates whose shape differs from its own in at most one position. Finding them
        costs one pass over the leaf, where the whole merge costs one per position.
        """
        mine = self._shape_of(cluster)
        size = len(mine)
        everywhere: list[list[str]] = []  # same shape: in its group at every position
        at: dict[int, list[list[str]]] = {}  # differs at one position: in its group there
        for other in leaf:
            if other is cluster or self._alias[other.index] != other.index:
                continue
            theirs = self._shape_of(other)
            differs = -1
            for position in range(size):
                if mine[position] != theirs[position]:
                    if differs >= 0:
                        break
                    differs = position
            else:
                if differs < 0:
                    everywhere.append(theirs)
                else:
                    at.setdefault(differs, []).append(theirs)
        if not everywhere and not at:
            return False
        for position in range(size) if everywhere else sorted(at):
            group = [*everywhere, *at.get(position, ())]
            values = {shape[position] for shape in group}
            values.add(mine[position])
            rest = (*mine[:position], *mine[position + 1 :])
            if self._mergeable(len(group) + 1, values, rest):
                return True
        return False

    def _shape_of(self, cluster: _Cluster) -> list[str]:
        """The tokens of ``cluster`` with every variable a wildcard: what merging compares.

        Kept on the cluster until its tokens change; callers that change it take a copy.
        """
        shape = cluster.shape
        if shape is None:
            variable = self._variable
            shape = cluster.shape = [
                WILDCARD if t == WILDCARD or variable(t) else t for t in cluster.tokens
            ]
        return shape

    def _absorb(self, survivor: _Cluster, other: _Cluster) -> None:
        if other.index < survivor.index:
            survivor, other = other, survivor
        self._alias[other.index] = survivor.index
        survivor.count += other.count
        index = self._fit_index.get(id(survivor.leaf))
        at = -1 if index is None else index.position
        if index is not None and WILDCARD != survivor.tokens[at] != other.tokens[at]:
            index.loose.append(survivor)
        survivor.tokens = [
            a if a == b else WILDCARD for a, b in zip(survivor.tokens, other.tokens, strict=True)
        ]
        survivor.shape = None
        other.leaf.remove(other)

    def _variable(self, token: str) -> bool:
        kind = self._kind.get(token)
        return _is_variable(token) if kind is None else kind


_Plan = tuple[tuple[str, ...], tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]
"""How to mask every text of one skeleton: its masked tokens, then (masked position, text
position) of the tokens masking keeps whole, to copy from the text, and of the tokens it
masks only in part, to mask one by one."""
_NO_PLAN: _Plan = ((), (), ())
_SUSPECT: _Plan = ((), (), ((-1, -1),))
"""A skeleton whose texts may hold a secret: they are redacted before masking."""
_GLOBAL_RULE_HINTS = ("://", "@", '"', "'")


def _plan(text: str, masked: str) -> _Plan:
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
      plan, nor does JSON (_NO_PLAN): such texts are masked whole, one by one.
    """
    if text.startswith("{") and '":' in text:
        return _NO_PLAN
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
                return _NO_PLAN
        return tuple(tokens), tuple(kept), tuple(partial)
    cursor = 0
    for position, token in enumerate(tokens):
        if _DIGIT.search(token) is not None:
            if "<" in token:
                return _NO_PLAN
            try:
                cursor = parts.index(token, cursor)
            except ValueError:
                return _NO_PLAN
            kept.append((position, cursor))
            cursor += 1
    return tuple(tokens), tuple(kept), ()


def _remember(cache: dict[_K, _V], key: _K, index: _V) -> None:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = index


def _fits(template: list[str], tokens: list[str], variable: list[bool]) -> bool:
    """Whether ``tokens`` repeat every constant of ``template`` (variables may differ)."""
    for mine_, theirs, is_variable in zip(template, tokens, variable, strict=True):
        if mine_ != theirs and mine_ != WILDCARD and not is_variable:
            return False
    return True


def mine(messages: Iterable[str]) -> MiningResult:
    """Mine ``messages`` in one pass; assignments reflect every merge made at the end."""
    miner = PatternMiner()
    raw = [miner.add(message) for message in messages]
    surviving = miner.templates()
    dense = {template.index: position for position, template in enumerate(surviving)}
    return MiningResult(
        assignments=tuple(dense[miner.resolve(index)] for index in raw),
        templates=tuple(
            MinedTemplate(index=dense[t.index], template=t.template, count=t.count)
            for t in surviving
        ),
    )
