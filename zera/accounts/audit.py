"""The append-only audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from zera.db.tables import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who did something, for the audit log: a user, or the system (user_id None)."""

    user_id: int | None
    email: str
    ip: str = ""


SYSTEM = Actor(user_id=None, email="system")


async def record(actor: Actor, action: str, *, client_id: int | None = None, **detail: Any) -> None:
    """Append one event. `detail` must never carry secrets (passwords, tokens)."""
    await AuditEvent.insert(
        AuditEvent(
            user_id=actor.user_id,
            user_email=actor.email,
            action=action,
            client_id=client_id,
            detail=detail,
            ip=actor.ip[:64],
        )
    ).run()


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    user_email: str
    action: str
    client_id: int | None
    detail: str
    ip: str


async def recent(limit: int = 200, before_id: int | None = None) -> list[AuditEntry]:
    """Newest first."""
    query = AuditEvent.select().order_by(AuditEvent.id, ascending=False).limit(limit)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    rows = await query.run()
    return [
        AuditEntry(
            at=row["at"],
            user_email=row["user_email"],
            action=row["action"],
            client_id=row["client_id"],
            detail=row["detail"] if isinstance(row["detail"], str) else str(row["detail"]),
            ip=row["ip"],
        )
        for row in rows
    ]
