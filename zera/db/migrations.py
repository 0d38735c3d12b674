"""Schema migrations: an ordered list, each applied once and recorded in `zera_migration`.

A migration is a coroutine taking the engine. Published migrations are never edited: a change to
a table ships as a new migration (ALTER TABLE ...) appended to `MIGRATIONS`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from piccolo.engine.base import Engine

from zera.db import tables
from zera.db.engine import bind_tables, is_postgres, write_transaction

Migration = Callable[[Engine[Any]], Awaitable[None]]


async def _initial_schema(engine: Engine[Any]) -> None:
    for table in tables.FOUNDATION_TABLES:
        await table.create_table(if_not_exists=True).run()  # type: ignore[no-untyped-call]
    indexes = [
        "CREATE UNIQUE INDEX IF NOT EXISTS client_access_pair ON client_access (user, client)",
        "CREATE INDEX IF NOT EXISTS audit_event_at ON audit_event (at)",
        "CREATE INDEX IF NOT EXISTS job_client ON job (client_id, created_at)",
        "CREATE INDEX IF NOT EXISTS web_session_expiry ON web_session (expires_at)",
    ]
    if is_postgres(engine):
        indexes[0] = indexes[0].replace("(user, client)", '("user", client)')
        await engine.run_ddl(
            """
            CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql
            """
        )
        await engine.run_ddl(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event"
            " FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            await engine.run_ddl(
                f"CREATE TRIGGER IF NOT EXISTS audit_event_no_{verb.lower()} BEFORE {verb}"
                f" ON audit_event BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
            )
    for sql in indexes:
        await engine.run_ddl(sql)


async def _quickbooks(engine: Engine[Any]) -> None:
    for table in tables.QBO_TABLES:
        await table.create_table(if_not_exists=True).run()  # type: ignore[no-untyped-call]
    for sql in (
        "CREATE UNIQUE INDEX IF NOT EXISTS qbo_reference_key ON qbo_reference"
        " (client_id, entity, qbo_id)",
        "CREATE UNIQUE INDEX IF NOT EXISTS qbo_transaction_key ON qbo_transaction"
        " (client_id, entity, qbo_id)",
        "CREATE UNIQUE INDEX IF NOT EXISTS qbo_sync_state_key ON qbo_sync_state (client_id, kind)",
    ):
        await engine.run_ddl(sql)


async def _documents(engine: Engine[Any]) -> None:
    for table in tables.DOCUMENT_TABLES:
        await table.create_table(if_not_exists=True).run()  # type: ignore[no-untyped-call]
    for sql in (
        # One stored copy of a file per client: a second upload finds the first.
        "CREATE UNIQUE INDEX IF NOT EXISTS document_client_sha ON document (client_id, sha256)",
        "CREATE UNIQUE INDEX IF NOT EXISTS document_page_key ON document_page (document_id, page)",
        "CREATE INDEX IF NOT EXISTS batch_line_order ON batch_line"
        " (batch_id, statement_index, position)",
    ):
        await engine.run_ddl(sql)


async def _webhook_inbox(engine: Engine[Any]) -> None:
    """Webhook replay keys and the one-pending-apply-job-per-client flag."""
    for table in tables.WEBHOOK_TABLES:
        await table.create_table(if_not_exists=True).run()  # type: ignore[no-untyped-call]


async def _extraction_limits(engine: Engine[Any]) -> None:
    for table in tables.EXTRACTION_TABLES:
        await table.create_table(if_not_exists=True).run()  # type: ignore[no-untyped-call]


async def _login_guard(engine: Engine[Any]) -> None:
    """Guard rows record their last attempt (so they can expire); failures are counted per source.

    0001 creates `login_guard` from the current table definition, so on a new database the
    column is there already: it is added only where it is missing.
    """
    if is_postgres(engine):
        await engine.run_ddl(
            "ALTER TABLE login_guard ADD COLUMN IF NOT EXISTS last_attempt_at TIMESTAMPTZ"
        )
    else:
        columns = await engine.run_ddl("PRAGMA table_info(login_guard)")
        if not any(column["name"] == "last_attempt_at" for column in columns or []):
            await engine.run_ddl("ALTER TABLE login_guard ADD COLUMN last_attempt_at TIMESTAMPTZ")
    for table in tables.SIGN_IN_TABLES:
        await table.create_table(if_not_exists=True).run()  # type: ignore[no-untyped-call]


MIGRATIONS: list[tuple[str, Migration]] = [
    ("0001_initial_schema", _initial_schema),
    ("0002_quickbooks", _quickbooks),
    ("0003_documents", _documents),
    ("0004_login_guard", _login_guard),
    ("0005_extraction_limits", _extraction_limits),
    ("0006_webhook_inbox", _webhook_inbox),
]


async def migrate(engine: Engine[Any]) -> list[str]:
    """Apply pending migrations in order; return the names applied now."""
    bind_tables(engine)
    if not is_postgres(engine):
        # WAL lets readers proceed while one writer commits; it is a property of the file.
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    await engine.run_ddl(
        "CREATE TABLE IF NOT EXISTS zera_migration (name VARCHAR(200) PRIMARY KEY,"
        " applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)"
    )
    async with write_transaction(engine):
        if is_postgres(engine):
            # Two release processes starting at once must not both migrate.
            await engine.run_ddl("SELECT pg_advisory_xact_lock(7461826)")
        rows = await engine.run_ddl("SELECT name FROM zera_migration")
        done = {row["name"] for row in rows or []}
        applied = []
        for name, migration in MIGRATIONS:
            if name in done:
                continue
            await migration(engine)
            await engine.run_ddl(
                f"INSERT INTO zera_migration (name) VALUES ('{name}')"  # noqa: S608 (names are ours)
            )
            applied.append(name)
    return applied
