"""A signature refused because this machine's clock is off AWS's is named as a clock problem.

botocore signs requests with the local clock and does not correct it. The refusals are
CloudWatch Logs' own words as users have reported them (aws/aws-sdk-js#1652 and #527,
logspout-cloudwatch#24: HTTP 400 ``InvalidSignatureException``, "Signature expired: <signed> is
now earlier than <aws time - 5 min>" and "Signature not yet current: ... is still later than
..."), given through botocore's Stubber with the ``Date`` header AWS sends with every answer.
"""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest
from aiobotocore.stub import AioStubber

from log_analyzer.sources.base import EntryQuery, LineFilter, Order, Selection, Window
from log_analyzer.sources.cloudwatch.client import CloudWatchClient
from log_analyzer.sources.cloudwatch.errors import CloudWatchUnavailable
from log_analyzer.sources.cloudwatch.source import CloudWatchSource
from tests.sources.cloudwatch.conftest import logs_client

pytestmark = pytest.mark.anyio
QUERY = EntryQuery(
    Window(1_795_428_000_000_000_000, 1_795_429_800_000_000_000),
    Selection.of({"log_group": "/ecs/orders"}),
    LineFilter.every(),
    10,
    Order.OLDEST,
)


async def refusal(message: str, aws_ahead_seconds: float | None) -> CloudWatchUnavailable:
    meta = None
    if aws_ahead_seconds is not None:
        date = formatdate(time.time() + aws_ahead_seconds, usegmt=True)
        meta = {"HTTPHeaders": {"date": date}}
    async with logs_client() as logs:
        with AioStubber(logs) as stub:
            stub.add_client_error(
                "filter_log_events",
                "InvalidSignatureException",
                message,
                http_status_code=400,
                response_meta=meta,
            )
            with pytest.raises(CloudWatchUnavailable) as caught:
                await CloudWatchSource(CloudWatchClient(logs)).entries(QUERY)
            stub.assert_no_pending_responses()
    return caught.value


@pytest.mark.parametrize(
    ("ahead", "message", "said"),
    [
        pytest.param(
            3600,
            "Signature expired: 20261204T100000Z is now earlier than 20261204T105500Z "
            "(20261204T110000Z - 5 min.)",
            "this machine's clock is 60 min behind AWS's",
            id="behind",
        ),
        pytest.param(
            -600,
            "Signature not yet current: 20261204T111000Z is still later than 20261204T110500Z "
            "(20261204T110000Z + 5 min.)",
            "this machine's clock is 10 min ahead of AWS's",
            id="ahead",
        ),
    ],
)
async def test_a_skewed_clock_is_named(ahead: float, message: str, said: str) -> None:
    error = await refusal(message, ahead)
    assert said in error.message
    assert "fix the time synchronization of the node" in error.message
    assert "did not accept our AWS credentials" not in error.message
    assert message in error.message  # AWS's own words stay
    assert error.code == "cloudwatch_unavailable" and error.details["status"] == 400


@pytest.mark.parametrize("ahead", [pytest.param(2, id="in-time"), pytest.param(None, id="no-date")])
async def test_a_bad_signature_with_the_clock_right_is_about_credentials(
    ahead: float | None,
) -> None:
    message = "The request signature we calculated does not match the signature you provided."
    error = await refusal(message, ahead)
    assert "did not accept our AWS credentials" in error.message
    assert "clock" not in error.message


@pytest.mark.parametrize(
    "date",
    [
        pytest.param("Fri, 04 Dec 99999999999999999999 23:00:00 GMT", id="year-overflows"),
        pytest.param("Fri, 04 Dec 2026 99:00:00 GMT", id="no-such-hour"),
    ],
)
async def test_a_date_that_cannot_be_read_is_no_clock_problem(date: str) -> None:
    async with logs_client() as logs:
        with AioStubber(logs) as stub:
            stub.add_client_error(
                "filter_log_events",
                "InvalidSignatureException",
                "The request signature we calculated does not match.",
                http_status_code=400,
                response_meta={"HTTPHeaders": {"date": date}},
            )
            with pytest.raises(CloudWatchUnavailable) as caught:
                await CloudWatchSource(CloudWatchClient(logs)).entries(QUERY)
    assert "did not accept our AWS credentials" in caught.value.message
