"""The persistent webhook outbox: recorded changes, bundled deliveries, settings and controls.

Everything is in SQLite tables prefixed `webhook_`, next to (or inside) the sandbox's own store, so
pending deliveries survive a restart and two processes see the same queue. Writes that decide
something (bundling, claiming a delivery) run in `BEGIN IMMEDIATE` transactions, so two
dispatchers never bundle or send the same thing twice.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .payloads import ChangeEvent, PayloadFormat, cloudevents_source, render_body
from .settings import WebhookControls, WebhookSettings

__all__ = ["Delivery", "Outbox", "enqueue_change", "ensure_schema"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS webhook_app (
    app_id TEXT PRIMARY KEY,
    settings TEXT NOT NULL,
    controls TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS webhook_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id TEXT NOT NULL,
    realm_id TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    last_updated TEXT NOT NULL,
    deleted_id TEXT,
    event_id TEXT NOT NULL,
    recorded_at REAL NOT NULL,
    delivery_id INTEGER
);
CREATE INDEX IF NOT EXISTS webhook_event_unbundled
    ON webhook_event (app_id, delivery_id, realm_id, id);
CREATE TABLE IF NOT EXISTS webhook_delivery (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id TEXT NOT NULL,
    realm_id TEXT NOT NULL,
    format TEXT NOT NULL,
    body BLOB NOT NULL,
    event_count INTEGER NOT NULL,
    created_at REAL NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    lease_until REAL,
    duplicate INTEGER NOT NULL DEFAULT 0,
    last_status INTEGER,
    last_error TEXT,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS webhook_delivery_due
    ON webhook_delivery (app_id, state, next_attempt_at);
"""

