"""A batch's lines as the review page shows them, each with the flags the engine's proof set
on it when the document was read (stored with the line, never worked out again on reading)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zera.db.tables import BatchLine
from zera.extract import RowFlag, Statement
from zera.review.summary import json_column


@dataclass(frozen=True)
class LineView:
    id: int
    statement_index: int
    txn_date: dt.date
    posting_date: dt.date | None
    description: str
    amount: Decimal
    balance: Decimal | None
    check_number: str | None
    page: int
    bbox: list[float] | None
    confidence: float
    flags: tuple[RowFlag, ...] = ()


def new_lines(client_id: int, statements: list[Statement]) -> list[BatchLine]:
    """Rows for `batch_line`, one per transaction, with its flags (batch_id set by the caller)."""
    return [
        BatchLine(
            client_id=client_id,
            statement_index=index,
            position=position,
            txn_date=tx.date,
            posting_date=tx.posting_date,
            description=tx.description,
            amount=tx.amount,
            balance=tx.balance,
            check_number=tx.check_number,
            page=tx.page,
            bbox=tx.box.to_json() if tx.box else "null",  # a JSON null: the column is NOT NULL
            confidence=round(tx.confidence, 3),
            flags=encode_flags(tx.flags),
        )
        for index, st in enumerate(statements)
        for position, tx in enumerate(st.transactions)
    ]


def encode_flags(flags: list[RowFlag]) -> list[dict[str, str]]:
    return [flag.to_json() for flag in flags]


def decode_flags(column: Any) -> tuple[RowFlag, ...]:
    return tuple(RowFlag.from_json(raw) for raw in json_column(column) or [])


LINE_COLUMNS = (
    BatchLine.id,
    BatchLine.statement_index,
    BatchLine.txn_date,
    BatchLine.posting_date,
    BatchLine.description,
    BatchLine.amount,
    BatchLine.balance,
    BatchLine.check_number,
    BatchLine.page,
    BatchLine.bbox,
    BatchLine.confidence,
    BatchLine.flags,
)


def line_view(row: dict[str, Any]) -> LineView:
    bbox = json_column(row["bbox"])
    return LineView(
        id=row["id"],
        statement_index=row["statement_index"],
        txn_date=row["txn_date"],
        posting_date=row["posting_date"],
        description=row["description"],
        amount=Decimal(row["amount"]),
        balance=None if row["balance"] is None else Decimal(row["balance"]),
        check_number=row["check_number"],
        page=row["page"],
        bbox=[float(v) for v in bbox] if bbox else None,
        confidence=float(row["confidence"]),
        flags=decode_flags(row["flags"]),
    )
