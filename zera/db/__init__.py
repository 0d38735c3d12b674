"""Database: tables, engine selection by URL, migrations."""

from zera.db.engine import bind_tables, engine_for, is_postgres, ping, write_transaction
from zera.db.migrations import migrate

__all__ = ["bind_tables", "engine_for", "is_postgres", "migrate", "ping", "write_transaction"]
