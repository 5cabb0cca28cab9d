"""The HTTP layer: routes, request models, dependencies and stream encoders."""
