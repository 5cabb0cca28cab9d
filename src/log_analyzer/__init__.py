"""log-analyzer: incident triage for Kubernetes from Loki logs and a local llama.cpp model."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("log-analyzer")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
