"""Sync health per client: is QuickBooks still talking to Zera, and does anything need a person.

What it reads, all already recorded elsewhere: the webhook inbox (last delivery), the pull
cursors (last CDC run, and the lag of the newest QuickBooks change applied), the records waiting
on a person (conflicts, refused pushes), the connection (status, last error, the grant's hard
expiry) and the rate limiter's ledger (calls in the last minute and this month). The dashboard
asks for every client at once: a fixed handful of queries, whatever the number of clients.

`needs_attention` says, in a bookkeeper's words, what to do; the pages show it as a banner.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count, Max

from zera.db.tables import QBOConnection, QBOSyncState, Record, WebhookInbox
from zera.qbo.ratelimit import RateLimiter, RealmUsage
from zera.review.records import CONFLICT, FAILED
from zera.sync.mirror import STATE_KIND as REFERENCE_KIND
from zera.sync.twoway import LAG_KIND  # the newest QuickBooks change applied, and when

HISTORY_PREFIX = "history:"  # zera.sync.history: one cursor per transaction entity
SILENCE = timedelta(hours=1)  # catch-up CDC runs every 15 minutes: an hour of nothing is wrong
WARN_DAYS = 30  # days before the grant's hard expiry when the reconnect banner shows


@dataclass(frozen=True)
class SyncHealth:
    client_id: int
    realm_id: str
    status: str  # connected, needs_reconnect
    last_error: str
    connected_at: datetime
    last_webhook_at: datetime | None
    last_cdc_at: datetime | None
    lag_seconds: float | None  # newest QuickBooks change applied: applied at minus changed at
    open_conflicts: int
    failed_pushes: int
    hard_expires_at: datetime | None
    hard_expiry_days_left: int | None
    calls_last_minute: int | None  # None: the rate limiter's ledger keeps no count
    calls_this_month: int | None
    needs_attention: tuple[str, ...]

    @property
    def needs_reconnect(self) -> bool:
        return self.status == "needs_reconnect"

    @property
    def reconnect_soon(self) -> bool:
        """Reconnecting is what the person should do now (lost, or ending within WARN_DAYS)."""
        days = self.hard_expiry_days_left
        return self.needs_reconnect or (days is not None and days <= WARN_DAYS)

    @property
    def what_to_do(self) -> str:
        """Advice to go with `last_error`."""
        if self.needs_reconnect:
            return "Reconnect QuickBooks; until then nothing syncs for this client."
        if self.last_error:
            return "Press Refresh from QuickBooks; if the error comes back, reconnect QuickBooks."
        return ""


@dataclass(frozen=True)
class _Cursors:
    last_cdc_at: datetime | None = None
    lag_seconds: float | None = None


async def sync_health(
    client_id: int, *, limiter: RateLimiter | None = None, now: datetime | None = None
) -> SyncHealth | None:
    """The client's sync health; None when it was never connected (or was disconnected)."""
    return (await health_by_client([client_id], limiter=limiter, now=now)).get(client_id)


async def health_by_client(
    client_ids: Sequence[int], *, limiter: RateLimiter | None = None, now: datetime | None = None
) -> dict[int, SyncHealth]:
    """Sync health of each connected client among `client_ids`, in five queries in all.

    `limiter` is the one requests go through: its ledger holds the call counts (without it they
    are None)."""
    now = now or datetime.now(UTC)
    connections = await _connections(client_ids)
    if not connections:
        return {}
    ids = list(connections)
    realms = [row["realm_id"] for row in connections.values()]
    webhooks, cursors, counts, usage = await asyncio.gather(
        _last_webhooks(realms),
        _cursors(ids),
        _waiting_records(ids),
        limiter.usage(realms, now=now.timestamp()) if limiter else _no_usage(),
    )
    return {
        client_id: _health(
            row,
            last_webhook_at=webhooks.get(row["realm_id"]),
            cursors=cursors.get(client_id, _Cursors()),
            counts=counts.get(client_id, {}),
            usage=None if usage is None else usage.get(row["realm_id"], RealmUsage()),
            now=now,
        )
        for client_id, row in connections.items()
    }


def _health(
    row: dict[str, Any],
    *,
    last_webhook_at: datetime | None,
    cursors: _Cursors,
    counts: dict[str, int],
    usage: RealmUsage | None,
    now: datetime,
) -> SyncHealth:
    hard = row["refresh_hard_expires_at"]
    health = SyncHealth(
        client_id=row["client_id"],
        realm_id=row["realm_id"],
        status=row["status"],
        last_error=row["last_error"],
        connected_at=row["connected_at"],
        last_webhook_at=last_webhook_at,
        last_cdc_at=cursors.last_cdc_at,
        lag_seconds=cursors.lag_seconds,
        open_conflicts=counts.get(CONFLICT, 0),
        failed_pushes=counts.get(FAILED, 0),
        hard_expires_at=hard,
        hard_expiry_days_left=None if hard is None else _days_left(hard, now),
        calls_last_minute=None if usage is None else usage.last_minute,
        calls_this_month=None if usage is None else usage.this_month,
        needs_attention=(),
    )
    return replace(health, needs_attention=_attention(health, now))


