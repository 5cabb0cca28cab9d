"""The service's one error tree.

Every failure the service reports is one of these, so routes, the stream and the CLI turn them
into responses the same way. Foreign exceptions (httpx, JSON, a store's SDK) are translated
exactly once, at the client edge, with ``raise X(...) from exc``::

    ServiceError                      500 internal_error
    ├── InputError                    422 invalid_input        (names the field)
    ├── OverloadedError               429 overloaded           (carries retry_after)
    └── UpstreamError                 502 upstream_error       (names the upstream)
        ├── SourceError               502 <source>_error       (a log store; one subclass
        │   ├── SourceUnavailable     502 <source>_unavailable  family per store, named after
        │   ├── SourceTimeout         504 <source>_timeout      it: loki_unavailable, ...)
        │   ├── SourceQueryError      400 <source>_query_error  (the store's 4xx text)
        │   └── SourceBadResponse     502 <source>_bad_response (5xx or unreadable body)
        ├── LLMUnavailable            502 llm_unavailable      (connect failure, 503 loading)
        ├── LLMTimeout                504 llm_timeout
        ├── LLMContextExceeded        400 llm_context_exceeded (n_prompt_tokens, n_ctx)
        └── LLMError                  502 llm_error            (any other llama.cpp error)

A log store's package subclasses the four ``Source*`` kinds once each, with its own ``upstream``
and codes, so the pipeline can still catch, say, every ``SourceTimeout`` whatever the store.

Errors cross process boundaries (CPU work runs in worker processes), so each one pickles as
its class, message and details.
"""

from __future__ import annotations

from typing import Any, ClassVar


def _rebuild(cls: type[ServiceError], message: str, details: dict[str, Any]) -> ServiceError:
    error = cls.__new__(cls)
    ServiceError.__init__(error, message, **details)
    return error


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

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take other constructor arguments; rebuild from what every one keeps.
        return (_rebuild, (type(self), self.message, dict(self.details)), self.__dict__)


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
    """A dependency failed; `upstream` names it ("loki", "llama.cpp", ...)."""

    status_code = 502
    code = "upstream_error"
    upstream: ClassVar[str] = "upstream"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, upstream=self.upstream, **details)


class SourceError(UpstreamError):
    """A log store failed; each store's package subclasses the four kinds below."""

    code = "source_error"


class SourceUnavailable(SourceError):
    """The store could not be reached, or refused our credentials."""

    code = "source_unavailable"


class SourceTimeout(SourceError):
    """The store did not answer in time (our deadline or its own)."""

    status_code = 504
    code = "source_timeout"


class SourceQueryError(SourceError):
    """The store refused the query (4xx); the message carries the store's own text."""

    status_code = 400
    code = "source_query_error"


class SourceBadResponse(SourceError):
    """The store answered with a server error or a body we cannot read."""

    code = "source_bad_response"


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


def internal_error(exc: BaseException) -> ServiceError:
    """What a caller is told of a failure that is not one of ours: its type, never its text."""
    return ServiceError(f"internal error ({type(exc).__name__}); see the service log")
