"""Scanned statements (image-only PDF, PNG, TIFF) are read by OCR through the same reader."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.extract.conftest import SCANNED, Sample
from tests.extract.scoring import score
from zera.extract import Outcome, extract_document
from zera.extract.ocr import estimate_skew


@pytest.mark.parametrize("name", list(SCANNED))
def test_a_scanned_statement_is_read_by_ocr(scans: dict[str, Sample], name: str) -> None:
    """Given a noisy, tilted 250 dpi scan, then at most one of its 18 transactions is misread,
    the result says OCR was used, and a statement that does not reconcile says why."""
    sample = scans[name]

    result = extract_document(sample.data, sample.path.name)

    assert result.outcome is Outcome.OK, result.warnings
    assert result.ocr and result.pages == 1
    got = score(result, sample.truth)
    assert got.precision >= 0.94 and got.recall >= 0.94, (got, result.warnings)
    statement = result.statements[0]
    assert statement.reconciled or any("does not reconcile" in w for w in result.warnings)
    assert (statement.period_start, statement.period_end) == sample.truth[0].period


def test_ocr_rows_carry_boxes_on_the_page(scans: dict[str, Sample]) -> None:
    sample = scans["us_signed"]

    result = extract_document(sample.data, sample.path.name)

    width, height = result.page_sizes[0]
    assert 600 < width < 625 and 780 < height < 800  # US letter in points, from 250 dpi pixels
    for tx in result.statements[0].transactions:
        assert tx.box is not None and 0 <= tx.box.x0 < tx.box.x1 <= width
        assert tx.confidence <= 0.99


@pytest.mark.parametrize("angle", [-1.5, 0.0, 0.8, 2.5])
def test_skew_is_measured(scans: dict[str, Sample], angle: float) -> None:
    """Given the first scan straightened and turned by a known angle, the deskew estimate
    recovers it to within 0.3 degree (the tilt the scan already had is measured first)."""
    page = Image.open(scans["card_trans_post"].path).convert("L")
    base = estimate_skew(page)
    straight = page.rotate(base, fillcolor=255)

    turned = straight.rotate(-angle, fillcolor=255)

    assert abs(estimate_skew(turned) - angle) <= 0.3


def test_ocr_that_overruns_its_time_fails_that_document_only(
    scans: dict[str, Sample], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given OCR slower than its limit, the result is a typed failure naming the page."""
    from zera.extract import ocr

    monkeypatch.setattr(ocr, "OCR_TIMEOUT_SECONDS", 0.01)
    sample = scans["card_trans_post"]

    result = extract_document(sample.data, sample.path.name)

    assert result.outcome is Outcome.EXTRACTION_FAILED
    assert "Page 1 could not be read by OCR" in result.warnings[0]


def test_a_scan_with_a_digital_stamp_is_still_read_by_ocr(scans: dict[str, Sample]) -> None:
    """Given a scanned page that a scanner stamped with a line of real text (more than a
    few characters), then the page is still read by OCR, not taken for a digital page."""
    import io

    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen.canvas import Canvas

    stamp = io.BytesIO()
    canvas = Canvas(stamp, pagesize=(612, 792), invariant=True)
    canvas.setFont("Helvetica", 7)
    canvas.drawString(40, 12, "Scanned by Example Scan Station 4 on 2026-02-02 - page 1 of 1")
    canvas.showPage()
    canvas.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(scans["us_signed"].data)))
    writer.pages[0].merge_page(PdfReader(stamp).pages[0])
    out = io.BytesIO()
    writer.write(out)

    result = extract_document(out.getvalue(), "stamped.pdf")

    assert result.ocr and result.outcome is Outcome.OK
    assert score(result, scans["us_signed"].truth).recall >= 0.94
