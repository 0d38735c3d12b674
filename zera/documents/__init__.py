"""Documents: uploads stored once per client, their reading, their status and page images.

Functions for a user take the client as `zera.clients.get_client` returned it: the route checks
access once per request, and a client's documents are only ever reached through it. What was
read from a document (its batch) is `zera.review`'s."""

from zera.documents.cancel import cancel_reading
from zera.documents.extraction import read_again, retry_with_password, start_extraction, upload
from zera.documents.pages import PAGE_DPI, PageUnavailable, page_image
from zera.documents.reading import decrypt_password, keep_protected_pages, read_stored
from zera.documents.status import was_cancelled
from zera.documents.store import (
    DocumentCounts,
    DocumentView,
    StoredFile,
    Upload,
    UploadResult,
    document_counts,
    get_document,
    list_documents,
    stored_file,
)

__all__ = [
    "PAGE_DPI",
    "DocumentCounts",
    "DocumentView",
    "PageUnavailable",
    "StoredFile",
    "Upload",
    "UploadResult",
    "cancel_reading",
    "decrypt_password",
    "document_counts",
    "get_document",
    "keep_protected_pages",
    "list_documents",
    "page_image",
    "read_again",
    "read_stored",
    "retry_with_password",
    "start_extraction",
    "stored_file",
    "upload",
    "was_cancelled",
]
