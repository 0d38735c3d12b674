"""Documents: uploads stored once per client, their extraction, and the batches read from them.

Every read for a user goes through `zera.clients.get_client`, so another client's documents,
batches and pages answer NotFound exactly like missing ones."""

from zera.documents.batches import (
    BatchView,
    LineView,
    StatementSummary,
    get_batch,
    list_batches,
)
from zera.documents.cancel import cancel_reading
from zera.documents.extraction import (
    DocumentDetail,
    document_detail,
    read_again,
    retry_with_password,
    run_extraction,
    start_extraction,
    upload,
)
from zera.documents.pages import (
    PAGE_DPI,
    Highlight,
    PageUnavailable,
    SourcePage,
    page_image,
    source_page,
)
from zera.documents.store import (
    DocumentCounts,
    DocumentView,
    Upload,
    UploadResult,
    document_counts,
    get_document,
    list_documents,
    store_uploads,
)

__all__ = [
    "PAGE_DPI",
    "BatchView",
    "DocumentCounts",
    "DocumentDetail",
    "DocumentView",
    "Highlight",
    "LineView",
    "PageUnavailable",
    "SourcePage",
    "StatementSummary",
    "Upload",
    "UploadResult",
    "cancel_reading",
    "document_counts",
    "document_detail",
    "get_batch",
    "get_document",
    "list_batches",
    "list_documents",
    "page_image",
    "read_again",
    "retry_with_password",
    "run_extraction",
    "source_page",
    "start_extraction",
    "store_uploads",
    "upload",
]
