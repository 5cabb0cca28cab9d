"""CloudWatch Logs' API through aiobotocore: the one place where its failures become our errors.

botocore's own retries are off (the client is made with one attempt); this client retries, with
`stamina`, what is worth another try: throttling, a full Logs Insights queue, a service briefly
unavailable, and connections that never reached AWS. A whole query (every page, every poll of a
Logs Insights query, every wait between tries) runs within one total deadline, `deadline()`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, TypeVar

import stamina
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)

from log_analyzer.sources.cloudwatch.errors import (
    CloudWatchBadResponse,
    CloudWatchError,
    CloudWatchInsightsFull,
    CloudWatchQueryError,
    CloudWatchTimeout,
    CloudWatchUnavailable,
    CloudWatchUnsupported,
)
from log_analyzer.sources.http import excerpt

if TYPE_CHECKING:  # the stubs are a development dependency
    from types_aiobotocore_logs.client import CloudWatchLogsClient
    from types_aiobotocore_logs.type_defs import (
        FilterLogEventsRequestTypeDef,
        FilterLogEventsResponseTypeDef,
        GetQueryResultsResponseTypeDef,
        StartQueryRequestTypeDef,
    )

T = TypeVar("T")
A = TypeVar("A", bound=Mapping[str, object])

RETRY_CODES = frozenset(
    {
        "ThrottlingException",
        "LimitExceededException",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
"""Answers worth another try: CloudWatch throttled us, its Insights queue is full, it is
briefly down, or the request timed out on its side. Nothing else is retried: a refused request
is refused again."""
RETRY_STATUSES = frozenset({500, 502, 503, 504})
"""Server errors botocore's standard retry mode counts as transient (`retries/standard.py`),
which this client does in its place since botocore's own retries are off."""
DENIED_CODES = frozenset({"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"})
CREDENTIAL_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "IncompleteSignature",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "MissingAuthenticationToken",
    }
)
UNSUPPORTED_CODES = frozenset(
    {
        "UnknownOperationException",
        "InvalidAction",
        "NotImplemented",
        "NotImplementedException",
        "UnsupportedOperation",
        "UnsupportedOperationException",
    }
)
"""What an endpoint answers for an operation it does not have (emulators, mostly)."""
SIGNATURE_CODES = frozenset({"InvalidSignatureException", "SignatureDoesNotMatch"})
"""What AWS answers a request whose signature's time is too far from its own, among others."""
MAX_SKEW_SECONDS = 240.0
"""A clock further off AWS's than this is the cause of a signature refusal (AWS allows 5 min)."""
POLICY_FILE = "k8s/aws/log-analyzer-cloudwatch-policy.json"
STOP_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter, within the query's deadline."""

    attempts: int = 4
    initial_wait_seconds: float = 0.2
    max_wait_seconds: float = 5.0


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, ClientError):
        return _code(exc) in RETRY_CODES or _status(exc) in RETRY_STATUSES
    # Only failures to connect: the request never reached AWS, so another try costs it nothing.
    return isinstance(exc, ConnectTimeoutError | EndpointConnectionError)


class CloudWatchClient:
    """Calls CloudWatch Logs through an injected aiobotocore ``logs`` client."""

    def __init__(
        self,
        logs: CloudWatchLogsClient,
        retry: RetryPolicy | None = None,
        *,
        deadline_seconds: float = 60.0,
    ) -> None:
        self._logs = logs
        self._retry = retry or RetryPolicy()
        self._deadline = deadline_seconds

    @property
    def region(self) -> str:
        """The AWS region the client talks to."""
        return str(self._logs.meta.region_name)

    @asynccontextmanager
    async def deadline(self, what: str) -> AsyncIterator[None]:
        """The whole of one query (pages, polls, retries and waits) within the deadline."""
        try:
            async with asyncio.timeout(self._deadline):
                yield
        except TimeoutError:
            raise CloudWatchTimeout(
                f"CloudWatch Logs did not finish {what} within {self._deadline:g} s "
                "(SOURCE_QUERY_DEADLINE_SECONDS)"
            ) from None

    async def filter_events(
        self, params: FilterLogEventsRequestTypeDef
    ) -> FilterLogEventsResponseTypeDef:
        """One page of FilterLogEvents."""
        page = await self._call(
            "FilterLogEvents",
            lambda: self._logs.filter_log_events(**params),
            params.get("logGroupName"),
        )
        return _holding(page, "FilterLogEvents", "events")

    async def start_query(self, params: StartQueryRequestTypeDef) -> str:
        """Start a Logs Insights query; its id."""
        started = await self._call(
            "StartQuery", lambda: self._logs.start_query(**params), params.get("logGroupName")
        )
        query_id = started.get("queryId")
        if not isinstance(query_id, str) or not query_id:
            raise CloudWatchBadResponse("CloudWatch Logs started a Logs Insights query without id")
        return query_id

    async def query_results(self, query_id: str) -> GetQueryResultsResponseTypeDef:
        """The status and (once complete) the results of a Logs Insights query."""
        results = await self._call(
            "GetQueryResults", lambda: self._logs.get_query_results(queryId=query_id)
        )
        return _holding(results, "GetQueryResults", "status")

    async def stop_query(self, query_id: str) -> None:
        """Ask CloudWatch to stop a Logs Insights query we no longer wait for.

        Best effort, once and briefly: it is called while giving up (a deadline, a client
        gone), and an abandoned query still ends on its own, at Logs Insights' time limit.
        """
        with suppress(BotoCoreError, ClientError, TimeoutError):
            async with asyncio.timeout(STOP_TIMEOUT_SECONDS):
                await self._logs.stop_query(queryId=query_id)

    async def ready(self) -> None:
        """Return when CloudWatch Logs answers a cheap call with our identity and region."""
        async with self.deadline("DescribeLogGroups"):
            groups = await self._call(
                "DescribeLogGroups", lambda: self._logs.describe_log_groups(limit=1)
            )
            _holding(groups, "DescribeLogGroups", "logGroups")

    async def _call(
        self, operation: str, call: Callable[[], Awaitable[T]], log_group: str | None = None
    ) -> T:
        policy = self._retry
        try:
            async for attempt in stamina.retry_context(
                on=_retryable,
                attempts=policy.attempts,
                timeout=self._deadline,
                wait_initial=policy.initial_wait_seconds,
                wait_max=policy.max_wait_seconds,
            ):
                with attempt:
                    answer = await call()
        except ClientError as exc:
            raise _client_error(operation, exc, log_group, self.region) from exc
        except (ConnectTimeoutError, EndpointConnectionError) as exc:
            raise CloudWatchUnavailable(f"cannot reach CloudWatch Logs: {exc}") from exc
        except ReadTimeoutError as exc:
            raise CloudWatchTimeout(
                f"CloudWatch Logs did not answer {operation} in time "
                "(CLOUDWATCH_READ_TIMEOUT_SECONDS)"
            ) from exc
        except (NoCredentialsError, PartialCredentialsError, CredentialRetrievalError) as exc:
            raise CloudWatchUnavailable(
                f"no usable AWS credentials for CloudWatch Logs ({exc}); the service takes them "
                "from the standard chain: environment, profile, or web identity (IRSA)"
            ) from exc
        except BotoCoreError as exc:
            raise CloudWatchUnavailable(
                f"CloudWatch Logs {operation} failed: {type(exc).__name__}: {exc}"
            ) from exc
        return answer


