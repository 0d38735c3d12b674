"""Replay protection for Intuit webhooks: each event is taken in once, and only while it is fresh.

A signed body stays valid for ever, so a copy of one could be sent again by anyone who saw it.
Two checks refuse such a replay:

- Freshness: every event carries its own time (CloudEvents `time`, legacy `lastUpdated`). Events
  older than the replay window (24 h by default, longer than Intuit's ~12.5 h retry schedule of
  10 s ... 6 h) are dropped; an event without a readable time is dropped too, since nothing
  proves it fresh. A change that really was missed is still caught by the CDC catch-up.
- Once only: every fresh event has a key, kept in a unique index for as long as the event is
  fresh: a CloudEvents event's `id`, or for a legacy body (which has no ids) the SHA-256 of the
  whole body. A key that is already there is a repeat. Keys are forgotten once their event is
  past the window (plus a margin for clock skew): from then on the freshness check refuses it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from zera.db.tables import WebhookDelivery
from zera.qbo.webhooks import ChangeNotice

# Intuit's clock and ours may disagree a little; keep keys this much longer than the window.
CLOCK_SKEW_SECONDS = 3600


@dataclass(frozen=True)
class DeliveryKey:
    """The key of one fresh event (or one legacy body), the realms it names, its time, and the
    fresh notices it covers (taken in with the key, or not at all)."""

    key: str
    realms: frozenset[str]
    event_at: float
    notices: tuple[ChangeNotice, ...] = ()


def fresh_keys(
    body: bytes, notices: Iterable[ChangeNotice], *, now: float, window_seconds: int
) -> list[DeliveryKey]:
    """The keys of the events in `body` that are recent enough to take in; [] if none is."""
    oldest = now - window_seconds
    body_key = hashlib.sha256(body).hexdigest()
    keys: dict[str, DeliveryKey] = {}
    for notice in notices:
        if notice.occurred_at is None or notice.occurred_at.timestamp() < oldest:
            continue
        key = (
            hashlib.sha256(b"cloudevent:" + notice.event_id.encode()).hexdigest()
            if notice.event_id
            else body_key
        )
        seen = keys.get(key)
        at = notice.occurred_at.timestamp()
        keys[key] = (
            DeliveryKey(key, frozenset({notice.realm_id}), at, (notice,))
            if seen is None
            # A legacy body's entities share one key: it lives as long as the newest of them.
            else DeliveryKey(
                key,
                seen.realms | {notice.realm_id},
                max(seen.event_at, at),
                (*seen.notices, notice),
            )
        )
    return list(keys.values())


async def record_new(keys: list[DeliveryKey]) -> list[DeliveryKey]:
    """Store the keys; return those that were not there before (one statement, race-free)."""
    if not keys:
        return []
    rows = (
        await WebhookDelivery.insert(
            *(WebhookDelivery(delivery_key=k.key, event_at=k.event_at) for k in keys)
        )
        .on_conflict(target=WebhookDelivery.delivery_key, action="DO NOTHING")
        .returning(WebhookDelivery.delivery_key)
        .run()
    )
    new = {row["delivery_key"] for row in rows}
    return [k for k in keys if k.key in new]


async def forget_expired(*, now: float, window_seconds: int) -> int:
    """Delete keys whose events the freshness check refuses anyway; return how many."""
    before = now - window_seconds - CLOCK_SKEW_SECONDS
    rows = (
        await WebhookDelivery.delete()
        .where(WebhookDelivery.event_at < before)
        .returning(WebhookDelivery.id)
        .run()
    )
    return len(rows)
