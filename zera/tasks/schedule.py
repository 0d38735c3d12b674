"""Periodic jobs: token keep-alive, the two-way catch-up of every connection (CDC of the lists
and the 14 transaction types, merged into records: every 15 minutes and when a process starts),
and clean-ups (sessions, dead letters, webhook replay keys).

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


CATCH_UP = "refresh_reference_data"  # the two-way catch-up's run (its first name, kept)
PERIODIC = (
    Periodic("keep_tokens_alive", 6 * 3600, keep_tokens_alive.send),
    Periodic(CATCH_UP, 15 * 60, _refresh_every_connection),
    Periodic("purge_expired_sessions", 3600, purge_expired_sessions.send),
    Periodic("purge_stale_sign_in_counts", 3600, purge_stale_sign_in_counts.send),
    Periodic("purge_dead_letters", 6 * 3600, purge_dead_letters.send),
    Periodic("forget_webhook_deliveries", 3600, forget_webhook_deliveries.send),
)


async def run_due(
    queue: JobQueue, now: float | None = None, *, catch_up_seconds: int | None = None
) -> list[str]:
    """Enqueue every periodic job that is due; return their names. `catch_up_seconds`
    overrides the catch-up's interval (the `ZERA_CATCH_UP_MINUTES` setting)."""
    now = time.time() if now is None else now
    started = []
    for periodic in PERIODIC:
        every = periodic.every_seconds
        if periodic.name == CATCH_UP and catch_up_seconds is not None:
            every = catch_up_seconds
        if await claim_periodic_run(periodic.name, every, now):
            await periodic.enqueue(queue)
            started.append(periodic.name)
    return started


# A process starting (a deploy, a crash, a restart) may have missed webhooks while it was down:
# the first tick catches every connection up at once. Processes starting together claim it once.
START_UP = Periodic("catch_up_on_start", 60, _refresh_every_connection)


async def catch_up_on_start(queue: JobQueue, now: float | None = None) -> bool:
    now = time.time() if now is None else now
    if await claim_periodic_run(START_UP.name, START_UP.every_seconds, now):
        await START_UP.enqueue(queue)
        return True
    return False


class Scheduler(threading.Thread):
    def __init__(
        self, queue: JobQueue, tick_seconds: float = 30.0, catch_up_seconds: int | None = None
    ) -> None:
        super().__init__(name="zera-scheduler", daemon=True)
        self.queue = queue
        # A short catch-up needs a tick at least as short to keep its promise.
        self.tick_seconds = min(tick_seconds, catch_up_seconds or tick_seconds)
        self.catch_up_seconds = catch_up_seconds
        self._stop = threading.Event()

    def run(self) -> None:
        try:
            asyncio.run(catch_up_on_start(self.queue))
        except Exception:
            log.exception("the start-up catch-up could not be queued")
        while not self._stop.is_set():
            try:
                asyncio.run(run_due(self.queue, catch_up_seconds=self.catch_up_seconds))
            except Exception:  # a failed tick must not end the schedule; the next one retries
                log.exception("periodic job scheduling failed")
            self._stop.wait(self.tick_seconds)

    def stop(self) -> None:
        self._stop.set()
