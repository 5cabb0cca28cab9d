"""Mine log templates: group messages that come from the same line of code.

The miner is of the Drain family (He et al., ICWS 2017): a message is reduced to its event
lines (:func:`~log_analyzer.logs.event_lines.event_text`, so a stack trace is one message),
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

Where each part lives: which tokens are values (:mod:`~log_analyzer.logs.template_tokens`),
the templates of a leaf and their index (:mod:`~log_analyzer.logs.template_leaves`), the
merging (:mod:`~log_analyzer.logs.template_merge`) and the masking cache
(:mod:`~log_analyzer.logs.mask_cache`); this module routes, places and reads templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from log_analyzer.logs.event_lines import event_text
from log_analyzer.logs.mask_cache import CACHE_LIMIT, MaskingCache, Plan, remember
from log_analyzer.logs.masking import skeleton
from log_analyzer.logs.redact import DEFAULT_PII
from log_analyzer.logs.template_leaves import Cluster, FitIndex, fits
from log_analyzer.logs.template_merge import TemplateMerging
from log_analyzer.logs.template_tokens import PLACEHOLDER, WILDCARD, is_variable, stem

__all__ = ["MinedTemplate", "MiningResult", "PatternMiner", "mine"]

_SCAN_UP_TO = 64
"""Templates in a leaf up to which a line is tried against each in turn; a more crowded leaf
is indexed by its templates' word after the tree's key (`FitIndex`)."""
_MERGE_EACH_UP_TO = 64
"""Templates in a leaf up to which each new one is merged at once. Past it, a leaf is merged
again when it has grown by half since its last merge (a leaf of thousands of lines that share
only their length and first words, each new one merged over the whole leaf, took minutes);
`PatternMiner.templates` merges every leaf at the end in any case."""
_ONES = bytes.maketrans(b"0123456789", b"1111111111")  # masking.skeleton, for texts without 0x


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


class PatternMiner(MaskingCache, TemplateMerging):
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
        self._clusters: list[Cluster] = []
        self._alias: list[int] = []
        self._leaves: dict[tuple[str | int, ...], list[Cluster]] = {}
        self._children: dict[tuple[str | int, ...], set[str]] = {}
        self._kind: dict[str, bool] = {}
        self._shape: dict[str, str] = {}
        self._seen: dict[str, int] = {}
        self._redact = redact
        self._pii = pii
        self._skeletons: dict[bytes, int | Plan] = {}
        self._redacted: dict[bytes, int | Plan] = {}
        self._kept: dict[tuple[bytes, tuple[str, ...]], int] = {}
        self._seen_masked: dict[str, int] = {}
        # Per leaf, by its id (a leaf lives as long as the miner): its size after its last
        # merge, and the index of a leaf with more than `_SCAN_UP_TO` templates.
        self._merged_at: dict[int, int] = {}
        self._fit_index: dict[int, FitIndex] = {}
        # The leaves, by id, that `_merge` left with nothing more to merge, and that no template
        # has loosened since: a new template there is merged only if it joins one (`_joins_any`).
        self._settled: set[int] = set()
        self._dirty = False

    def add(self, message: str, key: bytes | None = None) -> int:
        """Add one message and return the index of the template it joined.

        ``key``, from a caller that computed it already, is ``masking.skeleton(message)``; it
        is not used for a multi-line message, which is mined on its event lines. A miner that
        does not redact may be given the coarser ``id_skeleton.id_skeleton(message)`` instead
        (texts of one mask alike); one that redacts may not, as redaction may tell ids apart.
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

    def _index_of(self, masked: str) -> int:
        index = self._seen_masked.get(masked)
        if index is None:
            index = self._place(masked)
            remember(self._seen_masked, masked, index)
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
                kind = is_variable(token)
                if len(kinds) >= CACHE_LIMIT:
                    kinds.clear()
                    shapes.clear()
                kinds[token] = kind
                if not kind and "<" in token:
                    shapes[token] = PLACEHOLDER.sub(WILDCARD, token)
            if not kind and token in shapes:
                token = shapes[token]
            if kind and variable and variable[-1] and stem(token) == stem(tokens[-1]):
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
            index = self._fit_index[id(leaf)] = FitIndex(self._depth, leaf)
        alias = self._alias
        at = -1 if index is None else index.position
        tried = leaf if index is None or variable[at] else index.candidates(tokens[at])
        for cluster in tried:
            if alias[cluster.index] == cluster.index and fits(cluster.tokens, tokens, variable):
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
        cluster = Cluster(len(self._clusters), tokens, leaf)
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
