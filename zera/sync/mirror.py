"""The local mirror of a client's QuickBooks lists ("live chart of accounts").

Pulled in full on connect, then kept fresh with change data capture (CDC): on a schedule and
before every push, so an account renamed, moved or deactivated in QuickBooks is seen before
anything is written to it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from zera.db.bulk import upsert
from zera.db.tables import QBOReference, QBOSyncState
from zera.jsonmoney import dumps, loads
from zera.qbo.client import QBOClient

LIST_ENTITIES = (
    "Account",
    "Vendor",
    "Customer",
    "Employee",
    "Item",
    "TaxCode",
    "TaxRate",
    "Term",
    "PaymentMethod",
    "Class",
    "Department",
)
SINGLETONS = ("CompanyInfo", "Preferences")
# CDC does not cover TaxCode and TaxRate (QBO-API.md §5): those are re-read in full each time.
CDC_ENTITIES = tuple(e for e in LIST_ENTITIES if e not in {"TaxCode", "TaxRate"})
CDC_LOOKBACK = timedelta(days=29)  # Intuit keeps 30 days; a day of margin for clocks
STATE_KIND = "reference"


def display_name(entity: str, record: dict[str, Any]) -> str:
    for key in ("FullyQualifiedName", "DisplayName", "Name", "CompanyName"):
        if record.get(key):
            return str(record[key])[:400]
    return ""


async def _upsert(client_id: int, entity: str, records: list[dict[str, Any]]) -> None:
    now = datetime.now(UTC)
    rows = [
        {
            "client_id": client_id,
            "entity": entity,
            "qbo_id": str(record.get("Id", entity)),
            "sync_token": str(record.get("SyncToken", "0")),
            "name": display_name(entity, record),
            "active": record.get("Active", True) is not False and record.get("status") != "Deleted",
            "payload": dumps(record),
            "updated_at": now,
        }
        for record in records
    ]
    await upsert(
        QBOReference,
        rows,
        key=("client_id", "entity", "qbo_id"),
        update=("sync_token", "name", "active", "payload", "updated_at"),
    )


async def remember(client_id: int, entity: str, records: list[dict[str, Any]]) -> None:
    """Keep names Zera itself created in QuickBooks in the mirror at once, so an edit checked
    against the lists before the next refresh knows them."""
    await _upsert(client_id, entity, records)


async def _mark_synced(client_id: int, started: datetime) -> None:
    await (
        QBOSyncState.insert(
            QBOSyncState(
                client_id=client_id,
                kind=STATE_KIND,
                cursor=started.isoformat(),
                synced_at=started,
            )
        )
        .on_conflict(
            target=(QBOSyncState.client_id, QBOSyncState.kind),
            action="DO UPDATE",
            values=[QBOSyncState.cursor, QBOSyncState.synced_at],
        )
        .run()
    )


async def pull_reference(qbo: QBOClient, client_id: int) -> int:
    """Read every list and both singletons in full; return how many records were stored.

    The lists are read side by side: the rate limiter, not this loop, decides how many requests
    are in flight (Intuit allows 10 per realm).
    """
    started = datetime.now(UTC)

    async def pull_list(entity: str) -> int:
        count = 0
        async for page in qbo.query_all(entity):
            await _upsert(client_id, entity, page)
            count += len(page)
        return count

    async def pull_single(entity: str, read: Callable[[], Awaitable[dict[str, Any]]]) -> int:
        await _upsert(client_id, entity, [await read()])
        return 1

    counts = await asyncio.gather(
        *(pull_list(entity) for entity in LIST_ENTITIES),
        pull_single("CompanyInfo", qbo.company_info),
        pull_single("Preferences", qbo.preferences),
    )
    await _mark_synced(client_id, started)
    return sum(counts)


async def refresh_reference(qbo: QBOClient, client_id: int) -> int:
    """Apply what changed since the last pull (CDC); fall back to a full pull when too old."""
    row = (
        await QBOSyncState.select(QBOSyncState.cursor)
        .where((QBOSyncState.client_id == client_id) & (QBOSyncState.kind == STATE_KIND))
        .first()
        .run()
    )
    started = datetime.now(UTC)
    since = datetime.fromisoformat(row["cursor"]) if row and row["cursor"] else None
    if since is None or started - since > CDC_LOOKBACK:
        return await pull_reference(qbo, client_id)
    changed = await qbo.cdc(CDC_ENTITIES, (since - timedelta(seconds=5)).isoformat())
    count = 0
    for entity, records in changed.items():
        if entity in LIST_ENTITIES:
            await _upsert(client_id, entity, records)
            count += len(records)
    for entity in ("TaxCode", "TaxRate"):
        async for page in qbo.query_all(entity):
            await _upsert(client_id, entity, page)
    await _mark_synced(client_id, started)
    return count


@dataclass(frozen=True)
class AccountRow:
    qbo_id: str
    name: str
    account_type: str
    account_sub_type: str
    active: bool
    current_balance: str


async def chart_of_accounts(client_id: int) -> tuple[list[AccountRow], datetime | None]:
    """The mirrored chart of accounts, by name, and when it was last refreshed."""
    rows = (
        await QBOReference.select(
            QBOReference.qbo_id, QBOReference.name, QBOReference.active, QBOReference.payload
        )
        .where((QBOReference.client_id == client_id) & (QBOReference.entity == "Account"))
        .order_by(QBOReference.name)
        .run()
    )
    state = (
        await QBOSyncState.select(QBOSyncState.synced_at)
        .where((QBOSyncState.client_id == client_id) & (QBOSyncState.kind == STATE_KIND))
        .first()
        .run()
    )
    accounts = []
    for row in rows:
        payload = loads(row["payload"]) if isinstance(row["payload"], str) else row["payload"]
        accounts.append(
            AccountRow(
                qbo_id=row["qbo_id"],
                name=row["name"],
                active=row["active"],
                account_type=str(payload.get("AccountType", "")),
                account_sub_type=str(payload.get("AccountSubType", "")),
                current_balance=str(payload.get("CurrentBalance", "")),
            )
        )
    return accounts, state["synced_at"] if state else None


async def account_for_push(client_id: int, account_id: str) -> AccountRow | None:
    """The account as QuickBooks has it now (call `refresh_reference` first), or None."""
    accounts, _ = await chart_of_accounts(client_id)
    return next((a for a in accounts if a.qbo_id == account_id), None)