PENDING, DELIVERED, DROPPED, FAILED = "pending", "delivered", "dropped", "failed"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One POST (and its retries) carrying one realm's bundled events."""

    id: int
    realm_id: str
    format: str
    body: bytes
    event_count: int
    state: str
    attempts: int
    next_attempt_at: float
    duplicate: bool
    last_status: int | None
    last_error: str | None


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the webhook_ tables if they are missing (idempotent)."""
    conn.executescript(_SCHEMA)


def _settings_row(conn: sqlite3.Connection, app_id: str) -> tuple[WebhookSettings, WebhookControls]:
    row = conn.execute(
        "SELECT settings, controls FROM webhook_app WHERE app_id = ?", (app_id,)
    ).fetchone()
    if row is None:
        return WebhookSettings(app_id=app_id), WebhookControls()
    return WebhookSettings.from_row(json.loads(row[0])), WebhookControls(**json.loads(row[1]))


def enqueue_change(conn: sqlite3.Connection, app_id: str, event: ChangeEvent, now: float) -> bool:
    """Record `event` for `app_id` on `conn` without committing, inside the caller's transaction.

    Returns False (and records nothing) when the app has no webhook endpoint: Intuit only sends
    events to subscribed apps.
    """
    settings, _ = _settings_row(conn, app_id)
    if not settings.endpoint_url:
        return False
    conn.execute(
        "INSERT INTO webhook_event (app_id, realm_id, entity, entity_id, operation, last_updated,"
        " deleted_id, event_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (app_id, event.realm_id, event.entity, event.entity_id, event.operation,
         event.last_updated_text, event.deleted_id, event.event_id, now),
    )  # fmt: skip
    return True


class Outbox:
    """The webhook tables of one app, behind a lock (the connection is shared across threads)."""

    def __init__(
        self, db: str | Path | sqlite3.Connection, *, app_id: str, clock: Callable[[], float]
    ) -> None:
        if isinstance(db, sqlite3.Connection):
            self._conn = db
        else:
            # Autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE below.
            self._conn = sqlite3.connect(db, check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA busy_timeout=5000")
            # WAL with synchronous=NORMAL survives a crashed process (not a power cut) and saves
            # an fsync on every recorded change, which sits on the sandbox's write path.
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self.app_id = app_id
        self._clock = clock
        self._lock = threading.RLock()
        with self._lock:
            ensure_schema(self._conn)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.rollback()
                raise
            self._conn.commit()

    def _has(self, query: str, params: tuple[object, ...]) -> bool:
        with self._lock:
            return self._conn.execute(query, params).fetchone() is not None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # settings and controls -------------------------------------------------------------

    def load(self) -> tuple[WebhookSettings, WebhookControls]:
        with self._lock:
            return _settings_row(self._conn, self.app_id)

    def store_settings(self, settings: WebhookSettings) -> None:
        row = json.dumps({**settings.to_row(), "app_id": self.app_id})
        with self._write() as conn:
            conn.execute(
                "INSERT INTO webhook_app (app_id, settings) VALUES (?, ?)"
                " ON CONFLICT (app_id) DO UPDATE SET settings = excluded.settings",
                (self.app_id, row),
            )

    def store_controls(self, controls: WebhookControls) -> None:
        with self._write() as conn:
            settings, _ = _settings_row(conn, self.app_id)
            conn.execute(
                "INSERT INTO webhook_app (app_id, settings, controls) VALUES (?, ?, ?)"
                " ON CONFLICT (app_id) DO UPDATE SET controls = excluded.controls",
                (self.app_id, json.dumps(settings.to_row()), json.dumps(asdict(controls))),
            )

    # recording and bundling ------------------------------------------------------------

    def record(self, event: ChangeEvent) -> bool:
        with self._write() as conn:
            return enqueue_change(conn, self.app_id, event, self._clock())

    def bundle_ready(self) -> int:
        """Turn each realm's waiting events into one delivery once its window has passed.

        A realm that still has an unacknowledged delivery gets no new one: Intuit holds later
        events until the first is acknowledged, then sends what gathered together, in order.
        Returns the number of deliveries created (dropped ones included).
        """
        now = self._clock()
        created = 0
        if not self._has("SELECT 1 FROM webhook_event WHERE app_id = ? AND delivery_id IS NULL"
                         " LIMIT 1", (self.app_id,)):  # fmt: skip
            return 0  # the idle case takes no write lock
        with self._write() as conn:
            settings, controls = _settings_row(conn, self.app_id)
            horizon = now - settings.aggregation_window_s * settings.time_scale
            realms = conn.execute(
                "SELECT realm_id FROM webhook_event WHERE app_id = ? AND delivery_id IS NULL"
                " GROUP BY realm_id HAVING MIN(recorded_at) <= ? ORDER BY MIN(id)",
                (self.app_id, horizon),
            ).fetchall()
            for (realm_id,) in realms:
                busy = conn.execute(
                    "SELECT 1 FROM webhook_delivery"
                    " WHERE app_id = ? AND realm_id = ? AND state = ?",
                    (self.app_id, realm_id, PENDING),
                ).fetchone()
                if busy:
                    continue
                controls = self._bundle_realm(conn, realm_id, settings, controls, now)
                created += 1
            if created:
                conn.execute(
                    "UPDATE webhook_app SET controls = ? WHERE app_id = ?",
                    (json.dumps(asdict(controls)), self.app_id),
                )
        return created

    def _bundle_realm(
        self,
        conn: sqlite3.Connection,
        realm_id: str,
        settings: WebhookSettings,
        controls: WebhookControls,
        now: float,
    ) -> WebhookControls:
        rows = conn.execute(
            "SELECT id, entity, entity_id, operation, last_updated, deleted_id, event_id"
            " FROM webhook_event WHERE app_id = ? AND realm_id = ? AND delivery_id IS NULL"
            " ORDER BY id",
            (self.app_id, realm_id),
        ).fetchall()
        events = [
            ChangeEvent(realm_id, entity, entity_id, op, last_updated, deleted_id, event_id)
            for _, entity, entity_id, op, last_updated, deleted_id, event_id in rows
        ]
        body = render_body(
            events,
            settings.format,
            source=cloudevents_source(settings.app_id),
            sent_at=datetime.fromtimestamp(now, UTC),
        )
        state = PENDING
        duplicate = False
        if controls.drop_next:
            state = DROPPED
            controls = WebhookControls(controls.drop_next - 1, controls.delay_s,
                                       controls.duplicate_next)  # fmt: skip
        elif controls.duplicate_next:
            duplicate = True
            controls = WebhookControls(controls.drop_next, controls.delay_s,
                                       controls.duplicate_next - 1)  # fmt: skip
        cursor = conn.execute(
            "INSERT INTO webhook_delivery (app_id, realm_id, format, body, event_count, created_at,"
            " state, next_attempt_at, duplicate, finished_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (self.app_id, realm_id, PayloadFormat(settings.format).value, body, len(events), now,
             state, now + controls.delay_s, int(duplicate), now if state == DROPPED else None),
        )  # fmt: skip
        conn.executemany(
            "UPDATE webhook_event SET delivery_id = ? WHERE id = ?",
            [(cursor.lastrowid, row[0]) for row in rows],
        )
        return controls

    # sending ---------------------------------------------------------------------------

    def claim_due(self, lease_s: float) -> list[Delivery]:
        """Lease every pending delivery that is due, oldest first, at most one per realm."""
        now = self._clock()
        if not self._has("SELECT 1 FROM webhook_delivery WHERE app_id = ? AND state = ?"
                         " AND next_attempt_at <= ? LIMIT 1", (self.app_id, PENDING, now)):
            return []
        with self._write() as conn:
            rows = conn.execute(
                _SELECT_DELIVERIES + " AND state = ?"
                " AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)"
                " ORDER BY id",
                (self.app_id, PENDING, now, now),
            ).fetchall()
            conn.executemany(
                "UPDATE webhook_delivery SET lease_until = ? WHERE id = ?",
                [(now + lease_s, row[0]) for row in rows],
            )
        return [_delivery(row) for row in rows]

    def mark_delivered(self, delivery_id: int, status: int) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE webhook_delivery SET state = ?, attempts = attempts + 1, last_status = ?,"
                " last_error = NULL, lease_until = NULL, finished_at = ? WHERE id = ?",
                (DELIVERED, status, self._clock(), delivery_id),
            )

    def mark_failed(
        self, delivery_id: int, status: int | None, error: str, retry_in_s: float | None
    ) -> None:
        """Record a failed attempt; `retry_in_s` None gives up for good."""
        now = self._clock()
        state = FAILED if retry_in_s is None else PENDING
        with self._write() as conn:
            conn.execute(
                "UPDATE webhook_delivery SET state = ?, attempts = attempts + 1, last_status = ?,"
                " last_error = ?, lease_until = NULL, next_attempt_at = ?, finished_at = ?"
                " WHERE id = ?",
                (state, status, error[:500], now + (retry_in_s or 0.0),
                 now if state == FAILED else None, delivery_id),
            )  # fmt: skip

    # inspection ------------------------------------------------------------------------

    def deliveries(self, realm_id: str | None = None) -> list[Delivery]:
        """Every delivery of this app (optionally one realm's), oldest first."""
        query = _SELECT_DELIVERIES
        params: tuple[str, ...] = (self.app_id,)
        if realm_id is not None:
            query += " AND realm_id = ?"
            params += (realm_id,)
        with self._lock:
            rows = self._conn.execute(query + " ORDER BY id", params).fetchall()
        return [_delivery(row) for row in rows]

    def waiting_events(self) -> int:
        with self._lock:
            row = self._conn.execute(
                "SELECT COUNT(*) FROM webhook_event WHERE app_id = ? AND delivery_id IS NULL",
                (self.app_id,),
            ).fetchone()
        return int(row[0])


def _delivery(row: tuple[Any, ...]) -> Delivery:
    return Delivery(
        id=row[0], realm_id=row[1], format=row[2], body=row[3], event_count=row[4], state=row[5],
        attempts=row[6], next_attempt_at=row[7], duplicate=bool(row[8]), last_status=row[9],
        last_error=row[10],
    )  # fmt: skip


_SELECT_DELIVERIES = (
    "SELECT id, realm_id, format, body, event_count, state, attempts, next_attempt_at, duplicate,"
    " last_status, last_error FROM webhook_delivery WHERE app_id = ?"
)
