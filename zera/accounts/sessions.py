"""Server-side sessions. The browser holds a random token; the database holds its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from zera.accounts.users import CurrentUser, get_active
from zera.db.tables import Session

COOKIE_NAME = "zera_session"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(user_id: int, *, max_age_seconds: int, replacing: str | None = None) -> str:
    """Create a session for `user_id` and return its token.

    The token is always new, so a session id fixed before sign-in is worthless after it; the
    session being replaced (if any) is deleted.
    """
    if replacing:
        await end_session(replacing)
    token = secrets.token_urlsafe(32)
    expires_at = datetime.now(UTC) + timedelta(seconds=max_age_seconds)
    await Session.insert(
        Session(token_hash=_digest(token), user=user_id, expires_at=expires_at)
    ).run()
    return token


async def user_for_session(token: str | None) -> CurrentUser | None:
    """The signed-in, active user for `token`, or None when absent, unknown or expired."""
    if not token or len(token) > 100:
        return None
    row = (
        await Session.select(Session.user, Session.expires_at)
        .where(Session.token_hash == _digest(token))
        .first()
        .run()
    )
    if row is None:
        return None
    if row["expires_at"] <= datetime.now(UTC):
        await end_session(token)
        return None
    return await get_active(int(row["user"]))


async def end_session(token: str) -> None:
    await Session.delete().where(Session.token_hash == _digest(token)).run()


async def purge_expired() -> int:
    """Delete expired sessions; return how many."""
    rows = (
        await Session.delete()
        .where(Session.expires_at <= datetime.now(UTC))
        .returning(Session.id)
        .run()
    )
    return len(rows)
