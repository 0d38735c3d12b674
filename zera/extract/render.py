"""Page images for the review page, where a row's box is drawn over its source page."""

from __future__ import annotations

import io

from zera.extract import pdf
from zera.extract.errors import ExtractError
from zera.extract.preflight import DEFAULT_LIMITS, Limits, open_image, sniff


def render_page(
    data: bytes,
    page_no: int,
    dpi: int = 110,
    *,
    password: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> bytes:
    """Page `page_no` (1-based) as PNG bytes at `dpi`; a row's bbox (points) times dpi/72 is
    its rectangle in pixels on this image."""
    if not 18 <= dpi <= 600:
        raise ValueError("dpi must be between 18 and 600")
    if sniff(data, limits) != "pdf":
        if page_no != 1:
            raise ExtractError(f"An image has one page, not {page_no}.")
        image = open_image(data, limits)
        source_dpi = float(image.info.get("dpi", (300, 300))[0]) or 300.0
        scale = dpi / source_dpi
        image = image.convert("L").resize((int(image.width * scale), int(image.height * scale)))
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        return buf.getvalue()
    with pdf.open_pdf(data, password) as doc:
        if not 1 <= page_no <= len(doc):
            raise ExtractError(f"The document has {len(doc)} pages, not {page_no}.")
        page = doc[page_no - 1]
        try:
            return pdf.render(page, dpi)
        finally:
            page.close()
