"""Periodic jobs are enqueued once per interval, however many processes run a scheduler."""

from __future__ import annotations

import asyncio

import pytest

from zera.app import create_app
from zera.db.tables import Job
from zera.settings import Settings
from zera.tasks.schedule import PERIODIC, run_due

pytestmark = [pytest.mark.db, pytest.mark.queue]


async def test_each_periodic_job_runs_once_per_interval_across_schedulers(
    settings: Settings,
) -> None:
    app = create_app(settings)
    queue = app.state.queue
    try:
        now = 1_900_000_000.0
        # Two schedulers (two processes) waking at the same moment:
        first, second = await asyncio.gather(run_due(queue, now), run_due(queue, now))
        names = sorted(first + second)
        assert names == sorted(p.name for p in PERIODIC)
        assert await run_due(queue, now + 60) == []  # nothing is due a minute later
        later = await run_due(queue, now + 3601)
        assert "purge_expired_sessions" in later and "keep_tokens_alive" not in later
        titles = [row["title"] for row in await Job.select(Job.title).run()]
        assert titles.count("Remove expired sessions") == 2
        assert titles.count("Keep QuickBooks connections alive") == 1
    finally:
        queue.close()
