"""What proposing a batch reads once, so that a line costs no query: the batch itself (its
document, statements and lines) and the client's books around it (live lists, statement
accounts, QuickBooks history, nearby records, the other statements' lines, open bills and
invoices, and the payee history the suggester learns from)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zera.categorize import Booking, NameIndex, PayeeHistory, Suggester
from zera.categorize.movements import check_number
from zera.categorize.open_items import OpenItem, OpenItems
from zera.categorize.transfers import Line, OwnAccounts
from zera.db.tables import Batch, BatchLine, Document
from zera.review import payloads
from zera.review.lines import LINE_COLUMNS, LineView, line_view
from zera.review.proposals.accounts import own_account, statement_accounts, statement_key
from zera.review.records import EXCLUDED, RecordView, records_near
from zera.review.summary import StatementSummary, decode_summaries
from zera.sync.known import KnownTxn, known_transactions, open_items
from zera.sync.lists import BANK, CREDIT_CARD, ListEntry, ReferenceLists, reference_lists

DAYS = 3  # how far apart two copies of one transaction may be dated
OUTGOING = ("Purchase", "Bill", "VendorCredit")  # booked like spending, refunds included


# -- the batch -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredBatch:
    """A stored batch as proposing reads it: its document, its statements by index and its
    lines in statement order."""

    document_id: int
    filename: str
    summaries: dict[int, StatementSummary]
    lines: list[LineView]


async def read_batch(client_id: int, batch_id: int) -> StoredBatch | None:
    """The batch with its document's name and its lines; None when the client has no such
    batch."""
    batch = await Batch.select().where(Batch.id == batch_id).first().run()
    if batch is None or batch["client_id"] != client_id:
        return None
    document_id = batch["document_id"]
    document = (
        await Document.select(Document.filename).where(Document.id == document_id).first().run()
    )
    rows = (
        await BatchLine.select(*LINE_COLUMNS)
        .where(BatchLine.batch_id == batch_id)
        .order_by(BatchLine.statement_index)
        .order_by(BatchLine.position)
        .run()
    )
    return StoredBatch(
        document_id=document_id,
        filename=document["filename"] if document else "",
        summaries={s.index: s for s in decode_summaries(batch["statements"])},
        lines=[line_view(row) for row in rows],
    )


def check_number_of(line: LineView) -> str | None:
    """The line's check number (read from its own column, else from its words), cut to what
    Intuit keeps."""
    number = line.check_number or check_number(line.description)
    return number[: payloads.MAX_DOC_NUMBER] if number else None


def as_line(line: LineView, key: str) -> Line:
    """A line of this batch as the transfer finder reads it (batch 0: the one being proposed)."""
    return Line(line.id, 0, key, line.txn_date, line.amount, line.description,
                check_number_of(line))  # fmt: skip


# -- the books around it -------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """One statement of the batch: its account's key, its summary, and the QuickBooks account
    it is booked to (None while that is still to choose)."""

    key: str
    summary: StatementSummary | None
    bank: ListEntry | None

    @property
    def card(self) -> bool:
        return self.key.startswith("credit_card:")


@dataclass
class Stored:
    """A record of the client near the batch's dates, or of the batch's document (kept up to
    date when proposing rewrites it)."""

    id: int
    entity: str
    status: str
    version: int
    payload: dict[str, Any]
    txn_date: dt.date | None
    amount: Decimal
    payee: str
    statement_key: str
    document_id: int | None
    line_id: int | None
    bank_text: str
    qbo_id: str | None

    @classmethod
    def of(cls, record: RecordView) -> Stored:
        return cls(
            id=record.id,
            entity=record.entity,
            status=record.status,
            version=record.version,
            payload=record.payload,
            txn_date=record.txn_date,
            amount=record.amount,
            payee=record.payee,
            statement_key=record.statement_key,
            document_id=record.document_id,
            line_id=record.line_id,
            bank_text=record.bank_text,
            qbo_id=record.qbo_id,
        )


@dataclass
class Books:
    """Everything a batch's lines are proposed against, read once for the batch."""

    lists: ReferenceLists
    accounts: dict[str, ListEntry | None]  # every statement key of the client -> its account
    history: list[KnownTxn]
    stored: list[Stored]
    own: OwnAccounts
    vendors: NameIndex
    customers: NameIndex
    suggester: Suggester
    open: OpenItems
    people: dict[str, ListEntry] = field(default_factory=dict)  # "Vendor:56" -> active entry
    names: dict[str, str] = field(default_factory=dict)  # a person's Id -> name


