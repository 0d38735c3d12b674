"""Everything needed to talk to QuickBooks for this installation, built once from settings."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from zera.crypto import TokenCipher
from zera.db.tables import QBOConnection
from zera.qbo.client import TIMEOUT, QBOClient, VaultAuth
from zera.qbo.endpoints import IntuitApp
from zera.qbo.errors import NeedsReconnect
from zera.qbo.oauth import IntuitOAuth
from zera.qbo.ratelimit import RateLimiter, RateLimits, ledger_for
from zera.qbo.vault import TokenVault
from zera.settings import Settings


class QuickBooks:
    """The Intuit app, the token vault and the shared rate limiter; makes per-client clients."""

    def __init__(
        self,
        settings: Settings,
        *,
        limits: RateLimits | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.app = IntuitApp.from_settings(settings)
        # One TLS context for every client this process makes: loading the CA bundle costs
        # ~50 ms, too much to pay per connection.
        self.tls = ssl.create_default_context()
        self.oauth = IntuitOAuth(self.app, transport=transport, verify=self.tls)
        self.vault = TokenVault(TokenCipher(settings.token_keys), self.oauth)
        self.limiter = RateLimiter(ledger_for(settings.database_url), limits)
        self._transport = transport

    @asynccontextmanager
    async def client_for(
        self, client_id: int, *, backoff_base: float = 0.5
    ) -> AsyncIterator[QBOClient]:
        """A client bound to this client's own realm; its tokens can address no other."""
        row = (
            await QBOConnection.select(QBOConnection.realm_id)
            .where(QBOConnection.client_id == client_id)
            .first()
            .run()
        )
        if row is None:
            raise NeedsReconnect("QuickBooks is not connected for this client.")

        async def token(stale: str | None) -> str:
            return await self.vault.access_token(client_id, stale=stale)

        async with httpx.AsyncClient(
            timeout=TIMEOUT, transport=self._transport, verify=self.tls
        ) as http:
            yield QBOClient(
                http,
                api_base=self.app.api_base,
                realm_id=row["realm_id"],
                auth=VaultAuth(token),
                limiter=self.limiter,
                backoff_base=backoff_base,
            )
