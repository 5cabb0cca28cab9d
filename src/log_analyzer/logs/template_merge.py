"""Merge the miner's templates that differ only in a variable position.

Templates of one length that differ in a single position merge when one of them already has a
wildcard there, or when that position shows at least ``min_values`` distinct words with
``min_context`` constant words around it. The merged template becomes an alias of the earliest
one. :class:`TemplateMerging` is the part of :class:`~log_analyzer.logs.patterns.PatternMiner`
that does this; it works on the miner's own state, declared here.
"""

from __future__ import annotations

from collections.abc import Sequence

from log_analyzer.logs.template_leaves import Cluster, FitIndex
from log_analyzer.logs.template_tokens import WILDCARD, is_variable


class TemplateMerging:
    """The merging half of the miner: mixed into `PatternMiner`, which owns the state below."""

    _alias: list[int]
    _min_values: int
    _min_context: int
    _fit_index: dict[int, FitIndex]
    _kind: dict[str, bool]

    def _merge(self, clusters: list[Cluster]) -> None:
        """Merge templates of one length that differ in a single variable position.

        A position is a variable when one of the templates has a wildcard there, or when it
        shows at least ``min_values`` distinct words. Repeats until nothing changes.
        """
        changed = True
        while changed:
            changed = False
            by_length: dict[int, list[Cluster]] = {}
            for cluster in clusters:
                if self._alias[cluster.index] == cluster.index:
                    by_length.setdefault(len(cluster.tokens), []).append(cluster)
            for group in by_length.values():
                if len(group) > 1 and self._merge_group(group):
                    changed = True

    def _merge_group(self, group: list[Cluster]) -> bool:
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

    def _joins_any(self, cluster: Cluster, leaf: list[Cluster]) -> bool:
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

    def _shape_of(self, cluster: Cluster) -> list[str]:
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

    def _absorb(self, survivor: Cluster, other: Cluster) -> None:
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
        return is_variable(token) if kind is None else kind
