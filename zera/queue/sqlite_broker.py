"""A durable Dramatiq broker on a SQLite file, for the embedded mode (no server to run).

Delivery is at-least-once. A consumer claims a message by writing a lease (an owner token and an
expiry) in the same transaction that selects it; a heartbeat thread extends the leases of every
message this process holds, so a message is only handed out again when its process died (SIGKILL,
power loss) or stopped without finishing it. Acks and nacks only touch a row whose lease is still
ours, so a re-enqueue by the Retries middleware (same message id) survives the ack of the attempt
that failed. Delays are stored as `available_at`, so they survive restarts too.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dramatiq.broker import Broker, Consumer, MessageProxy
from dramatiq.errors import QueueNotFound
from dramatiq.message import Message
from dramatiq.middleware import Middleware

from zera.files import private_file

SCHEMA = """
CREATE TABLE IF NOT EXISTS queue_message (
    message_id   TEXT PRIMARY KEY,
    queue_name   TEXT NOT NULL,
    body         BLOB NOT NULL,
    available_at REAL NOT NULL,
    lease_owner  TEXT,
    lease_until  REAL,
    deliveries   INTEGER NOT NULL DEFAULT 0,
    dead         INTEGER NOT NULL DEFAULT 0,
    enqueued_at  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS queue_message_due ON queue_message (queue_name, dead, available_at);
"""


class SQLiteBroker(Broker):
    """Dramatiq broker storing messages in one SQLite file shared by every process on the host."""

    def __init__(
        self,
        path: str | Path,
        *,
        lease_seconds: float = 30.0,
        poll_interval: float = 0.2,
        middleware: list[Middleware] | None = None,
    ) -> None:
        super().__init__(middleware=middleware)
        self.path = Path(path)
        private_file(self.path)
        self.lease_seconds = lease_seconds
        self.poll_interval = poll_interval
        self._local = threading.local()
        self._held: dict[str, str] = {}  # message id -> lease token, for every claim in flight
        self._held_lock = threading.Lock()
        self._wakeup = threading.Condition()
        self._closing = threading.Event()
        self._connection().executescript(SCHEMA)
        self._heartbeat = threading.Thread(
            target=self._renew_leases, name="zera-queue-heartbeat", daemon=True
        )
        self._heartbeat.start()

    # -- connections ---------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            self._local.db = db
        return db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def ping(self) -> None:
        """Raise if the queue file cannot be read."""
        self._connection().execute("SELECT count(*) FROM queue_message").fetchone()

    # -- Broker interface ----------------------------------------------------------------------

    def close(self) -> None:
        self._closing.set()

    def declare_queue(self, queue_name: str) -> None:
        if queue_name in self.queues:
            return
        self.emit_before("declare_queue", queue_name)
        self.queues[queue_name] = True
        self.emit_after("declare_queue", queue_name)

    def enqueue(self, message: Message[Any], *, delay: int | None = None) -> Message[Any]:
        if message.queue_name not in self.queues:
            raise QueueNotFound(message.queue_name)  # type: ignore[no-untyped-call]
        self.emit_before("enqueue", message, delay)
        now = time.time()
        available_at = now + (delay or 0) / 1000
        with self._transaction() as db:
            # A retry re-enqueues the same message id while its failed attempt still holds the
            # lease: replace the row and drop the lease so the pending ack cannot delete it.
            db.execute(
                """
                INSERT INTO queue_message (message_id, queue_name, body, available_at, enqueued_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (message_id) DO UPDATE SET
                    body = excluded.body, available_at = excluded.available_at,
                    lease_owner = NULL, lease_until = NULL, dead = 0
                """,
                (message.message_id, message.queue_name, message.encode(), available_at, now),
            )
        self._notify_work()
        self.emit_after("enqueue", message, delay)
        return message

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 30000) -> Consumer:
        if queue_name not in self.queues:
            raise QueueNotFound(queue_name)  # type: ignore[no-untyped-call]
        return _SQLiteConsumer(self, queue_name, prefetch, timeout)

    def flush(self, queue_name: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM queue_message WHERE queue_name = ?", (queue_name,))

    def flush_all(self) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM queue_message")

    def join(self, queue_name: str, *, timeout: int | None = None) -> None:
        """Wait until `queue_name` has no live message left (dead letters do not count)."""
        deadline = None if timeout is None else time.monotonic() + timeout / 1000
        while self.pending(queue_name):
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"queue {queue_name!r} did not drain in time")
            time.sleep(self.poll_interval)

    def pending(self, queue_name: str) -> int:
        row = (
            self._connection()
            .execute(
                "SELECT count(*) FROM queue_message WHERE queue_name = ? AND dead = 0",
                (queue_name,),
            )
            .fetchone()
        )
        return int(row[0])

    # -- claims --------------------------------------------------------------------------------

    def _claim(self, queue_name: str) -> Message[Any] | None:
        now = time.time()
        token = uuid.uuid4().hex
        with self._transaction() as db:
            row = db.execute(
                """
                SELECT message_id, body FROM queue_message
                WHERE queue_name = ? AND dead = 0 AND available_at <= ?
                  AND (lease_until IS NULL OR lease_until < ?)
                ORDER BY available_at, rowid LIMIT 1
                """,
                (queue_name, now, now),
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE queue_message SET lease_owner = ?, lease_until = ?,"
                " deliveries = deliveries + 1 WHERE message_id = ?",
                (token, now + self.lease_seconds, row[0]),
            )
        with self._held_lock:
            self._held[row[0]] = token
        return Message.decode(row[1])

    def _release(self, message_id: str, sql: str) -> None:
        with self._held_lock:
            token = self._held.pop(message_id, None)
        if token is None:
            return
        with self._transaction() as db:
            db.execute(sql, (message_id, token))
        # A consumer whose prefetch was full can claim again now, not at its next poll.
        self._notify_work()

    def ack(self, message_id: str) -> None:
        self._release(
            message_id, "DELETE FROM queue_message WHERE message_id = ? AND lease_owner = ?"
        )

    def nack(self, message_id: str) -> None:
        # A dead row is never due again: its available_at records when it died (epoch seconds),
        # for the dead-letter list and purge.
        self._release(
            message_id,
            "UPDATE queue_message SET dead = 1, lease_owner = NULL, lease_until = NULL,"
            " available_at = (julianday('now') - 2440587.5) * 86400.0"
            " WHERE message_id = ? AND lease_owner = ?",
        )

    def dead_letters(self, *, died_before: float) -> list[tuple[bytes, float]]:
        """Each dead message (encoded) that died before `died_before`, with when it died."""
        rows = (
            self._connection()
            .execute(
                "SELECT body, available_at FROM queue_message"
                " WHERE dead = 1 AND available_at < ? ORDER BY available_at",
                (died_before,),
            )
            .fetchall()
        )
        return [(bytes(row[0]), float(row[1])) for row in rows]

    def purge_dead_letters(self, *, died_before: float) -> int:
        with self._transaction() as db:
            cursor = db.execute(
                "DELETE FROM queue_message WHERE dead = 1 AND available_at < ?", (died_before,)
            )
        return cursor.rowcount

    def requeue(self, message_id: str) -> None:
        self._release(
            message_id,
            "UPDATE queue_message SET lease_owner = NULL, lease_until = NULL"
            " WHERE message_id = ? AND lease_owner = ?",
        )

    def _renew_leases(self) -> None:
        interval = max(self.lease_seconds / 3, 0.05)
        while not self._closing.wait(interval):
            with self._held_lock:
                held = list(self._held.items())
            if not held:
                continue
            until = time.time() + self.lease_seconds
            try:
                with self._transaction() as db:
                    db.executemany(
                        "UPDATE queue_message SET lease_until = ?"
                        " WHERE message_id = ? AND lease_owner = ?",
                        [(until, message_id, token) for message_id, token in held],
                    )
            except sqlite3.Error:  # a busy file must not kill the heartbeat; try next beat
                continue

    def _notify_work(self) -> None:
        with self._wakeup:
            self._wakeup.notify_all()

    def wait_for_work(self, seconds: float) -> None:
        with self._wakeup:
            self._wakeup.wait(seconds)


class _SQLiteConsumer(Consumer):
    def __init__(self, broker: SQLiteBroker, queue_name: str, prefetch: int, timeout: int) -> None:
        self.broker = broker
        self.queue_name = queue_name
        self.prefetch = prefetch
        self.timeout = timeout / 1000
        self.in_flight: set[str] = set()

    def __next__(self) -> MessageProxy | None:
        deadline = time.monotonic() + self.timeout
        while True:
            if len(self.in_flight) < self.prefetch:
                message = self.broker._claim(self.queue_name)
                if message is not None:
                    self.in_flight.add(message.message_id)
                    return MessageProxy(message)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.broker.wait_for_work(min(remaining, self.broker.poll_interval))

    def ack(self, message: MessageProxy) -> None:
        self.in_flight.discard(message.message_id)  # first: the ack wakes this consumer
        self.broker.ack(message.message_id)

    def nack(self, message: MessageProxy) -> None:
        self.in_flight.discard(message.message_id)  # first: the nack wakes this consumer
        self.broker.nack(message.message_id)

    def requeue(self, messages: Iterable[MessageProxy]) -> None:
        for message in messages:
            self.in_flight.discard(message.message_id)
            self.broker.requeue(message.message_id)

    def close(self) -> None:
        for message_id in list(self.in_flight):
            self.broker.requeue(message_id)
        self.in_flight.clear()
