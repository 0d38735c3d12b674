"""Typed outcomes of an extraction: every way a document can fail, with words for the user."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """What happened to a document; the web page picks its message and next step from this."""

    OK = "ok"
    EMPTY_FILE = "empty_file"
    TOO_LARGE = "too_large"
    UNSUPPORTED_TYPE = "unsupported_type"
    CORRUPT = "corrupt"
    TOO_MANY_PAGES = "too_many_pages"
    IMAGE_TOO_LARGE = "image_too_large"
    PASSWORD_REQUIRED = "password_required"  # noqa: S105 (an outcome name)
    WRONG_PASSWORD = "wrong_password"  # noqa: S105
    NOT_A_STATEMENT = "not_a_statement"
    NO_TRANSACTIONS = "no_transactions"
    EXTRACTION_FAILED = "extraction_failed"
    SCAN_TOO_LONG = "scan_too_long"  # more OCR than one document may take
    CANCELLED = "cancelled"


class ExtractError(Exception):
    """A document that cannot be extracted; `message` is shown to the user as it is."""

    outcome: Outcome = Outcome.EXTRACTION_FAILED

    def __init__(self, message: str, *, kind: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


class Rejected(ExtractError):
    """Preflight refused the file before any parsing of its content."""


class EmptyFile(Rejected):
    outcome = Outcome.EMPTY_FILE


class FileTooLarge(Rejected):
    outcome = Outcome.TOO_LARGE


class UnsupportedFileType(Rejected):
    outcome = Outcome.UNSUPPORTED_TYPE


class CorruptDocument(Rejected):
    outcome = Outcome.CORRUPT


class TooManyPages(Rejected):
    outcome = Outcome.TOO_MANY_PAGES


class ImageTooLarge(Rejected):
    outcome = Outcome.IMAGE_TOO_LARGE


class PasswordRequired(ExtractError):
    """The PDF is encrypted and the empty password did not open it: ask the user."""

    outcome = Outcome.PASSWORD_REQUIRED


class WrongPassword(PasswordRequired):
    outcome = Outcome.WRONG_PASSWORD


class NotAStatement(ExtractError):
    outcome = Outcome.NOT_A_STATEMENT


class NoTransactions(ExtractError):
    outcome = Outcome.NO_TRANSACTIONS


class ScanTooLong(ExtractError):
    """The document needs more OCR (pages or time) than one document may take."""

    outcome = Outcome.SCAN_TOO_LONG


class Cancelled(ExtractError):
    """Someone cancelled the reading; the document is kept as it was."""

    outcome = Outcome.CANCELLED


class ExtractionFailed(ExtractError):
    """An extractor raised: the document is kept, the worker carries on."""

    outcome = Outcome.EXTRACTION_FAILED
