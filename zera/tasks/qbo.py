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

from zera import clients, sync
from zera.accounts.audit import Actor
from zera.qbo.errors import NeedsReconnect, Transient, ValidationFault
from zera.queue import JobRun, PermanentError, report_progress, task
from zera.sync.apply import apply_announced_changes
from zera.sync.push import JOB_TITLE as PUSH_JOB_TITLE
from zera.sync.push import push
from zera.sync.undo import undo_push

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


@task(title="Read chart of accounts and lists", max_retries=QBO_JOB_RETRIES)
async def pull_reference_data(run: JobRun, client_id: int) -> None:
    """Read the client's chart of accounts and name lists in full."""
    with _quickbooks_faults():
        async with run.context.quickbooks.client_for(client_id) as client:
            await sync.pull_reference(client, client_id)


@task(title="Refresh chart of accounts", max_retries=QBO_JOB_RETRIES)
async def refresh_reference_data(run: JobRun, client_id: int) -> None:
    """Apply QuickBooks changes since the last pull (CDC): a person pressed Refresh."""
    with _quickbooks_faults():
        async with run.context.quickbooks.client_for(client_id) as client:
            await sync.refresh_reference(client, client_id)


@task(title="Catch up with QuickBooks", max_retries=QBO_JOB_RETRIES, background=True,
      time_limit_seconds=3600)  # fmt: skip
async def scheduled_refresh(run: JobRun, client_id: int) -> None:
    """The webhook apply pass, started by the schedule (every 15 minutes, at start-up) so that a
    webhook Intuit never delivered still means no missed change: CDC of the lists and of every
    transaction type, then the two-way merge. It waits behind what people asked for."""
    with _quickbooks_faults():
        await apply_announced_changes(run.context.quickbooks, client_id)


@task(title="Read 12 months of transactions", max_retries=QBO_JOB_RETRIES, time_limit_seconds=3600)
async def pull_transaction_history(run: JobRun, client_id: int) -> None:
    """Bring the last 12 months of transactions up to date (resumable, incremental)."""

    async def progress(percent: int) -> None:
        await report_progress(run.job_id, percent)

    with _quickbooks_faults():
        async with run.context.quickbooks.client_for(client_id) as client:
            await sync.pull_history(client, client_id, progress=progress)


@task(
    title="Apply changes made in QuickBooks",
    max_retries=QBO_JOB_RETRIES,
    time_limit_seconds=3600,
    background=True,
)
async def apply_quickbooks_changes(run: JobRun, client_id: int) -> None:
    """Apply every change QuickBooks announced while this job was queued."""
    with _quickbooks_faults():
        await apply_announced_changes(run.context.quickbooks, client_id)


@task(title="Keep QuickBooks connections alive", max_retries=3, background=True)
async def keep_tokens_alive(run: JobRun) -> None:
    """Refresh every connection not refreshed for a week."""
    await sync.keep_alive(run.context.quickbooks.vault)


@task(title="Forget old webhook replay keys", max_retries=3, background=True)
async def forget_webhook_deliveries(run: JobRun) -> None:
    """Drop replay keys of events the replay window refuses anyway. Safe to run any time."""
    window = run.context.settings.webhook_replay_window_seconds
    await sync.forget_expired(now=time.time(), window_seconds=window)


@task(title=PUSH_JOB_TITLE, max_retries=QBO_JOB_RETRIES,
      time_limit_seconds=3600)  # fmt: skip
async def push_records(
    run: JobRun, client_id: int, started_by: str, record_ids: list[int] | None = None
) -> None:
    """Write the client's approved records (or only `record_ids`: an edit or a conflict
    resolution sent back at once) to QuickBooks (a push interrupted by a crash is resumed:
    records it left pushing are found by their marker or sent again)."""

    async def progress(done: int, total: int) -> None:
        await report_progress(run.job_id, int(100 * done / max(total, 1)))

    client = await clients.client_by_reference(str(client_id))
    with _quickbooks_faults():
        async with run.context.quickbooks.client_for(client_id) as qbo:
            await push(qbo, client, Actor(None, started_by), progress=progress,
                       only=set(record_ids) if record_ids is not None else None)  # fmt: skip


@task(title="Undo a push", max_retries=QBO_JOB_RETRIES, time_limit_seconds=3600)
async def undo_push_run(
    run: JobRun, client_id: int, run_id: int, started_by: str, reverse_with_journal: bool = False
) -> None:
    """Reverse what one push wrote: delete in reverse order (a record in a closed or reconciled
    period gets a reversing journal entry when asked), make the names it created inactive."""
    client = await clients.client_by_reference(str(client_id))
    with _quickbooks_faults():
        async with run.context.quickbooks.client_for(client_id) as qbo:
            await undo_push(qbo, client, Actor(None, started_by), run_id,
                            reverse_with_journal=reverse_with_journal)  # fmt: skip
