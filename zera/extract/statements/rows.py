"""What the reader collects per account, and how it reads dates and amounts out of cells."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from zera.extract.dates import DateToken, parse_date_token
from zera.extract.layout import Cell
from zera.extract.model import Box, Word
from zera.extract.money import Money, parse_money


@dataclass(slots=True)
class RawRow:
    date: DateToken | None
    post_date: DateToken | None
    description: list[str]
    money: dict[str, Money]
    balance: Money | None
    check_number: str | None
    box: Box
    conf: float
    explicit_date: bool = True
    unreadable: list[str] = field(default_factory=list)  # columns OCR could not read
    section: int = 0  # direction its section heading gives (+1 in, -1 out, 0 none)


@dataclass(slots=True)
class AccountDraft:
    last4: str | None = None
    rows: list[RawRow] = field(default_factory=list)
    opening: Money | None = None
    closing: Money | None = None
    period: tuple[DateToken, DateToken] | None = None
    card_words: set[str] = field(default_factory=set)
    currencies: Counter[str] = field(default_factory=Counter)
    has_balance_column: bool = False
    has_amount_column: bool = False
    amount_column_signed: bool = False


@dataclass(slots=True)
class ReadDocument:
    accounts: list[AccountDraft]
    date_tokens: list[DateToken]
    institution: str | None
    decimal_comma: bool


def date_prefix(words: list[Word]) -> tuple[DateToken | None, int]:
    for n in (3, 2, 1):
        if len(words) >= n:
            token = parse_date_token(" ".join(w.text for w in words[:n]))
            if token is not None:
                return token, n
    return None, 0


# Tesseract's usual confusions inside numbers; applied only to OCR'd cells in money columns.
_OCR_DIGITS = str.maketrans({":": ".", ";": ".", "O": "0", "o": "0", "S": "5", "l": "1", "I": "1"})


_OCR_AMOUNT = re.compile(
    r"^(?P<lead>[-(]?)(?P<cur>[$€£]?)(?P<body>\d[\d.,;:' ]*?)[.,;:](?P<cents>\d{2})"
    r"(?P<trail>-|\)|\s?CR|\s?DR)?$"
)


def _ocr_money(text: str) -> Money | None:
    """An amount whose separators OCR misread (";" for ",", ":" for "."): the last one before
    two digits is the decimal point, the others must group thousands."""
    m = _OCR_AMOUNT.match(text.translate(_OCR_DIGITS))
    if m is None:
        return None
    groups = re.split(r"[.,;:' ]", m["body"])
    if len(groups) > 1 and (len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])):
        return None
    digits = "".join(groups)
    return parse_money(f"{m['lead']}{m['cur']}{digits}.{m['cents']}{m['trail'] or ''}")


def money_in(cell: Cell, whole: bool = False) -> tuple[Money | None, Cell | None]:
    """The amount a cell ends with, and what text precedes it in the same cell."""
    money = parse_money(cell.text, whole=whole)
    if money is not None:
        return money, None
    if cell.conf < 1.0:
        # OCR splits amounts at their separators ("397 ,24-", "556, 18-").
        joined = re.sub(r"\s*([.,;:])\s*", r"\1", cell.text)
        money = parse_money(joined) or (_ocr_money(joined) if " " not in joined else None)
        if money is not None:
            return money, None
    for n in (2, 1):
        if len(cell.words) > n:
            head, tail = cell.split(len(cell.words) - n)
            money = parse_money(tail.text, whole=whole)
            if money is not None:
                return money, head
    return None, None
