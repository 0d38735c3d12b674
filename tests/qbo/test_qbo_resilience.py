"""Connections never die quietly: expiry, rotation, races, revocation, throttling, isolation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import post_form
from tests.qbo.conftest import (
    ROOT,
    Sandbox,
    add_client,
    app_of,
    connect,
    connection_row,
    wait_for_jobs,
)
from zera.db.tables import AuditEvent, QBOConnection, QBOReference
from zera.qbo.errors import NeedsReconnect
from zera.settings import Settings
from zera.sync.mirror import account_for_push

pytestmark = [pytest.mark.db, pytest.mark.queue]


@pytest.fixture
def clock(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The sandbox, with its clock put back after the test moves it."""
    yield sandbox
    sandbox.control("POST", "/clock", {"reset": True})


async def _connected(zera: httpx.AsyncClient, sandbox: Sandbox, name: str) -> tuple[int, str]:
    realm = sandbox.new_company(f"{name} Ltd")
    client_id = await add_client(zera, name)
    assert (await connect(zera, client_id, realm)).status_code == 303
    await wait_for_jobs(client_id)
    return client_id, realm


async def _an_account(client_id: int) -> str:
    row = (
        await QBOReference.select(QBOReference.qbo_id)
        .where((QBOReference.client_id == client_id) & (QBOReference.entity == "Account"))
        .first()
        .run()
    )
    assert row
    return str(row["qbo_id"])


async def test_expired_access_token_is_refreshed_transparently(
    zera: httpx.AsyncClient, clock: Sandbox
) -> None:
    client_id, _ = await _connected(zera, clock, "Expiry")
    before = await connection_row(client_id)
    clock.control("POST", "/clock", {"advanceSeconds": 3700})  # past Intuit's 1-hour lifetime
    async with app_of(zera).state.quickbooks.client_for(client_id) as qbo:
        info = await qbo.company_info()
    assert info["CompanyName"] == "Expiry Ltd"
    after = await connection_row(client_id)
    assert before and after and after["refresh_count"] == before["refresh_count"] + 1
    assert after["access_token"] != before["access_token"]


async def test_rotated_refresh_token_is_persisted_and_the_old_one_is_dead(
    zera: httpx.AsyncClient, clock: Sandbox
) -> None:
    client_id, _ = await _connected(zera, clock, "Rotation")
    quickbooks = app_of(zera).state.quickbooks
    original = quickbooks.vault.cipher.decrypt((await connection_row(client_id))["refresh_token"])
    clock.control("POST", "/clock", {"advanceSeconds": 25 * 3600})  # past the rotation window
    async with quickbooks.client_for(client_id) as qbo:
        await qbo.company_info()
    rotated = quickbooks.vault.cipher.decrypt((await connection_row(client_id))["refresh_token"])
    assert rotated != original
    with pytest.raises(NeedsReconnect):
        await quickbooks.oauth.refresh(original)  # strict reading: no grace period
    clock.control("POST", "/clock", {"advanceSeconds": 3700})
    async with quickbooks.client_for(client_id) as qbo:  # the stored, rotated token still works
        assert (await qbo.company_info())["CompanyName"] == "Rotation Ltd"


async def test_twenty_concurrent_requests_from_two_processes_refresh_once(
    zera: httpx.AsyncClient, clock: Sandbox, qbo_settings: Settings
) -> None:
    client_id, _ = await _connected(zera, clock, "Race")
    account_id = await _an_account(client_id)
    before = (await connection_row(client_id))["refresh_count"]
    clock.control("POST", "/clock", {"advanceSeconds": 3700})
    # Zera also believes the token expired, so every request wants a refresh before sending.
    await (
        QBOConnection.update(
            {QBOConnection.access_expires_at: datetime.now(UTC) - timedelta(minutes=1)}
        )
        .where(QBOConnection.client_id == client_id)
        .run()
    )
    env = {
        **os.environ,
        "ZERA_BASE_DIR": str(qbo_settings.base_dir),
        "DATABASE_URL": qbo_settings.database_url,
        "ZERA_QUEUE_URL": qbo_settings.queue_url,
        "ZERA_SECRET_KEY": qbo_settings.secret_key,
        "ZERA_TOKEN_KEYS": ",".join(qbo_settings.token_keys),
        "ZERA_SANDBOX_URL": qbo_settings.sandbox_url,
        "ZERA_SANDBOX_CLIENT_ID": qbo_settings.sandbox_client_id,
        "ZERA_SANDBOX_CLIENT_SECRET": qbo_settings.sandbox_client_secret,
        "ZERA_SANDBOX_VERIFIER_TOKEN": qbo_settings.sandbox_verifier_token,
    }
    start_at = str(time.time() + 3)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.qbo.burst", str(client_id), account_id, "10", start_at],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr[-2000:]
        assert json.loads(stdout.strip().splitlines()[-1]) == {"ok": 10}
    after = (await connection_row(client_id))["refresh_count"]
    assert after - before == 1


