"""Cancelling a document's reading: a queued job then does nothing, and a running one has its
reader process killed within about a second (the reading polls `status.was_cancelled`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from zera.accounts.users import CurrentUser
from zera.clients import ClientSummary
from zera.db.tables import Job
from zera.documents import status
from zera.documents.store import DocumentView, get_document
from zera.errors import InvalidInput


async def cancel_reading(
    user: CurrentUser, client: ClientSummary, document_id: int
) -> DocumentView:
    """Stop reading the client's document, if it is still being read."""
    document = await get_document(client, document_id)
    if not document.pending:
        raise InvalidInput(
            "cancel", "This document is not being read, so there is nothing to cancel."
        )
    message = f"{user.name} cancelled reading this document. Read it again when you need it."
    if await status.cancel(document_id, message) and document.job_id is not None:
        await _finish_job(document.job_id, f"Cancelled by {user.name}.")
    return await get_document(client, document_id)


async def _finish_job(job_id: uuid.UUID, error: str) -> None:
    # A finished job's message is skipped by the worker (JobTracking); a running one ends on
    # its next check, and its actor leaves the job failed rather than done.
    await (
        Job.update({Job.state: "failed", Job.error: error, Job.finished_at: datetime.now(UTC)})
        .where((Job.id == job_id) & Job.state.not_in(["done", "failed"]))
        .run()
    )
