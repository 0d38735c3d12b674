"""The webhook inbox: verified bodies are stored as received, then applied by a job.

Receiving only stores and, at most once per burst, enqueues, so Intuit gets its 200 well within
its 3 seconds; applying reads what changed through CDC, which also catches anything a lost
webhook never announced. Replays (a repeat, or an event older than the replay window) are
answered but store and start nothing (`zera.sync.deliveries`).

Each stored body keeps its notices too (realm, entity, Id, operation, event time), one
`WebhookNotice` row each, written in the same transaction as the body: the merge engine reads
which records changed from them. The apply job marks notices processed with their inbox rows.

Coalescing: a client has at most one `apply_quickbooks_changes` job queued and not yet started.
The delivery that finds none claims the client's `PendingApply` row with one conditional upsert
and queues the job; later deliveries find the claim and join that job, which applies every inbox
row of the realm when it runs (`newest_id`). The job is due a little later (APPLY_DELAY_SECONDS)
and clears the claim as it starts, so a change arriving during a run queues one more job: a
burst makes 1 or 2 jobs, a sustained stream at most one per delay plus run time.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from dataclasses import dataclass
from typing import Literal

from zera.db import write_transaction
from zera.db.engine import is_postgres
from zera.db.tables import PendingApply, QBOConnection, WebhookInbox, WebhookNotice
from zera.qbo.webhooks import ChangeNotice, parse_notices
from zera.queue import JobQueue
from zera.sync import deliveries

log = logging.getLogger(__name__)

# The apply job waits this long before it may start, so that a burst of notices (a bulk edit,
# a flood) joins one job instead of running one per notice while a worker thread is free:
# each run reads every entity list by CDC, and back-to-back runs would spend the realm's
# 500 requests a minute. Intuit itself batches notices for up to 5 minutes in production.
APPLY_DELAY_SECONDS = 2.0
# A claim whose job has not started within this long is presumed lost (its message flushed or
# dead before it ever ran): the next notice queues a fresh job rather than wait for ever.
STALE_CLAIM_SECONDS = 3600

Outcome = Literal["received", "duplicate", "stale", "empty"]


@dataclass(frozen=True)
class Receipt:
    outcome: Outcome
    queued: int = 0  # apply jobs this delivery queued


async def receive(
    body: bytes, queue: JobQueue, *, replay_window_seconds: int, now: float | None = None
) -> Receipt:
    """Take in one verified body: store it once per realm it names (unless it is a replay) and
    queue the apply job of each connected client that has none pending."""
    # Imported here: the task module imports `zera.sync`, which imports this module.
    from zera.tasks.qbo import apply_quickbooks_changes

    notices = parse_notices(body)
    if not notices:
        return Receipt("empty")
    now = time.time() if now is None else now
    keys = deliveries.fresh_keys(body, notices, now=now, window_seconds=replay_window_seconds)
    if not keys:
        log.warning("webhook refused: every event is older than the replay window")
        return Receipt("stale")
    claimed = await _write(_Delivery(body, tuple(keys), now))
    if claimed is None:
        return Receipt("duplicate")
    queued = 0
    for client_id in claimed:
        try:
            await apply_quickbooks_changes.with_options(delay_seconds=APPLY_DELAY_SECONDS).send(
                queue, client_id=client_id
            )
            queued += 1
        except Exception:
            # The body is stored, and Intuit's retry of it would be a duplicate: answer 200 and
            # let the next notice (or the scheduled catch-up) queue the job.
            log.exception("could not queue the apply job of client %s", client_id)
            await release_apply(client_id)
    return Receipt("received", queued)


@dataclass(frozen=True)
class _Delivery:
    body: bytes
    keys: tuple[deliveries.DeliveryKey, ...]
    now: float


async def _store(delivery: _Delivery) -> list[int] | None:
    """Store one delivery inside the caller's transaction; None for a repeat, else the clients
    whose apply job it claimed."""
    new = await deliveries.record_new(list(delivery.keys))
    if not new:
        return None
    realms = sorted({realm for key in new for realm in key.realms})
    text = delivery.body.decode("utf-8", "replace")
    stored = (
        await WebhookInbox.insert(*(WebhookInbox(realm_id=r, body=text) for r in realms))
        .returning(WebhookInbox.id, WebhookInbox.realm_id)
        .run()
    )
    await _store_notices(
        {row["realm_id"]: row["id"] for row in stored},
        [notice for key in new for notice in key.notices],
    )
    connections = (
        await QBOConnection.select(QBOConnection.client_id)
        .where(QBOConnection.realm_id.is_in(realms) & (QBOConnection.status == "connected"))
        .run()
    )
    return [row["client_id"] for row in connections if await _claim(row["client_id"], delivery.now)]


async def _write(delivery: _Delivery) -> list[int] | None:
    if is_postgres(WebhookInbox._meta.db):
        # PostgreSQL locks rows, not the database: deliveries are written side by side.
        async with write_transaction(WebhookInbox._meta.db):
            return await _store(delivery)
    loop = asyncio.get_running_loop()
    writer = _WRITERS.get(loop)
    if writer is None:
        writer = _WRITERS[loop] = _GroupWriter()
    return await writer.write(delivery)


class _GroupWriter:
    """SQLite has one writer at a time. Left to race for it, concurrent deliveries wait in
    SQLite's busy handler, which sleeps in growing steps (measured: p99 acknowledgement 540 ms
    with 8 at once, 11 ms one at a time). Instead, deliveries arriving while one transaction is
    being written wait for the next, and that one writes them all (a group commit): one
    transaction's cost is shared by the group. A group that fails is written again delivery by
    delivery, so one bad body cannot refuse its neighbours."""

    def __init__(self) -> None:
        self.waiting: list[tuple[_Delivery, asyncio.Future[list[int] | None]]] = []
        self.draining: asyncio.Task[None] | None = None

    async def write(self, delivery: _Delivery) -> list[int] | None:
        done: asyncio.Future[list[int] | None] = asyncio.get_running_loop().create_future()
        self.waiting.append((delivery, done))
        if self.draining is None or self.draining.done():
            # Its own task: a request that goes away must not stop the others' writes.
            self.draining = asyncio.ensure_future(self._drain())
        return await done

    async def _drain(self) -> None:
        while self.waiting:
            group, self.waiting = self.waiting, []
            try:
                async with write_transaction(WebhookInbox._meta.db):
                    results = [await _store(delivery) for delivery, _ in group]
            except Exception:
                for delivery, done in group:
                    await self._alone(delivery, done)
                continue
            for (_, done), result in zip(group, results, strict=True):
                if not done.done():
                    done.set_result(result)

    @staticmethod
    async def _alone(delivery: _Delivery, done: asyncio.Future[list[int] | None]) -> None:
        try:
            async with write_transaction(WebhookInbox._meta.db):
                result = await _store(delivery)
        except Exception as exc:
            if not done.done():
                done.set_exception(exc)
            return
        if not done.done():
            done.set_result(result)


_WRITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _GroupWriter] = (
    weakref.WeakKeyDictionary()
)


async def _store_notices(inbox_ids: dict[str, int], notices: list[ChangeNotice]) -> None:
    """One row per notice, linked to the inbox row of its realm (one statement)."""
    rows = [
        WebhookNotice(
            inbox=inbox_ids[notice.realm_id],
            realm_id=notice.realm_id,
            # Intuit's values are short; a longer one must not make PostgreSQL refuse the body.
            entity=notice.entity[:64],
            entity_id=notice.entity_id[:64],
            operation=notice.operation[:32],
            occurred_at=notice.occurred_at,
            deleted_id=notice.deleted_id[:64],
        )
        for notice in notices
        if notice.realm_id in inbox_ids
    ]
    if rows:
        await WebhookNotice.insert(*rows).run()


async def _claim(client_id: int, now: float) -> bool:
    """Take the client's pending-apply flag if it is free (or stale); True if this call did."""
    rows = (
        await PendingApply.insert(PendingApply(client_id=client_id, claimed_at=now))
        .on_conflict(
            target=PendingApply.client_id,
            action="DO UPDATE",
            values=[PendingApply.claimed_at],
            where=PendingApply.claimed_at.is_null()
            | (PendingApply.claimed_at < now - STALE_CLAIM_SECONDS),
        )
        .returning(PendingApply.client_id)
        .run()
    )
    return bool(rows)


