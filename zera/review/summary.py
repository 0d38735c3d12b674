"""A statement's summary as the review page shows it, and its one codec: a `Statement` becomes
a summary once, and the summary is the only thing written to and read from `batch.statements`
(money as strings, dates as ISO text)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zera.extract import Statement


@dataclass(frozen=True)
class StatementSummary:
    index: int
    institution: str
    account: str
    account_type: str
    currency: str
    period_start: dt.date | None
    period_end: dt.date | None
    opening: Decimal | None
    closing: Decimal | None
    total: Decimal
    count: int
    reconciled: bool
    confidence: float

    @property
    def computed_closing(self) -> Decimal | None:
        return None if self.opening is None else self.opening + self.total

    @property
    def difference(self) -> Decimal | None:
        """How far the printed closing balance is from opening + sum (0 when it reconciles)."""
        computed = self.computed_closing
        if computed is None or self.closing is None:
            return None
        return self.closing - computed

    @classmethod
    def of(cls, index: int, st: Statement) -> StatementSummary:
        """The summary of the `index`th statement read from a document."""
        return cls(
            index=index,
            institution=st.institution or "",
            account=st.account_number_last4 or "",
            account_type=st.account_type,
            currency=st.currency or "",
            period_start=st.period_start,
            period_end=st.period_end,
            opening=st.opening_balance,
            closing=st.closing_balance,
            total=sum((t.amount for t in st.transactions), Decimal(0)),
            count=len(st.transactions),
            reconciled=st.reconciled,
            confidence=round(st.confidence, 3),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "institution": self.institution,
            "account": self.account,
            "account_type": self.account_type,
            "currency": self.currency,
            "period_start": _iso(self.period_start),
            "period_end": _iso(self.period_end),
            "opening": _money(self.opening),
            "closing": _money(self.closing),
            "total": _money(self.total),
            "count": self.count,
            "reconciled": self.reconciled,
            "confidence": self.confidence,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> StatementSummary:
        total = _decimal(raw["total"])
        return cls(
            index=int(raw["index"]),
            institution=raw["institution"],
            account=raw["account"],
            account_type=raw["account_type"],
            currency=raw["currency"],
            period_start=_date(raw["period_start"]),
            period_end=_date(raw["period_end"]),
            opening=_decimal(raw["opening"]),
            closing=_decimal(raw["closing"]),
            total=total if total is not None else Decimal(0),
            count=int(raw["count"]),
            reconciled=bool(raw["reconciled"]),
            confidence=float(raw["confidence"]),
        )


def encode_summaries(statements: list[Statement]) -> list[dict[str, Any]]:
    """What `batch.statements` holds for the statements read from one document."""
    return [StatementSummary.of(i, st).to_json() for i, st in enumerate(statements)]


def decode_summaries(column: Any) -> list[StatementSummary]:
    """`batch.statements` as read back (SQLite hands JSON columns over as text)."""
    return [StatementSummary.from_json(raw) for raw in json_column(column)]


def json_column(value: Any) -> Any:
    """A JSON column's value: parsed when the driver returned its text."""
    return json.loads(value) if isinstance(value, str) else value


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(Decimal('0.01')):f}"


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)
