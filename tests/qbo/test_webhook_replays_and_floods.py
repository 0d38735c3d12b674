"""Webhook replays and floods (issue 8, items 6 and 7): a repeated or old body stores and starts
nothing, and a burst of notices for one realm makes one apply job that applies all of them.

Zera runs in-process without worker threads while notices arrive, so that "queued, not yet
started" is a state the test holds on purpose; the worker starts afterwards to apply them.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import set_up_firm
from tests.qbo.conftest import VERIFIER, Sandbox, add_client, app_of, connect, wait_for_jobs
from zera.app import create_app
from zera.db.tables import Job, WebhookInbox
from zera.settings import Settings
from zera.sync import deliveries, inbox

pytestmark = pytest.mark.db

APPLY = "apply_quickbooks_changes"


@pytest.fixture
async def zera_idle(qbo_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """Zera in-process, signed in as the owner, with no worker running until a test starts one."""
    app = create_app(qbo_settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        await set_up_firm(http)
        try:
            yield http
        finally:
            app.state.queue.close()


async def connected_client(http: httpx.AsyncClient, sandbox: Sandbox, name: str) -> tuple[int, str]:
    realm = sandbox.new_company(name)
    client_id = await add_client(http, name)
    assert (await connect(http, client_id, realm)).status_code == 303
    return client_id, realm


def cloudevents(realm: str, *, at: datetime, count: int = 1) -> bytes:
    return json.dumps(
        [
            {
                "specversion": "1.0",
                "id": str(uuid.uuid4()),
                "source": "intuit.test",
                "type": "qbo.account.updated.v1",
                "time": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "intuitentityid": str(n + 1),
                "intuitaccountid": realm,
                "data": {},
            }
            for n in range(count)
        ]
    ).encode()


def legacy(realm: str, *, at: datetime) -> bytes:
    entity = {"name": "Account", "id": "1", "operation": "Update", "lastUpdated": at.isoformat()}
    return json.dumps(
        {"eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": [entity]}}]}
    ).encode()


async def deliver(http: httpx.AsyncClient, body: bytes) -> httpx.Response:
    signature = base64.b64encode(hmac.new(VERIFIER.encode(), body, hashlib.sha256).digest())
    return await http.post(
        "/qbo/webhooks", content=body, headers={"intuit-signature": signature.decode()}
    )


async def apply_jobs(client_id: int) -> list[dict[str, Any]]:
    return await Job.select().where((Job.client_id == client_id) & (Job.actor == APPLY)).run()


async def inbox_rows(realm: str) -> list[dict[str, Any]]:
    return await WebhookInbox.select().where(WebhookInbox.realm_id == realm).run()


@pytest.mark.parametrize("body_format", ["cloudevents", "legacy"])
async def test_the_same_signed_body_five_times_is_stored_once_and_starts_one_job(
    zera_idle: httpx.AsyncClient, sandbox: Sandbox, body_format: str
) -> None:
    client_id, realm = await connected_client(zera_idle, sandbox, f"Replay Co {body_format}")
    now = datetime.now(UTC)
    body = cloudevents(realm, at=now) if body_format == "cloudevents" else legacy(realm, at=now)

    answers = [await deliver(zera_idle, body) for _ in range(5)]

    assert [a.status_code for a in answers] == [200] * 5  # Intuit must stop retrying
    assert [a.json()["status"] for a in answers] == ["received"] + ["duplicate"] * 4
    assert len(await inbox_rows(realm)) == 1
    assert len(await apply_jobs(client_id)) == 1


async def test_copies_of_one_body_arriving_together_are_stored_once(
    zera_idle: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Deliveries arriving together are written in one transaction (SQLite's group commit):
    copies of one body among them are still taken in once, the other bodies each once."""
    client_id, realm = await connected_client(zera_idle, sandbox, "Together Co")
    now = datetime.now(UTC)
    copied = cloudevents(realm, at=now)
    bodies = [copied, *(cloudevents(realm, at=now) for _ in range(8)), copied, copied]

    answers = await asyncio.gather(*(deliver(zera_idle, body) for body in bodies))

    statuses = [a.json()["status"] for a in answers]
    assert sorted(statuses) == ["duplicate"] * 2 + ["received"] * 9
    assert len(await inbox_rows(realm)) == 9
    assert len(await apply_jobs(client_id)) == 1


async def test_a_cloudevents_body_older_than_the_replay_window_is_refused(
    zera_idle: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Given a validly signed body whose event is 25 hours old (the window is 24 h), when it is
    delivered, then it is answered 200 so Intuit stops, but nothing is stored or started."""
    client_id, realm = await connected_client(zera_idle, sandbox, "Old News Co")
    body = cloudevents(realm, at=datetime.now(UTC) - timedelta(hours=25))

    answer = await deliver(zera_idle, body)

    assert (answer.status_code, answer.json()) == (200, {"status": "stale"})
    assert await inbox_rows(realm) == []
    assert await apply_jobs(client_id) == []


async def test_a_flood_of_notices_for_one_realm_makes_one_job_that_applies_them_all(
    zera_idle: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Given a connected client, when 100 distinct signed notices for its realm arrive at once,
    then one apply job is queued; once a worker runs it, every stored notice is applied."""
    client_id, realm = await connected_client(zera_idle, sandbox, "Flood Co")
    bodies = [cloudevents(realm, at=datetime.now(UTC)) for _ in range(100)]

    answers = await asyncio.gather(*(deliver(zera_idle, body) for body in bodies))

    assert {a.json()["status"] for a in answers} == {"received"}
    assert len(await inbox_rows(realm)) == 100
    assert len(await apply_jobs(client_id)) == 1
    app_of(zera_idle).state.queue.start_worker(2)
    jobs = await wait_for_jobs(client_id)
    assert {job["state"] for job in jobs} == {"done"}, [job["error"] for job in jobs]
    assert all(row["processed"] for row in await inbox_rows(realm))


async def test_a_notice_after_the_apply_job_started_queues_another(
    zera_idle: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Later notices join a queued job, but never one that already read the inbox."""
    client_id, realm = await connected_client(zera_idle, sandbox, "Later Co")
    await deliver(zera_idle, cloudevents(realm, at=datetime.now(UTC)))
    app_of(zera_idle).state.queue.start_worker(1)
    await wait_for_jobs(client_id)

    await deliver(zera_idle, cloudevents(realm, at=datetime.now(UTC)))

    assert len(await apply_jobs(client_id)) == 2
    jobs = await wait_for_jobs(client_id)
    assert {job["state"] for job in jobs} == {"done"}
    assert all(row["processed"] for row in await inbox_rows(realm))


async def test_replay_keys_are_forgotten_only_once_the_window_refuses_their_events(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """Keys do not pile up for ever, and forgetting one never lets its body back in."""
    queue = app_of(client).state.queue
    window = settings.webhook_replay_window_seconds
    sent = datetime.now(UTC)
    body = cloudevents("9130", at=sent)
    assert (await inbox.receive(body, queue, replay_window_seconds=window)).outcome == "received"

    soon = sent.timestamp() + 60
    assert await deliveries.forget_expired(now=soon, window_seconds=window) == 0
    later = sent.timestamp() + window + deliveries.CLOCK_SKEW_SECONDS + 1
    assert await deliveries.forget_expired(now=later, window_seconds=window) == 1

    again = await inbox.receive(body, queue, replay_window_seconds=window, now=later)
    assert again.outcome == "stale"
    assert len(await inbox_rows("9130")) == 1