async def release_apply(client_id: int) -> None:
    """The apply job is starting (or never will): the next notice may queue another."""
    await (
        PendingApply.update({PendingApply.claimed_at: None})
        .where(PendingApply.client_id == client_id)
        .run()
    )


async def mark_applied(realm_id: str, up_to_id: int) -> int:
    """Mark the realm's inbox rows up to `up_to_id`, and their notices, processed; return how
    many notices that covered."""
    pending = (WebhookNotice.realm_id == realm_id) & (WebhookNotice.inbox <= up_to_id)
    async with write_transaction(WebhookInbox._meta.db):
        covered = (
            await WebhookNotice.update({WebhookNotice.processed: True})
            .where(pending & (WebhookNotice.processed == False))  # noqa: E712 (a SQL expression)
            .returning(WebhookNotice.id)
            .run()
        )
        await (
            WebhookInbox.update({WebhookInbox.processed: True})
            .where(
                (WebhookInbox.realm_id == realm_id)
                & (WebhookInbox.id <= up_to_id)
                & (WebhookInbox.processed == False)  # noqa: E712 (a SQL expression)
            )
            .run()
        )
    return len(covered)


async def pending_notices(realm_id: str) -> list[ChangeNotice]:
    """The realm's notices no apply job has covered yet, oldest first (for the merge engine)."""
    rows = (
        await WebhookNotice.select(
            WebhookNotice.realm_id,
            WebhookNotice.entity,
            WebhookNotice.entity_id,
            WebhookNotice.operation,
            WebhookNotice.occurred_at,
            WebhookNotice.deleted_id,
        )
        .where(
            (WebhookNotice.realm_id == realm_id) & (WebhookNotice.processed == False)  # noqa: E712
        )
        .order_by(WebhookNotice.id)
        .run()
    )
    return [
        ChangeNotice(r["realm_id"], r["entity"], r["entity_id"], r["operation"], r["occurred_at"],
                     deleted_id=r["deleted_id"] or "")
        for r in rows
    ]


async def newest_id(realm_id: str) -> int:
    row = (
        await WebhookInbox.select(WebhookInbox.id)
        .where(WebhookInbox.realm_id == realm_id)
        .order_by(WebhookInbox.id, ascending=False)
        .first()
        .run()
    )
    return int(row["id"]) if row else 0
