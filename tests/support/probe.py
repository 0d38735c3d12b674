"""A probe file: a small SQLite database, separate from Zera's, where test tasks record each run
and each effect. Tests read it to count runs and effects whatever the database and queue are."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS run (
    id INTEGER PRIMARY KEY, job_key TEXT NOT NULL, pid INTEGER NOT NULL,
    started_at REAL NOT NULL, finished_at REAL
);
CREATE TABLE IF NOT EXISTS effect (job_key TEXT PRIMARY KEY, pid INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS gate (name TEXT PRIMARY KEY);
"""


@dataclass(frozen=True)
class Run:
    job_key: str
    pid: int
    started_at: float
    finished_at: float | None

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


class Probe:
    """Records runs and effects of test tasks; safe to use from many processes at once."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # -- written by tasks ------------------------------------------------------------------

    def start_run(self, job_key: str, pid: int) -> int:
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO run (job_key, pid, started_at) VALUES (?, ?, ?)",
                (job_key, pid, time.time()),
            )
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, *, effect_of: tuple[str, int] | None = None) -> None:
        """End a run; with `effect_of` (job key, pid) also record the job's effect, idempotently."""
        with self._connect() as db:
            if effect_of is not None:
                db.execute("INSERT OR IGNORE INTO effect (job_key, pid) VALUES (?, ?)", effect_of)
            db.execute("UPDATE run SET finished_at = ? WHERE id = ?", (time.time(), run_id))

    def gate_open(self, name: str) -> bool:
        with self._connect() as db:
            return db.execute("SELECT 1 FROM gate WHERE name = ?", (name,)).fetchone() is not None

    # -- read by tests ---------------------------------------------------------------------

    def open_gate(self, name: str) -> None:
        with self._connect() as db:
            db.execute("INSERT OR IGNORE INTO gate (name) VALUES (?)", (name,))

    def runs(self) -> list[Run]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT job_key, pid, started_at, finished_at FROM run ORDER BY id"
            ).fetchall()
        return [Run(*row) for row in rows]

    def effects(self) -> Counter[str]:
        with self._connect() as db:
            rows = db.execute("SELECT job_key FROM effect").fetchall()
        return Counter(row[0] for row in rows)
