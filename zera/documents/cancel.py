"""Cancelling a document's reading: a queued job then does nothing, and a running one has its
reader process killed within about a second (`run_extraction` polls `was_cancelled`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from zera.accounts.errors import InvalidInput
from zera.accounts.users import CurrentUser
from zera.db.tables import Document, Job
from zera.documents.store import PENDING, DocumentView, get_document

CANCELLED = "cancelled"


async def cancel_reading(user: CurrentUser, client_id: int, document_id: int) -> DocumentView:
    """Stop reading the document, if `user` may see its client and it is still being read."""
    document = await get_document(user, client_id, document_id)
    if not document.pending:
        raise InvalidInput(
            "cancel", "This document is not being read, so there is nothing to cancel."
        )
    message = f"{user.name} cancelled reading this document. Read it again when you need it."
    stopped = await (
        Document.update({Document.status: CANCELLED, Document.message: message})
        .where((Document.id == document_id) & Document.status.is_in(list(PENDING)))
        .returning(Document.id)
        .run()
    )
    if stopped and document.job_id is not None:
        await _finish_job(document.job_id, f"Cancelled by {user.name}.")
    return await get_document(user, client_id, document_id)


async def _finish_job(job_id: uuid.UUID, error: str) -> None:
    # A finished job's message is skipped by the worker (JobTracking); a running one ends on
    # its next check, and its actor leaves the job failed rather than done.
    await (
        Job.update({Job.state: "failed", Job.error: error, Job.finished_at: datetime.now(UTC)})
        .where((Job.id == job_id) & Job.state.not_in(["done", "failed"]))
        .run()
    )


async def begin_reading(document_id: int) -> bool:
    """Mark the document as being read, unless it was cancelled (then False)."""
    rows = await (
        Document.update({Document.status: "extracting", Document.message: ""})
        .where((Document.id == document_id) & (Document.status != CANCELLED))
        .returning(Document.id)
        .run()
    )
    return bool(rows)


async def was_cancelled(document_id: int) -> bool:
    """True once the document's reading was cancelled (or the document is gone)."""
    row = await Document.select(Document.status).where(Document.id == document_id).first().run()
    return row is None or row["status"] == CANCELLED
