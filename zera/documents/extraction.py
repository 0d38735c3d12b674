"""Queueing a stored document's reading: after upload, with a password, or once more."""

from __future__ import annotations

from zera.accounts.users import CurrentUser
from zera.clients import ClientSummary
from zera.crypto import TokenCipher
from zera.documents.status import queue_reading
from zera.documents.store import DocumentView, Upload, UploadResult, get_document, store_uploads
from zera.errors import InvalidInput
from zera.extract import Limits
from zera.queue import JobQueue


async def upload(
    user: CurrentUser,
    queue: JobQueue,
    client: ClientSummary,
    uploads: list[Upload],
    limits: Limits,
) -> list[UploadResult]:
    """Store the uploaded files and queue extraction of each new one."""
    # A form sent with no file chosen carries one nameless, empty part.
    uploads = [u for u in uploads if u.filename or u.data]
    if not uploads:
        return [UploadResult("", error="Choose at least one file to upload.")]
    results = await store_uploads(user, client, uploads, limits)
    for result in results:
        if result.document is not None:
            await start_extraction(queue, result.document)
    return results


async def start_extraction(
    queue: JobQueue, document: DocumentView, *, password_token: str | None = None
) -> None:
    """Queue extraction of `document` and point the document at the new job."""
    # Imported here: the task imports `zera.documents`, which imports this module.
    from zera.tasks.extract import extract_document_job

    job_id = await extract_document_job.with_options(title=f"Read {document.filename}"[:200]).send(
        queue, client_id=document.client_id, document_id=document.id, password_token=password_token
    )
    await queue_reading(document.id, job_id)


async def retry_with_password(
    queue: JobQueue,
    client: ClientSummary,
    document_id: int,
    password: str,
    cipher: TokenCipher,
) -> DocumentView:
    """Extract a protected document again with the password the user typed."""
    document = await get_document(client, document_id)
    if not document.needs_password:
        raise InvalidInput("password", "This document does not need a password.")
    if not password:
        raise InvalidInput("password", "Type the document's password.")
    await start_extraction(queue, document, password_token=cipher.encrypt(password))
    return await get_document(client, document_id)


async def read_again(queue: JobQueue, client: ClientSummary, document_id: int) -> DocumentView:
    """Queue another reading of a document that was cancelled or could not be read."""
    document = await get_document(client, document_id)
    if document.pending or document.status == "ok" or document.needs_password:
        raise InvalidInput("read", "Only a cancelled or unread document can be read again.")
    await start_extraction(queue, document)
    return await get_document(client, document_id)
