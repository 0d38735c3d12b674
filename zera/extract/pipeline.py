"""The document pipeline: preflight, text layer or OCR, detect kind, extract, validate.

`extract_document` never raises: every failure becomes an ExtractionResult with a typed
outcome and a message for the user, so one bad upload cannot take a worker down."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable

from zera.extract import ocr, pdf
from zera.extract.errors import (
    ExtractError,
    ExtractionFailed,
    ImageTooLarge,
    NotAStatement,
    NoTransactions,
    ScanTooLong,
    TooManyPages,
)
from zera.extract.kinds import KINDS, DocumentText, detect_kind, this_year
from zera.extract.layout import Line, page_lines
from zera.extract.model import PageText
from zera.extract.ocr import ocr_image
from zera.extract.preflight import DEFAULT_LIMITS, Limits, Preflight, open_image, sniff
from zera.extract.registry import EXTRACTORS
from zera.extract.result import ExtractionResult
from zera.extract.statements.model import Statement

log = logging.getLogger(__name__)

Progress = Callable[[int], None]

_ARTICLES = {
    "invoice": "an invoice",
    "check": "a check",
    "financial_statement": "a financial statement",
}

# A page with fewer characters than this in its text layer is treated as a scan.
_MIN_TEXT_CHARS = 20
# Below this many characters, a page that is mostly one image is a scan with a stamp on it.
_SCAN_STAMP_CHARS = 400


def extract_document(
    data: bytes,
    filename: str,
    *,
    kind: str = "auto",
    password: str | None = None,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
    known: Preflight | None = None,
) -> ExtractionResult:
    """Read one uploaded document. Progress is reported as a percentage of pages read.

    `known` is what preflight found when the same bytes were stored: given, the file is not
    hashed and sniffed again."""
    sha256 = known.sha256 if known else hashlib.sha256(data).hexdigest()
    result = ExtractionResult(file=filename, sha256=sha256)
    try:
        file_type = known.file_type if known else sniff(data, limits)
        pages = read_pages(
            data, password=password, progress=progress, limits=limits, file_type=file_type
        )
        result.pages = len(pages)
        result.ocr = any(p.ocr for p in pages)
        result.page_sizes = [(p.width, p.height) for p in pages]
        lines: list[Line] = [ln for page in pages for ln in page_lines(page)]
        _extract(DocumentText(lines, this_year()), kind, result)
    except ExtractError as exc:
        result.outcome = exc.outcome
        result.kind = exc.kind or result.kind
        result.confidence = 0.0
        result.warnings.append(exc.message)
    except Exception:  # an extractor bug must not take the worker down
        log.exception("extraction failed for %s", filename)
        failed = ExtractionFailed(
            "Zera could not read this document because of an internal error; it has been logged."
        )
        result.outcome = failed.outcome
        result.confidence = 0.0
        result.warnings.append(failed.message)
    if progress is not None:
        progress(100)
    return result


def _extract(doc: DocumentText, kind: str, result: ExtractionResult) -> None:
    if kind not in ("auto", *KINDS):
        raise ExtractionFailed(f"Unknown document kind {kind!r}.")
    if kind == "auto":
        result.statements, result.kind = _best_extraction(doc)
    else:
        result.kind = kind
        extractor = EXTRACTORS.get(kind)
        if extractor is None:
            raise NotAStatement(
                f"Reading {kind.replace('_', ' ')}s is not supported yet.", kind=kind
            )
        result.statements = extractor.extract(doc)
    for st in result.statements:
        prefix = f"account {st.account_number_last4}: " if len(result.statements) > 1 else ""
        result.warnings.extend(prefix + w for w in st.warnings)
    result.confidence = min(st.confidence for st in result.statements)


def _best_extraction(doc: DocumentText) -> tuple[list[Statement], str]:
    """The first extractor, best score first, that finds what it reads in the document.

    Every extractor is tried, not only the top scorer: a statement's transaction table
    outweighs any count of keywords."""
    ranked = sorted(EXTRACTORS.values(), key=lambda e: e.score(doc), reverse=True)
    no_rows: NoTransactions | None = None
    for extractor in ranked:
        try:
            return extractor.extract(doc), extractor.kind
        except NoTransactions as exc:
            no_rows = no_rows or exc
        except NotAStatement:
            continue
    if no_rows is not None:
        raise no_rows
    guessed, _ = detect_kind(doc)
    if guessed in (None, "bank_statement"):
        raise NotAStatement(
            "No transaction table was found: this does not look like a bank or card statement.",
            kind=guessed,
        )
    raise NotAStatement(
        f"This looks like {_ARTICLES.get(guessed, guessed)}, not a bank statement;"
        " only bank and card statements can be read so far.",
        kind=guessed,
    )


def read_pages(
    data: bytes,
    *,
    password: str | None = None,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
    file_type: str | None = None,
) -> list[PageText]:
    """Every page's words: the text layer where there is one, OCR where there is not.
    `file_type` is what preflight sniffed; without it the bytes are sniffed here.

    Text layers are read first (milliseconds a page), so a document with more scanned pages
    than `limits.max_ocr_pages` is refused before any OCR; OCR then stops once it has taken
    `limits.max_ocr_seconds`."""
    kind = file_type or sniff(data, limits)
    if kind != "pdf":
        image = open_image(data, limits)
        dpi = float(image.info.get("dpi", (300, 300))[0]) or 300.0
        page = ocr_image(
            image, 1, dpi, timeout=min(ocr.OCR_TIMEOUT_SECONDS, limits.max_ocr_seconds)
        )
        return [page]
    with pdf.open_pdf(data, password) as doc:
        count = len(doc)
        if count > limits.max_pages:
            raise TooManyPages(
                f"The PDF has {count} pages; the limit is {limits.max_pages}."
                " Split it into smaller files."
            )
        texts: list[PageText | None] = []
        for i in range(count):
            page = doc[i]
            try:
                texts.append(_text_page(page, i + 1, limits))
            finally:
                page.close()
        scanned = [i for i, text in enumerate(texts) if text is None]
        if len(scanned) > limits.max_ocr_pages:
            raise ScanTooLong(
                f"This scan has {len(scanned)} pages to read by OCR; Zera reads at most"
                f" {limits.max_ocr_pages} scanned pages per document. Split the file into parts"
                f" of up to {limits.max_ocr_pages} pages, or download the statement from the"
                " bank as a PDF with text."
            )
        ocr_clock = _OcrClock(limits, len(scanned))
        pages: list[PageText] = []
        for i, text in enumerate(texts):
            if text is None:
                page = doc[i]
                try:
                    text = ocr_clock.read(page, i + 1)
                finally:
                    page.close()
            pages.append(text)
            if progress is not None:
                progress(int(100 * (i + 1) / max(count, 1)) - 1)
    return pages


def _text_page(page: object, number: int, limits: Limits) -> PageText | None:
    """The page's text layer, or None when the page is a scan to read by OCR."""
    import pypdfium2 as pdfium

    assert isinstance(page, pdfium.PdfPage)
    width, height = page.get_size()
    if max(width, height) > limits.max_page_side_points:
        raise ImageTooLarge(f"Page {number} is {width:.0f}x{height:.0f} points: not a real page.")
    text = pdf.text_layer(page, number)
    chars = sum(len(w.text) for w in text.words)
    if chars >= _SCAN_STAMP_CHARS:
        return text
    pixels, cover = pdf.images(page)
    # A scan carries at most a stamp of text (a footer, a Bates number) over a page-sized
    # image; a digital page with a letterhead image carries its statement as text.
    if chars >= _MIN_TEXT_CHARS and cover < 0.5:
        return text
    if pixels > limits.max_image_pixels:
        raise ImageTooLarge(f"Page {number} holds an image far larger than a scanned page.")
    return None


