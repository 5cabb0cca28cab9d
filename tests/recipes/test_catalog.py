"""The catalog of recipes and the validation of their parameters."""

from __future__ import annotations

from typing import Any

import pytest

from log_analyzer.core.errors import InputError
from log_analyzer.recipes.catalog import RECIPES, get_recipe
from log_analyzer.recipes.params import parse_params

NAMES = [
    "error_spikes",
    "slow_requests",
    "traffic_summary",
    "top_errors",
    "logs_per_level",
    "logs_per_hour",
    "logs_per_day",
    "top_users",
]


def test_catalog_lists_every_recipe_in_order() -> None:
    assert list(RECIPES) == NAMES
    for name, recipe in RECIPES.items():
        assert recipe.name == name
        assert recipe.description
        assert get_recipe(name) is recipe
        # Every default is valid for its own parameter.
        assert parse_params(recipe.name, recipe.params, {}) == {
            p.name: p.default for p in recipe.params
        }


def test_unknown_recipe_names_the_field_and_the_known_ones() -> None:
    with pytest.raises(InputError) as caught:
        get_recipe("error_spike")
    assert caught.value.field == "name"
    assert "unknown recipe 'error_spike'" in caught.value.message
    assert ", ".join(NAMES) in caught.value.message


@pytest.mark.parametrize(
    ("recipe", "given", "field", "reason"),
    [
        pytest.param("error_spikes", {"x": 1}, "params.x", "unknown parameter", id="unknown"),
        pytest.param("logs_per_level", {"top": 3}, "params.top", "no parameters", id="takes-none"),
        pytest.param(
            "error_spikes", {"sensitivity": 1.5}, "params.sensitivity", "at least 2", id="low"
        ),
        pytest.param(
            "error_spikes", {"sensitivity": 21}, "params.sensitivity", "at most 20", id="high"
        ),
        pytest.param("error_spikes", {"min_count": 0}, "params.min_count", "at least 1", id="0"),
        pytest.param("slow_requests", {"top": 101}, "params.top", "at most 100", id="top-101"),
        pytest.param("slow_requests", {"top": 2.5}, "params.top", "whole number", id="top-2.5"),
        pytest.param(
            "slow_requests", {"slow_seconds": "1s"}, "params.slow_seconds", "number", id="str"
        ),
        pytest.param(
            "slow_requests", {"slow_seconds": 0}, "params.slow_seconds", "at least", id="zero"
        ),
        pytest.param("top_users", {"top": True}, "params.top", "number", id="bool"),
        pytest.param("traffic_summary", {"bucket": "2m"}, "params.bucket", "one of", id="choice"),
        pytest.param("traffic_summary", {"bucket": 60}, "params.bucket", "string", id="not-str"),
    ],
)
def test_bad_params_are_refused(
    recipe: str, given: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(InputError) as caught:
        parse_params(recipe, get_recipe(recipe).params, given)
    assert caught.value.field == field
    assert reason in caught.value.message


@pytest.mark.parametrize(
    ("recipe", "given", "expected"),
    [
        pytest.param(
            "error_spikes",
            {"sensitivity": 2},
            {"sensitivity": 2.0, "min_count": 10},
            id="int-for-float",
        ),
        pytest.param(
            "slow_requests", {"top": 5.0}, {"top": 5, "slow_seconds": 1.0}, id="whole-float"
        ),
        pytest.param("traffic_summary", {"bucket": "1h"}, {"bucket": "1h", "top": 10}, id="choice"),
    ],
)
def test_good_params_are_parsed(recipe: str, given: dict[str, Any], expected: Any) -> None:
    parsed = parse_params(recipe, get_recipe(recipe).params, given)
    assert parsed == expected
    assert all(type(parsed[k]) is type(v) for k, v in expected.items())