async def test_revoked_connection_needs_reconnect_and_the_dashboard_says_so(
    zera: httpx.AsyncClient, clock: Sandbox
) -> None:
    client_id, realm = await _connected(zera, clock, "Revoked")
    clock.control("POST", "/tokens/revoke", {"realmId": realm})
    assert (await post_form(zera, f"/clients/{client_id}/qbo/refresh", {})).status_code == 303
    jobs = await wait_for_jobs(client_id)
    failed = [job for job in jobs if job["state"] == "failed"]
    assert failed and "reconnect" in failed[0]["error"].lower()
    assert (await connection_row(client_id))["status"] == "needs_reconnect"
    dashboard = (await zera.get("/")).text
    assert "Needs reconnect" in dashboard and "QuickBooks needs you" in dashboard
    page = (await zera.get(f"/clients/{client_id}/documents")).text
    assert "Reconnect QuickBooks" in page
    assert (
        await AuditEvent.exists()
        .where((AuditEvent.action == "qbo.needs_reconnect") & (AuditEvent.client_id == client_id))
        .run()
    )


async def test_a_throttling_storm_is_absorbed(zera: httpx.AsyncClient, sandbox: Sandbox) -> None:
    client_id, realm = await _connected(zera, sandbox, "Storm")
    account_id = await _an_account(client_id)
    sandbox.control("POST", f"/companies/{realm}/throttle", {"seconds": 2})
    quickbooks = app_of(zera).state.quickbooks
    import asyncio

    async with quickbooks.client_for(client_id, backoff_base=0.5) as qbo:
        accounts = await asyncio.gather(*(qbo.read("Account", account_id) for _ in range(30)))
        retries = qbo.retries
    assert all(account["Id"] == account_id for account in accounts)
    assert retries > 0  # the storm really happened and was retried through


async def test_one_clients_token_cannot_address_another_realm(
    zera: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    client_a, _ = await _connected(zera, sandbox, "Alpha")
    _, realm_b = await _connected(zera, sandbox, "Bravo")
    token_a = await app_of(zera).state.quickbooks.vault.access_token(client_a)
    response = httpx.get(
        f"{sandbox.base}/v3/company/{realm_b}/companyinfo/{realm_b}",
        params={"minorversion": "75"},
        timeout=30,
        headers={"Authorization": f"Bearer {token_a}", "Accept": "application/json"},
    )
    assert response.status_code in (401, 403)
    async with app_of(zera).state.quickbooks.client_for(client_a) as qbo:
        assert qbo.realm_id != realm_b
        assert (await qbo.company_info())["CompanyName"] == "Alpha Ltd"


async def test_cdc_sees_an_account_renamed_in_quickbooks_before_the_next_push(
    zera: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    client_id, realm = await _connected(zera, sandbox, "Renames")
    account_id = await _an_account(client_id)
    sandbox.control(
        "POST",
        f"/companies/{realm}/records/Account",
        {"operation": "update", "payload": {"Id": account_id, "Name": "Renamed In QBO"}},
    )
    assert (await account_for_push(client_id, account_id)).name != "Renamed In QBO"
    await post_form(zera, f"/clients/{client_id}/qbo/refresh", {})
    await wait_for_jobs(client_id)
    account = await account_for_push(client_id, account_id)
    assert account and account.name.endswith("Renamed In QBO")
    assert "Renamed In QBO" in (await zera.get(f"/clients/{client_id}/connection")).text
