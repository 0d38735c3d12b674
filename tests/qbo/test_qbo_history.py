"""The 12-month history pull: complete, resumable and incremental."""

from __future__ import annotations

import httpx
import pytest

from tests.qbo.conftest import Sandbox, add_client, app_of, connect, wait_for_jobs
from zera.db.tables import QBOSyncState, QBOTransaction
from zera.sync.history import TRANSACTION_ENTITIES, pull_history

pytestmark = [pytest.mark.db, pytest.mark.queue]


async def _local_count(client_id: int, entity: str) -> int:
    return (
        await QBOTransaction.count()
        .where((QBOTransaction.client_id == client_id) & (QBOTransaction.entity == entity))
        .run()
    )


async def test_history_pull_matches_quickbooks_then_resumes_and_follows_changes(
    zera: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    realm = sandbox.new_company("History Co", history_months=3)
    client_id = await add_client(zera, "History")
    assert (await connect(zera, client_id, realm)).status_code == 303
    jobs = await wait_for_jobs(client_id)
    assert {job["state"] for job in jobs} == {"done"}
    quickbooks = app_of(zera).state.quickbooks

    async with quickbooks.client_for(client_id) as qbo:
        remote = {
            e: (await qbo.query(f"SELECT COUNT(*) FROM {e}"))["totalCount"]  # noqa: S608
            for e in TRANSACTION_ENTITIES
        }
        assert sum(remote.values()) > 100
        for entity in TRANSACTION_ENTITIES:
            assert await _local_count(client_id, entity) == remote[entity], entity

        # An interrupted Invoice pull (position saved, rows missing) resumes from its position.
        await (
            QBOTransaction.delete()
            .where((QBOTransaction.client_id == client_id) & (QBOTransaction.entity == "Invoice"))
            .run()
        )
        await (
            QBOSyncState.update({QBOSyncState.cursor: "1"})
            .where((QBOSyncState.client_id == client_id) & (QBOSyncState.kind == "history:Invoice"))
            .run()
        )
        await pull_history(qbo, client_id)
        assert await _local_count(client_id, "Invoice") == remote["Invoice"]

        # A change made in QuickBooks arrives through CDC on the next run.
        invoice = (await qbo.query("SELECT * FROM Invoice MAXRESULTS 1"))["Invoice"][0]
        sandbox.control(
            "POST",
            f"/companies/{realm}/records/Invoice",
            {
                "operation": "update",
                "payload": {"Id": invoice["Id"], "PrivateNote": "edited in QBO"},
            },
        )
        await pull_history(qbo, client_id)
    row = (
        await QBOTransaction.select(QBOTransaction.payload, QBOTransaction.sync_token)
        .where(
            (QBOTransaction.client_id == client_id)
            & (QBOTransaction.entity == "Invoice")
            & (QBOTransaction.qbo_id == invoice["Id"])
        )
        .first()
        .run()
    )
    assert row and "edited in QBO" in row["payload"]
    assert int(row["sync_token"]) > int(invoice["SyncToken"])
