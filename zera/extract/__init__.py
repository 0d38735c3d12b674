"""Document extraction: bank and card statements from any bank, digital or scanned.

The web app calls `extract_document` (never raises; read `.outcome`) and `render_page`;
a worker should prefer `extract_document_isolated`, which runs the same pipeline in a child
process so that a crash or runaway in PDFium or Tesseract cannot take the worker down."""

from __future__ import annotations

from zera.extract.errors import ExtractError, ExtractionFailed, Outcome, PasswordRequired
from zera.extract.isolated import extract_document_isolated, render_pages_isolated
from zera.extract.model import Box, ExtractionResult, Statement, Transaction
from zera.extract.pipeline import extract_document
from zera.extract.preflight import DEFAULT_LIMITS, Limits
from zera.extract.render import render_page

__all__ = [
    "DEFAULT_LIMITS",
    "Box",
    "ExtractError",
    "ExtractionFailed",
    "ExtractionResult",
    "Limits",
    "Outcome",
    "PasswordRequired",
    "Statement",
    "Transaction",
    "extract_document",
    "extract_document_isolated",
    "render_page",
    "render_pages_isolated",
]
