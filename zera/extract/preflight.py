"""Preflight: refuse what must not be parsed (empty, too big, unknown type, cut off, bombs)
before any parser spends memory on it."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from zera.extract.errors import (
    CorruptDocument,
    EmptyFile,
    FileTooLarge,
    ImageTooLarge,
    UnsupportedFileType,
)


@dataclass(frozen=True, slots=True)
class Limits:
    """Upload limits sized for one 512 MB dyno; the web app may pass its own."""

    max_bytes: int = 25 * 1024 * 1024
    max_pages: int = 300
    max_image_pixels: int = 60_000_000  # an A4 scan at 600 dpi is ~35 Mpx
    max_page_side_points: float = 120 * 72  # 120 inches: no statement page is larger
    ocr_dpi: int = 300
    # OCR costs ~1-3 s a page where a text layer costs ~6 ms: a document may hold up to
    # `max_pages` pages, but only this many scanned ones, read in at most this long.
    max_ocr_pages: int = 50
    max_ocr_seconds: float = 300.0


DEFAULT_LIMITS = Limits()


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


def sniff(data: bytes, limits: Limits) -> str:
    """'pdf', 'png', 'jpeg' or 'tiff' from the file's bytes (never from its name)."""
    if not data:
        raise EmptyFile("The file is empty (0 bytes). Upload the statement again.")
    if len(data) > limits.max_bytes:
        raise FileTooLarge(
            f"The file is {_size(len(data))}; the limit is {_size(limits.max_bytes)}."
            " Split the document or upload a smaller scan."
        )
    if b"%PDF-" in data[:1024]:
        if b"%%EOF" not in data[-4096:]:
            raise CorruptDocument(
                "This PDF is incomplete: the file was cut off before its end."
                " Download it again from the bank."
            )
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    raise UnsupportedFileType(
        "This file is not a PDF or an image (PNG, JPEG, TIFF). Upload the statement as a PDF."
    )


@dataclass(frozen=True, slots=True)
class Preflight:
    """What preflight learnt of a file that it let through: its type and its SHA-256. The
    store keeps both, so a later reading of the same bytes need not work them out again."""

    file_type: str  # pdf | png | jpeg | tiff
    sha256: str


def preflight(data: bytes, limits: Limits) -> Preflight:
    """The file's type and hash, or the Rejected error that says why it must not be parsed."""
    return Preflight(sniff(data, limits), hashlib.sha256(data).hexdigest())


def open_image(data: bytes, limits: Limits):  # type: ignore[no-untyped-def]
    """A PIL image, checked against the pixel limit before its pixels are decoded."""
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise ImageTooLarge("The image is far too large to be a scanned page.") from None
    except (OSError, ValueError, SyntaxError):
        raise CorruptDocument("The image is damaged and cannot be read.") from None
    width, height = image.size
    if width * height > limits.max_image_pixels:
        raise ImageTooLarge(
            f"The image is {width}x{height} pixels, more than a scanned page can be"
            f" ({limits.max_image_pixels // 1_000_000} Mpx). Scan at 300 dpi instead."
        )
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise CorruptDocument("The image is damaged or cut off and cannot be read.") from None
    return image
