"""Likely duplicates: a proposal that repeats a transaction already in QuickBooks or another
record of the client (same account and amount, within three days, same payee where both name
one) is flagged and kept below the bulk-approval confidence, never dropped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from zera.categorize import name_key
from zera.categorize.duplicates import DuplicateIndex, Seen
from zera.review import payloads
from zera.review.proposals.books import Books
from zera.review.proposals.proposer import Draft, money_text
from zera.review.records import EXCLUDED, Flag

DUPLICATE_CONFIDENCE = 0.5  # below records.LOW_CONFIDENCE: bulk approval leaves it alone

_SIDES = {
    "Transfer": (("FromAccountRef", -1), ("ToAccountRef", +1)),
    "CreditCardPayment": (("BankAccountRef", -1), ("CreditCardAccountRef", +1)),
}


def _touches(
    entity: str, payload: dict[str, Any], amount: Decimal, key: str, books: Books
) -> dict[str, Decimal]:
    """Each account a record moves money through, with the amount as that account saw it (a
    statement account not matched to QuickBooks yet stands for itself)."""
    out: dict[str, Decimal] = {}
    if key:
        out[f"stmt:{key}"] = amount
        own = books.accounts.get(key)
        if own:
            out[f"acct:{own.qbo_id}"] = amount
    if entity in _SIDES:
        size = payloads.total(entity, payload)
        for name, sign in _SIDES[entity]:
            if value := payloads.ref_value(payload.get(name)):
                out[f"acct:{value}"] = size * sign
    elif entity in payloads.TYPES and (
        value := payloads.ref_value(payloads.bank_ref(entity, payload))
    ):
        out[f"acct:{value}"] = amount
    return out


def _label(date: dt.date | None, payee: str, amount: Decimal) -> str:
    return ", ".join(p for p in (str(date) if date else "", payee, money_text(amount)) if p)


def flag_duplicates(books: Books, drafts: list[Draft], kept: set[int]) -> None:
    """Flag each draft that repeats a transaction in QuickBooks or another record (same
    account and amount, within DAYS days, same payee where both name one). The records kept
    for the lines read again are those lines, not copies of them."""
    in_quickbooks = {(t.entity, t.qbo_id) for t in books.history}
    from_quickbooks = DuplicateIndex(
        Seen({f"acct:{t.bank_id}": t.signed}, t.txn_date, payee_id=t.payee_id,
             label=f"QuickBooks {t.entity} {t.qbo_id}, "
             + _label(t.txn_date, books.names.get(t.payee_id) or t.payee, t.total))
        for t in books.history
        if t.bank_id and t.signed
    )  # fmt: skip
    records = DuplicateIndex(
        Seen(_touches(r.entity, r.payload, r.amount, r.statement_key, books), r.txn_date,
             payee_id=payloads.ref_value(payloads.payee_ref(r.entity, r.payload)),
             payee=" ".join(name_key(r.payee)),
             label=f"record {r.id}, " + _label(r.txn_date, r.payee or r.bank_text, r.amount))
        for r in books.stored
        if r.status != EXCLUDED and r.id not in kept and r.entity in payloads.TYPES
        and not (r.qbo_id and (r.entity, r.qbo_id) in in_quickbooks)
    )  # fmt: skip
    for draft in drafts:
        line = draft.line
        touches = _touches(draft.entity, draft.payload, line.amount, draft.st.key, books)
        if draft.other_key:
            touches[f"stmt:{draft.other_key}"] = -line.amount
        payee_id = draft.payee.qbo_id if draft.payee else ""
        name = " ".join(name_key(draft.payee.name if draft.payee else draft.new_payee))
        found = (
            from_quickbooks.find(Seen(touches, line.txn_date, payee_id=payee_id)),
            records.find(Seen(touches, line.txn_date, payee_id=payee_id, payee=name)),
        )
        for known in found:
            if known is not None:
                draft.flags.append(Flag("duplicate", f"likely duplicate of {known.label}"))
        if any(f.kind == "duplicate" for f in draft.flags):
            draft.confidence = min(draft.confidence, DUPLICATE_CONFIDENCE)
