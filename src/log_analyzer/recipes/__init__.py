"""Recipes: recurring incident questions answered with computed numbers, then explained."""
