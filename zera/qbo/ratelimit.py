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

Each ledger also counts what it admitted per realm and calendar month (UTC) in the same
transaction as the admission, for the sync health page: the SQLite ledger in its own file (a
write to the main database per request would wait behind its writers, ~20 ms under load), the
table ledger in `qbo_usage`. `RateLimiter.usage` reads both counts back.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from piccolo.query.functions.aggregate import Count

from zera.db.tables import QBOInFlight, QBORateEvent, QBOUsage
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


@dataclass(frozen=True)
class RealmUsage:
    """Requests admitted for a realm in the last minute and in the current month (UTC)."""

    last_minute: int = 0
    this_month: int = 0


@runtime_checkable
class UsageLedger(Protocol):
    """A ledger that can say how much it admitted (the ledgers here; not every test fake)."""

    async def usage(self, realm_ids: Sequence[str], now: float) -> dict[str, RealmUsage]: ...


def month_of(at: float) -> str:
    """The calendar month (UTC) of an epoch time, as `YYYY-MM`."""
    return time.strftime("%Y-%m", time.gmtime(at))


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
    CREATE TABLE IF NOT EXISTS usage (realm_id TEXT NOT NULL, month TEXT NOT NULL,
                                      calls INTEGER NOT NULL, PRIMARY KEY (realm_id, month));
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
            db.execute(
                "INSERT INTO usage (realm_id, month, calls) VALUES (?, ?, 1)"
                " ON CONFLICT (realm_id, month) DO UPDATE SET calls = calls + 1",
                (realm_id, month_of(now)),
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

    def _usage(self, realm_ids: Sequence[str], now: float) -> dict[str, RealmUsage]:
        db = self._connection()
        marks = ", ".join("?" for _ in realm_ids)  # only placeholders go into the SQL
        recent = db.execute(
            f"SELECT realm_id, count(*) FROM rate_event WHERE realm_id IN ({marks})"  # noqa: S608
            " AND at >= ? GROUP BY realm_id",
            (*realm_ids, now - WINDOW_SECONDS),
        )
        counts = dict(recent.fetchall())
        month = db.execute(
            f"SELECT realm_id, calls FROM usage WHERE realm_id IN ({marks})"  # noqa: S608
            " AND month = ?",
            (*realm_ids, month_of(now)),
        )
        calls = dict(month.fetchall())
        return {r: RealmUsage(counts.get(r, 0), calls.get(r, 0)) for r in realm_ids}

    async def usage(self, realm_ids: Sequence[str], now: float) -> dict[str, RealmUsage]:
        if not realm_ids:
            return {}
        return await asyncio.to_thread(self._usage, realm_ids, now)


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
            await QBOUsage.raw(
                "INSERT INTO qbo_usage (realm_id, month, calls) VALUES ({}, {}, 1)"
                " ON CONFLICT (realm_id, month) DO UPDATE SET calls = qbo_usage.calls + 1",
                realm_id,
                month_of(now),
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

    async def usage(self, realm_ids: Sequence[str], now: float) -> dict[str, RealmUsage]:
        if not realm_ids:
            return {}
        recent = await (
            QBORateEvent.select(QBORateEvent.realm_id, Count(QBORateEvent.id, alias="n"))
            .where(
                QBORateEvent.realm_id.is_in(list(realm_ids))
                & (QBORateEvent.at >= now - WINDOW_SECONDS)
            )
            .group_by(QBORateEvent.realm_id)
            .run()
        )
        month = await (
            QBOUsage.select(QBOUsage.realm_id, QBOUsage.calls)
            .where(QBOUsage.realm_id.is_in(list(realm_ids)) & (QBOUsage.month == month_of(now)))
            .run()
        )
        counts = {row["realm_id"]: row["n"] for row in recent}
        calls = {row["realm_id"]: row["calls"] for row in month}
        return {r: RealmUsage(counts.get(r, 0), calls.get(r, 0)) for r in realm_ids}


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

    async def usage(
        self, realm_ids: Sequence[str], *, now: float | None = None
    ) -> dict[str, RealmUsage] | None:
        """Requests admitted per realm in the last minute and this month; None when the
        ledger keeps no such count."""
        if not isinstance(self.ledger, UsageLedger):
            return None
        return await self.ledger.usage(realm_ids, time.time() if now is None else now)


def ledger_for(database_url: str) -> Any:
    """The SQLite ledger beside an embedded database, the table ledger on PostgreSQL."""
    if database_url.startswith("sqlite"):
        db_path = Path(database_url.removeprefix("sqlite:///").removeprefix("sqlite://"))
        return SQLiteLedger(db_path.with_name("qbo-limits.db"))
    return DatabaseLedger()
