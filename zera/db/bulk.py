"""Bulk upserts in one statement per chunk, for pulls that store thousands of rows.

Building a Piccolo object per row costs more than the database work itself on a large pull; this
writes one multi-row `INSERT ... ON CONFLICT ... DO UPDATE` (the same SQL on SQLite and
PostgreSQL) with bound parameters.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import Sequence
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

# Both SQLite (since 3.32) and PostgreSQL accept 32,766 bound parameters per statement.
MAX_PARAMETERS = 30_000

# One bulk writer at a time per event loop: concurrent pulls would otherwise queue on SQLite's
# write lock through its busy handler, which sleeps in growing steps.
_write_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _write_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _write_locks.get(loop)
    if lock is None:
        lock = _write_locks[loop] = asyncio.Lock()
    return lock


async def upsert(
    table: type[Table],
    rows: Sequence[dict[str, Any]],
    *,
    key: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert `rows` (dicts with the same keys); on a `key` conflict, overwrite `update`."""
    if not rows:
        return
    columns = list(rows[0])
    names = ", ".join(f'"{name}"' for name in columns)
    conflict = ", ".join(f'"{name}"' for name in key)
    assignments = ", ".join(f'"{name}" = excluded."{name}"' for name in update)
    head = f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES '  # noqa: S608 (our names)
    tail = f" ON CONFLICT ({conflict}) DO UPDATE SET {assignments}"
    engine = table._meta.db
    if isinstance(engine, SQLiteEngine):
        # sqlite3's executemany binds rows in C, in one transaction on a connection of our own,
        # far cheaper than building one huge statement through the ORM.
        sql = head + "(" + ", ".join("?" for _ in columns) + ")" + tail
        values = [tuple(row[name] for name in columns) for row in rows]
        path = engine.connection_kwargs["database"]
        async with _write_lock():
            await asyncio.to_thread(_executemany, path, sql, values)
        return
    per_row = "(" + ", ".join("{}" for _ in columns) + ")"
    chunk = max(1, MAX_PARAMETERS // len(columns))
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        sql = head + ", ".join(per_row for _ in part) + tail
        async with _write_lock():
            await table.raw(sql, *[row[name] for row in part for name in columns]).run()


def _executemany(path: str, sql: str, values: list[tuple[Any, ...]]) -> None:
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(sql, values)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    finally:
        db.close()
