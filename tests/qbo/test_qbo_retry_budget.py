"""One layer retries a QuickBooks request: the client, within a time budget; what does not fit
in it is handed to the job queue, whose QBO jobs run again only a few times (issue 9)."""

from __future__ import annotations

import httpx
import pytest

from zera.qbo.client import QBOClient
from zera.qbo.errors import Throttled
from zera.qbo.ratelimit import RateLimiter, RateLimits
from zera.queue.registry import TASKS
from zera.tasks import qbo as qbo_tasks

THROTTLED = b'<IntuitResponse><Fault><Error code="3001"><Message>Throttled</Message></Error></Fault></IntuitResponse>'  # noqa: E501


class FreeLedger:
    """A rate-limit ledger (the `Ledger` Protocol) that always has a slot."""

    async def try_acquire(
        self, realm_id: str, batch: bool, limits: RateLimits
    ) -> tuple[int | None, float]:
        return 1, 0.0

    async def release(self, slot_id: int) -> None:
        return None


def client_answering(answers: list[httpx.Response], *, budget: float = 60.0) -> QBOClient:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return answers.pop(0)

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    client = QBOClient(
        http,
        api_base="https://quickbooks.invalid",
        realm_id="9341",
        auth=httpx.BasicAuth("unused", "unused"),
        limiter=RateLimiter(FreeLedger()),
        backoff_base=0.01,
        retry_budget_seconds=budget,
    )
    client.sent = sent  # type: ignore[attr-defined]
    return client


def throttled(retry_after: str) -> httpx.Response:
    return httpx.Response(
        429, content=THROTTLED, headers={"retry-after": retry_after, "content-type": "text/xml"}
    )


async def test_a_short_throttle_is_retried_inside_the_client() -> None:
    ok = httpx.Response(200, json={"Preferences": {"Id": "1"}})
    client = client_answering([throttled("0"), throttled("0"), ok])

    assert await client.preferences() == {"Id": "1"}
    assert client.retries == 2


async def test_a_retry_after_beyond_the_budget_is_raised_at_once_for_the_job_queue() -> None:
    """Given Intuit asks for a two-minute wait, when the client's budget is a minute, then it
    does not sleep: it raises the throttle with the wait, after one request."""
    client = client_answering([throttled("120")], budget=60.0)

    with pytest.raises(Throttled) as raised:
        await client.preferences()

    assert raised.value.retry_after == 120.0
    assert (client.retries, len(client.sent)) == (0, 1)  # type: ignore[attr-defined]


def test_quickbooks_jobs_do_not_multiply_the_clients_retries() -> None:
    assert qbo_tasks.QBO_JOB_RETRIES <= 3
    for name in (
        "pull_reference_data",
        "refresh_reference_data",
        "scheduled_refresh",
        "pull_transaction_history",
        "apply_quickbooks_changes",
    ):
        assert TASKS[name].options["max_retries"] <= 3, name
