"""No job is lost or finished twice when a worker process dies (SIGKILL) or is stopped
(SIGTERM) with jobs in flight: real `zera worker` processes on the real broker."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import pytest

from tests.support.jobs import all_in_state, job_rows, wait_for_jobs, wait_until
from tests.support.probe import Probe
from tests.support.probe_tasks import probe_work
from tests.support.workers import Workers
from zera.queue import JobQueue

pytestmark = [pytest.mark.queue, pytest.mark.db]

JOBS = 30
WORK_SECONDS = 0.6
THREADS = 3
RECOVERY_WITHIN = 120  # seconds; generous for a noisy machine, reached in a few normally


async def enqueue_work(job_queue: JobQueue, probe: Probe) -> dict[uuid.UUID, str]:
    """Send JOBS jobs that each take a moment; return job id -> probe key."""
    jobs = {}
    for n in range(JOBS):
        key = f"job-{n:02d}"
        job_id = await probe_work.with_options(title=key).send(
            job_queue, probe=str(probe.path), key=key, seconds=WORK_SECONDS
        )
        jobs[job_id] = key
    return jobs


def mid_job(probe: Probe) -> bool:
    """Some jobs have finished and at least one is running right now."""
    runs = probe.runs()
    return sum(run.finished for run in runs) >= THREADS and any(not r.finished for r in runs)


def assert_every_job_done_with_one_effect(
    rows: dict[uuid.UUID, dict[str, Any]], jobs: dict[uuid.UUID, str], probe: Probe
) -> None:
    assert set(rows) == set(jobs), "a job row went missing"
    for job_id, row in rows.items():
        assert row["state"] == "done", (jobs[job_id], row)
        assert row["attempts"] >= 1, (jobs[job_id], row)
        assert (row["progress"], row["error"]) == (100, ""), (jobs[job_id], row)
        assert row["finished_at"] is not None, (jobs[job_id], row)
    assert probe.effects() == Counter(jobs.values()), "an effect is missing or doubled"


async def test_jobs_of_a_killed_worker_are_run_by_the_next_and_none_is_lost(
    job_queue: JobQueue, workers: Workers, probe: Probe
) -> None:
    """Given 30 jobs and a worker SIGKILLed in the middle of some of them, when a new worker
    starts, then every job ends done with its effect recorded once: the interrupted ones run
    again once their lease runs out, and jobs already done are never run again."""
    jobs = await enqueue_work(job_queue, probe)
    first = workers.start(threads=THREADS)
    await wait_until(
        lambda: mid_job(probe),
        within=60,
        what="the first worker to be mid-job",
        context=workers.logs,
    )

    first.kill()

    runs_of_first = probe.runs()
    interrupted = {run.job_key for run in runs_of_first if not run.finished}
    assert interrupted, "the kill landed between jobs, so it tested nothing; rerun"
    done_before = {jobs[i] for i, row in (await job_rows(jobs)).items() if row["state"] == "done"}
    assert len(done_before) < JOBS

    second = workers.start(threads=THREADS)
    rows = await wait_for_jobs(
        jobs,
        all_in_state("done"),
        within=RECOVERY_WITHIN,
        what="every job to be done",
        context=workers.logs,
    )
    assert second.stop() == 0, second.log_tail()

    assert_every_job_done_with_one_effect(rows, jobs, probe)
    runs_of_second = [run for run in probe.runs() if run.pid == second.pid]
    assert all(run.finished for run in runs_of_second)
    keys_run_by_second = {run.job_key for run in runs_of_second}
    assert interrupted <= keys_run_by_second, "an interrupted job was not run again"
    assert not done_before & keys_run_by_second, "a job already done was run again"
    assert {run.pid for run in probe.runs()} == {first.pid, second.pid}


# A lease far longer than the wait below: a message the stopped worker kept claimed instead of
# handing it back would only come back after the lease, and time the test out.
@pytest.mark.parametrize("lease_seconds", [str(RECOVERY_WITHIN * 3)])
async def test_a_gracefully_stopped_worker_finishes_its_jobs_and_hands_back_the_rest(
    job_queue: JobQueue, workers: Workers, probe: Probe
) -> None:
    """Given 30 jobs and a worker sent SIGTERM in the middle of some of them, then it finishes
    the jobs it started, exits 0, and hands back the rest at once: a new worker runs them
    without waiting for any lease, and every job ran exactly once."""
    jobs = await enqueue_work(job_queue, probe)
    first = workers.start(threads=THREADS)
    await wait_until(
        lambda: mid_job(probe),
        within=60,
        what="the first worker to be mid-job",
        context=workers.logs,
    )

    assert first.stop() == 0, first.log_tail()

    runs_of_first = probe.runs()
    assert all(run.finished for run in runs_of_first), "the stop abandoned a job mid-run"
    started = {run.job_key for run in runs_of_first}
    assert len(started) < JOBS
    after_stop = await job_rows(jobs)
    assert {jobs[i] for i, row in after_stop.items() if row["state"] == "done"} == started
    assert {row["state"] for i, row in after_stop.items() if jobs[i] not in started} == {"queued"}

    second = workers.start(threads=THREADS)
    rows = await wait_for_jobs(
        jobs,
        all_in_state("done"),
        within=RECOVERY_WITHIN,
        what="every job to be done",
        context=workers.logs,
    )
    assert second.stop() == 0, second.log_tail()

    assert_every_job_done_with_one_effect(rows, jobs, probe)
    runs = probe.runs()
    assert Counter(run.job_key for run in runs) == Counter(jobs.values()), "a job ran twice"
    assert all(row["attempts"] == 1 for row in rows.values())
