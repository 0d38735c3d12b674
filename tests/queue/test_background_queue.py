"""Background work (webhook applies, scheduled syncs) waits behind what a person asked for."""

from __future__ import annotations

import pytest

from tests.support.jobs import all_in_state, wait_for_jobs
from tests.support.probe import Probe
from tests.support.probe_tasks import probe_background, probe_work
from tests.support.workers import Workers
from zera.queue import JobQueue

pytestmark = [pytest.mark.queue, pytest.mark.db]


async def test_a_user_job_starts_before_background_jobs_queued_ahead_of_it(
    job_queue: JobQueue, workers: Workers, probe: Probe
) -> None:
    """Given five background jobs queued, then one user job, when a one-thread worker starts,
    then the user job starts first or second (the thread may already hold one background job),
    not sixth as a single first-in-first-out queue would have it; and every job still runs."""
    background = [
        await probe_background.with_options(title=f"sync {n}").send(
            job_queue,
            probe=str(probe.path),
            key=f"sync-{n}",
            seconds=0.5,
        )
        for n in range(5)
    ]
    user = await probe_work.with_options(title="refresh").send(
        job_queue, probe=str(probe.path), key="user", seconds=0
    )
    workers.start(threads=1)

    await wait_for_jobs(
        [*background, user],
        all_in_state("done"),
        within=60,
        what="every job",
        context=workers.logs,
    )
    order = [run.job_key for run in sorted(probe.runs(), key=lambda run: run.started_at)]
    assert sorted(order) == sorted(["user", *(f"sync-{n}" for n in range(5))])
    assert order.index("user") <= 1, order
