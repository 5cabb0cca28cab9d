"""Every recipe by name, in the order they are listed."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from log_analyzer.core.errors import InputError
from log_analyzer.recipes.aggregations import (
    LogsPerDay,
    LogsPerHour,
    LogsPerLevel,
    TopErrors,
    TopUsers,
)
from log_analyzer.recipes.context import Recipe
from log_analyzer.recipes.slow import SlowRequests
from log_analyzer.recipes.spikes import ErrorSpikes
from log_analyzer.recipes.traffic import TrafficSummary

_ALL: tuple[Recipe, ...] = (
    ErrorSpikes(),
    SlowRequests(),
    TrafficSummary(),
    TopErrors(),
    LogsPerLevel(),
    LogsPerHour(),
    LogsPerDay(),
    TopUsers(),
)
RECIPES: Mapping[str, Recipe] = MappingProxyType({recipe.name: recipe for recipe in _ALL})
"""The recipes by name, in listing order."""


def get_recipe(name: str) -> Recipe:
    """The recipe called `name`.

    Raises:
        InputError: No recipe has that name (a 422 naming the field ``name``).
    """
    recipe = RECIPES.get(name)
    if recipe is None:
        raise InputError("name", f"unknown recipe {name!r}; known: {', '.join(RECIPES)}")
    return recipe
