"""Periodic jobs: token keep-alive, CDC refresh of every connection, and clean-ups (sessions,
dead letters, webhook replay keys).

Every process that runs workers also runs a `Scheduler` thread; each tick claims the runs that
are due (`zera.queue.periodic`: one process wins each run), so two workers never enqueue the same
run twice.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from zera.queue import JobQueue
from zera.queue.periodic import claim_periodic_run
from zera.sync import connected_client_ids
from zera.tasks.maintenance import (
    purge_dead_letters,
    purge_expired_sessions,
    purge_stale_sign_in_counts,
)
from zera.tasks.qbo import forget_webhook_deliveries, keep_tokens_alive, scheduled_refresh

log = logging.getLogger(__name__)


async def _refresh_every_connection(queue: JobQueue) -> None:
    for client_id in await connected_client_ids():
        await scheduled_refresh.send(queue, client_id=client_id)


@dataclass(frozen=True)
class Periodic:
    name: str  # its `periodic_run` row: kept as it is, so the schedule survives an upgrade
    every_seconds: int
    enqueue: Callable[[JobQueue], Awaitable[object]]


PERIODIC = (
    Periodic("keep_tokens_alive", 6 * 3600, keep_tokens_alive.send),
    Periodic("refresh_reference_data", 15 * 60, _refresh_every_connection),
    Periodic("purge_expired_sessions", 3600, purge_expired_sessions.send),
    Periodic("purge_stale_sign_in_counts", 3600, purge_stale_sign_in_counts.send),
    Periodic("purge_dead_letters", 6 * 3600, purge_dead_letters.send),
    Periodic("forget_webhook_deliveries", 3600, forget_webhook_deliveries.send),
)


async def run_due(queue: JobQueue, now: float | None = None) -> list[str]:
    """Enqueue every periodic job that is due; return their names."""
    now = time.time() if now is None else now
    started = []
    for periodic in PERIODIC:
        if await claim_periodic_run(periodic.name, periodic.every_seconds, now):
            await periodic.enqueue(queue)
            started.append(periodic.name)
    return started


class Scheduler(threading.Thread):
    def __init__(self, queue: JobQueue, tick_seconds: float = 30.0) -> None:
        super().__init__(name="zera-scheduler", daemon=True)
        self.queue = queue
        self.tick_seconds = tick_seconds
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                asyncio.run(run_due(self.queue))
            except Exception:  # a failed tick must not end the schedule; the next one retries
                log.exception("periodic job scheduling failed")
            self._stop.wait(self.tick_seconds)

    def stop(self) -> None:
        self._stop.set()
