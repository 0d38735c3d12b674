"""Scanned pages: deskew, then Tesseract word boxes and confidences as a PageText."""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytesseract

from zera.extract.errors import ExtractionFailed
from zera.extract.model import PageText, Word

# A 300 dpi page takes ~3 s on one core; anything near this is a pathological image.
OCR_TIMEOUT_SECONDS = 90

if TYPE_CHECKING:
    from PIL.Image import Image


def estimate_skew(gray: Image) -> float:
    """The rotation (degrees, counter-clockwise) that makes text lines horizontal.

    Text lines rotated level give the most contrast between rows (ink rows against blank
    gaps), so we search for the angle that maximises the variance of row sums, first in
    half-degree steps and then in tenths, on a small copy of the page."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    scale = 600 / max(gray.size)
    small = ImageOps.invert(gray.resize((int(gray.width * scale), int(gray.height * scale))))

    def contrast(angle: float) -> float:
        rotated = small.rotate(angle, resample=PILImage.Resampling.NEAREST)
        column = rotated.resize((1, rotated.height), PILImage.Resampling.BOX)
        rows = list(column.tobytes())  # mode L: one byte per row
        mean = sum(rows) / len(rows)
        return float(sum((r - mean) ** 2 for r in rows))

    coarse = max((a / 2 for a in range(-8, 9)), key=contrast)
    fine: float = max((coarse + a / 10 for a in range(-4, 5)), key=contrast)
    return fine


def ocr_image(image: Image, number: int, dpi: float, timeout: float | None = None) -> PageText:
    """The page's words (in points) read by Tesseract, levelled by the page's skew; Tesseract
    is stopped after `timeout` seconds (OCR_TIMEOUT_SECONDS unless given)."""
    limit = OCR_TIMEOUT_SECONDS if timeout is None else timeout
    gray = image.convert("L")
    angle = estimate_skew(gray)
    # One thread per Tesseract: on two cores OpenMP makes a page 2-3x slower (DESIGN.md §8).
    os.environ["OMP_THREAD_LIMIT"] = "1"
    with tempfile.TemporaryDirectory(prefix="zera-ocr-") as tmp:
        # PGM needs no compression, which makes handing the page to Tesseract nearly free.
        path = Path(tmp) / "page.pgm"
        gray.save(path)
        try:
            data = pytesseract.image_to_data(
                # One block of text lines: tables keep their rows instead of becoming columns.
                str(path),
                config="--psm 6",
                output_type=pytesseract.Output.DICT,
                timeout=limit,
            )
        except RuntimeError as exc:  # pytesseract's way of saying the timeout struck
            raise ExtractionFailed(
                f"Page {number} could not be read by OCR within {limit:g} s;"
                " try a cleaner scan at 300 dpi."
            ) from exc
    k = 72 / dpi
    # Tesseract reads slightly tilted lines well; what the tilt spoils is our geometry: rows
    # drift down the page and columns sideways. Turning the word boxes by the measured angle
    # costs nothing, where rotating the page image costs ~0.3 s and slows Tesseract down.
    slope = math.tan(math.radians(angle))
    cx, cy = gray.width / 2, gray.height / 2
    words = []
    for i, text in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if conf < 0 or not text.strip():
            continue
        left, top = data["left"][i], data["top"][i]
        width, height = data["width"][i], data["height"][i]
        dy = (cx - left - width / 2) * slope
        dx = (top + height / 2 - cy) * slope
        words.append(
            Word(
                text.strip(),
                (left + dx) * k,
                (top + dy) * k,
                (left + width + dx) * k,
                (top + height + dy) * k,
                number,
                conf / 100,
            )
        )
    return PageText(number, gray.width * k, gray.height * k, words, ocr=True)