class _OcrClock:
    """OCR of a document's scanned pages, stopped when the document's OCR time is spent."""

    def __init__(self, limits: Limits, scanned: int) -> None:
        self.limits = limits
        self.scanned = scanned
        self.done = 0
        self.deadline = time.monotonic() + limits.max_ocr_seconds

    def read(self, page: object, number: int) -> PageText:
        import pypdfium2 as pdfium

        assert isinstance(page, pdfium.PdfPage)
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise self._spent()
        image = page.render(scale=self.limits.ocr_dpi / 72).to_pil()
        try:
            text = ocr_image(
                image, number, self.limits.ocr_dpi, timeout=min(ocr.OCR_TIMEOUT_SECONDS, remaining)
            )
        except ExtractionFailed:
            if remaining < ocr.OCR_TIMEOUT_SECONDS:  # the document's budget struck, not the page's
                raise self._spent() from None
            raise
        self.done += 1
        return text

    def _spent(self) -> ScanTooLong:
        minutes = self.limits.max_ocr_seconds / 60
        budget = f"{minutes:g} minutes" if minutes >= 1 else f"{self.limits.max_ocr_seconds:g} s"
        return ScanTooLong(
            f"Reading this scan by OCR took longer than the {budget} one document may take"
            f" ({self.done} of its {self.scanned} scanned pages were read). Split the file into"
            " smaller parts, or upload a cleaner scan at 300 dpi."
        )
