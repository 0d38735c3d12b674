"""A bank or card statement as the reader returns it: the account, its rows, and what the
statement's own arithmetic says about each row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zera.extract.model import Box, money


@dataclass(frozen=True, slots=True)
class RowFlag:
    """One thing the proof found wrong with a row, for the reviewer: `kind` is one of
    FLAG_KINDS, `message` says it in words."""

    kind: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> RowFlag:
        return cls(kind=str(raw["kind"]), message=str(raw["message"]))


BALANCE_BREAK = "balance_break"  # the printed balance disagrees with the rows before it
BALANCE_MISREAD = "balance_misread"  # only the printed balance is wrong (an OCR misread)
OUTSIDE_PERIOD = "outside_period"  # dated outside the statement period (cards: 7 days' slack)
LOW_CONFIDENCE = "low_confidence"  # the reader is not sure of this row
FLAG_KINDS = (BALANCE_BREAK, BALANCE_MISREAD, OUTSIDE_PERIOD, LOW_CONFIDENCE)


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
    # What the statement's proof found wrong with this row (`proof.row_flags`); not part of the
    # printed output, which keeps the statement-level warnings.
    flags: list[RowFlag] = field(default_factory=list)

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
