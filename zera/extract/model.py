"""Plain data the extraction pipeline passes along and returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zera.extract.errors import Outcome


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


@dataclass(slots=True)
class Transaction:
    date: dt.date
    description: str
    amount: Decimal
    balance: Decimal | None = None
    check_number: str | None = None
    posting_date: dt.date | None = None
    page: int = 1
    box: Box | None = None
    confidence: float = 1.0
    ocr_conf: float = 1.0
    balance_suspect: bool = False  # printed balance disagrees with both neighbours (misread)

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "posting_date": self.posting_date.isoformat() if self.posting_date else None,
            "description": self.description,
            "amount": money(self.amount),
            "balance": money(self.balance),
            "check_number": self.check_number,
            "page": self.page,
            "bbox": self.box.to_json() if self.box else None,
            "confidence": round(self.confidence, 3),
        }


@dataclass(slots=True)
class Statement:
    """One account's statement. Card balances are stored as what the holder owes, negated, so
    that opening + sum(amounts) = closing holds for banks and cards alike."""

    account_type: str = "bank"  # bank | credit_card
    institution: str | None = None
    account_number_last4: str | None = None
    currency: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    reconciled: bool = False
    transactions: list[Transaction] = field(default_factory=list)
    balance_breaks: int = 0
    confidence: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "institution": self.institution,
            "account_number_last4": self.account_number_last4,
            "account_type": self.account_type,
            "currency": self.currency,
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "period_end": self.period_end.isoformat() if self.period_end else None,
            "opening_balance": money(self.opening_balance),
            "closing_balance": money(self.closing_balance),
            "reconciled": self.reconciled,
            "confidence": round(self.confidence, 3),
            "transactions": [t.to_json() for t in self.transactions],
        }


@dataclass(slots=True)
class ExtractionResult:
    """What `extract_document` returns for every input, good or bad: it never raises."""

    file: str
    sha256: str
    outcome: Outcome = Outcome.OK
    kind: str | None = None
    pages: int = 0
    ocr: bool = False
    confidence: float = 0.0
    warnings: list[str] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    page_sizes: list[tuple[float, float]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def statement(self) -> Statement | None:
        return self.statements[0] if self.statements else None

    def to_json(self) -> dict[str, Any]:
        """The object `zera extract` prints (shared/reference/extract-output.md)."""
        out: dict[str, Any] = {
            "file": self.file,
            "kind": self.kind,
            "pages": self.pages,
            "ocr": self.ocr,
            "sha256": self.sha256,
            "confidence": round(self.confidence, 3),
            "warnings": list(self.warnings),
            "outcome": self.outcome.value,
        }
        if self.kind == "bank_statement":
            first = self.statement
            out["statement"] = first.to_json() if first else None
            # Several accounts in one file: each reported on its own, the first also as
            # "statement" so that single-account readers need not care.
            out["statements"] = [s.to_json() for s in self.statements]
        return out


def money(value: Decimal | None) -> str | None:
    """Money as JSON wants it: a string, dot decimal, no thousands separator, two places."""
    if value is None:
        return None
    return f"{value.quantize(Decimal('0.01')):f}"
