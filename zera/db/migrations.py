"""Schema migrations: an ordered list, each applied once and recorded in `zera_migration`.

A migration is a coroutine taking the engine. Published migrations are never edited: a change to
a table ships as a new migration (ALTER TABLE ...) appended to `MIGRATIONS`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
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


async def _webhook_notices(engine: Engine[Any]) -> None:
    """The notices of each stored webhook body (entity, Id, operation, time), for the merge engine.

    The apply job marks those of a realm processed up to an inbox row: the index serves that
    update and the merge engine's read of what is pending.
    """
    for table in tables.NOTICE_TABLES:
        await table.create_table(if_not_exists=True).run()  # type: ignore[no-untyped-call]
    await engine.run_ddl(
        "CREATE INDEX IF NOT EXISTS qbo_webhook_notice_pending ON qbo_webhook_notice"
        " (realm_id, processed, inbox)"
    )


async def _line_flags(engine: Engine[Any]) -> None:
    """Each batch line keeps the flags the engine's proof set on it (`batch_line.flags`), so
    Review reads them instead of checking the batch again. Existing batches are backfilled by
    the engine's own `row_flags` from their stored lines and statement summaries.

    0003 creates `batch_line` from the current table definition, so on a new database the column
    is there already: it is added only where it is missing."""
    if is_postgres(engine):
        await engine.run_ddl(
            "ALTER TABLE batch_line ADD COLUMN IF NOT EXISTS flags JSON NOT NULL DEFAULT '[]'"
        )
    else:
        columns = await engine.run_ddl("PRAGMA table_info(batch_line)")
        if not any(column["name"] == "flags" for column in columns or []):
            await engine.run_ddl(
                "ALTER TABLE batch_line ADD COLUMN flags JSON NOT NULL DEFAULT '[]'"
            )
    await _backfill_line_flags()


async def _backfill_line_flags() -> None:
    # Imported here, not at the top: the review codec and the engine import `zera.db`, whose
    # package imports this module.
    from zera.extract import Statement, Transaction, row_flags
    from zera.review.lines import encode_flags
    from zera.review.summary import decode_summaries

    B, L = tables.Batch, tables.BatchLine
    for batch in await B.select(B.id, B.statements).run():
        rows = (
            await L.select(
                L.id, L.statement_index, L.txn_date, L.posting_date, L.description, L.amount,
                L.balance, L.page, L.confidence,
            )
            .where(L.batch_id == batch["id"])
            .order_by(L.statement_index)
            .order_by(L.position)
            .run()
        )  # fmt: skip
        for summary in decode_summaries(batch["statements"]):
            lines = [row for row in rows if row["statement_index"] == summary.index]
            statement = Statement(
                account_type=summary.account_type,
                period_start=summary.period_start,
                period_end=summary.period_end,
                opening_balance=summary.opening,
                closing_balance=summary.closing,
                transactions=[
                    Transaction(
                        date=row["txn_date"],
                        posting_date=row["posting_date"],
                        description=row["description"],
                        amount=Decimal(row["amount"]),
                        balance=None if row["balance"] is None else Decimal(row["balance"]),
                        page=row["page"],
                        confidence=float(row["confidence"]),
                    )
                    for row in lines
                ],
            )
            for row, flags in zip(lines, row_flags(statement), strict=True):
                if flags:
                    await L.update({L.flags: encode_flags(flags)}).where(L.id == row["id"]).run()


async def _records(engine: Engine[Any]) -> None:
    """Records (one per transaction Zera will write or has seen in QuickBooks), every version of
    each, and the statement accounts matched to QuickBooks accounts.

    Record changes are append-only: the same triggers as the audit log refuse UPDATE and DELETE.
    """
    for table in tables.RECORD_TABLES:
        await table.create_table(if_not_exists=True).run()  # type: ignore[no-untyped-call]
    for sql in (
        "CREATE INDEX IF NOT EXISTS record_grid ON record (client_id, document_id, txn_date)",
        "CREATE INDEX IF NOT EXISTS record_status ON record (client_id, status)",
        "CREATE UNIQUE INDEX IF NOT EXISTS record_line ON record (line_id)",
        "CREATE UNIQUE INDEX IF NOT EXISTS statement_account_key ON statement_account"
        " (client_id, key)",
    ):
        await engine.run_ddl(sql)
    if is_postgres(engine):
        await engine.run_ddl(
            """
            CREATE OR REPLACE FUNCTION record_change_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'record_change is append-only'; END; $$ LANGUAGE plpgsql
            """
        )
        await engine.run_ddl(
            "CREATE TRIGGER record_change_append_only BEFORE UPDATE OR DELETE ON record_change"
            " FOR EACH ROW EXECUTE FUNCTION record_change_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            await engine.run_ddl(
                f"CREATE TRIGGER IF NOT EXISTS record_change_no_{verb.lower()} BEFORE {verb}"
                f" ON record_change BEGIN SELECT RAISE(ABORT, 'record_change is append-only'); END"
            )



async def _push(engine: Engine[Any]) -> None:
    """Push runs, the names pushes found or created, and on each record the push and the batch
    requestid it was sent with (so a push resumed after a crash sends the same request)."""
    for table in tables.PUSH_TABLES:
        await table.create_table(if_not_exists=True).run()  # type: ignore[no-untyped-call]
    await engine.run_ddl(
        "CREATE UNIQUE INDEX IF NOT EXISTS pushed_name_key ON pushed_name (client_id, entity, key)"
    )
    for column, kind in (("push_run_id", "INTEGER"), ("push_request", "VARCHAR(64)")):
        if is_postgres(engine):
            await engine.run_ddl(f"ALTER TABLE record ADD COLUMN IF NOT EXISTS {column} {kind}")
        else:
            existing = await engine.run_ddl("PRAGMA table_info(record)")
            if not any(c["name"] == column for c in existing or []):
                await engine.run_ddl(f"ALTER TABLE record ADD COLUMN {column} {kind}")


async def _attachments(engine: Engine[Any]) -> None:
    """Source documents uploaded to QuickBooks as Attachables: one per client and document."""
    for table in tables.ATTACHMENT_TABLES:
        await table.create_table(if_not_exists=True).run()  # type: ignore[no-untyped-call]
    await engine.run_ddl(
        "CREATE UNIQUE INDEX IF NOT EXISTS pushed_attachment_key ON pushed_attachment"
        " (client_id, document_id)"
    )


async def _add_columns(engine: Engine[Any], table: str, columns: dict[str, str]) -> None:
    for column, kind in columns.items():
        if is_postgres(engine):
            await engine.run_ddl(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")
        else:
            existing = await engine.run_ddl(f"PRAGMA table_info({table})")
            if not any(c["name"] == column for c in existing or []):
                await engine.run_ddl(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


async def _two_way(engine: Engine[Any]) -> None:
    """Two-way sync: QuickBooks' side of a conflict on its record, the name a Merge notice
    merged away, the refresh token's hard expiry, and API calls per realm and month."""
    for table in tables.TWO_WAY_TABLES:
        await table.create_table(if_not_exists=True).run()  # type: ignore[no-untyped-call]
    await engine.run_ddl(
        "CREATE UNIQUE INDEX IF NOT EXISTS qbo_usage_key ON qbo_usage (realm_id, month)"
    )
    await _add_columns(engine, "record", {"theirs": "JSON"})
    await _add_columns(engine, "qbo_webhook_notice", {"deleted_id": "VARCHAR(64) DEFAULT ''"})
    await _add_columns(engine, "qbo_connection", {"refresh_hard_expires_at": "TIMESTAMPTZ"})


MIGRATIONS: list[tuple[str, Migration]] = [
    ("0001_initial_schema", _initial_schema),
    ("0002_quickbooks", _quickbooks),
    ("0003_documents", _documents),
    ("0004_login_guard", _login_guard),
    ("0005_extraction_limits", _extraction_limits),
    ("0006_webhook_inbox", _webhook_inbox),
    ("0007_line_flags", _line_flags),
    ("0008_webhook_notices", _webhook_notices),
    ("0009_records", _records),
    ("0010_push", _push),
    ("0011_attachments", _attachments),
    ("0012_two_way", _two_way),
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
