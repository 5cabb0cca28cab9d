"""Configuration, errors, telemetry and logging."""
