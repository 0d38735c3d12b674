"""A JobQueue: the broker for this process, its actors, and (optionally) in-process workers."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import anyio
import dramatiq
from dramatiq.middleware import AsyncIO, Retries

from zera.queue.brokers import build_broker, init_broker_storage, ping_broker
from zera.queue.jobs import JobTracking, create_job
from zera.queue.registry import TASKS

log = logging.getLogger(__name__)

# Exponential backoff with Dramatiq's jitter: 2 s, 4 s, 8 s ... capped at 5 minutes.
MIN_BACKOFF_MS = 2_000
MAX_BACKOFF_MS = 300_000


class JobQueue:
    """Owns one broker. Build one per process, after the modules declaring tasks are imported."""

    def __init__(self, queue_url: str) -> None:
        self.broker = build_broker(queue_url)
        for middleware in self.broker.middleware:
            if isinstance(middleware, Retries):
                middleware.min_backoff = MIN_BACKOFF_MS
                middleware.max_backoff = MAX_BACKOFF_MS
        self.broker.add_middleware(AsyncIO())
        self.broker.add_middleware(JobTracking())
        # Dramatiq's Worker and its AsyncIO support look the broker up globally.
        dramatiq.set_broker(self.broker)
        self.actors: dict[str, dramatiq.Actor[Any, Any]] = {
            spec.name: dramatiq.actor(spec.fn, broker=self.broker, **spec.options)
            for spec in TASKS.values()
        }
        self._worker: dramatiq.Worker | None = None

    def init_storage(self) -> None:
        init_broker_storage(self.broker)

    def ping(self) -> None:
        ping_broker(self.broker)

    async def enqueue(
        self, actor_name: str, *, title: str, client_id: int | None = None, **kwargs: Any
    ) -> uuid.UUID:
        """Record a job and send its message; return the job id for the progress fragment."""
        actor = self.actors[actor_name]
        job_id = await create_job(actor_name, title=title, client_id=client_id)
        await anyio.to_thread.run_sync(lambda: actor.send(job_id=str(job_id), **kwargs))
        return job_id

    def start_worker(self, threads: int) -> None:
        self._worker = dramatiq.Worker(self.broker, worker_threads=threads, worker_timeout=500)
        self._worker.start()

    def stop_worker(self, timeout_ms: int = 30_000) -> None:
        """Finish jobs in flight (up to `timeout_ms`); unfinished ones go back on the queue."""
        if self._worker is not None:
            self._worker.stop(timeout=timeout_ms)
            self._worker = None

    def close(self) -> None:
        self.stop_worker()
        self.broker.close()
