"""A stored document read into its batch: the worker's step from `zera.documents` to review."""

from __future__ import annotations

from zera.crypto import TokenCipher
from zera.documents import (
    decrypt_password,
    keep_protected_pages,
    read_stored,
    stored_file,
    was_cancelled,
)
from zera.documents.reading import Progress
from zera.documents.status import begin_reading, record_outcome
from zera.extract import ExtractionResult, Limits, Outcome
from zera.review.batches import drop_batch, save_batch
from zera.review.proposals import propose_batch
from zera.review.records import delete_proposals


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
    stored = await stored_file(client_id, document_id)
    if stored is None:
        return None
    password = decrypt_password(password_token, cipher)
    if password_token is not None and password is None:
        await record_outcome(
            document_id,
            "password_required",
            "The password could not be read back (the encryption keys changed). Type it again.",
        )
        return None
    if not await begin_reading(document_id):
        return None  # cancelled while it waited
    result = await read_stored(
        document_id, stored, password=password, limits=limits, progress=progress
    )
    if result.outcome is Outcome.CANCELLED or await was_cancelled(document_id):
        return result  # the document already says who cancelled it
    if result.ok:
        if password is not None:
            await keep_protected_pages(document_id, stored.data, result.pages, password)
        batch_id = await save_batch(client_id, document_id, result)
        await propose_batch(client_id, batch_id)
    else:
        await drop_batch(document_id)
        await delete_proposals(document_id)
        message = result.warnings[-1] if result.warnings else "The document could not be read."
        await record_outcome(document_id, result.outcome.value, message)
    return result
