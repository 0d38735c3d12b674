"""The token vault: encrypted tokens per connection, refreshed once at a time across processes.

Refreshes of one connection are serialized with a database lock (a row lock on PostgreSQL, the
write lock on SQLite). Under the lock the row is read again: if another thread or process already
refreshed, its token is used and Intuit is not asked twice. The new refresh token is committed
before the new access token is handed out, so a crash can never lose a rotated refresh token.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from zera.accounts import audit
from zera.crypto import TokenCipher, Undecryptable
from zera.db.engine import write_transaction
from zera.db.tables import Client, QBOConnection
from zera.qbo.errors import NeedsReconnect, QBOError
from zera.qbo.oauth import IntuitOAuth, TokenSet

log = logging.getLogger(__name__)

# Refresh when the access token has less than this left, so a request never starts on a token
# about to die in flight.
ACCESS_LEEWAY = timedelta(minutes=5)


@dataclass(frozen=True)
class ConnectionInfo:
    client_id: int
    realm_id: str
    company_name: str
    status: str
    connected_at: datetime
    refreshed_at: datetime | None
    refresh_expires_at: datetime | None
    last_error: str

    @property
    def needs_reconnect(self) -> bool:
        return self.status == "needs_reconnect"


_INFO_COLUMNS = (
    QBOConnection.client_id,
    QBOConnection.realm_id,
    QBOConnection.company_name,
    QBOConnection.status,
    QBOConnection.connected_at,
    QBOConnection.refreshed_at,
    QBOConnection.refresh_expires_at,
    QBOConnection.last_error,
)


async def connection_info(client_id: int) -> ConnectionInfo | None:
    row = (
        await QBOConnection.select(*_INFO_COLUMNS)
        .where(QBOConnection.client_id == client_id)
        .first()
        .run()
    )
    return ConnectionInfo(**row) if row else None


async def connection_statuses(client_ids: list[int]) -> dict[int, str]:
    """client id -> 'connected' or 'needs_reconnect', for the dashboard (one query)."""
    if not client_ids:
        return {}
    rows = (
        await QBOConnection.select(QBOConnection.client_id, QBOConnection.status)
        .where(QBOConnection.client_id.is_in(client_ids))
        .run()
    )
    return {row["client_id"]: row["status"] for row in rows}


@asynccontextmanager
async def _locked(client_id: int) -> AsyncIterator[dict[str, Any] | None]:
    """The connection row, locked against every other refresh until the block ends."""
    engine = QBOConnection._meta.db
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate):
            yield (
                await QBOConnection.select()
                .where(QBOConnection.client_id == client_id)
                .first()
                .run()
            )
    else:
        async with engine.transaction():
            rows = await QBOConnection.raw(
                "SELECT * FROM qbo_connection WHERE client_id = {} FOR UPDATE", client_id
            ).run()
            yield rows[0] if rows else None


class TokenVault:
    def __init__(self, cipher: TokenCipher, oauth: IntuitOAuth) -> None:
        self.cipher = cipher
        self.oauth = oauth

    def _decrypt(self, stored: str) -> str:
        """A stored token in clear; NeedsReconnect when no configured key decrypts it."""
        try:
            return self.cipher.decrypt(stored)
        except Undecryptable:
            raise NeedsReconnect(
                "The stored QuickBooks tokens cannot be decrypted with the configured keys; "
                "reconnect, or restore the old key in ZERA_TOKEN_KEYS."
            ) from None

    async def store_connection(
        self, actor: audit.Actor, client_id: int, realm_id: str, tokens: TokenSet, company_name: str
    ) -> None:
        """Save a new (or renewed) connection; refuse a realm already linked to another client."""
        owner = (
            await QBOConnection.select(QBOConnection.client_id)
            .where(QBOConnection.realm_id == realm_id)
            .first()
            .run()
        )
        if owner and owner["client_id"] != client_id:
            raise QBOError(
                "This QuickBooks company is already connected to another client. "
                "Disconnect it there first."
            )
        values: dict[Any, Any] = {
            QBOConnection.realm_id: realm_id,
            QBOConnection.company_name: company_name[:200],
            QBOConnection.status: "connected",
            QBOConnection.access_token: self.cipher.encrypt(tokens.access_token),
            QBOConnection.access_expires_at: tokens.access_expires_at,
            QBOConnection.refresh_token: self.cipher.encrypt(tokens.refresh_token),
            QBOConnection.refresh_expires_at: tokens.refresh_expires_at,
            # A new grant: the old one's hard expiry no longer applies, even when none is known.
            QBOConnection.refresh_hard_expires_at: tokens.refresh_hard_expires_at,
            QBOConnection.refreshed_at: datetime.now(UTC),
            QBOConnection.connected_at: datetime.now(UTC),
            QBOConnection.last_error: "",
        }
        async with write_transaction(QBOConnection._meta.db):
            if await QBOConnection.exists().where(QBOConnection.client_id == client_id).run():
                await QBOConnection.update(values).where(QBOConnection.client_id == client_id).run()
            else:
                row = QBOConnection(client_id=client_id)
                for column, value in values.items():
                    setattr(row, column._meta.name, value)
                await QBOConnection.insert(row).run()
            await (
                Client.update({Client.last_activity_at: datetime.now(UTC)})
                .where(Client.id == client_id)
                .run()
            )
        await audit.record(
            actor, "qbo.connected", client_id=client_id, realm_id=realm_id, company=company_name
        )

    async def access_token(self, client_id: int, *, stale: str | None = None) -> str:
        """A valid access token for the client's connection.

        `stale` is a token Intuit just refused: a refresh happens unless another caller has
        already replaced it.
        """
        row = (
            await QBOConnection.select(
                QBOConnection.status, QBOConnection.access_token, QBOConnection.access_expires_at
            )
            .where(QBOConnection.client_id == client_id)
            .first()
            .run()
        )
        self._check_usable(row)
        assert row is not None
        current = self._decrypt(row["access_token"])
        if current != stale and row["access_expires_at"] > datetime.now(UTC) + ACCESS_LEEWAY:
            return current
        return await self._refresh(client_id, stale=stale)

    @staticmethod
    def _check_usable(row: dict[str, Any] | None) -> None:
        if row is None:
            raise NeedsReconnect("QuickBooks is not connected for this client.")
        if row["status"] != "connected":
            raise NeedsReconnect("The QuickBooks connection needs to be reconnected.")

    async def _refresh(self, client_id: int, *, stale: str | None) -> str:
        async with _locked(client_id) as row:
            self._check_usable(row)
            assert row is not None
            current = self._decrypt(row["access_token"])
            if current != stale and row["access_expires_at"] > datetime.now(UTC) + ACCESS_LEEWAY:
                return current  # someone else refreshed while we waited for the lock
            try:
                tokens = await self.oauth.refresh(self._decrypt(row["refresh_token"]))
            except NeedsReconnect as exc:
                await (
                    QBOConnection.update(
                        {
                            QBOConnection.status: "needs_reconnect",
                            QBOConnection.last_error: str(exc),
                        }
                    )
                    .where(QBOConnection.client_id == client_id)
                    .run()
                )
                failure = exc
            else:
                await self._store_refreshed(client_id, tokens)
                return tokens.access_token
        # Outside the lock's transaction, so the status change is committed first.
        log.warning(
            "QuickBooks connection of client %s needs reconnecting: %s", client_id, failure.code
        )
        await audit.record(
            audit.SYSTEM,
            "qbo.needs_reconnect",
            client_id=client_id,
            reason=failure.code or "refused",
        )
        raise failure

    async def _store_refreshed(self, client_id: int, tokens: TokenSet) -> None:
        # Intuit often returns the same refresh token value for about a day; storing it again is
        # harmless and keeps its rolling expiry current (QBO-API.md §1).
        values: dict[Any, Any] = {
            QBOConnection.access_token: self.cipher.encrypt(tokens.access_token),
            QBOConnection.access_expires_at: tokens.access_expires_at,
            QBOConnection.refresh_token: self.cipher.encrypt(tokens.refresh_token),
            QBOConnection.refresh_expires_at: tokens.refresh_expires_at,
            QBOConnection.refreshed_at: datetime.now(UTC),
            QBOConnection.refresh_count: QBOConnection.refresh_count + 1,
            QBOConnection.last_error: "",
        }
        if tokens.refresh_hard_expires_at is not None:  # same grant: an unsaid expiry stands
            values[QBOConnection.refresh_hard_expires_at] = tokens.refresh_hard_expires_at
        await QBOConnection.update(values).where(QBOConnection.client_id == client_id).run()

    async def refresh_now(self, client_id: int) -> None:
        """Refresh unconditionally (the keep-alive)."""
        row = (
            await QBOConnection.select(QBOConnection.access_token)
            .where(QBOConnection.client_id == client_id)
            .first()
            .run()
        )
        if row:
            await self.access_token(client_id, stale=self._decrypt(row["access_token"]))

    async def disconnect(self, actor: audit.Actor, client_id: int) -> None:
        """Revoke at Intuit (best effort: a dead token is already revoked) and forget locally."""
        row = (
            await QBOConnection.select(QBOConnection.refresh_token, QBOConnection.realm_id)
            .where(QBOConnection.client_id == client_id)
            .first()
            .run()
        )
        if row is None:
            return
        try:
            await self.oauth.revoke(self._decrypt(row["refresh_token"]))
        except QBOError as exc:
            log.warning("revoking the QuickBooks token of client %s failed: %s", client_id, exc)
        await QBOConnection.delete().where(QBOConnection.client_id == client_id).run()
        await audit.record(actor, "qbo.disconnected", client_id=client_id, realm_id=row["realm_id"])
