"""The service's one error tree.

Every failure the service reports is one of these, so routes, the stream and the CLI turn them
into responses the same way. Foreign exceptions (httpx, JSON) are translated exactly once, at the
client edge, with ``raise X(...) from exc``::

    ServiceError                      500 internal_error
    ├── InputError                    422 invalid_input        (names the field)
    ├── OverloadedError               429 overloaded           (carries retry_after)
    └── UpstreamError                 502 upstream_error       (names the upstream)
        ├── LokiUnavailable           502 loki_unavailable     (connect/protocol failure)
        ├── LokiTimeout               504 loki_timeout
        ├── LokiQueryError            400 loki_query_error     (Loki's 4xx text, verbatim)
        ├── LokiBadResponse           502 loki_bad_response    (5xx or unreadable body)
        ├── LLMUnavailable            502 llm_unavailable      (connect failure, 503 loading)
        ├── LLMTimeout                504 llm_timeout
        ├── LLMContextExceeded        400 llm_context_exceeded (n_prompt_tokens, n_ctx)
        └── LLMError                  502 llm_error            (any other llama.cpp error)
"""

from __future__ import annotations

from typing import Any, ClassVar


class ServiceError(Exception):
    """Base of every error the service reports to a caller."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The `error` object of the JSON envelope and of in-band error events."""
        return {"code": self.code, "message": self.message, **self.details}


class InputError(ServiceError):
    """The request is invalid; `field` names what to fix."""

    status_code = 422
    code = "invalid_input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", field=field)
        self.field = field


class OverloadedError(ServiceError):
    """Too many analyses are waiting for the LLM; the caller should retry later."""

    status_code = 429
    code = "overloaded"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class UpstreamError(ServiceError):
    """A dependency failed; `upstream` names it ("loki" or "llama.cpp")."""

    status_code = 502
    code = "upstream_error"
    upstream: ClassVar[str] = "upstream"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, upstream=self.upstream, **details)


class LokiError(UpstreamError):
    """Base of the Loki failures."""

    upstream = "loki"


class LokiUnavailable(LokiError):
    """Loki could not be reached."""

    code = "loki_unavailable"


class LokiTimeout(LokiError):
    """Loki did not answer in time (our timeout or its own `query_timeout`)."""

    status_code = 504
    code = "loki_timeout"


class LokiQueryError(LokiError):
    """Loki refused the query (4xx); the message carries Loki's own text."""

    status_code = 400
    code = "loki_query_error"


class LokiBadResponse(LokiError):
    """Loki answered with a server error or a body we cannot read."""

    code = "loki_bad_response"


class LLMError(UpstreamError):
    """llama.cpp failed in a way not covered by a narrower class."""

    upstream = "llama.cpp"
    code = "llm_error"


class LLMUnavailable(LLMError):
    """llama.cpp could not be reached or is still loading its model."""

    code = "llm_unavailable"


class LLMTimeout(LLMError):
    """llama.cpp went silent for longer than the read timeout."""

    status_code = 504
    code = "llm_timeout"


class LLMContextExceeded(LLMError):
    """llama.cpp refused the prompt as larger than its slot context."""

    status_code = 400
    code = "llm_context_exceeded"

    def __init__(self, message: str, n_prompt_tokens: int, n_ctx: int) -> None:
        super().__init__(message, n_prompt_tokens=n_prompt_tokens, n_ctx=n_ctx)
        self.n_prompt_tokens = n_prompt_tokens
        self.n_ctx = n_ctx
