"""Job states as a person sees them, driven by a real `zera worker` process on the real broker."""

from __future__ import annotations

from itertools import pairwise

import pytest

from tests.queue.conftest import TEST_QUEUE_OPTIONS
from tests.support.jobs import all_in_state, job_rows, wait_for_jobs
from tests.support.probe import Probe
from tests.support.probe_tasks import (
    probe_always_fails,
    probe_flaky,
    probe_rejects,
    probe_reports_progress,
    probe_until_released,
    probe_work,
)
from tests.support.workers import Workers
from zera.queue import JobQueue

pytestmark = [pytest.mark.queue, pytest.mark.db]

RETRY_MIN_S = int(TEST_QUEUE_OPTIONS["retry_min_ms"]) / 1000


async def test_a_transient_failure_is_retried_with_growing_backoff_and_ends_done(
    job_queue: JobQueue, workers: Workers, probe: Probe
) -> None:
    """Given a task that fails twice, when a worker runs it, then the third attempt is done and
    each retry waited at least the exponential backoff (200 ms, then 400 ms)."""
    job = await probe_flaky.with_options(title="flaky").send(
        job_queue, probe=str(probe.path), key="flaky", failures=2
    )
    workers.start()

    rows = await wait_for_jobs(
        [job], all_in_state("done"), within=60, what="the flaky job", context=workers.logs
    )

    row = rows[job]
    assert (row["attempts"], row["progress"], row["error"]) == (3, 100, "")
    assert row["finished_at"] is not None
    runs = probe.runs()
    assert len(runs) == 3
    assert probe.effects() == {"flaky": 1}
    gaps = [later.started_at - earlier.finished_at for earlier, later in pairwise(runs)]
    # Backoff is min_backoff * 2**retry, stretched by up to 2x jitter: a floor, never a ceiling.
    assert gaps[0] >= RETRY_MIN_S * 0.95, gaps
    assert gaps[1] >= 2 * RETRY_MIN_S * 0.95, gaps


async def test_a_job_waiting_for_its_retry_is_queued_and_shows_why(
    job_queue: JobQueue, workers: Workers, probe: Probe
) -> None:
    """Given a task failing until its upstream comes back, the job row says queued with the last
    error between attempts; once the upstream is back the job ends done with the error cleared."""
    job = await probe_until_released.with_options(title="waits").send(
        job_queue, probe=str(probe.path), key="upstream"
    )
    workers.start()

    waiting = await wait_for_jobs(
        [job],
        lambda rows: rows[job]["state"] == "queued" and rows[job]["attempts"] >= 2,
        within=60,
        what="the job to be queued for a retry after two attempts",
        context=workers.logs,
    )
    assert waiting[job]["error"] == (
        "retrying after: RuntimeError: upstream for upstream still unavailable"
    )
    assert waiting[job]["finished_at"] is None

    probe.open_gate("upstream")
    rows = await wait_for_jobs(
        [job], all_in_state("done"), within=60, what="the retry", context=workers.logs
    )
    assert rows[job]["error"] == ""
    assert probe.effects() == {"upstream": 1}


async def test_a_job_whose_retries_run_out_ends_failed_with_the_last_error(
    job_queue: JobQueue, workers: Workers, probe: Probe
) -> None:
    job = await probe_always_fails.with_options(title="down").send(
        job_queue, probe=str(probe.path), key="down"
    )
    workers.start()

    rows = await wait_for_jobs(
        [job], all_in_state("failed"), within=60, what="the job to fail", context=workers.logs
    )

    row = rows[job]
    assert row["attempts"] == 2  # the first run and its one retry (max_retries=1)
    assert row["error"] == "RuntimeError: upstream for down is down"
    assert row["finished_at"] is not None
    assert len(probe.runs()) == 2
    assert probe.effects() == {}


async def test_a_permanent_error_is_not_retried_and_the_job_fails_with_its_text(
    job_queue: JobQueue, workers: Workers, probe: Probe
) -> None:
    rejected = await probe_rejects.with_options(title="bad document").send(
        job_queue, probe=str(probe.path), key="doc-7"
    )
    workers.start(threads=1)

    rows = await wait_for_jobs(
        [rejected], all_in_state("failed"), within=60, what="the job to fail", context=workers.logs
    )
    assert rows[rejected]["error"] == "PermanentError: document doc-7 has no pages"
    assert rows[rejected]["attempts"] == 1

    # A retry would have been due after the minimum backoff; a job sent later on the same
    # single-threaded worker, which waits longer than that, shows none came.
    later = await probe_work.with_options(title="later").send(
        job_queue,
        probe=str(probe.path),
        key="later",
        seconds=4 * RETRY_MIN_S,
    )
    await wait_for_jobs(
        [later], all_in_state("done"), within=60, what="the later job", context=workers.logs
    )
    assert [run.job_key for run in probe.runs()] == ["doc-7", "later"]
    assert (await job_rows([rejected]))[rejected]["attempts"] == 1


async def test_progress_reported_by_a_running_task_is_visible_in_the_job_row(
    job_queue: JobQueue, workers: Workers, probe: Probe
) -> None:
    job = await probe_reports_progress.with_options(title="progress").send(
        job_queue, probe=str(probe.path), key="halfway"
    )
    workers.start()

    running = await wait_for_jobs(
        [job],
        lambda rows: rows[job]["progress"] == 40,
        within=60,
        what="progress to reach 40 %",
        context=workers.logs,
    )
    assert running[job]["state"] == "running"
    assert running[job]["started_at"] is not None

    probe.open_gate("halfway")
    rows = await wait_for_jobs(
        [job], all_in_state("done"), within=60, what="the job to end", context=workers.logs
    )
    assert rows[job]["progress"] == 100