async def _statement_keys(client_id: int) -> dict[tuple[int, int], str]:
    """(batch id, statement index) -> statement key, for every batch of the client."""
    rows = await Batch.select(Batch.id, Batch.statements).where(Batch.client_id == client_id).run()
    return {
        (row["id"], summary.index): statement_key(summary)
        for row in rows
        for summary in decode_summaries(row["statements"])
    }


async def _other_lines(
    client_id: int, batch_id: int, keys: dict[tuple[int, int], str], lo: dt.date, hi: dt.date
) -> list[Line]:
    """The client's other statements' lines within DAYS of the batch's dates."""
    rows = (
        await BatchLine.select(
            BatchLine.id, BatchLine.batch_id, BatchLine.statement_index, BatchLine.txn_date,
            BatchLine.amount, BatchLine.description,
        )
        .where(
            (BatchLine.client_id == client_id)
            & (BatchLine.batch_id != batch_id)
            & (BatchLine.txn_date >= lo - dt.timedelta(days=DAYS))
            & (BatchLine.txn_date <= hi + dt.timedelta(days=DAYS))
        )
        .run()
    )  # fmt: skip
    return [
        Line(row["id"], row["batch_id"], keys.get((row["batch_id"], row["statement_index"]), ""),
             row["txn_date"], Decimal(row["amount"]), row["description"])
        for row in rows
    ]  # fmt: skip


async def _stored_records(
    client_id: int, document_id: int, lo: dt.date, hi: dt.date
) -> list[Stored]:
    """The client's records within DAYS of the batch's dates, and the document's own."""
    found = await records_near(
        client_id, document_id, lo - dt.timedelta(days=DAYS), hi + dt.timedelta(days=DAYS)
    )
    return [Stored.of(record) for record in found]


def _bookings(history: list[KnownTxn], names: dict[str, str]) -> Iterable[Booking]:
    """The history as the suggester learns it: payee, main category, and the amount negative
    for spending (a purchase, a bill, a refund of either), positive for money received."""
    for txn in history:
        main = txn.main_line
        payee = names.get(txn.payee_id) or txn.payee
        if main is None or not txn.total or not payee:
            continue
        amount = -abs(txn.total) if txn.entity in OUTGOING else abs(txn.total)
        yield Booking(payee, main.account_id, main.account, amount, txn.txn_date)


def _open_items(history: list[KnownTxn], stored: list[Stored], names: dict[str, str]) -> OpenItems:
    """Open bills and invoices no record of the client pays yet."""
    linked = {
        str(link.get("TxnId"))
        for record in stored
        if record.entity in ("BillPayment", "Payment") and record.status != EXCLUDED
        for line in payloads.lines(record.payload)
        for link in line.get("LinkedTxn") or []
        if isinstance(link, dict)
    }
    return OpenItems(
        OpenItem(t.entity, t.qbo_id, t.txn_date, t.balance or Decimal(0), t.payee_id,
                 names.get(t.payee_id) or t.payee, t.doc_number)
        for entity in ("Bill", "Invoice")
        for t in open_items(history, entity)
        if t.qbo_id not in linked
    )


async def load_books(
    client_id: int, batch_id: int, document_id: int, lines: list[Line], batch_keys: list[str]
) -> Books:
    """The client's books as the batch's `lines` (keyed by `batch_keys`) are proposed against
    them."""
    lists = await reference_lists(client_id)
    keys = await _statement_keys(client_id)
    accounts = await statement_accounts(client_id, [*keys.values(), *batch_keys], lists)
    lo, hi = min(line.date for line in lines), max(line.date for line in lines)
    history = await known_transactions(client_id)
    stored = await _stored_records(client_id, document_id, lo, hi)
    people = {f"{e.entity}:{e.qbo_id}": e for kind in ("Vendor", "Customer")
              for e in lists.of(kind) if e.active}  # fmt: skip
    names = {e.qbo_id: e.name for kind in ("Employee", "Customer", "Vendor")
             for e in lists.of(kind)}  # fmt: skip
    allowed = {a.qbo_id: a.name for a in lists.accounts()
               if a.kind not in payloads.category_types_excluded("Purchase")}  # fmt: skip
    own = OwnAccounts(
        {key: own_account(entry) if entry else None for key, entry in accounts.items()},
        [own_account(a) for a in lists.accounts(BANK, CREDIT_CARD)],
        [*lines, *await _other_lines(client_id, batch_id, keys, lo, hi)],
    )
    return Books(
        lists=lists,
        accounts=accounts,
        history=history,
        stored=stored,
        own=own,
        vendors=NameIndex((k, e.name) for k, e in people.items() if e.entity == "Vendor"),
        customers=NameIndex((k, e.name) for k, e in people.items() if e.entity == "Customer"),
        suggester=PayeeHistory(_bookings(history, names), allowed),
        open=_open_items(history, stored, names),
        people=people,
        names=names,
    )
