"""Figures for the embedded job queue (SQLite file, SQLite database): jobs per second through one
in-process worker, and how long a SIGKILLed worker's job takes to run again (lease recovery).
Prints its results; asserts nothing.

    uv run python bench/queue_throughput.py [--jobs 500] [--threads 2] [--lease-seconds 5]

Throughput counts the whole path a job takes: Job row and message written by `enqueue`, claimed
under a lease, JobTracking's running/done writes, ack. Recovery is measured from the SIGKILL to
the job's second attempt starting in a fresh `zera worker` process (started at once, so its
start-up overlaps the lease wait); it is bounded below by `lease_seconds`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from zera.db import bind_tables, engine_for, migrate
from zera.db.tables import Job
from zera.queue import JobQueue, JobRun, task

ROOT = Path(__file__).resolve().parents[1]


@task(title="noop", max_retries=0)
async def bench_noop(run: JobRun) -> None:
    """Nothing: the cost measured is the queue's own."""


@task(title="held", max_retries=0)
async def bench_hold(run: JobRun, seconds: float) -> None:
    """Stay busy long enough to be killed in the middle."""
    await asyncio.sleep(seconds)


async def _count(state: str, ids: list[uuid.UUID]) -> int:
    return int(await Job.count().where(Job.id.is_in(ids), Job.state == state).run())


async def _row(job_id: uuid.UUID) -> dict[str, object]:
    row = await Job.select(Job.state, Job.attempts).where(Job.id == job_id).first().run()
    assert row is not None
    return row


async def throughput(base: Path, jobs: int, threads: int) -> None:
    db_url, queue_url = f"sqlite:///{base / 'zera.db'}", f"sqlite:///{base / 'queue.db'}"
    await migrate(engine_for(db_url))
    bind_tables(engine_for(db_url))
    queue = JobQueue(queue_url)
    started = time.perf_counter()
    ids = [await bench_noop.with_options(title=f"noop {n}").send(queue) for n in range(jobs)]
    enqueued = time.perf_counter() - started
    started = time.perf_counter()
    queue.start_worker(threads)
    try:
        while await _count("done", ids) < jobs:
            if time.perf_counter() - started > 600:
                raise SystemExit("jobs not done after 10 minutes")
            await asyncio.sleep(0.05)
        drained = time.perf_counter() - started
    finally:
        queue.close()
    print(f"enqueue: {jobs} jobs in {enqueued:.2f} s = {jobs / enqueued:.0f} jobs/s")
    print(
        f"process: {jobs} no-op jobs through one in-process worker ({threads} threads)"
        f" in {drained:.2f} s = {jobs / drained:.0f} jobs/s"
    )


def _worker(base: Path, queue_url: str) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ZERA_")},
        "ZERA_BASE_DIR": str(base),
        "DATABASE_URL": f"sqlite:///{base / 'zera.db'}",
        "ZERA_QUEUE_URL": queue_url,
        "ZERA_WORKER_THREADS": "1",
        "ZERA_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "zera.cli", "worker", "bench.queue_throughput"],
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )


async def recovery(base: Path, lease_seconds: float) -> None:
    queue_url = f"sqlite:///{base / 'queue.db'}?lease_seconds={lease_seconds}"
    await migrate(engine_for(f"sqlite:///{base / 'zera.db'}"))
    queue = JobQueue(queue_url)
    job_id = await bench_hold.send(queue, seconds=3600)
    first = _worker(base, queue_url)
    second: subprocess.Popen[bytes] | None = None
    try:
        deadline = time.perf_counter() + 120
        while (await _row(job_id))["state"] != "running":
            if time.perf_counter() > deadline or first.poll() is not None:
                raise SystemExit("the first worker never started the job")
            await asyncio.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed = time.perf_counter()
        second = _worker(base, queue_url)
        while (await _row(job_id))["attempts"] != 2:
            if time.perf_counter() - killed > 10 * lease_seconds + 60:
                raise SystemExit("the killed worker's job never ran again")
            await asyncio.sleep(0.02)
        resumed = time.perf_counter() - killed
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
        queue.close()
    print(
        f"recovery: job running again {resumed:.2f} s after SIGKILL"
        f" (lease_seconds={lease_seconds:g}; new worker started at the kill)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--lease-seconds", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zera-bench-queue-") as tmp:
        (Path(tmp) / "a").mkdir()
        (Path(tmp) / "b").mkdir()
        asyncio.run(throughput(Path(tmp) / "a", args.jobs, args.threads))
        asyncio.run(recovery(Path(tmp) / "b", args.lease_seconds))


if __name__ == "__main__":
    main()
