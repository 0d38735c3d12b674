"""Per-realm request limits shared by every process.

Intuit allows 500 requests per minute and 10 concurrent requests per realm, and 120 batch
requests per minute on top (QBO-API.md §7). A sliding one-minute log of requests and a list of
requests in flight, checked and written in one serialized transaction, make the limits hold
across web and worker processes. A slot in flight expires after `slot_seconds`, so a process that
died holding one cannot starve the realm.

Two ledgers keep that state: PostgreSQL tables under an advisory lock (production, several
dynos), or a small SQLite file of its own beside the embedded database, used through one
connection per thread: a check then costs well under a millisecond and never waits behind the
main database's writers.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from zera.db.tables import QBOInFlight, QBORateEvent
from zera.files import private_file

WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class RateLimits:
    per_minute: int = 500
    concurrent: int = 10
    batch_per_minute: int = 120
    slot_seconds: float = 120.0


class Ledger(Protocol):
    async def try_acquire(
        self, realm_id: str, batch: bool, limits: RateLimits
    ) -> tuple[int | None, float]:
        """Take a slot (its id) if every limit allows one now; else how long to wait."""

    async def release(self, slot_id: int) -> None: ...


def _wait_for(times: list[float], limit: int, now: float) -> float:
    """Seconds until one more request fits among `times` (newest first) in the window."""
    if len(times) < limit:
        return 0.0
    return max(0.01, times[limit - 1] + WINDOW_SECONDS - now)


class SQLiteLedger:
    """The embedded mode's ledger: its own SQLite file, shared by the processes on this host."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS rate_event (realm_id TEXT NOT NULL, kind TEXT NOT NULL,
                                           at REAL NOT NULL);
    CREATE INDEX IF NOT EXISTS rate_event_realm ON rate_event (realm_id, at);
    CREATE TABLE IF NOT EXISTS in_flight (id INTEGER PRIMARY KEY, realm_id TEXT NOT NULL,
                                          expires_at REAL NOT NULL);
    CREATE INDEX IF NOT EXISTS in_flight_realm ON in_flight (realm_id, expires_at);
    """

    def __init__(self, path: Path) -> None:
        self.path = private_file(path)
        self._local = threading.local()
        self._connection().executescript(self.SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # losing the last ms of a rate log is harmless
            self._local.db = db
        return db

    def _acquire(self, realm_id: str, batch: bool, limits: RateLimits) -> tuple[int | None, float]:
        db = self._connection()
        now = time.time()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(
                "DELETE FROM rate_event WHERE realm_id = ? AND at < ?",
                (realm_id, now - WINDOW_SECONDS),
            )
            db.execute(
                "DELETE FROM in_flight WHERE realm_id = ? AND expires_at < ?", (realm_id, now)
            )
            (in_flight,) = db.execute(
                "SELECT count(*) FROM in_flight WHERE realm_id = ?", (realm_id,)
            ).fetchone()
            if in_flight >= limits.concurrent:
                db.execute("COMMIT")
                return None, 0.02
            events = db.execute(
                "SELECT kind, at FROM rate_event WHERE realm_id = ? ORDER BY at DESC", (realm_id,)
            ).fetchall()
            wait = _wait_for([at for _, at in events], limits.per_minute, now)
            if batch:
                batches = [at for kind, at in events if kind == "batch"]
                wait = max(wait, _wait_for(batches, limits.batch_per_minute, now))
            if wait:
                db.execute("COMMIT")
                return None, wait
            db.execute(
                "INSERT INTO rate_event (realm_id, kind, at) VALUES (?, ?, ?)",
                (realm_id, "batch" if batch else "call", now),
            )
            slot = db.execute(
                "INSERT INTO in_flight (realm_id, expires_at) VALUES (?, ?)",
                (realm_id, now + limits.slot_seconds),
            ).lastrowid
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return int(slot or 0), 0.0

    async def try_acquire(
        self, realm_id: str, batch: bool, limits: RateLimits
    ) -> tuple[int | None, float]:
        return await asyncio.to_thread(self._acquire, realm_id, batch, limits)

    async def release(self, slot_id: int) -> None:
        def delete() -> None:
            self._connection().execute("DELETE FROM in_flight WHERE id = ?", (slot_id,))

        await asyncio.to_thread(delete)


class DatabaseLedger:
    """PostgreSQL tables, one realm's decisions serialized by an advisory lock."""

    async def try_acquire(
        self, realm_id: str, batch: bool, limits: RateLimits
    ) -> tuple[int | None, float]:
        now = time.time()
        engine = QBORateEvent._meta.db
        async with engine.transaction():
            await QBORateEvent.raw("SELECT pg_advisory_xact_lock(hashtext({}))", realm_id)
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
            if (
                await QBOInFlight.count().where(QBOInFlight.realm_id == realm_id).run()
                >= limits.concurrent
            ):
                return None, 0.02
            events = await (
                QBORateEvent.select(QBORateEvent.kind, QBORateEvent.at)
                .where(QBORateEvent.realm_id == realm_id)
                .order_by(QBORateEvent.at, ascending=False)
                .run()
            )
            wait = _wait_for([e["at"] for e in events], limits.per_minute, now)
            if batch:
                batches = [e["at"] for e in events if e["kind"] == "batch"]
                wait = max(wait, _wait_for(batches, limits.batch_per_minute, now))
            if wait:
                return None, wait
            await QBORateEvent.insert(
                QBORateEvent(realm_id=realm_id, kind="batch" if batch else "call", at=now)
            ).run()
            rows = await (
                QBOInFlight.insert(
                    QBOInFlight(realm_id=realm_id, expires_at=now + limits.slot_seconds)
                )
                .returning(QBOInFlight.id)
                .run()
            )
        return int(rows[0]["id"]), 0.0

    async def release(self, slot_id: int) -> None:
        await QBOInFlight.delete().where(QBOInFlight.id == slot_id).run()


class RateLimiter:
    """Waits until a request to a realm fits every limit, then holds a slot while it runs."""

    def __init__(self, ledger: Ledger, limits: RateLimits | None = None) -> None:
        self.ledger = ledger
        self.limits = limits or RateLimits()
        self.waited_seconds = 0.0  # total time spent waiting, for benchmarks and logs

    @asynccontextmanager
    async def slot(self, realm_id: str, *, batch: bool = False) -> AsyncIterator[None]:
        """Hold one request slot for `realm_id` for the duration of the block."""
        while True:
            slot_id, wait = await self.ledger.try_acquire(realm_id, batch, self.limits)
            if slot_id is not None:
                break
            self.waited_seconds += wait
            await asyncio.sleep(wait)
        try:
            yield
        finally:
            await self.ledger.release(slot_id)


def ledger_for(database_url: str) -> Any:
    """The SQLite ledger beside an embedded database, the table ledger on PostgreSQL."""
    if database_url.startswith("sqlite"):
        db_path = Path(database_url.removeprefix("sqlite:///").removeprefix("sqlite://"))
        return SQLiteLedger(db_path.with_name("qbo-limits.db"))
    return DatabaseLedger()
