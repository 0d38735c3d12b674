"""The notices of a webhook body (entity, Id, operation, time) are kept beside the inbox row,
and the apply job marks those it covered processed (issue 9)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import set_up_firm
from tests.qbo.conftest import VERIFIER, Sandbox, app_of, wait_for_jobs
from tests.qbo.test_webhook_replays_and_floods import (
    cloudevents,
    connected_client,
    deliver,
    inbox_rows,
)
from zera.app import create_app
from zera.db.tables import WebhookNotice
from zera.settings import Settings
from zera.sync import pending_notices

pytestmark = pytest.mark.db


@pytest.fixture
async def receiver(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """Zera in-process with the test verifier token, no sandbox and no worker."""
    app = create_app(dataclasses.replace(settings, sandbox_verifier_token=VERIFIER))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        yield http
    app.state.queue.close()


async def notice_rows(realm: str) -> list[dict[str, object]]:
    return (
        await WebhookNotice.select()
        .where(WebhookNotice.realm_id == realm)
        .order_by(WebhookNotice.id)
        .run()
    )


async def test_each_fresh_cloudevent_is_kept_as_a_notice_linked_to_its_inbox_row(
    receiver: httpx.AsyncClient,
) -> None:
    """Given a signed body of three events for one realm, when it is delivered, then each event
    is a notice (entity, Id, operation, time) on the body's inbox row, not yet processed."""
    at = datetime.now(UTC).replace(microsecond=0)
    body = cloudevents("4620", at=at, count=3)

    assert (await deliver(receiver, body)).json() == {"status": "received"}

    (row,) = await inbox_rows("4620")
    notices = await notice_rows("4620")
    assert [(n["entity"], n["entity_id"], n["operation"]) for n in notices] == [
        ("account", "1", "updated"),
        ("account", "2", "updated"),
        ("account", "3", "updated"),
    ]
    assert {n["inbox"] for n in notices} == {row["id"]}
    assert all(n["occurred_at"] == at and not n["processed"] for n in notices)


async def test_a_legacy_body_keeps_its_fresh_entities_and_drops_old_ones(
    receiver: httpx.AsyncClient,
) -> None:
    """Given a legacy body with one fresh entity and one older than the replay window, when it
    arrives, then only the fresh entity is kept as a notice."""
    now = datetime.now(UTC)
    entities = [
        {"name": "Account", "id": "1", "operation": "Update", "lastUpdated": now.isoformat()},
        {
            "name": "Vendor",
            "id": "7",
            "operation": "Create",
            "lastUpdated": (now - timedelta(hours=30)).isoformat(),
        },
    ]
    body = json.dumps(
        {"eventNotifications": [{"realmId": "4621", "dataChangeEvent": {"entities": entities}}]}
    ).encode()

    assert (await deliver(receiver, body)).json() == {"status": "received"}

    notices = await notice_rows("4621")
    assert [(n["entity"], n["entity_id"], n["operation"]) for n in notices] == [
        ("Account", "1", "Update")
    ]


async def test_a_replayed_body_adds_no_notices(receiver: httpx.AsyncClient) -> None:
    body = cloudevents("4622", at=datetime.now(UTC), count=2)

    answers = [(await deliver(receiver, body)).json()["status"] for _ in range(3)]

    assert answers == ["received", "duplicate", "duplicate"]
    assert len(await notice_rows("4622")) == 2


async def test_the_apply_job_marks_the_notices_it_covered_processed(
    qbo_settings: Settings, sandbox: Sandbox
) -> None:
    """Given notices waiting for a connected client, when its apply job has run, then none of
    them is pending any more, and the inbox rows are processed as before."""
    app = create_app(qbo_settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        await set_up_firm(http)
        try:
            client_id, realm = await connected_client(http, sandbox, "Notices Co")
            for _ in range(3):
                await deliver(http, cloudevents(realm, at=datetime.now(UTC)))
            assert len(await pending_notices(realm)) == 3

            app_of(http).state.queue.start_worker(2)
            jobs = await wait_for_jobs(client_id)
        finally:
            app.state.queue.close()

    assert {job["state"] for job in jobs} == {"done"}, [job["error"] for job in jobs]
    assert await pending_notices(realm) == []
    assert all(n["processed"] for n in await notice_rows(realm))
    assert all(row["processed"] for row in await inbox_rows(realm))
