"""QuickBooks background work: reference pulls and refreshes, history, webhook applies,
token keep-alive. Each actor calls one `zera.sync` function.

Retries: the QBO client retries a request (throttling, Intuit 5xx, network) within its time
budget, so a job is not run again for a fault the client absorbs. What escapes the client (an
outage longer than the budget, a Retry-After longer than what is left of it) is retried here a
few times, after Intuit's Retry-After when it gave one; a fault a person must fix is never.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from dramatiq import Retry

from zera import sync
from zera.qbo.errors import NeedsReconnect, Transient, ValidationFault
from zera.queue import PermanentError, report_progress, task
from zera.tasks.context import current

# Runs of a job after its first, for what the client could not absorb (it already retried each
# request for up to a minute): a few, not a multiple of the client's own attempts.
QBO_JOB_RETRIES = 3


@contextmanager
def _quickbooks_faults() -> Iterator[None]:
    try:
        yield
    except (NeedsReconnect, ValidationFault) as exc:
        # A person has to act (reconnect, fix data): retrying cannot help.
        raise PermanentError(str(exc)) from exc
    except Transient as exc:
        if exc.retry_after is None:
            raise  # the queue's own backoff
        raise Retry(str(exc), delay=int(exc.retry_after * 1000)) from exc


@task(max_retries=QBO_JOB_RETRIES)
async def pull_reference_data(job_id: str, client_id: int) -> None:
    """Read the client's chart of accounts and name lists in full."""
    with _quickbooks_faults():
        async with current().quickbooks.client_for(client_id) as client:
            await sync.pull_reference(client, client_id)


@task(max_retries=QBO_JOB_RETRIES)
async def refresh_reference_data(job_id: str, client_id: int) -> None:
    """Apply QuickBooks changes since the last pull (CDC): a person pressed Refresh."""
    with _quickbooks_faults():
        async with current().quickbooks.client_for(client_id) as client:
            await sync.refresh_reference(client, client_id)


@task(max_retries=QBO_JOB_RETRIES, background=True)
async def scheduled_refresh(job_id: str, client_id: int) -> None:
    """The same CDC refresh, started by the schedule: it waits behind what people asked for."""
    with _quickbooks_faults():
        async with current().quickbooks.client_for(client_id) as client:
            await sync.refresh_reference(client, client_id)


@task(max_retries=QBO_JOB_RETRIES, time_limit_seconds=3600)
async def pull_transaction_history(job_id: str, client_id: int) -> None:
    """Bring the last 12 months of transactions up to date (resumable, incremental)."""

    async def progress(percent: int) -> None:
        await report_progress(job_id, percent)

    with _quickbooks_faults():
        async with current().quickbooks.client_for(client_id) as client:
            await sync.pull_history(client, client_id, progress=progress)


@task(max_retries=QBO_JOB_RETRIES, time_limit_seconds=3600, background=True)
async def apply_quickbooks_changes(job_id: str, client_id: int) -> None:
    """Apply every change QuickBooks announced while this job was queued."""
    with _quickbooks_faults():
        await sync.apply_announced_changes(current().quickbooks, client_id)


@task(max_retries=3, background=True)
async def keep_tokens_alive(job_id: str) -> None:
    """Refresh every connection not refreshed for a week."""
    await sync.keep_alive(current().quickbooks.vault)


@task(max_retries=3, background=True)
async def forget_webhook_deliveries(job_id: str) -> None:
    """Drop replay keys of events the replay window refuses anyway. Safe to run any time."""
    window = current().settings.webhook_replay_window_seconds
    await sync.forget_expired(now=time.time(), window_seconds=window)
