"""The pure, sans-IO log domain: LogQL, flatten, normalize, redact, patterns, budget, prompt."""
