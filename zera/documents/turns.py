"""Fair share of the worker between clients: round robin by client, kept in the database so
that it holds across worker threads and worker processes.

When an extraction job starts, it looks for other clients with documents waiting; if one of
them was served less recently than its own client, the job waits its turn (the actor retries
it after a short delay) and that client's job, further back in the queue, goes first. Each
document is bounded (pages, OCR time), so a client waits at most one document per client
ahead of it, not another client's whole backlog."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from zera.db.tables import Document, ExtractionTurn, Job

# A job that has waited this long runs whatever the others: a rival whose message was lost
# must not hold it forever.
PATIENCE_SECONDS = 3600.0


async def take_turn(client_id: int, job_id: uuid.UUID | str) -> bool:
    """True when this client's document may be read now (its turn is recorded); False when
    another client with documents waiting was served less recently."""
    waiting = await _other_clients_waiting(client_id)
    if waiting and not await _waited_too_long(uuid.UUID(str(job_id))):
        rows = (
            await ExtractionTurn.select(ExtractionTurn.client_id, ExtractionTurn.served_at)
            .where(ExtractionTurn.client_id.is_in([client_id, *waiting]))
            .run()
        )
        served = {row["client_id"]: row["served_at"] for row in rows}
        mine = served.get(client_id, 0.0)
        if any(served.get(other, 0.0) < mine for other in waiting):
            return False
    await (
        ExtractionTurn.insert(ExtractionTurn(client_id=client_id, served_at=time.time()))
        .on_conflict(
            target=ExtractionTurn.client_id,
            action="DO UPDATE",
            values=[ExtractionTurn.served_at],
        )
        .run()
    )
    return True


async def _other_clients_waiting(client_id: int) -> set[int]:
    """Clients other than `client_id` with a document whose extraction job is queued."""
    rows = (
        await Document.select(Document.client_id, Document.job_id)
        .where(
            (Document.status == "queued")
            & (Document.client_id != client_id)
            & Document.job_id.is_not_null()
        )
        .run()
    )
    if not rows:
        return set()
    queued = (
        await Job.select(Job.id)
        .where(Job.id.is_in([row["job_id"] for row in rows]) & (Job.state == "queued"))
        .run()
    )
    queued_ids = {row["id"] for row in queued}
    return {row["client_id"] for row in rows if row["job_id"] in queued_ids}


async def _waited_too_long(job_id: uuid.UUID) -> bool:
    row = await Job.select(Job.created_at).where(Job.id == job_id).first().run()
    if row is None:
        return False
    created: datetime = row["created_at"]
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return (datetime.now(UTC) - created).total_seconds() > PATIENCE_SECONDS
