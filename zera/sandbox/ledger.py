"""Server-computed money: line amounts, TotalAmt, Balance, and what a payment applies to whom.

Intuit computes TotalAmt and Balance and overwrites client values (QBO-API.md §8); Payment and
BillPayment are the exception, where TotalAmt is the client's and lines say what it pays.
Transfer and CreditCardPayment have no lines and no TotalAmt (Finance.xsd): their client's
`Amount` moves money between two balance-sheet accounts and touches no customer or vendor.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zera.sandbox import faults
from zera.sandbox.jsonio import to_decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")

SALES = frozenset({"Invoice", "SalesReceipt", "CreditMemo", "Estimate"})
EXPENSES = frozenset({"Bill", "Purchase", "VendorCredit", "PurchaseOrder"})
NON_AMOUNT_LINES = frozenset({"SubTotalLineDetail", "DescriptionOnly"})
ACCOUNT_MOVES = frozenset({"Transfer", "CreditCardPayment"})
SUBTOTAL = "SubTotalLineDetail"
# Lines a sales form's subtotal sums: what is sold, before discounts (the subtotal comes after
# them and before the discount line, as the QuickBooks form shows it).
_SOLD_LINES = frozenset({"SalesItemLineDetail", "GroupLineDetail"})

# Which targets a paying transaction's LinkedTxn may name, and the sign each contributes.
PAYABLE: dict[str, dict[str, int]] = {
    "Payment": {"Invoice": 1, "CreditMemo": -1},
    "BillPayment": {"Bill": 1, "VendorCredit": -1},
    "Deposit": {"Payment": 1, "SalesReceipt": 1},
}


@dataclass(frozen=True)
class Link:
    """A paying transaction's claim on an open one: `amount` of `target` is settled."""

    entity: str
    id: str
    amount: Decimal


def amount(line: dict[str, Any], index: int) -> Decimal:
    """A line's Amount as Decimal; Qty x UnitPrice fills it for item lines that omit it."""
    raw = line.get("Amount")
    if raw is None or raw == "":
        detail = line.get("SalesItemLineDetail") or line.get("ItemBasedExpenseLineDetail") or {}
        if detail.get("Qty") is not None and detail.get("UnitPrice") is not None:
            try:
                return (to_decimal(detail["Qty"]) * to_decimal(detail["UnitPrice"])).quantize(CENT)
            except (ValueError, ArithmeticError):
                raise faults.invalid_number(f"Line[{index}].Amount", raw) from None
        if line.get("DetailType") in NON_AMOUNT_LINES:
            return ZERO
        raise faults.required_param("Line.Amount")
    try:
        return to_decimal(raw)
    except (ValueError, ArithmeticError):
        raise faults.invalid_number(f"Line[{index}].Amount", raw) from None


def journal_sides(doc: dict[str, Any]) -> tuple[Decimal, Decimal]:
    debit = credit = ZERO
    for i, line in enumerate(doc.get("Line") or []):
        detail = line.get("JournalEntryLineDetail")
        if not detail:
            continue
        if detail.get("PostingType") == "Debit":
            debit += amount(line, i)
        else:
            credit += amount(line, i)
    return debit, credit


def total(entity: str, doc: dict[str, Any]) -> Decimal:
    """TotalAmt as Intuit computes it from the lines."""
    lines = doc.get("Line") or []
    if entity == "JournalEntry":
        return journal_sides(doc)[0]
    if entity in {"Payment", "BillPayment"}:
        return to_decimal(doc.get("TotalAmt", 0))
    if entity in ACCOUNT_MOVES:
        return to_decimal(doc.get("Amount", 0))
    result = ZERO
    for i, line in enumerate(lines):
        kind = line.get("DetailType")
        if kind in NON_AMOUNT_LINES:
            continue
        value = amount(line, i)
        result += -value if kind == "DiscountLineDetail" else value
    if entity in SALES:
        tax = (doc.get("TxnTaxDetail") or {}).get("TotalTax")
        if tax not in (None, ""):
            result += to_decimal(tax)
    if entity == "Deposit":
        cash_back = (doc.get("CashBack") or {}).get("Amount")
        if cash_back not in (None, ""):
            result -= to_decimal(cash_back)
    return result


def with_subtotal(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A sales form's lines as Intuit answers them: one SubTotalLineDetail line, whose Amount is
    the sum of the item lines, after them and before any discount line.

    python-quickbooks' Estimate integration test sends an item line and a discount line and
    reads the discount back as the third line. Subtotal lines a client sends (as it read them)
    are dropped and computed afresh, so sending a form back never doubles its subtotal.
    """
    kept = [line for line in lines if line.get("DetailType") != SUBTOTAL]
    body = [line for line in kept if line.get("DetailType") != "DiscountLineDetail"]
    discounts = [line for line in kept if line.get("DetailType") == "DiscountLineDetail"]
    subtotal = sum((amount(line, i) for i, line in enumerate(body)
                    if line.get("DetailType") in _SOLD_LINES), ZERO)
    return [*body, {"Amount": subtotal, "DetailType": SUBTOTAL, SUBTOTAL: {}}, *discounts]


def links(entity: str, doc: dict[str, Any]) -> list[Link]:
    """What a paying transaction applies: one Link per LinkedTxn on its lines."""
    allowed = PAYABLE.get(entity)
    if not allowed:
        return []
    found: list[Link] = []
    for i, line in enumerate(doc.get("Line") or []):
        for linked in line.get("LinkedTxn") or []:
            kind = str(linked.get("TxnType", ""))
            if kind not in allowed:
                raise faults.invalid_enum(kind, f"Line[{i}].LinkedTxn.TxnType")
            txn_id = str(linked.get("TxnId", "")).strip()
            if not txn_id:
                raise faults.required_param("Line.LinkedTxn.TxnId")
            found.append(Link(kind, txn_id, amount(line, i)))
    return found


def unapplied(entity: str, total_amt: Decimal, applied: list[Link]) -> Decimal:
    """The part of a Payment or BillPayment that no line applies (a credit on account)."""
    signs = PAYABLE[entity]
    return total_amt - sum((signs[link.entity] * link.amount for link in applied), ZERO)
