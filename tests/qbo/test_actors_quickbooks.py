"""Each QuickBooks actor, run by the real queue and worker against the built-in sandbox, started
the way Zera starts it (Connect, the Refresh button, a signed webhook, the scheduler), and judged by
what it leaves in Zera's mirror. The job table's `actor` column proves which actor did the work."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import post_form
from tests.qbo.conftest import VERIFIER, Sandbox, add_client, app_of, connect, wait_for_jobs
from zera.db.tables import (
    Job,
    QBOConnection,
    QBOReference,
    QBOSyncState,
    QBOTransaction,
    WebhookInbox,
)
from zera.sync import TRANSACTION_ENTITIES
from zera.tasks.schedule import run_due

pytestmark = [pytest.mark.db, pytest.mark.queue]


async def connected(
    zera: httpx.AsyncClient, sandbox: Sandbox, name: str, months: int = 0
) -> tuple[int, str]:
    """A client connected to a fresh sandbox company, its first pulls finished."""
    realm = sandbox.new_company(name, history_months=months)
    client_id = await add_client(zera, name)
    assert (await connect(zera, client_id, realm)).status_code == 303
    jobs = await wait_for_jobs(client_id)
    assert {job["state"] for job in jobs} == {"done"}, jobs
    return client_id, realm


async def finished_actors(client_id: int | None = None) -> dict[str, list[str]]:
    """Actor name -> the states of its jobs (of one client, or of the firm when None)."""
    query = Job.select(Job.actor, Job.state)
    query = query.where(
        Job.client_id.is_null() if client_id is None else Job.client_id == client_id
    )
    actors: dict[str, list[str]] = {}
    for row in await query.run():
        actors.setdefault(row["actor"], []).append(row["state"])
    return actors


async def wait_for_every_job(timeout: float = 120) -> None:
    """Wait until no job of any client or of the firm is queued or running."""
    deadline = time.monotonic() + timeout
    while await Job.count().where(Job.state.is_in(["queued", "running"])).run():
        assert time.monotonic() < deadline, await Job.select().run()
        await asyncio.sleep(0.1)


async def an_account(client_id: int) -> dict[str, Any]:
    row = (
        await QBOReference.select(QBOReference.qbo_id, QBOReference.name)
        .where((QBOReference.client_id == client_id) & (QBOReference.entity == "Account"))
        .first()
        .run()
    )
    assert row is not None
    return row


async def mirrored_name(client_id: int, qbo_id: str) -> str:
    row = (
        await QBOReference.select(QBOReference.name)
        .where(
            (QBOReference.client_id == client_id)
            & (QBOReference.entity == "Account")
            & (QBOReference.qbo_id == qbo_id)
        )
        .first()
        .run()
    )
    assert row is not None
    return str(row["name"])


def rename_in_quickbooks(sandbox: Sandbox, realm: str, qbo_id: str, name: str) -> None:
    """A QuickBooks user renames the account (the sandbox sends no webhook in these tests)."""
    sandbox.control(
        "POST",
        f"/companies/{realm}/records/Account",
        {"operation": "update", "payload": {"Id": qbo_id, "Name": name}},
    )


async def test_connect_runs_pull_reference_data_and_pull_transaction_history(
    zera: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Given a sandbox company with a month of history, when the owner connects it, then the
    actors pull_reference_data and pull_transaction_history both run to done, leaving the chart
    of accounts and every transaction QuickBooks holds in Zera's mirror."""
    client_id, _ = await connected(zera, sandbox, "Actor Pulls Co", months=1)

    assert await finished_actors(client_id) == {
        "pull_reference_data": ["done"],
        "pull_transaction_history": ["done"],
    }
    accounts = (
        await QBOReference.count()
        .where((QBOReference.client_id == client_id) & (QBOReference.entity == "Account"))
        .run()
    )
    assert accounts >= 10
    async with app_of(zera).state.quickbooks.client_for(client_id) as qbo:
        remote = 0
        for entity in TRANSACTION_ENTITIES:
            remote += (await qbo.query(f"SELECT COUNT(*) FROM {entity}"))["totalCount"]  # noqa: S608
    local = await QBOTransaction.count().where(QBOTransaction.client_id == client_id).run()
    assert remote > 0 and local == remote
    history = (
        await QBOSyncState.count()
        .where((QBOSyncState.client_id == client_id) & QBOSyncState.kind.like("history:%"))
        .run()
    )
    assert history == len(TRANSACTION_ENTITIES)


