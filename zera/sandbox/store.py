"""The sandbox's SQLite store: Intuit documents per (realm, entity, Id), change log, OAuth state.

This emulates an external service, so it keeps its own file, separate from Zera's database. One
connection guarded by a lock serialises writes inside a process; WAL and a busy timeout let a second
process (a CLI or a benchmark) share the file.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from zera.sandbox import jsonio

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS companies (
    realm_id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, seed INTEGER);
CREATE TABLE IF NOT EXISTS sequences (
    realm TEXT NOT NULL, entity TEXT NOT NULL, next_id INTEGER NOT NULL,
    PRIMARY KEY (realm, entity));
CREATE TABLE IF NOT EXISTS documents (
    realm TEXT NOT NULL, entity TEXT NOT NULL, id INTEGER NOT NULL,
    sync_token INTEGER NOT NULL, status TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL, doc TEXT NOT NULL, name_key TEXT, doc_number TEXT,
    PRIMARY KEY (realm, entity, id));
CREATE INDEX IF NOT EXISTS documents_by_name ON documents (realm, name_key)
    WHERE name_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS documents_by_number ON documents (realm, entity, doc_number)
    WHERE doc_number IS NOT NULL;
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, realm TEXT NOT NULL, entity TEXT NOT NULL,
    id INTEGER NOT NULL, operation TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS changes_by_time ON changes (realm, at);
CREATE TABLE IF NOT EXISTS request_ids (
    realm TEXT NOT NULL, request_id TEXT NOT NULL, status INTEGER NOT NULL,
    body TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (realm, request_id));
CREATE TABLE IF NOT EXISTS attachments (
    realm TEXT NOT NULL, id INTEGER NOT NULL, content_type TEXT NOT NULL, content BLOB NOT NULL,
    PRIMARY KEY (realm, id));
CREATE TABLE IF NOT EXISTS grants (
    grant_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, realm TEXT NOT NULL, scope TEXT NOT NULL,
    created_at TEXT NOT NULL, hard_expires_at TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS auth_codes (
    code_hash TEXT PRIMARY KEY, grant_id TEXT NOT NULL, redirect_uri TEXT NOT NULL,
    expires_at TEXT NOT NULL, used_at TEXT);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_hash TEXT PRIMARY KEY, grant_id TEXT NOT NULL, issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL, superseded_at TEXT);
CREATE INDEX IF NOT EXISTS refresh_by_grant ON refresh_tokens (grant_id);
CREATE TABLE IF NOT EXISTS access_tokens (
    token_hash TEXT PRIMARY KEY, grant_id TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS access_by_grant ON access_tokens (grant_id);
CREATE TABLE IF NOT EXISTS links (
    realm TEXT NOT NULL, src_entity TEXT NOT NULL, src_id INTEGER NOT NULL,
    dst_entity TEXT NOT NULL, dst_id INTEGER NOT NULL, amount TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS links_by_src ON links (realm, src_entity, src_id);
CREATE INDEX IF NOT EXISTS links_by_dst ON links (realm, dst_entity, dst_id);
"""


@dataclass(frozen=True)
class StoredDoc:
    """One stored Intuit entity with the bookkeeping the server owns."""

    realm: str
    entity: str
    id: str
    sync_token: int
    status: str
    doc: dict[str, Any]


