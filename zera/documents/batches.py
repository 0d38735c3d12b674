"""Batches: what extraction read from a document, kept with the statement's own arithmetic so the
review page can show the proof (opening + sum of amounts = closing) without re-adding."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zera.accounts.errors import NotFound
from zera.accounts.users import CurrentUser
from zera.clients import get_client
from zera.db.engine import write_transaction
from zera.db.tables import Batch, BatchLine, Document
from zera.documents.checks import row_warnings
from zera.extract import ExtractionResult, Statement


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


@dataclass(frozen=True)
class BatchView:
    id: int
    client_id: int
    document_id: int
    filename: str
    kind: str
    confidence: float
    warnings: list[str]
    statements: list[StatementSummary]
    page_sizes: list[list[float]]
    created_at: dt.datetime
    lines: list[LineView]
    row_warnings: dict[int, list[str]] = field(default_factory=dict)

    def lines_of(self, index: int) -> list[LineView]:
        return [line for line in self.lines if line.statement_index == index]


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(Decimal('0.01')):f}"


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _summary_json(index: int, st: Statement) -> dict[str, Any]:
    total = sum((t.amount for t in st.transactions), Decimal(0))
    return {
        "index": index,
        "institution": st.institution or "",
        "account": st.account_number_last4 or "",
        "account_type": st.account_type,
        "currency": st.currency or "",
        "period_start": st.period_start.isoformat() if st.period_start else None,
        "period_end": st.period_end.isoformat() if st.period_end else None,
        "opening": _money(st.opening_balance),
        "closing": _money(st.closing_balance),
        "total": _money(total),
        "count": len(st.transactions),
        "reconciled": st.reconciled,
        "confidence": round(st.confidence, 3),
    }


def _summary(raw: dict[str, Any]) -> StatementSummary:
    return StatementSummary(
        index=int(raw["index"]),
        institution=raw["institution"],
        account=raw["account"],
        account_type=raw["account_type"],
        currency=raw["currency"],
        period_start=_date(raw["period_start"]),
        period_end=_date(raw["period_end"]),
        opening=_decimal(raw["opening"]),
        closing=_decimal(raw["closing"]),
        total=Decimal(raw["total"]),
        count=int(raw["count"]),
        reconciled=bool(raw["reconciled"]),
        confidence=float(raw["confidence"]),
    )


async def save_batch(client_id: int, document_id: int, result: ExtractionResult) -> int:
    """Replace the document's batch with `result`'s statements and lines, in one transaction."""
    lines = [
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
            bbox=tx.box.to_json() if tx.box else None,
            confidence=round(tx.confidence, 3),
        )
        for index, st in enumerate(result.statements)
        for position, tx in enumerate(st.transactions)
    ]
    async with write_transaction(Batch._meta.db):
        old = await Batch.select(Batch.id).where(Batch.document_id == document_id).run()
        if old:
            ids = [row["id"] for row in old]
            await BatchLine.delete().where(BatchLine.batch_id.is_in(ids)).run()
            await Batch.delete().where(Batch.id.is_in(ids)).run()
        rows = (
            await Batch.insert(
                Batch(
                    client_id=client_id,
                    document_id=document_id,
                    kind=result.kind or "",
                    confidence=round(result.confidence, 3),
                    warnings=list(result.warnings),
                    statements=[_summary_json(i, st) for i, st in enumerate(result.statements)],
                    page_sizes=[list(size) for size in result.page_sizes],
                )
            )
            .returning(Batch.id)
            .run()
        )
        batch_id = int(rows[0]["id"])
        for line in lines:
            line.batch_id = batch_id
        if lines:
            await BatchLine.insert(*lines).run()
        await (
            Document.update({Document.status: result.outcome.value, Document.message: ""})
            .where(Document.id == document_id)
            .run()
        )
    return batch_id


async def drop_batch(document_id: int) -> None:
    """A document that no longer extracts keeps no stale batch."""
    async with write_transaction(Batch._meta.db):
        old = await Batch.select(Batch.id).where(Batch.document_id == document_id).run()
        ids = [row["id"] for row in old]
        if ids:
            await BatchLine.delete().where(BatchLine.batch_id.is_in(ids)).run()
            await Batch.delete().where(Batch.id.is_in(ids)).run()


_BATCH_COLUMNS = (
    Batch.id,
    Batch.client_id,
    Batch.document_id,
    Batch.kind,
    Batch.confidence,
    Batch.warnings,
    Batch.statements,
    Batch.page_sizes,
    Batch.created_at,
)


def _batch(row: dict[str, Any], filename: str, lines: list[LineView]) -> BatchView:
    def parsed(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    return BatchView(
        id=row["id"],
        client_id=row["client_id"],
        document_id=row["document_id"],
        filename=filename,
        kind=row["kind"],
        confidence=float(row["confidence"]),
        warnings=list(parsed(row["warnings"])),
        statements=[_summary(raw) for raw in parsed(row["statements"])],
        page_sizes=list(parsed(row["page_sizes"])),
        created_at=row["created_at"],
        lines=lines,
    )


async def _filenames(document_ids: list[int]) -> dict[int, str]:
    if not document_ids:
        return {}
    rows = (
        await Document.select(Document.id, Document.filename)
        .where(Document.id.is_in(document_ids))
        .run()
    )
    return {row["id"]: row["filename"] for row in rows}


async def list_batches(user: CurrentUser, client_id: int) -> list[BatchView]:
    """The client's batches, newest first (summaries only: `lines` is empty)."""
    await get_client(user, client_id)
    rows = (
        await Batch.select(*_BATCH_COLUMNS)
        .where(Batch.client_id == client_id)
        .order_by(Batch.id, ascending=False)
        .run()
    )
    names = await _filenames([row["document_id"] for row in rows])
    return [_batch(row, names.get(row["document_id"], ""), []) for row in rows]


async def get_batch(user: CurrentUser, client_id: int, batch_id: int) -> BatchView:
    """One batch with its lines, if it belongs to a client `user` may see."""
    await get_client(user, client_id)
    row = (
        await Batch.select(*_BATCH_COLUMNS)
        .where((Batch.id == batch_id) & (Batch.client_id == client_id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("No such batch.")
    line_rows = (
        await BatchLine.select(
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
        )
        .where(BatchLine.batch_id == batch_id)
        .order_by(BatchLine.statement_index)
        .order_by(BatchLine.position)
        .run()
    )
    lines = [_line(r) for r in line_rows]
    names = await _filenames([row["document_id"]])
    batch = _batch(row, names.get(row["document_id"], ""), lines)
    for summary in batch.statements:
        batch.row_warnings.update(row_warnings(summary, batch.lines_of(summary.index)))
    return batch


def _line(row: dict[str, Any]) -> LineView:
    bbox = row["bbox"]
    if isinstance(bbox, str):
        bbox = json.loads(bbox)
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
    )


async def batch_for_document(client_id: int, document_id: int) -> int | None:
    row = (
        await Batch.select(Batch.id)
        .where((Batch.document_id == document_id) & (Batch.client_id == client_id))
        .first()
        .run()
    )
    return None if row is None else int(row["id"])