async def test_the_refresh_button_runs_refresh_reference_data_which_brings_a_rename(
    zera: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Given a connected client whose account was renamed in QuickBooks, when the owner presses
    Refresh, then refresh_reference_data runs to done and the mirror shows the new name."""
    client_id, realm = await connected(zera, sandbox, "Actor Refresh Co")
    account = await an_account(client_id)
    rename_in_quickbooks(sandbox, realm, account["qbo_id"], "Renamed Before Refresh")

    pressed = await post_form(zera, f"/clients/{client_id}/qbo/refresh", {})
    assert pressed.status_code == 303
    await wait_for_jobs(client_id)

    assert (await finished_actors(client_id))["refresh_reference_data"] == ["done"]
    assert await mirrored_name(client_id, account["qbo_id"]) == "Renamed Before Refresh"


def signed_account_notice(realm: str, qbo_id: str) -> tuple[bytes, dict[str, str]]:
    """An Intuit CloudEvents notice that the account changed, signed with the verifier token."""
    body = json.dumps(
        [
            {
                "specversion": "1.0",
                "id": str(uuid.uuid4()),
                "source": "intuit.test",
                "type": "qbo.account.updated.v1",
                "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "intuitentityid": qbo_id,
                "intuitaccountid": realm,
                "data": {},
            }
        ]
    ).encode()
    signature = base64.b64encode(hmac.new(VERIFIER.encode(), body, hashlib.sha256).digest())
    return body, {"intuit-signature": signature.decode(), "content-type": "application/json"}


async def test_a_signed_webhook_runs_apply_quickbooks_changes_which_applies_the_rename(
    zera: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Given a connected client, when QuickBooks renames an account and Intuit sends a signed
    notice of it, then apply_quickbooks_changes runs to done, the mirror shows the new name and
    the stored notice is marked processed."""
    client_id, realm = await connected(zera, sandbox, "Actor Webhook Co")
    account = await an_account(client_id)
    rename_in_quickbooks(sandbox, realm, account["qbo_id"], "Renamed By Notice")

    body, headers = signed_account_notice(realm, account["qbo_id"])
    answer = await zera.post("/qbo/webhooks", content=body, headers=headers)
    assert (answer.status_code, answer.json()) == (200, {"status": "received"})
    await wait_for_jobs(client_id)

    assert (await finished_actors(client_id))["apply_quickbooks_changes"] == ["done"]
    assert await mirrored_name(client_id, account["qbo_id"]) == "Renamed By Notice"
    inbox = (
        await WebhookInbox.select(WebhookInbox.processed)
        .where(WebhookInbox.realm_id == realm)
        .run()
    )
    assert [row["processed"] for row in inbox] == [True]


async def test_the_schedule_runs_scheduled_refresh_for_each_connected_client(
    zera: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Given a connected client whose account was renamed in QuickBooks, when the scheduler's
    due runs are enqueued, then scheduled_refresh runs for that client and brings the rename."""
    client_id, realm = await connected(zera, sandbox, "Actor Schedule Co")
    account = await an_account(client_id)
    rename_in_quickbooks(sandbox, realm, account["qbo_id"], "Renamed On Schedule")

    await run_due(app_of(zera).state.queue)
    await wait_for_every_job()

    assert (await finished_actors(client_id))["scheduled_refresh"] == ["done"]
    assert await mirrored_name(client_id, account["qbo_id"]) == "Renamed On Schedule"


async def test_keep_tokens_alive_refreshes_a_connection_idle_for_over_a_week(
    zera: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Given a connection whose tokens were last refreshed eight days ago, when the scheduler
    starts keep_tokens_alive, then the job is done and the connection holds freshly refreshed
    tokens (refreshed now, one refresh more)."""
    client_id, _ = await connected(zera, sandbox, "Actor Keepalive Co")
    eight_days_ago = datetime.now(UTC) - timedelta(days=8)
    await (
        QBOConnection.update({QBOConnection.refreshed_at: eight_days_ago})
        .where(QBOConnection.client_id == client_id)
        .run()
    )
    before = await QBOConnection.select().where(QBOConnection.client_id == client_id).first().run()
    assert before is not None

    await run_due(app_of(zera).state.queue)
    await wait_for_every_job()

    assert (await finished_actors())["keep_tokens_alive"] == ["done"]
    after = await QBOConnection.select().where(QBOConnection.client_id == client_id).first().run()
    assert after is not None and after["status"] == "connected"
    assert after["refresh_count"] == before["refresh_count"] + 1
    assert after["refreshed_at"] > datetime.now(UTC) - timedelta(minutes=5)
    assert after["refresh_token"] != before["refresh_token"]
