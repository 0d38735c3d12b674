"""Running extraction for a stored document and recording what came of it.

A password travels to the worker only as Fernet ciphertext (the queue persists messages); it is
decrypted in the worker, used, and never written anywhere in clear."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.from_thread

from zera.accounts.errors import InvalidInput
from zera.accounts.users import CurrentUser
from zera.clients import get_client
from zera.db.tables import Document
from zera.documents.batches import batch_for_document, drop_batch, save_batch
from zera.documents.cancel import begin_reading, was_cancelled
from zera.documents.pages import draw_pages, keep_pages
from zera.documents.store import (
    DocumentView,
    Upload,
    UploadResult,
    get_document,
    set_job,
    set_status,
    store_uploads,
)
from zera.extract import ExtractionResult, Limits, Outcome, extract_document_isolated
from zera.qbo.errors import NeedsReconnect
from zera.qbo.vault import TokenCipher
from zera.queue import JobQueue

_ONE_EXTRACTION_AT_A_TIME = threading.Lock()

log = logging.getLogger(__name__)

ACTOR = "extract_document_job"


@dataclass(frozen=True)
class DocumentDetail:
    document: DocumentView
    batch_id: int | None


async def document_detail(user: CurrentUser, client_id: int, document_id: int) -> DocumentDetail:
    """A document and the batch read from it, if `user` may see the client."""
    document = await get_document(user, client_id, document_id)
    return DocumentDetail(document, await batch_for_document(client_id, document_id))


async def upload(
    user: CurrentUser, queue: JobQueue, client_id: int, uploads: list[Upload], limits: Limits
) -> list[UploadResult]:
    """Store the uploaded files and queue extraction of each new one."""
    await get_client(user, client_id)
    # A form sent with no file chosen carries one nameless, empty part.
    uploads = [u for u in uploads if u.filename or u.data]
    if not uploads:
        return [UploadResult("", error="Choose at least one file to upload.")]
    results = await store_uploads(user, client_id, uploads, limits)
    for result in results:
        if result.document is not None:
            await start_extraction(queue, result.document)
    return results


async def start_extraction(
    queue: JobQueue, document: DocumentView, *, password_token: str | None = None
) -> None:
    """Queue extraction of `document` and point the document at the new job."""
    kwargs: dict[str, Any] = {"document_id": document.id}
    if password_token is not None:
        kwargs["password_token"] = password_token
    job_id = await queue.enqueue(
        ACTOR, title=f"Read {document.filename}"[:200], client_id=document.client_id, **kwargs
    )
    await set_job(document.id, job_id)


async def retry_with_password(
    user: CurrentUser,
    queue: JobQueue,
    client_id: int,
    document_id: int,
    password: str,
    cipher: TokenCipher,
) -> DocumentView:
    """Extract a protected document again with the password the user typed."""
    document = await get_document(user, client_id, document_id)
    if not document.needs_password:
        raise InvalidInput("password", "This document does not need a password.")
    if not password:
        raise InvalidInput("password", "Type the document's password.")
    await start_extraction(queue, document, password_token=cipher.encrypt(password))
    return await get_document(user, client_id, document_id)


async def read_again(
    user: CurrentUser, queue: JobQueue, client_id: int, document_id: int
) -> DocumentView:
    """Queue another reading of a document that was cancelled or could not be read."""
    document = await get_document(user, client_id, document_id)
    if document.pending or document.status == "ok" or document.needs_password:
        raise InvalidInput("read", "Only a cancelled or unread document can be read again.")
    await start_extraction(queue, document)
    return await get_document(user, client_id, document_id)


Progress = Callable[[int], Coroutine[Any, Any, None]]


async def run_extraction(
    client_id: int,
    document_id: int,
    *,
    limits: Limits,
    cipher: TokenCipher,
    password_token: str | None = None,
    progress: Progress | None = None,
) -> ExtractionResult | None:
    """Extract the document and record the outcome; None when the document is gone.

    Safe to run twice: the batch is replaced, and a bad document only changes its status."""
    row = (
        await Document.select(Document.data, Document.filename)
        .where((Document.id == document_id) & (Document.client_id == client_id))
        .first()
        .run()
    )
    if row is None:
        return None
    password = _password(password_token, cipher)
    if password_token is not None and password is None:
        await set_status(
            document_id,
            "password_required",
            "The password could not be read back (the encryption keys changed). Type it again.",
        )
        return None
    if not await begin_reading(document_id):
        return None  # cancelled while it waited
    data, filename = bytes(row["data"]), row["filename"]

    # In a child process with a memory ceiling and a time limit: a crash or runaway in PDFium or
    # Tesseract on an untrusted file then fails this document, never the worker. One child at a
    # time per process: an OCR child peaks near 160 MB, and a dyno has 512 MB for everything.
    def extract() -> ExtractionResult:
        with _ONE_EXTRACTION_AT_A_TIME:
            return extract_document_isolated(
                data,
                filename,
                password=password,
                progress=_thread_progress(progress),
                limits=limits,
                # The whole OCR budget, and time to read the text layers around it.
                timeout=max(600.0, limits.max_ocr_seconds + 300.0),
                cancelled=lambda: anyio.from_thread.run(was_cancelled, document_id),
            )

    result = await anyio.to_thread.run_sync(extract)
    if result.outcome is Outcome.CANCELLED or await was_cancelled(document_id):
        return result  # the document already says who cancelled it
    if result.ok:
        if password is not None:
            # The password is never kept, so the pages of a protected PDF are kept instead.
            await keep_pages(document_id, await _render_pages(data, result.pages, password))
        await save_batch(client_id, document_id, result)
    else:
        await drop_batch(document_id)
        message = result.warnings[-1] if result.warnings else "The document could not be read."
        await set_status(document_id, result.outcome.value, message)
    return result


def _password(token: str | None, cipher: TokenCipher) -> str | None:
    if token is None:
        return None
    try:
        return cipher.decrypt(token)
    except NeedsReconnect:  # TokenCipher's word for "no key decrypts this"
        log.warning("a document password could not be decrypted")
        return None


def _thread_progress(progress: Progress | None) -> Callable[[int], None] | None:
    """A callback for the extraction thread that reports on the task's loop, every 5%."""
    if progress is None:
        return None
    last = [-100]

    def report(percent: int) -> None:
        if percent - last[0] >= 5 or percent >= 100:
            last[0] = percent
            anyio.from_thread.run(progress, max(1, min(99, percent)))

    return report


async def _render_pages(data: bytes, count: int, password: str) -> dict[int, bytes]:
    drawn = await draw_pages(data, list(range(1, count + 1)), password=password)
    for number, page in drawn.items():
        if isinstance(page, str):
            log.warning("page %d of a protected document could not be rendered: %s", number, page)
    return {number: page for number, page in drawn.items() if isinstance(page, bytes)}
