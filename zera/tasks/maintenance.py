"""Housekeeping tasks."""

from __future__ import annotations

import anyio
import dramatiq

from zera.accounts.lockout import purge_stale
from zera.accounts.sessions import purge_expired
from zera.queue import JobRun, task
from zera.queue.dead_letters import purge_dead_letters as purge_dead


@task(title="Remove expired sessions", max_retries=3, background=True)
async def purge_expired_sessions(run: JobRun) -> None:
    """Delete expired sign-in sessions. Safe to run any number of times."""
    await purge_expired()


@task(title="Remove old failed queue messages", max_retries=3, background=True)
async def purge_dead_letters(run: JobRun) -> None:
    """Delete failed messages older than ZERA_DEAD_LETTER_DAYS; their job rows stay."""
    days = run.context.settings.dead_letter_days
    broker = dramatiq.get_broker()  # the running JobQueue's
    await anyio.to_thread.run_sync(lambda: purge_dead(broker, older_than_seconds=days * 86400))


@task(title="Forget old failed sign-ins", max_retries=3, background=True)
async def purge_stale_sign_in_counts(run: JobRun) -> None:
    """Delete sign-in counters whose window is over (made-up addresses, passing sources)."""
    await purge_stale(run.context.settings.login_lockout_seconds)