def _holding(answer: A, operation: str, key: str) -> A:
    """``answer`` if it has the field CloudWatch Logs always sends (an empty list included).

    botocore reads a body that is no JSON (a proxy's or portal's page sent with a 200) as an
    answer without fields, which would pass for an empty window.
    """
    if key not in answer:
        raise CloudWatchBadResponse(
            f"CloudWatch Logs {operation} answered without its {key}: the endpoint sent something "
            "other than CloudWatch Logs' JSON (a proxy's page?); check CLOUDWATCH_ENDPOINT_URL"
        )
    return answer


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def _clock_skew(exc: ClientError) -> float | None:
    """Seconds AWS's clock is ahead of ours, by the refusal's ``Date``; None when it has none."""
    headers = exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    try:
        theirs = parsedate_to_datetime(str(headers["date"])).timestamp()
    except (KeyError, TypeError, ValueError, IndexError, OverflowError):  # a year past C's long
        return None
    return theirs - time.time()


def _client_error(
    operation: str, exc: ClientError, log_group: str | None, region: str
) -> CloudWatchError:
    code = _code(exc)
    text = excerpt(str(exc.response.get("Error", {}).get("Message", "")))
    status = _status(exc)
    said = f"{code}: {text}" if text else code
    if code in DENIED_CODES:
        return CloudWatchUnavailable(
            f"CloudWatch Logs denied {operation}: the service's AWS identity needs the "
            f"permission logs:{operation} ({POLICY_FILE} lists what it needs): {said}",
            status=status,
        )
    skew = _clock_skew(exc) if code in SIGNATURE_CODES else None
    if skew is not None and abs(skew) > MAX_SKEW_SECONDS:
        # botocore signs with the local clock and never corrects it; AWS refuses a signature
        # more than five minutes off its own time, in words that look like bad credentials.
        off = f"{abs(skew) / 60:.0f} min {'behind' if skew > 0 else 'ahead of'}"
        return CloudWatchUnavailable(
            f"CloudWatch Logs refused the signature of {operation} because this machine's clock "
            f"is {off} AWS's (the Date of its answer); a request's signature holds for 5 "
            f"minutes: fix the time synchronization of the node (NTP, chrony): {said}",
            status=status,
        )
    if code in CREDENTIAL_CODES:
        return CloudWatchUnavailable(
            f"CloudWatch Logs did not accept our AWS credentials: {said}", status=status
        )
    if code == "LimitExceededException" and operation == "StartQuery":
        return CloudWatchInsightsFull(
            f"Logs Insights is at its limit of concurrent queries ({operation}, out of "
            f"tries): {said}",
            status=status,
        )
    if code in RETRY_CODES:
        return CloudWatchUnavailable(
            f"CloudWatch Logs is throttling or unavailable ({operation}, out of tries): {said}",
            status=status,
        )
    if code in UNSUPPORTED_CODES or (status in (404, 501) and code != "ResourceNotFoundException"):
        return CloudWatchUnsupported(
            f"this CloudWatch Logs endpoint does not offer {operation}: {said}", status=status
        )
    if code == "ResourceNotFoundException" and log_group is not None:
        return CloudWatchQueryError(
            f"CloudWatch Logs has no log group {log_group!r} in {region} (filters.log_group): "
            f"{said}",
            status=status,
            field="filters.log_group",
        )
    if 400 <= status < 500:
        return CloudWatchQueryError(f"CloudWatch Logs rejected {operation}: {said}", status=status)
    return CloudWatchBadResponse(f"CloudWatch Logs failed {operation}: {said}", status=status)
