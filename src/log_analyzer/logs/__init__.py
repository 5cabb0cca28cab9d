"""The pure, sans-IO log domain: entries, normalize, redact, patterns, counts, budget, prompt."""
