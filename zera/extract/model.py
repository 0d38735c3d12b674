"""Plain data every kind of document is read into: words on pages, and boxes around them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on a page in PDF points, origin at the top-left corner (what an <img> needs)."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float

    def union(self, other: Box) -> Box:
        return Box(
            self.page,
            min(self.x0, other.x0),
            min(self.top, other.top),
            max(self.x1, other.x1),
            max(self.bottom, other.bottom),
        )

    def to_json(self) -> list[float]:
        return [round(self.x0, 1), round(self.top, 1), round(self.x1, 1), round(self.bottom, 1)]


@dataclass(frozen=True, slots=True)
class Word:
    """One word of the text layer or of OCR; `conf` is OCR's belief in [0, 1] (1 for text)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    page: int
    conf: float = 1.0


@dataclass(frozen=True, slots=True)
class PageText:
    """The words of one page and its size in points."""

    number: int
    width: float
    height: float
    words: list[Word]
    ocr: bool = False


def money(value: Decimal | None) -> str | None:
    """Money as JSON wants it: a string, dot decimal, no thousands separator, two places."""
    if value is None:
        return None
    return f"{value.quantize(Decimal('0.01')):f}"
