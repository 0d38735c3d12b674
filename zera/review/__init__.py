"""Review: the batches read from documents, their statements' proof and each line with the flags
the extraction engine set on it, and where a line sits on its source page.

Functions for a user take the client as `zera.clients.get_client` returned it; `run_extraction`
(the worker's) takes ids."""

from zera.review.batches import (
    BatchView,
    DocumentDetail,
    document_detail,
    get_batch,
    list_batches,
    save_batch,
)
from zera.review.intake import run_extraction
from zera.review.lines import LineView
from zera.review.source import Highlight, SourcePage, source_page
from zera.review.summary import StatementSummary

__all__ = [
    "BatchView",
    "DocumentDetail",
    "Highlight",
    "LineView",
    "SourcePage",
    "StatementSummary",
    "document_detail",
    "get_batch",
    "list_batches",
    "run_extraction",
    "save_batch",
    "source_page",
]
