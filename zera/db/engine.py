"""Connect the Piccolo tables to the database named by a URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from zera.db.tables import ALL_TABLES, Firm
from zera.files import private_file


def engine_for(url: str) -> Engine[Any]:
    """Return a Piccolo engine for `sqlite:///path` or `postgresql://...`."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = private_file(Path(url.removeprefix("sqlite:///").removeprefix("sqlite://")))
        # A generous timeout: SQLite serializes writers, and a busy file must wait, not fail.
        return SQLiteEngine(path=str(path), timeout=30)
    if scheme in {"postgres", "postgresql"}:
        return PostgresEngine(config={"dsn": url.replace("postgres://", "postgresql://", 1)})
    raise ValueError(
        f"unsupported database URL scheme {scheme!r} (use sqlite:/// or postgresql://)"
    )


def bind_tables(engine: Engine[Any]) -> None:
    """Point every table at `engine` (Piccolo keeps the engine on each table's metadata)."""
    for table in ALL_TABLES:
        table._meta.db = engine


async def ping() -> None:
    """Run a trivial query on the database the tables are bound to; raise if it cannot."""
    await Firm.raw("SELECT 1").run()


def write_transaction(engine: Engine[Any]) -> Any:
    """A transaction that reads and then writes.

    On SQLite it takes the write lock at BEGIN (IMMEDIATE): a deferred transaction that reads
    first and writes later is refused at once with "database is locked" when another connection
    committed in between, instead of waiting. On PostgreSQL it is a plain transaction.
    """
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def is_postgres(engine: Engine[Any]) -> bool:
    return isinstance(engine, PostgresEngine)
