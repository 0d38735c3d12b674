"""Bounded work per document: page images of any size stay small, OCR stops at its budget."""

from __future__ import annotations

import io
import struct

from tests.extract.conftest import Sample
from zera.extract import Limits, Outcome, extract_document, render_page, render_pages_isolated


def _scan(pages: int) -> bytes:
    from PIL import Image

    images = [Image.new("L", (850, 1100), 255) for _ in range(pages)]
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=100, save_all=True, append_images=images[1:])
    return buf.getvalue()


def _png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_a_huge_image_upload_is_previewed_at_a_bounded_size() -> None:
    """Given a 7000x5000 px image at 72 dpi (drawn at 110 dpi it would be 10,700 px wide),
    the preview is at most 1700 px wide and keeps the image's proportions."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (7000, 5000), 200).save(buf, "PNG", dpi=(72, 72))

    width, height = _png_size(render_page(buf.getvalue(), 1, 110))

    assert width == 1700 and abs(height - 1214) <= 1


def test_pages_drawn_in_a_child_process_say_why_one_cannot_be_drawn() -> None:
    drawn = render_pages_isolated(_scan(1), [1, 2], 110)

    assert isinstance(drawn[1], bytes) and _png_size(drawn[1]) == (935, 1210)
    assert drawn[2] == "The document has 1 pages, not 2."


def test_a_scan_over_the_ocr_time_budget_stops_with_a_message() -> None:
    """Given an OCR budget already spent when the first page comes, the document ends as
    SCAN_TOO_LONG, saying how much was read and what to do."""
    result = extract_document(_scan(2), "slow.pdf", limits=Limits(max_ocr_seconds=0.000_001))

    assert result.outcome is Outcome.SCAN_TOO_LONG
    assert result.warnings == [
        "Reading this scan by OCR took longer than the 1e-06 s one document may take (0 of its"
        " 2 scanned pages were read). Split the file into smaller parts, or upload a cleaner"
        " scan at 300 dpi."
    ]


def test_pages_with_a_text_layer_do_not_count_against_the_ocr_budget(
    corpus: dict[str, Sample],
) -> None:
    """Given no OCR allowed at all, a multi-page digital statement is still read in full."""
    sample = corpus["us_split_checks"]

    result = extract_document(sample.data, "x.pdf", limits=Limits(max_ocr_pages=0))

    assert result.outcome is Outcome.OK and result.pages > 1 and not result.ocr
