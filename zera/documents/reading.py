"""Reading a stored document in a child process, for the worker.

A password travels to the worker only as Fernet ciphertext (the queue persists messages); it is
decrypted here, used, and never written anywhere in clear."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any

import anyio
import anyio.from_thread

from zera.crypto import TokenCipher, Undecryptable
from zera.documents.pages import draw_pages, keep_pages
from zera.documents.status import was_cancelled
from zera.documents.store import StoredFile
from zera.extract import ExtractionResult, Limits, extract_document_isolated

_ONE_EXTRACTION_AT_A_TIME = threading.Lock()

log = logging.getLogger(__name__)

Progress = Callable[[int], Coroutine[Any, Any, None]]


async def read_stored(
    document_id: int,
    stored: StoredFile,
    *,
    password: str | None,
    limits: Limits,
    progress: Progress | None = None,
) -> ExtractionResult:
    """Extract the stored file; stops (outcome CANCELLED) once the document is cancelled.

    In a child process with a memory ceiling and a time limit: a crash or runaway in PDFium or
    Tesseract on an untrusted file then fails this document, never the worker. One child at a
    time per process: an OCR child peaks near 160 MB, and a dyno has 512 MB for everything."""

    def extract() -> ExtractionResult:
        with _ONE_EXTRACTION_AT_A_TIME:
            return extract_document_isolated(
                stored.data,
                stored.filename,
                password=password,
                progress=_thread_progress(progress),
                limits=limits,
                known=stored.known,  # preflight passed it at upload: no hashing or sniffing again
                # The whole OCR budget, and time to read the text layers around it.
                timeout=max(600.0, limits.max_ocr_seconds + 300.0),
                cancelled=lambda: anyio.from_thread.run(was_cancelled, document_id),
            )

    return await anyio.to_thread.run_sync(extract)


def decrypt_password(token: str | None, cipher: TokenCipher) -> str | None:
    """The password the user typed, or None when there is none or no key decrypts it."""
    if token is None:
        return None
    try:
        return cipher.decrypt(token)
    except Undecryptable:
        log.warning("a document password could not be decrypted")
        return None


async def keep_protected_pages(document_id: int, data: bytes, count: int, password: str) -> None:
    """The password is never kept, so the pages of a protected PDF are kept instead."""
    drawn = await draw_pages(data, list(range(1, count + 1)), password=password)
    for number, page in drawn.items():
        if isinstance(page, str):
            log.warning("page %d of a protected document could not be rendered: %s", number, page)
    await keep_pages(
        document_id, {number: page for number, page in drawn.items() if isinstance(page, bytes)}
    )


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
