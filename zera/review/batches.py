"""Batches: what extraction read from a document, kept with the statement's own arithmetic so the
review page can show the proof (opening + sum of amounts = closing) without re-adding.

Functions for a user take the client as `zera.clients.get_client` returned it (access checked
once, by the route); the worker's functions take ids."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from zera.clients import ClientSummary
from zera.db.engine import write_transaction
from zera.db.tables import Batch, BatchLine, Document
from zera.documents import DocumentView, get_document
from zera.documents.status import record_outcome
from zera.errors import NotFound
from zera.extract import ExtractionResult
from zera.review.lines import LINE_COLUMNS, LineView, line_view, new_lines
from zera.review.summary import StatementSummary, decode_summaries, encode_summaries, json_column


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

    def lines_of(self, index: int) -> list[LineView]:
        return [line for line in self.lines if line.statement_index == index]


@dataclass(frozen=True)
class DocumentDetail:
    document: DocumentView
    batch_id: int | None


async def save_batch(client_id: int, document_id: int, result: ExtractionResult) -> int:
    """Replace the document's batch with `result`'s statements and lines (each with the flags
    the proof set) and mark the document read, in one transaction."""
    lines = new_lines(client_id, result.statements)
    async with write_transaction(Batch._meta.db):
        await _delete_batches(document_id)
        rows = (
            await Batch.insert(
                Batch(
                    client_id=client_id,
                    document_id=document_id,
                    kind=result.kind or "",
                    confidence=round(result.confidence, 3),
                    warnings=list(result.warnings),
                    statements=encode_summaries(result.statements),
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
        await record_outcome(document_id, result.outcome.value)
    return batch_id


async def drop_batch(document_id: int) -> None:
    """A document that no longer extracts keeps no stale batch."""
    async with write_transaction(Batch._meta.db):
        await _delete_batches(document_id)


async def _delete_batches(document_id: int) -> None:
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
    return BatchView(
        id=row["id"],
        client_id=row["client_id"],
        document_id=row["document_id"],
        filename=filename,
        kind=row["kind"],
        confidence=float(row["confidence"]),
        warnings=list(json_column(row["warnings"])),
        statements=decode_summaries(row["statements"]),
        page_sizes=list(json_column(row["page_sizes"])),
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


async def list_batches(client: ClientSummary) -> list[BatchView]:
    """The client's batches, newest first (summaries only: `lines` is empty)."""
    rows = (
        await Batch.select(*_BATCH_COLUMNS)
        .where(Batch.client_id == client.id)
        .order_by(Batch.id, ascending=False)
        .run()
    )
    names = await _filenames([row["document_id"] for row in rows])
    return [_batch(row, names.get(row["document_id"], ""), []) for row in rows]


async def batch_header(client: ClientSummary, batch_id: int) -> BatchView:
    """The client's batch without its lines; NotFound when the client has no such batch."""
    row = (
        await Batch.select(*_BATCH_COLUMNS)
        .where((Batch.id == batch_id) & (Batch.client_id == client.id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("No such batch.")
    names = await _filenames([row["document_id"]])
    return _batch(row, names.get(row["document_id"], ""), [])


async def get_batch(client: ClientSummary, batch_id: int) -> BatchView:
    """The client's batch with its lines and their stored flags."""
    header = await batch_header(client, batch_id)
    rows = (
        await BatchLine.select(*LINE_COLUMNS)
        .where(BatchLine.batch_id == batch_id)
        .order_by(BatchLine.statement_index)
        .order_by(BatchLine.position)
        .run()
    )
    return replace(header, lines=[line_view(r) for r in rows])


async def batch_for_document(client_id: int, document_id: int) -> int | None:
    row = (
        await Batch.select(Batch.id)
        .where((Batch.document_id == document_id) & (Batch.client_id == client_id))
        .first()
        .run()
    )
    return None if row is None else int(row["id"])


async def document_detail(client: ClientSummary, document_id: int) -> DocumentDetail:
    """The client's document and the batch read from it, if any."""
    document = await get_document(client, document_id)
    return DocumentDetail(document, await batch_for_document(client.id, document_id))