def _attention(health: SyncHealth, now: datetime) -> tuple[str, ...]:
    """What needs a person, each message saying what to do, most urgent first."""
    messages = []
    if health.needs_reconnect:
        messages.append(
            "QuickBooks no longer accepts this client's connection, so nothing syncs: "
            "reconnect QuickBooks."
        )
    elif health.reconnect_soon and health.hard_expires_at is not None:
        messages.append(_hard_expiry(health.hard_expires_at, health.hard_expiry_days_left or 0))
    if health.open_conflicts:
        n = health.open_conflicts
        messages.append(
            f"{n} conflict{_s(n)} between Zera and QuickBooks wait{'s' if n == 1 else ''} "
            "for you: open Conflicts."
        )
    if health.failed_pushes:
        n = health.failed_pushes
        messages.append(
            f"QuickBooks refused {n} record{_s(n)}: open Push to see why, fix "
            f"{'it' if n == 1 else 'them'} and push again."
        )
    silent_since = _silent_since(health, now)
    if silent_since is not None:
        messages.append(
            f"Sync has been silent since {silent_since:%Y-%m-%d %H:%M} UTC: press Refresh from "
            "QuickBooks on the Connection page, and check that Zera's worker is running."
        )
    return tuple(messages)


def _hard_expiry(at: datetime, days_left: int) -> str:
    day = f"{at.astimezone(UTC):%Y-%m-%d}"
    if days_left <= 0:
        return f"QuickBooks ended this connection for good on {day}: reconnect QuickBooks."
    return (
        f"QuickBooks ends this connection for good on {day} ({days_left} day{_s(days_left)} "
        f"left): reconnect before {day}."
    )


def _silent_since(health: SyncHealth, now: datetime) -> datetime | None:
    """When Zera last heard from QuickBooks, if that was over SILENCE ago on a live connection."""
    if health.needs_reconnect:
        return None  # the reconnect message says why already
    heard = [at for at in (health.last_webhook_at, health.last_cdc_at) if at is not None]
    since = max(heard) if heard else health.connected_at
    return since if now - since > SILENCE else None


def _days_left(at: datetime, now: datetime) -> int:
    """Whole days until `at`, counted up (a countdown shows 1 on the last day), 0 once past."""
    return max(0, math.ceil((at - now).total_seconds() / 86400))


def _s(n: int) -> str:
    return "" if n == 1 else "s"


# -- the queries -----------------------------------------------------------------------------


async def _connections(client_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    if not client_ids:
        return {}
    rows = await (
        QBOConnection.select(
            QBOConnection.client_id,
            QBOConnection.realm_id,
            QBOConnection.status,
            QBOConnection.last_error,
            QBOConnection.connected_at,
            QBOConnection.refresh_hard_expires_at,
        )
        .where(QBOConnection.client_id.is_in(list(client_ids)))
        .run()
    )
    return {row["client_id"]: row for row in rows}


async def _last_webhooks(realms: list[str]) -> dict[str, datetime]:
    rows = await (
        WebhookInbox.select(WebhookInbox.realm_id, Max(WebhookInbox.received_at, alias="last"))
        .where(WebhookInbox.realm_id.is_in(realms))
        .group_by(WebhookInbox.realm_id)
        .run()
    )
    return {row["realm_id"]: _timestamp(row["last"]) for row in rows if row["last"] is not None}


async def _cursors(client_ids: list[int]) -> dict[int, _Cursors]:
    rows = await (
        QBOSyncState.select(
            QBOSyncState.client_id, QBOSyncState.kind, QBOSyncState.cursor, QBOSyncState.synced_at
        )
        .where(QBOSyncState.client_id.is_in(client_ids) & QBOSyncState.synced_at.is_not_null())
        .run()
    )
    cdc: dict[int, datetime] = {}
    lag: dict[int, float | None] = {}
    for row in rows:
        client_id, kind, synced_at = row["client_id"], row["kind"], row["synced_at"]
        if kind == LAG_KIND:
            lag[client_id] = _lag_seconds(row["cursor"], synced_at)
        elif kind == REFERENCE_KIND or kind.startswith(HISTORY_PREFIX):
            cdc[client_id] = max(synced_at, cdc.get(client_id, synced_at))
    return {
        client_id: _Cursors(last_cdc_at=cdc.get(client_id), lag_seconds=lag.get(client_id))
        for client_id in cdc.keys() | lag.keys()
    }


async def _waiting_records(client_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = await (
        Record.select(Record.client_id, Record.status, Count(Record.id, alias="n"))
        .where(Record.client_id.is_in(client_ids) & Record.status.is_in([CONFLICT, FAILED]))
        .group_by(Record.client_id, Record.status)
        .run()
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["client_id"], {})[row["status"]] = row["n"]
    return counts


async def _no_usage() -> None:
    return None


def _lag_seconds(cursor: str, applied_at: datetime) -> float | None:
    try:
        changed_at = _timestamp(cursor)
    except ValueError:
        return None
    return max(0.0, (applied_at - changed_at).total_seconds())


def _timestamp(value: datetime | str) -> datetime:
    """An aware datetime from a column or an aggregate (SQLite hands aggregates back as text)."""
    at = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return at if at.tzinfo else at.replace(tzinfo=UTC)
