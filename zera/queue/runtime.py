"""A JobQueue: the broker for this process, its actors, and (optionally) in-process workers."""

from __future__ import annotations

import functools
import inspect
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio
import dramatiq
from dramatiq.middleware import AsyncIO, Retries
from piccolo.utils.sync import run_sync

from zera.queue.brokers import build_broker, init_broker_storage, parse_queue_url, ping_broker
from zera.queue.jobs import JobTracking, create_job, mark_done, mark_failed_to_send
from zera.queue.registry import TASKS, JobRun, TaskSpec

if TYPE_CHECKING:
    from zera.tasks.context import TaskContext

log = logging.getLogger(__name__)


class JobQueue:
    """Owns one broker. Build one per process, after the modules declaring tasks are imported.

    Retry backoff is exponential with Dramatiq's jitter, between the queue URL's `retry_min_ms`
    and `retry_max_ms` (2 s and 5 minutes unless the URL says otherwise).

    Its tasks run with `context` (a process that only sends jobs needs none).
    """

    def __init__(self, queue_url: str, context: TaskContext | None = None) -> None:
        _, options = parse_queue_url(queue_url)
        self.broker = build_broker(queue_url)
        for middleware in self.broker.middleware:
            if isinstance(middleware, Retries):
                middleware.min_backoff = options.retry_min_ms
                middleware.max_backoff = options.retry_max_ms
        self.broker.add_middleware(AsyncIO())
        # Before Retries, so that its after-hook runs after Retries has decided (see JobTracking).
        self.broker.add_middleware(JobTracking(), before=Retries)
        # Dramatiq's Worker and its AsyncIO support look the broker up globally.
        dramatiq.set_broker(self.broker)
        self.actors: dict[str, dramatiq.Actor[Any, Any]] = {
            spec.name: dramatiq.actor(actor_name=spec.name, broker=self.broker, **spec.options)(
                _recording_done(spec, context)
            )
            for spec in TASKS.values()
        }
        self._worker: dramatiq.Worker | None = None

    def init_storage(self) -> None:
        init_broker_storage(self.broker)

    def ping(self) -> None:
        ping_broker(self.broker)

    async def enqueue(
        self,
        actor_name: str,
        *,
        title: str,
        client_id: int | None = None,
        delay_seconds: float = 0,
        **kwargs: Any,
    ) -> uuid.UUID:
        """Record a job and send its message (due after `delay_seconds`); return the job id for
        the progress fragment. Callers use a task's typed `send`, which comes here."""
        actor = self.actors[actor_name]
        job_id = await create_job(actor_name, title=title, client_id=client_id)
        try:
            # A client's job always tells its task which client it is for.
            scope = {} if client_id is None else {"client_id": client_id}
            delay = int(delay_seconds * 1000) or None
            await anyio.to_thread.run_sync(
                lambda: actor.send_with_options(
                    kwargs={"job_id": str(job_id), **scope, **kwargs}, delay=delay
                )
            )
        except Exception as exc:
            # Nothing will ever run this job: say so on the row rather than leave it "queued".
            await mark_failed_to_send(job_id, exc)
            raise
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


def _recording_done(spec: TaskSpec[...], context: TaskContext | None) -> Callable[..., Any]:
    """Wrap a task so that it gets its `JobRun` and its job row is marked done as the last step
    of the task itself."""
    fn = spec.fn
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def run_async(*args: Any, job_id: str = "", **kwargs: Any) -> Any:
            result = await fn(JobRun(job_id, context), *args, **kwargs)
            if job_id:
                await mark_done(job_id)
            return result

        return run_async

    @functools.wraps(fn)
    def run(*args: Any, job_id: str = "", **kwargs: Any) -> Any:
        result = fn(JobRun(job_id, context), *args, **kwargs)
        if job_id:
            run_sync(mark_done(job_id))
        return result

    return run
