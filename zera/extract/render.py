"""Page images for the review page, where a row's box is drawn over its source page.

Every image is bounded in pixels whatever the page claims to be: a valid PDF may declare a
page of 120 inches a side, which at 110 dpi is a 13,000 px square (a 500 MB bitmap). Boxes are
drawn in percentages of the page, so a page drawn smaller still carries its highlights."""

from __future__ import annotations

import io
import math

from zera.extract import pdf
from zera.extract.errors import ExtractError, ImageTooLarge
from zera.extract.preflight import DEFAULT_LIMITS, Limits, open_image, sniff

# A letter page at 110 dpi is 935x1210 px (1.1 Mpx): ordinary pages are drawn at full size;
# a poster-sized one is scaled down to fit a wide screen.
MAX_IMAGE_WIDTH = 1700
MAX_IMAGE_PIXELS = 4_000_000


def bounded_scale(width: float, height: float, scale: float) -> float:
    """`scale` (pixels per unit of `width` and `height`), lowered so the image is at most
    MAX_IMAGE_WIDTH wide and MAX_IMAGE_PIXELS in all."""
    if width <= 0 or height <= 0:
        return scale
    return min(scale, MAX_IMAGE_WIDTH / width, math.sqrt(MAX_IMAGE_PIXELS / (width * height)))


def render_page(
    data: bytes,
    page_no: int,
    dpi: int = 110,
    *,
    password: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> bytes:
    """Page `page_no` (1-based) as PNG bytes at `dpi`, or smaller where that would exceed
    MAX_IMAGE_WIDTH or MAX_IMAGE_PIXELS. Place boxes in fractions of the image's size."""
    if not 18 <= dpi <= 600:
        raise ValueError("dpi must be between 18 and 600")
    if sniff(data, limits) != "pdf":
        if page_no != 1:
            raise ExtractError(f"An image has one page, not {page_no}.")
        return _render_image(data, dpi, limits)
    with pdf.open_pdf(data, password) as doc:
        if not 1 <= page_no <= len(doc):
            raise ExtractError(f"The document has {len(doc)} pages, not {page_no}.")
        page = doc[page_no - 1]
        try:
            width, height = page.get_size()
            if max(width, height) > limits.max_page_side_points:
                raise ImageTooLarge(
                    f"Page {page_no} is {width:.0f}x{height:.0f} points: not a real page."
                )
            # PDFium allocates only the bitmap it is asked for, so the bound holds in memory too.
            return pdf.render(page, 72 * bounded_scale(width, height, dpi / 72))
        finally:
            page.close()


def _render_image(data: bytes, dpi: int, limits: Limits) -> bytes:
    from PIL import Image

    image = open_image(data, limits)
    source_dpi = float(image.info.get("dpi", (300, 300))[0]) or 300.0
    scale = bounded_scale(image.width, image.height, dpi / source_dpi)
    size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
    image = image.convert("L").resize(size, Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()
