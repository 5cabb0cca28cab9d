"""What a recipe's result says about itself."""

from __future__ import annotations

from log_analyzer.logs.tables import RecipeResult


def test_a_query_behind_two_numbers_is_listed_once() -> None:
    result = RecipeResult("error_spikes", (), ("count q", "log q", "count q"))
    assert result.queries == ("count q", "log q")
