"""A document's status: the one place that writes `Document.status` (and its message).

queued -> extracting -> ok | an extraction outcome (a failure, with the user's message); any
pending document may be cancelled, and a cancelled or failed one queued again."""

from __future__ import annotations

import uuid

from zera.db.tables import Document

QUEUED = "queued"
EXTRACTING = "extracting"
CANCELLED = "cancelled"
PENDING = (QUEUED, EXTRACTING)


async def queue_reading(document_id: int, job_id: uuid.UUID) -> None:
    """The document waits for `job_id` to read it."""
    await (
        Document.update({Document.job_id: job_id, Document.status: QUEUED, Document.message: ""})
        .where(Document.id == document_id)
        .run()
    )


async def begin_reading(document_id: int) -> bool:
    """Mark the document as being read, unless it was cancelled (then False)."""
    rows = await (
        Document.update({Document.status: EXTRACTING, Document.message: ""})
        .where((Document.id == document_id) & (Document.status != CANCELLED))
        .returning(Document.id)
        .run()
    )
    return bool(rows)


async def cancel(document_id: int, message: str) -> bool:
    """Mark a pending document cancelled; False when it was no longer pending."""
    rows = await (
        Document.update({Document.status: CANCELLED, Document.message: message})
        .where((Document.id == document_id) & Document.status.is_in(list(PENDING)))
        .returning(Document.id)
        .run()
    )
    return bool(rows)


async def record_outcome(document_id: int, outcome: str, message: str = "") -> None:
    """What came of reading the document: "ok", or a failed outcome and why, for the user.

    Called inside the transaction that saves a batch, so the two are never seen apart."""
    await (
        Document.update({Document.status: outcome, Document.message: message})
        .where(Document.id == document_id)
        .run()
    )


async def was_cancelled(document_id: int) -> bool:
    """True once the document's reading was cancelled (or the document is gone)."""
    row = await Document.select(Document.status).where(Document.id == document_id).first().run()
    return row is None or row["status"] == CANCELLED
