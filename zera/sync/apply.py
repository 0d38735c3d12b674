"""Applying what QuickBooks announced by webhook: one pass per queued apply job."""

from __future__ import annotations

from zera.qbo.service import QuickBooks
from zera.sync import inbox
from zera.sync.connections import realm_of
from zera.sync.history import pull_history
from zera.sync.mirror import refresh_reference
from zera.sync.twoway import take_changes


async def apply_announced_changes(quickbooks: QuickBooks, client_id: int) -> int:
    """Bring the mirror and the history up to date after QuickBooks announced changes; return
    how many stored notices the pass covered (now marked processed).

    One job serves every notice that arrived while it was queued (`inbox.receive` coalesces);
    it lets the next notice queue another before reading how far the inbox goes, so nothing
    announced during the run is left unapplied. The pass is a CDC read of every entity, which
    also catches changes a lost webhook never announced, then the two-way merge of every record
    QuickBooks changed (`zera.sync.twoway`). The scheduled catch-up runs the same pass.
    """
    await inbox.release_apply(client_id)
    realm = await realm_of(client_id)
    if realm is None:
        return 0  # disconnected since the webhook arrived
    up_to = await inbox.newest_id(realm)
    notices = await inbox.pending_notices(realm)
    async with quickbooks.client_for(client_id) as client:
        await refresh_reference(client, client_id)
        await pull_history(client, client_id)
    await take_changes(client_id, notices)
    return await inbox.mark_applied(realm, up_to)
