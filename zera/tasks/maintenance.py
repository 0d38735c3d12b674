"""Housekeeping tasks."""

from __future__ import annotations

from zera.accounts.sessions import purge_expired
from zera.queue import task


@task(max_retries=3)
async def purge_expired_sessions(job_id: str) -> None:
    """Delete expired sign-in sessions. Safe to run any number of times."""
    await purge_expired()
