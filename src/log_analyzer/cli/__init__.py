"""The command line: serve, analyze, demo, recipe and patterns."""

from log_analyzer.cli.main import EXIT_INPUT, EXIT_UPSTREAM, main

__all__ = ["EXIT_INPUT", "EXIT_UPSTREAM", "main"]
