"""Which clients are connected to QuickBooks, and keeping their connections alive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from zera.db.tables import QBOConnection
from zera.qbo.errors import NeedsReconnect
from zera.qbo.vault import TokenVault

# Refresh well before Intuit's 100-day rolling expiry, so no refresh token ever reaches it.
KEEPALIVE_AFTER = timedelta(days=7)


async def realm_of(client_id: int) -> str | None:
    """The realm the client is connected to, or None once it is disconnected."""
    row = (
        await QBOConnection.select(QBOConnection.realm_id)
        .where(QBOConnection.client_id == client_id)
        .first()
        .run()
    )
    return str(row["realm_id"]) if row else None


async def connected_client_ids() -> list[int]:
    """Every client whose connection is usable now."""
    rows = (
        await QBOConnection.select(QBOConnection.client_id)
        .where(QBOConnection.status == "connected")
        .run()
    )
    return [int(row["client_id"]) for row in rows]


async def keep_alive(vault: TokenVault, *, idle_for: timedelta = KEEPALIVE_AFTER) -> int:
    """Refresh every connection not refreshed for `idle_for`; return how many were refreshed."""
    stale_before = datetime.now(UTC) - idle_for
    rows = (
        await QBOConnection.select(QBOConnection.client_id)
        .where((QBOConnection.status == "connected") & (QBOConnection.refreshed_at < stale_before))
        .run()
    )
    refreshed = 0
    for row in rows:
        try:
            await vault.refresh_now(row["client_id"])
        except NeedsReconnect:
            continue  # already marked and audited; the dashboard shows it
        refreshed += 1
    return refreshed
