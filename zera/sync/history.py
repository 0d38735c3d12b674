"""Pull the last 12 months of a client's transactions into local tables.

Resumable: each entity's position is saved after every page, so an interrupted pull continues
where it stopped. Incremental: once an entity is complete, later runs apply CDC changes since
the last run instead of reading everything again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from zera.db.bulk import upsert
from zera.db.tables import QBOSyncState, QBOTransaction
from zera.jsonmoney import dumps
from zera.qbo.client import PAGE_SIZE, QBOClient
from zera.sync.mirror import CDC_LOOKBACK

TRANSACTION_ENTITIES = (
    "Purchase",
    "Deposit",
    "Bill",
    "BillPayment",
    "Invoice",
    "Payment",
    "JournalEntry",
    "CreditMemo",
    "VendorCredit",
    "Estimate",
    "PurchaseOrder",
    "SalesReceipt",
    # Money moved between the client's own accounts: records Zera writes too.
    "Transfer",
    "CreditCardPayment",
)
DONE = "done:"


def _kind(entity: str) -> str:
    return f"history:{entity}"


async def _cursor(client_id: int, entity: str) -> str:
    row = (
        await QBOSyncState.select(QBOSyncState.cursor)
        .where((QBOSyncState.client_id == client_id) & (QBOSyncState.kind == _kind(entity)))
        .first()
        .run()
    )
    return str(row["cursor"]) if row else ""


async def _save_cursor(client_id: int, entity: str, cursor: str) -> None:
    row = {
        "client_id": client_id,
        "kind": _kind(entity),
        "cursor": cursor,
        "synced_at": datetime.now(UTC),
    }
    await upsert(QBOSyncState, [row], key=("client_id", "kind"), update=("cursor", "synced_at"))


async def store_transactions(client_id: int, entity: str, records: list[dict[str, Any]]) -> None:
    now = datetime.now(UTC)
    rows = []
    for record in records:
        total = record.get("TotalAmt")
        txn_date = record.get("TxnDate")
        rows.append(
            {
                "client_id": client_id,
                "entity": entity,
                "qbo_id": str(record["Id"]),
                "sync_token": str(record.get("SyncToken", "0")),
                "txn_date": date.fromisoformat(str(txn_date)[:10]) if txn_date else None,
                "total": Decimal(str(total)) if total is not None else None,
                "deleted": record.get("status") == "Deleted",
                "payload": dumps(record),
                "updated_at": now,
            }
        )
    await upsert(
        QBOTransaction,
        rows,
        key=("client_id", "entity", "qbo_id"),
        update=("sync_token", "txn_date", "total", "deleted", "payload", "updated_at"),
    )


async def _pull_entity(qbo: QBOClient, client_id: int, entity: str, since: str, cursor: str) -> int:
    """Read one type's year page by page, saving the position after each page."""
    started = datetime.now(UTC)
    start = int(cursor or 1)
    stored = 0
    while True:
        page = await qbo.query(
            f"SELECT * FROM {entity} WHERE TxnDate >= '{since}' "  # noqa: S608 (Intuit's query language; no user input)
            f"STARTPOSITION {start} MAXRESULTS {PAGE_SIZE}"
        )
        records = page.get(entity) or page.get(f"{entity}Txn") or []
        await store_transactions(client_id, entity, records)
        stored += len(records)
        start += len(records)
        if len(records) < PAGE_SIZE:
            break
        await _save_cursor(client_id, entity, str(start))
    await _save_cursor(client_id, entity, DONE + started.isoformat())
    return stored


async def pull_history(
    qbo: QBOClient,
    client_id: int,
    *,
    months: int = 12,
    progress: Callable[[int], Awaitable[None]] | None = None,
) -> int:
    """Bring the local copy of every transaction type up to date; return records stored.

    Types are read side by side (the rate limiter caps what is in flight); a type already
    complete is brought up to date with one CDC call for all of them.
    """
    since = (datetime.now(UTC) - timedelta(days=months * 31)).date().isoformat()
    cdc_due: dict[str, datetime] = {}
    to_pull: dict[str, str] = {}
    for entity in TRANSACTION_ENTITIES:
        cursor = await _cursor(client_id, entity)
        if cursor.startswith(DONE):
            last = datetime.fromisoformat(cursor.removeprefix(DONE))
            if datetime.now(UTC) - last < CDC_LOOKBACK:
                cdc_due[entity] = last
                continue
            cursor = ""  # too old for CDC: read the year again
        to_pull[entity] = cursor
    finished = len(cdc_due)

    async def pull(entity: str, cursor: str) -> int:
        nonlocal finished
        stored = await _pull_entity(qbo, client_id, entity, since, cursor)
        finished += 1
        if progress:
            await progress(int(100 * finished / len(TRANSACTION_ENTITIES)))
        return stored

    stored = sum(await asyncio.gather(*(pull(e, c) for e, c in to_pull.items())))
    if cdc_due:
        oldest = min(cdc_due.values())
        started = datetime.now(UTC)
        changed = await qbo.cdc(list(cdc_due), (oldest - timedelta(seconds=5)).isoformat())
        for entity, records in changed.items():
            if entity in cdc_due:
                await store_transactions(client_id, entity, records)
                stored += len(records)
        for entity in cdc_due:
            await _save_cursor(client_id, entity, DONE + started.isoformat())
    return stored
