"""What the client's pulled QuickBooks history says, read once per use: each transaction's
payee, the bank or card account it moved money through, its amount as that account saw it, its
categories and, for bills and invoices, what is still open.

Read from the mirror `zera.sync.history` keeps (`qbo_transaction`); one query per call, so a
caller proposing a thousand statement lines reads the history once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from zera.db.tables import QBOTransaction
from zera.jsonmoney import loads

# Money in (+1) or out (-1) of the bank or card account, as the statement would show it.
_SIGN = {"Purchase": -1, "Deposit": +1, "BillPayment": -1, "Payment": +1, "SalesReceipt": +1,
         "Bill": -1, "Invoice": +1, "VendorCredit": +1, "CreditMemo": -1}  # fmt: skip
_PARTY = {"Purchase": "EntityRef", "Bill": "VendorRef", "BillPayment": "VendorRef",
          "VendorCredit": "VendorRef", "PurchaseOrder": "VendorRef", "Invoice": "CustomerRef",
          "Payment": "CustomerRef", "SalesReceipt": "CustomerRef", "CreditMemo": "CustomerRef",
          "Estimate": "CustomerRef"}  # fmt: skip
NOT_POSTING = ("Estimate", "PurchaseOrder")
CATEGORY_DETAILS = ("AccountBasedExpenseLineDetail", "DepositLineDetail")


@dataclass(frozen=True)
class KnownLine:
    account_id: str
    account: str
    amount: Decimal


@dataclass(frozen=True)
class KnownTxn:
    entity: str
    qbo_id: str
    txn_date: dt.date | None
    total: Decimal
    signed: Decimal  # as the bank or card account (or, for a bill or invoice, the payee) saw it
    payee_id: str
    payee: str  # as the transaction names it ("" when it gives only an Id)
    bank_id: str  # the Bank or Credit Card account money moved through ("" for none)
    doc_number: str
    balance: Decimal | None  # what is still open on a Bill or Invoice
    lines: tuple[KnownLine, ...]

    @property
    def is_open(self) -> bool:
        return self.balance is not None and self.balance > 0

    @property
    def main_line(self) -> KnownLine | None:
        """The line carrying most of the amount: the transaction's category."""
        return max(self.lines, key=lambda line: line.amount, default=None)


def _money(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool | float):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _ref(value: Any) -> tuple[str, str]:
    if not isinstance(value, dict):
        return "", ""
    inner = value.get("EntityRef")  # a journal line's {"Type", "EntityRef"}
    if isinstance(inner, dict):
        value = inner
    return str(value.get("value") or ""), str(value.get("name") or "")


def _bank(entity: str, payload: dict[str, Any]) -> tuple[str, str]:
    if entity == "Purchase":
        return _ref(payload.get("AccountRef"))
    if entity in ("Deposit", "Payment", "SalesReceipt"):
        return _ref(payload.get("DepositToAccountRef"))
    if entity == "BillPayment":
        part = payload.get("CheckPayment") or payload.get("CreditCardPayment") or {}
        if isinstance(part, dict):
            return _ref(part.get("BankAccountRef") or part.get("CCAccountRef"))
    return "", ""


def _lines(payload: dict[str, Any]) -> list[dict[str, Any]]:
    found = payload.get("Line")
    return [line for line in found if isinstance(line, dict)] if isinstance(found, list) else []


def known_txn(entity: str, qbo_id: str, payload: dict[str, Any]) -> KnownTxn:
    """One pulled transaction, read the way proposals compare and learn from it."""
    lines = _lines(payload)
    payee_id, payee = _ref(payload.get(_PARTY.get(entity, "")))
    if entity == "Deposit" and not payee_id:
        for line in lines:
            payee_id, payee = _ref((line.get("DepositLineDetail") or {}).get("Entity"))
            if payee_id:
                break
    categories = []
    for line in lines:
        detail = line.get(str(line.get("DetailType") or ""))
        if line.get("DetailType") not in CATEGORY_DETAILS or not isinstance(detail, dict):
            continue
        account_id, account = _ref(detail.get("AccountRef"))
        amount = _money(line.get("Amount"))
        if account_id and amount is not None:
            categories.append(KnownLine(account_id, account, amount))
    total = _money(payload.get("TotalAmt"))
    if total is None:
        total = sum((line.amount for line in categories), Decimal(0))
    sign = _SIGN.get(entity, 0)
    if entity == "Purchase" and payload.get("Credit") is True:
        sign = +1
    raw_date = payload.get("TxnDate")
    try:
        txn_date = dt.date.fromisoformat(str(raw_date)[:10]) if raw_date else None
    except ValueError:
        txn_date = None
    return KnownTxn(
        entity=entity,
        qbo_id=qbo_id,
        txn_date=txn_date,
        total=total,
        signed=total * sign,
        payee_id=payee_id,
        payee=payee,
        bank_id=_bank(entity, payload)[0],
        doc_number=str(payload.get("DocNumber") or ""),
        balance=_money(payload.get("Balance")) if entity in ("Bill", "Invoice") else None,
        lines=tuple(categories),
    )


async def known_transactions(client_id: int) -> list[KnownTxn]:
    """Every transaction of the client's pulled history that is still in QuickBooks (posting
    ones only: no estimates or purchase orders), oldest first."""
    rows = (
        await QBOTransaction.select(
            QBOTransaction.entity, QBOTransaction.qbo_id, QBOTransaction.payload
        )
        .where(
            (QBOTransaction.client_id == client_id)
            & (QBOTransaction.deleted == False)  # noqa: E712 (Piccolo builds SQL from ==)
            & QBOTransaction.entity.not_in(list(NOT_POSTING))
        )
        .order_by(QBOTransaction.txn_date)
        .run()
    )
    out = []
    for row in rows:
        raw = row["payload"]
        payload = loads(raw) if isinstance(raw, str | bytes) else raw
        if isinstance(payload, dict):
            out.append(known_txn(row["entity"], row["qbo_id"], payload))
    return out


def open_items(transactions: list[KnownTxn], entity: str) -> list[KnownTxn]:
    """The bills (or invoices) with something still to pay."""
    return [t for t in transactions if t.entity == entity and t.is_open]
