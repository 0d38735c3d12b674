"""Proposals: each line of a stored statement batch becomes a record to review.

The statement's account is matched once per client to a QuickBooks Bank or Credit Card account
(by its last four digits in the account's name or number), else asked once on Review and
remembered. Money out of a bank account is a Purchase (Check with the check number as DocNumber,
else Cash); on a card a Purchase paid by CreditCard, a refund a credit; money in a Deposit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zera.accounts.audit import SYSTEM, Actor
from zera.db.tables import Batch, BatchLine, Document, StatementAccount
from zera.review import payloads
from zera.review.lines import LINE_COLUMNS, line_view
from zera.review.records import Flag, NewRecord, add_records, delete_proposals
from zera.review.summary import StatementSummary, decode_summaries
from zera.sync.lists import BANK, CREDIT_CARD, ListEntry, ReferenceLists, reference_lists


def statement_key(summary: StatementSummary) -> str:
    kind = "credit_card" if summary.account_type == "credit_card" else "bank"
    return f"{kind}:{summary.account or '?'}"


def statement_label(key: str) -> str:
    kind, _, last4 = key.partition(":")
    what = "Credit card" if kind == "credit_card" else "Bank account"
    return f"{what} ····{last4}" if last4 and last4 != "?" else what


def account_kind(key: str) -> str:
    return CREDIT_CARD if key.startswith("credit_card:") else BANK


def match_account(key: str, lists: ReferenceLists) -> ListEntry | None:
    """The one active account of the statement's kind whose name or number ends in its last
    four digits (None when none or several do)."""
    last4 = key.partition(":")[2]
    if not last4.isdigit():
        return None
    found = [
        a
        for a in lists.accounts(account_kind(key))
        if a.number.endswith(last4) or last4 in "".join(c for c in a.name if c.isdigit())[-4:]
    ]
    return found[0] if len(found) == 1 else None


async def remembered_accounts(client_id: int) -> dict[str, str]:
    rows = (
        await StatementAccount.select(StatementAccount.key, StatementAccount.qbo_account_id)
        .where(StatementAccount.client_id == client_id)
        .run()
    )
    return {row["key"]: row["qbo_account_id"] for row in rows}


def _ref(entry: ListEntry) -> dict[str, Any]:
    return {"value": entry.qbo_id, "name": entry.name}


@dataclass(frozen=True)
class _Statement:
    summary: StatementSummary
    key: str
    bank: ListEntry | None


async def propose_batch(client_id: int, batch_id: int, *, actor: Actor = SYSTEM) -> int:
    """Turn the batch's lines into records to review (replacing the document's untouched
    proposals); returns how many were made."""
    batch = await Batch.select().where(Batch.id == batch_id).first().run()
    if batch is None or batch["client_id"] != client_id:
        return 0
    document = (
        await Document.select(Document.filename).where(Document.id == batch["document_id"]).first()
        .run()
    )  # fmt: skip
    filename = document["filename"] if document else ""
    lists = await reference_lists(client_id)
    remembered = await remembered_accounts(client_id)
    statements = {}
    for summary in decode_summaries(batch["statements"]):
        key = statement_key(summary)
        known = remembered.get(key)
        bank = lists.get("Account", known) if known else match_account(key, lists)
        statements[summary.index] = _Statement(summary, key, bank)
    rows = (
        await BatchLine.select(*LINE_COLUMNS)
        .where(BatchLine.batch_id == batch_id)
        .order_by(BatchLine.statement_index)
        .order_by(BatchLine.position)
        .run()
    )
    await delete_proposals(batch["document_id"])
    new = []
    for row in rows:
        line = line_view(row)
        st = statements[line.statement_index]
        card = st.key.startswith("credit_card:")
        entity = "Deposit" if line.amount > 0 and not card else "Purchase"
        facts = payloads.BankFacts(
            bank=_ref(st.bank) if st.bank else None,
            amount=line.amount,
            card=card,
            txn_date=line.txn_date.isoformat(),
            payee=None,
            category=None,
            description=line.description,
            note=f"{filename}, page {line.page}",
            doc_number=line.check_number,
        )
        flags = [Flag(f.kind, f.message) for f in line.flags]
        if st.bank is None:
            flags.append(Flag("account", f"Which QuickBooks account is {statement_label(st.key)}?"))
        new.append(
            NewRecord(
                entity=entity,
                payload=payloads.bank_payload(entity, facts),
                source="document",
                document_id=batch["document_id"],
                line_id=line.id,
                statement_key=st.key,
                period_start=st.summary.period_start,
                period_end=st.summary.period_end,
                bank_text=line.description,
                confidence=0.0,
                flags=flags,
                amount=line.amount,
            )
        )
    await add_records(actor, client_id, new)
    return len(new)
