"""Intuit's OAuth 2.0 authorization-code flow through authlib's async (httpx) client."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

from zera.qbo.endpoints import SCOPE, IntuitApp
from zera.qbo.errors import ConnectionFailed, NeedsReconnect, QBOError, ServerError

TIMEOUT = httpx.Timeout(20.0, connect=5.0)
# Asks Intuit to say when the grant ends for good (`x_refresh_token_hard_expires_in`), past which
# no refresh helps and a person must connect again (QBO-API.md §1).
TOKEN_HEADERS = {"Accept": "application/json", "x-include-refresh-token-hard-expires-in": "true"}


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_expires_at: datetime
    refresh_expires_at: datetime
    refresh_hard_expires_at: datetime | None = None  # None when Intuit did not say

    @classmethod
    def from_response(cls, token: dict[str, Any], *, now: datetime | None = None) -> TokenSet:
        now = now or datetime.now(UTC)
        hard = token.get("x_refresh_token_hard_expires_in")
        return cls(
            access_token=str(token["access_token"]),
            refresh_token=str(token["refresh_token"]),
            access_expires_at=now + timedelta(seconds=int(token.get("expires_in", 3600))),
            # Intuit's refresh tokens roll for 100 days from each use (QBO-API.md §1).
            refresh_expires_at=now
            + timedelta(seconds=int(token.get("x_refresh_token_expires_in", 100 * 86400))),
            refresh_hard_expires_at=None if hard is None else now + timedelta(seconds=int(hard)),
        )


class IntuitOAuth:
    """Authorization URL, code exchange, refresh and revocation for one Intuit app."""

    def __init__(
        self,
        app: IntuitApp,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.app = app
        self._transport = transport
        self._verify = verify

    def _client(self) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.app.client_id,
            client_secret=self.app.client_secret,
            token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name)
            redirect_uri=self.app.redirect_uri,
            scope=SCOPE,
            timeout=TIMEOUT,
            transport=self._transport,
            verify=self._verify,
        )

    def authorization_url(self, state: str) -> str:
        client = self._client()
        url, _ = client.create_authorization_url(self.app.authorize_url, state=state)
        return str(url)

    async def exchange_code(self, code: str) -> TokenSet:
        async with self._client() as client:
            token = await self._call(
                client.fetch_token(
                    self.app.token_url,
                    grant_type="authorization_code",
                    code=code,
                    headers=dict(TOKEN_HEADERS),  # a copy: authlib may add to it
                )
            )
        return TokenSet.from_response(dict(token))

    async def refresh(self, refresh_token: str) -> TokenSet:
        async with self._client() as client:
            token = await self._call(
                client.refresh_token(
                    self.app.token_url,
                    refresh_token=refresh_token,
                    headers=dict(TOKEN_HEADERS),  # a copy: authlib may add to it
                )
            )
        return TokenSet.from_response(dict(token))

    async def revoke(self, token: str) -> None:
        async with self._client() as client:
            await self._call(client.revoke_token(self.app.revoke_url, token=token))

    @staticmethod
    async def _call(call: Any) -> Any:
        try:
            return await call
        except OAuthError as exc:
            if exc.error in {"invalid_grant", "invalid_client", "unauthorized_client"}:
                raise NeedsReconnect(
                    "QuickBooks no longer accepts this connection; reconnect it.",
                    code=exc.error,
                    detail=exc.description or "",
                ) from None
            raise QBOError(
                "QuickBooks refused the sign-in request",
                code=exc.error,
                detail=exc.description or "",
            ) from None
        except httpx.TransportError as exc:
            raise ConnectionFailed(f"Could not reach Intuit: {type(exc).__name__}") from None
        except httpx.HTTPStatusError as exc:
            raise ServerError(
                f"Intuit answered HTTP {exc.response.status_code}", status=exc.response.status_code
            ) from None
