"""Orchestration of one analysis: fetch, fit, stream."""
