"""The templates inside one leaf of the miner's prefix tree, and the index of a crowded leaf.

A leaf holds the templates (:class:`Cluster`) of one token count and leading tokens; a line
joins the first whose every constant word it repeats (:func:`fits`). A leaf with many templates
is indexed by their word at one position (:class:`FitIndex`), so a line is tried only against
those that may fit it. The miner that owns the leaves is :mod:`log_analyzer.logs.patterns`.
"""

from __future__ import annotations

from collections.abc import Iterable

from log_analyzer.logs.template_tokens import WILDCARD


class FitIndex:
    """A crowded leaf's templates by their word at one ``position``.

    A line is tried only against the templates that may fit it: the ones holding its word
    there, and the ones with a variable there (``loose``). Templates only ever loosen, and
    those absorbed by a merge are left in place for the caller to skip.
    """

    __slots__ = ("by_word", "loose", "position")

    def __init__(self, position: int, clusters: Iterable[Cluster]) -> None:
        self.position = position
        self.by_word: dict[str, list[Cluster]] = {}
        self.loose: list[Cluster] = []
        for cluster in clusters:
            self.add(cluster)

    def add(self, cluster: Cluster) -> None:
        """Index ``cluster`` by its word at the position, or as loose if it has a variable."""
        word = cluster.tokens[self.position]
        if word == WILDCARD:
            self.loose.append(cluster)
        else:
            self.by_word.setdefault(word, []).append(cluster)

    def candidates(self, word: str) -> list[Cluster]:
        """The templates that may fit a line with ``word`` at the position, in leaf order."""
        found = {cluster.index: cluster for cluster in self.by_word.get(word, ())}
        found.update((cluster.index, cluster) for cluster in self.loose)
        return [found[index] for index in sorted(found)]


class Cluster:
    """Mutable state of one template inside the miner."""

    __slots__ = ("count", "index", "leaf", "shape", "tokens")

    def __init__(self, index: int, tokens: list[str], leaf: list[Cluster]) -> None:
        self.index = index
        self.tokens = tokens
        self.leaf = leaf
        self.count = 0
        self.shape: list[str] | None = None
        """`PatternMiner._shape_of` its tokens, once asked; None again when they change."""


def fits(template: list[str], tokens: list[str], variable: list[bool]) -> bool:
    """Whether ``tokens`` repeat every constant of ``template`` (variables may differ)."""
    for mine_, theirs, is_variable in zip(template, tokens, variable, strict=True):
        if mine_ != theirs and mine_ != WILDCARD and not is_variable:
            return False
    return True
