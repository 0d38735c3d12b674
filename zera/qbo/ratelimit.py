"""Per-realm request limits shared by every process, kept in the database.

Intuit allows 500 requests per minute and 10 concurrent requests per realm, and 120 batch
requests per minute on top (QBO-API.md §7). A sliding one-minute log of requests and a table of
requests in flight, both checked and written in one serialized transaction, make the limits hold
across web and worker processes. An in-flight row expires after `slot_seconds` so a process that
died holding one cannot starve the realm.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from zera.db.tables import QBOInFlight, QBORateEvent

WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class RateLimits:
    per_minute: int = 500
    concurrent: int = 10
    batch_per_minute: int = 120
    slot_seconds: float = 120.0


@asynccontextmanager
async def _serialized(realm_id: str) -> AsyncIterator[None]:
    engine = QBORateEvent._meta.db
    if isinstance(engine, SQLiteEngine):
        # BEGIN IMMEDIATE takes SQLite's write lock: one process decides at a time.
        async with engine.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with engine.transaction():
            await QBORateEvent.raw("SELECT pg_advisory_xact_lock(hashtext({}))", realm_id)
            yield


class RateLimiter:
    """Waits until a request to a realm fits every limit, then holds a slot while it runs."""

    def __init__(self, limits: RateLimits | None = None) -> None:
        self.limits = limits or RateLimits()
        self.waited_seconds = 0.0  # total time spent waiting, for benchmarks and logs

    async def _try_acquire(self, realm_id: str, batch: bool) -> tuple[int | None, float]:
        now = time.time()
        async with _serialized(realm_id):
            await (
                QBORateEvent.delete()
                .where(
                    (QBORateEvent.realm_id == realm_id) & (QBORateEvent.at < now - WINDOW_SECONDS)
                )
                .run()
            )
            await (
                QBOInFlight.delete()
                .where((QBOInFlight.realm_id == realm_id) & (QBOInFlight.expires_at < now))
                .run()
            )
            events = (
                await QBORateEvent.select(QBORateEvent.kind, QBORateEvent.at)
                .where(QBORateEvent.realm_id == realm_id)
                .order_by(QBORateEvent.at)
                .run()
            )
            in_flight = await QBOInFlight.count().where(QBOInFlight.realm_id == realm_id).run()
            wait = 0.0
            if len(events) >= self.limits.per_minute:
                wait = events[-self.limits.per_minute]["at"] + WINDOW_SECONDS - now
            if batch:
                batches = [e["at"] for e in events if e["kind"] == "batch"]
                if len(batches) >= self.limits.batch_per_minute:
                    wait = max(wait, batches[-self.limits.batch_per_minute] + WINDOW_SECONDS - now)
            if in_flight >= self.limits.concurrent:
                wait = max(wait, 0.02)
            if wait > 0:
                return None, wait
            await QBORateEvent.insert(
                QBORateEvent(realm_id=realm_id, kind="batch" if batch else "call", at=now)
            ).run()
            rows = (
                await QBOInFlight.insert(
                    QBOInFlight(realm_id=realm_id, expires_at=now + self.limits.slot_seconds)
                )
                .returning(QBOInFlight.id)
                .run()
            )
            return int(rows[0]["id"]), 0.0

    @asynccontextmanager
    async def slot(self, realm_id: str, *, batch: bool = False) -> AsyncIterator[None]:
        """Hold one request slot for `realm_id` for the duration of the block."""
        while True:
            slot_id, wait = await self._try_acquire(realm_id, batch)
            if slot_id is not None:
                break
            self.waited_seconds += wait
            await asyncio.sleep(wait)
        try:
            yield
        finally:
            await QBOInFlight.delete().where(QBOInFlight.id == slot_id).run()
