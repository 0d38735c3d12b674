"""Tasks for the queue tests, loaded by real workers: `zera worker tests.support.probe_tasks`.

Each takes the probe file's path and a job key, and records every run and its effect there."""

from __future__ import annotations

import asyncio
import os

from tests.support.probe import Probe
from zera.queue import JobRun, PermanentError, report_progress, task


@task(title="probe_work", max_retries=5)
async def probe_work(job: JobRun, probe: str, key: str, seconds: float) -> None:
    """Take `seconds`, then record the effect of job `key` once, however often it runs."""
    pid = os.getpid()
    record = Probe(probe)
    run = record.start_run(key, pid)
    await asyncio.sleep(seconds)
    record.finish_run(run, effect_of=(key, pid))


@task(title="probe_background", max_retries=5, background=True)
async def probe_background(job: JobRun, probe: str, key: str, seconds: float) -> None:
    """`probe_work` as background work (webhook applies, scheduled syncs): behind user jobs."""
    await probe_work.fn(job, probe, key, seconds)


@task(title="probe_flaky", max_retries=5)
async def probe_flaky(job: JobRun, probe: str, key: str, failures: int) -> None:
    """Fail transiently on the first `failures` runs, then succeed."""
    pid = os.getpid()
    record = Probe(probe)
    run = record.start_run(key, pid)
    attempt = sum(1 for r in record.runs() if r.job_key == key)
    if attempt <= failures:
        record.finish_run(run)
        raise RuntimeError(f"transient failure {attempt} of {failures}")
    record.finish_run(run, effect_of=(key, pid))


@task(title="probe_until_released", max_retries=50)
async def probe_until_released(job: JobRun, probe: str, key: str) -> None:
    """Fail transiently until the test opens the gate named `key`."""
    pid = os.getpid()
    record = Probe(probe)
    run = record.start_run(key, pid)
    if not record.gate_open(key):
        record.finish_run(run)
        raise RuntimeError(f"upstream for {key} still unavailable")
    record.finish_run(run, effect_of=(key, pid))


@task(title="probe_always_fails", max_retries=1)
async def probe_always_fails(job: JobRun, probe: str, key: str) -> None:
    """Fail transiently every time, so retries run out."""
    record = Probe(probe)
    record.finish_run(record.start_run(key, os.getpid()))
    raise RuntimeError(f"upstream for {key} is down")


@task(title="probe_rejects", max_retries=5)
async def probe_rejects(job: JobRun, probe: str, key: str) -> None:
    """Fail in a way no retry can fix."""
    record = Probe(probe)
    record.finish_run(record.start_run(key, os.getpid()))
    raise PermanentError(f"document {key} has no pages")


@task(title="probe_reports_progress", max_retries=5)
async def probe_reports_progress(job: JobRun, probe: str, key: str) -> None:
    """Report 40 % and hold there until the test opens the gate named `key` (at most a minute)."""
    pid = os.getpid()
    record = Probe(probe)
    run = record.start_run(key, pid)
    await report_progress(job.job_id, 40)
    for _ in range(600):
        if record.gate_open(key):
            record.finish_run(run, effect_of=(key, pid))
            return
        await asyncio.sleep(0.1)
    raise PermanentError(f"gate {key} was never opened")
