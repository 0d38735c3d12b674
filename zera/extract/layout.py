"""Words into lines, lines into cells: the geometry the table reader works from."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

from zera.extract.model import Box, PageText, Word
from zera.extract.money import is_money


@dataclass(slots=True)
class Cell:
    """Words on one line close enough to be one table cell."""

    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def conf(self) -> float:
        return min(w.conf for w in self.words)

    def split(self, at: int) -> tuple[Cell, Cell]:
        return Cell(self.words[:at]), Cell(self.words[at:])


@dataclass(slots=True)
class Line:
    page: int
    top: float
    bottom: float
    cells: list[Cell] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "  ".join(c.text for c in self.cells)

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def box(self) -> Box:
        return Box(self.page, self.cells[0].x0, self.top, self.cells[-1].x1, self.bottom)

    @property
    def x0(self) -> float:
        return self.cells[0].x0


def page_lines(page: PageText) -> list[Line]:
    """The page's text as lines, top to bottom, each split into cells at wide gaps."""
    words = sorted(page.words, key=lambda w: ((w.top + w.bottom) / 2, w.x0))
    if not words:
        return []
    heights = [w.bottom - w.top for w in words if w.bottom > w.top]
    typical = median(heights) if heights else 10.0
    rows: list[list[Word]] = []
    centers: list[float] = []
    for word in words:
        center = (word.top + word.bottom) / 2
        # A word belongs to the row whose centre is within 40% of a line height of its own.
        if rows and abs(center - centers[-1]) <= 0.4 * typical:
            rows[-1].append(word)
            n = len(rows[-1])
            centers[-1] += (center - centers[-1]) / n
        else:
            rows.append([word])
            centers.append(center)
    lines = []
    for row in rows:
        row.sort(key=lambda w: w.x0)
        lines.append(_line(row, page.number, typical))
    lines.sort(key=lambda ln: ln.top)
    return lines


def _line(words: list[Word], page: int, typical: float) -> Line:
    cells: list[Cell] = [Cell([words[0]])]
    for word in words[1:]:
        prev = cells[-1].words[-1]
        gap = word.x0 - prev.x1
        # A single space is ~0.3 of the font height; columns sit further apart than ~3 spaces.
        # Two amounts side by side are two columns however tight the print ("12.30 1,520.00").
        if gap > 0.85 * typical or (gap > 0.15 * typical and _both_money(prev, word)):
            cells.append(Cell([word]))
        else:
            cells[-1].words.append(word)
    return Line(
        page=page,
        top=min(w.top for w in words),
        bottom=max(w.bottom for w in words),
        cells=cells,
    )


def _both_money(left: Word, right: Word) -> bool:
    return (
        right.text[-1:].isdigit()
        and left.text[-1:].isdigit()
        and is_money(right.text)
        and is_money(left.text)
    )


def text_lines_as_page(lines: list[str], number: int = 1, char_width: float = 5.0) -> PageText:
    """Plain text lines (no geometry) as a page of monospaced words, so text dumps can go
    through the same reader: a run of two or more spaces becomes a column gap."""
    words: list[Word] = []
    line_height = 10.0
    for row, text in enumerate(lines):
        top = row * line_height * 1.2
        col = 0
        for token in text.split(" "):
            if token:
                x0 = col * char_width
                words.append(
                    Word(token, x0, top, x0 + len(token) * char_width, top + line_height, number)
                )
            col += len(token) + 1
    return PageText(number, 1000.0, max(1, len(lines)) * 12.0, words)
