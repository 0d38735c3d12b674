"""Document extraction: bank and card statements from any bank, digital or scanned.

The web app calls `extract_document` (never raises; read `.outcome`) and `render_page`;
a worker should prefer `extract_document_isolated`, which runs the same pipeline in a child
process so that a crash or runaway in PDFium or Tesseract cannot take the worker down.

Shared by every kind of document: preflight, PDF and OCR, words into lines (`layout`), dates and
amounts, the pipeline and its registry of extractors. Each kind has its own package:
`statements/` (bank and card statements) so far."""

from __future__ import annotations

from zera.extract.errors import ExtractError, ExtractionFailed, Outcome, PasswordRequired
from zera.extract.isolated import extract_document_isolated, render_pages_isolated
from zera.extract.model import Box
from zera.extract.pipeline import extract_document
from zera.extract.preflight import DEFAULT_LIMITS, Limits, Preflight, preflight
from zera.extract.render import render_page
from zera.extract.result import ExtractionResult
from zera.extract.statements import RowFlag, Statement, Transaction, row_flags

__all__ = [
    "DEFAULT_LIMITS",
    "Box",
    "ExtractError",
    "ExtractionFailed",
    "ExtractionResult",
    "Limits",
    "Outcome",
    "PasswordRequired",
    "Preflight",
    "RowFlag",
    "Statement",
    "Transaction",
    "extract_document",
    "extract_document_isolated",
    "preflight",
    "render_page",
    "render_pages_isolated",
    "row_flags",
]