def utc_text(when: datetime) -> str:
    """A sortable UTC timestamp for the store's own columns."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class SandboxStore:
    """Thread-safe access to the sandbox file. Every write goes through `write()`."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            # The sandbox's books and grants are private like Zera's own files (0700 / 0600).
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=10
        )
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA busy_timeout=10000")
        self._conn.executescript(SCHEMA)
        self._depth = 0

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One atomic write transaction (re-entrant: nested calls join the outer one)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
            return row

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        with self.write() as conn:
            conn.execute(sql, params)

    # -- meta ---------------------------------------------------------------------------------
    def meta_get(self, key: str) -> str | None:
        row = self.query_one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row["value"])

    def meta_set(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- companies ----------------------------------------------------------------------------
    def add_company(self, realm_id: str, name: str, created_at: datetime, seed: int | None) -> None:
        self.execute(
            "INSERT INTO companies (realm_id, name, created_at, seed) VALUES (?, ?, ?, ?)",
            (realm_id, name, utc_text(created_at), seed),
        )

    def companies(self) -> list[sqlite3.Row]:
        return self.query("SELECT * FROM companies ORDER BY created_at, realm_id")

    def has_company(self, realm_id: str) -> bool:
        return self.query_one("SELECT 1 FROM companies WHERE realm_id = ?", (realm_id,)) is not None

    # -- documents ----------------------------------------------------------------------------
    def next_id(self, realm: str, entity: str) -> str:
        with self.write() as conn:
            row = conn.execute(
                "SELECT next_id FROM sequences WHERE realm = ? AND entity = ?", (realm, entity)
            ).fetchone()
            if row is None:
                top = conn.execute(
                    "SELECT MAX(id) FROM documents WHERE realm = ? AND entity = ?", (realm, entity)
                ).fetchone()[0]
                value = int(top or 0) + 1
                conn.execute(
                    "INSERT INTO sequences (realm, entity, next_id) VALUES (?, ?, ?)",
                    (realm, entity, value + 1),
                )
            else:
                value = int(row["next_id"])
                conn.execute(
                    "UPDATE sequences SET next_id = ? WHERE realm = ? AND entity = ?",
                    (value + 1, realm, entity),
                )
            return str(value)

    def next_doc_number(self, realm: str, entity: str) -> str:
        """QuickBooks numbers sales forms on from the highest numeric DocNumber in use."""
        key = f"DocNumber:{entity}"
        with self.write() as conn:
            row = conn.execute("SELECT next_id FROM sequences WHERE realm = ? AND entity = ?",
                               (realm, key)).fetchone()
            if row is None:
                numbers = conn.execute(
                    "SELECT doc_number FROM documents WHERE realm = ? AND entity = ? "
                    "AND doc_number IS NOT NULL", (realm, entity)).fetchall()
                value = max((int(r[0]) for r in numbers if str(r[0]).isdigit()), default=1000) + 1
                conn.execute("INSERT INTO sequences (realm, entity, next_id) VALUES (?, ?, ?)",
                             (realm, key, value + 1))
            else:
                value = int(row["next_id"])
                conn.execute("UPDATE sequences SET next_id = ? WHERE realm = ? AND entity = ?",
                             (value + 1, realm, key))
            return str(value)

    def get(self, realm: str, entity: str, entity_id: str) -> StoredDoc | None:
        try:
            key = int(entity_id)
        except (TypeError, ValueError):
            return None
        row = self.query_one(
            "SELECT * FROM documents WHERE realm = ? AND entity = ? AND id = ?",
            (realm, entity, key),
        )
        return None if row is None else _stored(row)

    def get_raw(self, realm: str, entity: str, entity_id: str) -> tuple[str, str] | None:
        """(status, stored JSON text) without parsing it."""
        try:
            key = int(entity_id)
        except (TypeError, ValueError):
            return None
        row = self.query_one(
            "SELECT status, doc FROM documents WHERE realm = ? AND entity = ? AND id = ?",
            (realm, entity, key),
        )
        return None if row is None else (str(row["status"]), str(row["doc"]))

    def put(self, stored: StoredDoc, updated_at: datetime) -> None:
        self.execute(
            "INSERT INTO documents (realm, entity, id, sync_token, status, updated_at, doc, "
            "name_key, doc_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (realm, entity, id) DO UPDATE SET "
            "sync_token = excluded.sync_token, status = excluded.status, "
            "updated_at = excluded.updated_at, doc = excluded.doc, "
            "name_key = excluded.name_key, doc_number = excluded.doc_number",
            _row(stored, updated_at),
        )

    def put_many(self, rows: list[tuple[StoredDoc, datetime]]) -> None:
        """Bulk insert for seeding: one transaction, no change log."""
        with self.write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO documents (realm, entity, id, sync_token, status, "
                "updated_at, doc, name_key, doc_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_row(s, at) for s, at in rows],
            )

    def find_name(self, realm: str, key: str, entities: tuple[str, ...],
                  exclude: tuple[str, str] | None = None) -> tuple[str, str] | None:
        """A live record of `entities` whose name key is `key` (see `name_key`)."""
        marks = ",".join("?" for _ in entities)
        rows = self.query(
            f"SELECT entity, id FROM documents WHERE realm = ? AND name_key = ? "  # noqa: S608
            f"AND entity IN ({marks}) AND status != 'Deleted'",
            (realm, key, *entities),
        )
        for row in rows:
            found = (row["entity"], str(row["id"]))
            if found != exclude:
                return found
        return None

    def find_doc_number(self, realm: str, entity: str, number: str,
                        exclude_id: str | None) -> str | None:
        rows = self.query(
            "SELECT id FROM documents WHERE realm = ? AND entity = ? AND doc_number = ? "
            "AND status != 'Deleted'",
            (realm, entity, number),
        )
        for row in rows:
            if str(row["id"]) != exclude_id:
                return str(row["id"])
        return None

    def live_docs(self, realm: str, entity: str) -> list[StoredDoc]:
        """Every document of one entity that a query can see (not deleted)."""
        rows = self.query(
            "SELECT * FROM documents WHERE realm = ? AND entity = ? AND status != 'Deleted' "
            "ORDER BY id",
            (realm, entity),
        )
        return [_stored(r) for r in rows]

    def count_docs(self, realm: str, entity: str) -> int:
        row = self.query_one(
            "SELECT COUNT(*) AS n FROM documents WHERE realm = ? AND entity = ? "
            "AND status != 'Deleted'",
            (realm, entity),
        )
        return int(row["n"]) if row else 0

    # -- change log (CDC) ---------------------------------------------------------------------
    def log_change(
        self, realm: str, entity: str, entity_id: str, operation: str, at: datetime
    ) -> None:
        self.execute(
            "INSERT INTO changes (realm, entity, id, operation, at) VALUES (?, ?, ?, ?, ?)",
            (realm, entity, int(entity_id), operation, utc_text(at)),
        )

    def changed_since(
        self, realm: str, entities: list[str], since: datetime
    ) -> list[StoredDoc]:
        """Latest state of every document of `entities` changed at or after `since`."""
        marks = ",".join("?" for _ in entities)
        rows = self.query(
            f"SELECT d.* FROM documents d JOIN (SELECT DISTINCT entity, id FROM changes "  # noqa: S608
            f"WHERE realm = ? AND at >= ? AND entity IN ({marks})) c "
            "ON d.entity = c.entity AND d.id = c.id WHERE d.realm = ? ORDER BY d.updated_at",
            (realm, utc_text(since), *entities, realm),
        )
        return [_stored(r) for r in rows]

    # -- links: what paying transactions apply to open ones -----------------------------------
    def set_links(
        self, realm: str, entity: str, entity_id: str, targets: list[tuple[str, str, Decimal]]
    ) -> None:
        with self.write() as conn:
            conn.execute(
                "DELETE FROM links WHERE realm = ? AND src_entity = ? AND src_id = ?",
                (realm, entity, int(entity_id)),
            )
            conn.executemany(
                "INSERT INTO links (realm, src_entity, src_id, dst_entity, dst_id, amount) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(realm, entity, int(entity_id), e, int(i), str(a)) for e, i, a in targets],
            )

    def links_from(self, realm: str, entity: str, entity_id: str) -> list[tuple[str, str]]:
        rows = self.query(
            "SELECT dst_entity, dst_id FROM links WHERE realm = ? AND src_entity = ? "
            "AND src_id = ?",
            (realm, entity, int(entity_id)),
        )
        return [(r["dst_entity"], str(r["dst_id"])) for r in rows]

    def links_to(self, realm: str, entity: str, entity_id: str) -> list[tuple[str, str, Decimal]]:
        rows = self.query(
            "SELECT src_entity, src_id, amount FROM links WHERE realm = ? AND dst_entity = ? "
            "AND dst_id = ? ORDER BY src_entity, src_id",
            (realm, entity, int(entity_id)),
        )
        return [(r["src_entity"], str(r["src_id"]), Decimal(r["amount"])) for r in rows]

    # -- requestid idempotency ----------------------------------------------------------------
    def remembered(self, realm: str, request_id: str) -> tuple[int, str] | None:
        row = self.query_one(
            "SELECT status, body FROM request_ids WHERE realm = ? AND request_id = ?",
            (realm, request_id),
        )
        return None if row is None else (int(row["status"]), str(row["body"]))

    def remember(
        self, realm: str, request_id: str, status: int, body: str, at: datetime
    ) -> None:
        self.execute(
            "INSERT OR IGNORE INTO request_ids (realm, request_id, status, body, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (realm, request_id, status, body, utc_text(at)),
        )


PEOPLE = frozenset({"Customer", "Vendor", "Employee"})


def name_key(entity: str, doc: dict[str, Any]) -> str | None:
    """What must be unique: DisplayName across Customer/Vendor/Employee (QBO-API.md §3, 6240),
    Name under the same parent for Item and Account."""
    if entity in PEOPLE and doc.get("DisplayName"):
        return "person:" + str(doc["DisplayName"]).strip().lower()
    if entity in ("Item", "Account") and doc.get("Name"):
        parent = (doc.get("ParentRef") or {}).get("value", "")
        return f"{entity}:{parent}:" + str(doc["Name"]).strip().lower()
    return None


def _row(stored: StoredDoc, at: datetime) -> tuple[Any, ...]:
    number = stored.doc.get("DocNumber")
    return (stored.realm, stored.entity, int(stored.id), stored.sync_token, stored.status,
            utc_text(at), jsonio.dumps(stored.doc), name_key(stored.entity, stored.doc),
            None if number in (None, "") else str(number))


def _stored(row: sqlite3.Row) -> StoredDoc:
    return StoredDoc(
        realm=row["realm"],
        entity=row["entity"],
        id=str(row["id"]),
        sync_token=int(row["sync_token"]),
        status=row["status"],
        doc=jsonio.loads(row["doc"]),
    )
