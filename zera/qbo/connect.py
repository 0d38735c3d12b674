"""Connecting a client to a QuickBooks company: single-use state bound to session and client."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import httpx

from zera.accounts import audit
from zera.accounts.users import CurrentUser
from zera.clients import get_client
from zera.db.tables import OAuthState
from zera.errors import Forbidden
from zera.qbo.client import TIMEOUT, QBOClient, VaultAuth
from zera.qbo.errors import QBOError
from zera.qbo.service import QuickBooks

STATE_LIFETIME = timedelta(minutes=10)


class ConnectRefused(QBOError):
    """The callback cannot be trusted or completed; nothing was stored."""


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


OWNER_ONLY = "Only the firm's owner can connect, reconnect or disconnect QuickBooks."


async def check_may_manage_connection(
    user: CurrentUser, actor: audit.Actor, client_id: int, action: str
) -> None:
    """Connecting hands Zera a key to the client's books and disconnecting stops every sync:
    both are the owner's decision. A staff attempt is refused and kept in the audit log."""
    await get_client(user, client_id)
    if not user.is_owner:
        await audit.record(actor, "qbo.refused_to_staff", client_id=client_id, attempted=action)
        raise Forbidden(OWNER_ONLY)


async def start_connect(
    qbo: QuickBooks, user: CurrentUser, actor: audit.Actor, client_id: int, session_token: str
) -> str:
    """Record a fresh state for this session and client; return Intuit's authorization URL."""
    await check_may_manage_connection(user, actor, client_id, "connect")
    state = secrets.token_urlsafe(32)
    await OAuthState.delete().where(OAuthState.expires_at < datetime.now(UTC)).run()
    await OAuthState.insert(
        OAuthState(
            state_hash=_digest(state),
            session_hash=_digest(session_token),
            client_id=client_id,
            user_id=user.id,
            expires_at=datetime.now(UTC) + STATE_LIFETIME,
        )
    ).run()
    return qbo.oauth.authorization_url(state)


async def complete_connect(
    qbo: QuickBooks,
    user: CurrentUser,
    actor: audit.Actor,
    session_token: str,
    *,
    state: str,
    code: str,
    realm_id: str,
    error: str,
) -> int:
    """Validate the callback, exchange the code, read the company and store the connection.

    Returns the client id. Any failure raises `ConnectRefused` (or a QBOError from Intuit) before
    anything is stored.
    """
    if not state:
        raise ConnectRefused("The QuickBooks sign-in came back without its state. Start again.")
    rows = (
        await OAuthState.delete()
        .where(OAuthState.state_hash == _digest(state))
        .returning(
            OAuthState.session_hash,
            OAuthState.client_id,
            OAuthState.user_id,
            OAuthState.expires_at,
        )
        .run()
    )
    if not rows:  # unknown, forged, or already used
        raise ConnectRefused(
            "This QuickBooks sign-in link is not valid (it may have been used "
            "already). Start the connection again."
        )
    pending = rows[0]
    if pending["session_hash"] != _digest(session_token) or pending["user_id"] != user.id:
        raise ConnectRefused(
            "This QuickBooks sign-in was started in another session. Start the connection again."
        )
    if pending["expires_at"] < datetime.now(UTC):
        raise ConnectRefused("The QuickBooks sign-in took too long and expired. Start again.")
    client_id = int(pending["client_id"])
    await check_may_manage_connection(user, actor, client_id, "connect")
    if error:
        await audit.record(actor, "qbo.connect_refused", client_id=client_id, error=error[:100])
        raise ConnectRefused(
            f"QuickBooks did not grant access ({error[:100]}). Nothing was changed."
        )
    if not code or not realm_id or not realm_id.isdigit():
        raise ConnectRefused("QuickBooks did not send back a code and company id. Start again.")
    tokens = await qbo.oauth.exchange_code(code)

    async def token(stale: str | None) -> str:
        return tokens.access_token

    async with httpx.AsyncClient(timeout=TIMEOUT, transport=qbo._transport, verify=qbo.tls) as http:
        client = QBOClient(
            http,
            api_base=qbo.app.api_base,
            realm_id=realm_id,
            auth=VaultAuth(token),
            limiter=qbo.limiter,
        )
        company = await client.company_info()
    await qbo.vault.store_connection(
        actor, client_id, realm_id, tokens, str(company.get("CompanyName", ""))
    )
    return client_id


async def disconnect(
    qbo: QuickBooks, user: CurrentUser, actor: audit.Actor, client_id: int
) -> None:
    """Revoke the client's grant at Intuit and forget the connection (owner only)."""
    await check_may_manage_connection(user, actor, client_id, "disconnect")
    await qbo.vault.disconnect(actor, client_id)
