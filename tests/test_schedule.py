"""Periodic jobs are enqueued once per interval, however many processes run a scheduler."""

from __future__ import annotations

import asyncio

import pytest

from zera.app import create_app
from zera.db.tables import Job
from zera.settings import Settings
from zera.tasks.schedule import CATCH_UP, PERIODIC, catch_up_on_start, run_due

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


async def test_the_catch_up_interval_follows_the_setting(settings: Settings) -> None:
    app = create_app(settings)
    queue = app.state.queue
    try:
        now = 1_900_000_000.0
        assert CATCH_UP in await run_due(queue, now, catch_up_seconds=60)
        assert CATCH_UP not in await run_due(queue, now + 30, catch_up_seconds=60)
        assert CATCH_UP in await run_due(queue, now + 61, catch_up_seconds=60)
        assert CATCH_UP in await run_due(queue, now + 122)  # due; the next in 15 minutes
        assert CATCH_UP not in await run_due(queue, now + 122 + 600)
    finally:
        queue.close()


async def test_processes_starting_together_catch_up_once(settings: Settings) -> None:
    """A start (deploy, crash, restart) may have missed webhooks: the first tick of the
    processes starting then queues one catch-up of every connection, not one per process."""
    app = create_app(settings)
    queue = app.state.queue
    try:
        now = 1_900_000_000.0
        started = await asyncio.gather(*(catch_up_on_start(queue, now) for _ in range(3)))
        assert sorted(started) == [False, False, True]
        assert await catch_up_on_start(queue, now + 61)  # a later restart catches up again
    finally:
        queue.close()
