"""QuickBooks background work: reference pulls and refreshes, history, webhook applies,
token keep-alive."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from zera.db.tables import QBOConnection
from zera.qbo import deliveries, history, inbox, mirror
from zera.qbo.client import QBOClient
from zera.qbo.errors import NeedsReconnect, ValidationFault
from zera.queue import PermanentError, report_progress, task
from zera.tasks.context import current

# Refresh well before Intuit's 100-day rolling expiry, so no refresh token ever reaches it.
KEEPALIVE_AFTER = timedelta(days=7)


@asynccontextmanager
async def _client(client_id: int) -> AsyncIterator[QBOClient]:
    try:
        async with current().quickbooks.client_for(client_id) as client:
            yield client
    except (NeedsReconnect, ValidationFault) as exc:
        # A person has to act (reconnect, fix data): retrying cannot help.
        raise PermanentError(str(exc)) from exc


@task(max_retries=8)
async def pull_reference_data(job_id: str, client_id: int) -> None:
    """Read the client's chart of accounts and name lists in full."""
    async with _client(client_id) as client:
        await mirror.pull_reference(client, client_id)


@task(max_retries=8)
async def refresh_reference_data(job_id: str, client_id: int) -> None:
    """Apply QuickBooks changes since the last pull (CDC): a person pressed Refresh."""
    async with _client(client_id) as client:
        await mirror.refresh_reference(client, client_id)


@task(max_retries=8, background=True)
async def scheduled_refresh(job_id: str, client_id: int) -> None:
    """The same CDC refresh, started by the schedule: it waits behind what people asked for."""
    async with _client(client_id) as client:
        await mirror.refresh_reference(client, client_id)


@task(max_retries=8, time_limit_seconds=3600)
async def pull_transaction_history(job_id: str, client_id: int) -> None:
    """Bring the last 12 months of transactions up to date (resumable, incremental)."""

    async def progress(percent: int) -> None:
        await report_progress(job_id, percent)

    async with _client(client_id) as client:
        await history.pull_history(client, client_id, progress=progress)


@task(max_retries=8, time_limit_seconds=3600, background=True)
async def apply_quickbooks_changes(job_id: str, client_id: int) -> None:
    """Bring the mirror and the history up to date after QuickBooks announced changes.

    One job serves every notice that arrived while it was queued (`inbox.receive` coalesces);
    it lets the next notice queue another before reading how far the inbox goes, so nothing
    announced during the run is left unapplied."""
    await inbox.release_apply(client_id)
    row = (
        await QBOConnection.select(QBOConnection.realm_id)
        .where(QBOConnection.client_id == client_id)
        .first()
        .run()
    )
    if row is None:
        return  # disconnected since the webhook arrived
    up_to = await inbox.newest_id(row["realm_id"])
    async with _client(client_id) as client:
        await mirror.refresh_reference(client, client_id)
        await history.pull_history(client, client_id)
    await inbox.mark_applied(row["realm_id"], up_to)


@task(max_retries=3, background=True)
async def keep_tokens_alive(job_id: str) -> None:
    """Refresh every connection not refreshed for a week."""
    vault = current().quickbooks.vault
    stale_before = datetime.now(UTC) - KEEPALIVE_AFTER
    rows = (
        await QBOConnection.select(QBOConnection.client_id)
        .where((QBOConnection.status == "connected") & (QBOConnection.refreshed_at < stale_before))
        .run()
    )
    for row in rows:
        try:
            await vault.refresh_now(row["client_id"])
        except NeedsReconnect:
            continue  # already marked and audited; the dashboard shows it


@task(max_retries=3, background=True)
async def forget_webhook_deliveries(job_id: str) -> None:
    """Drop replay keys of events the replay window refuses anyway. Safe to run any time."""
    window = current().settings.webhook_replay_window_seconds
    await deliveries.forget_expired(now=time.time(), window_seconds=window)
