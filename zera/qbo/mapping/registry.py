"""One registry: entity type -> the function that writes its Intuit JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zera.qbo.mapping import expenses, journals, sales
from zera.qbo.mapping.common import MappingError, NameIds

Mapping = Callable[[dict[str, Any], NameIds], dict[str, Any]]

MAPPINGS: dict[str, Mapping] = {
    "Purchase": expenses.purchase,
    "Bill": expenses.vendor_document,
    "VendorCredit": expenses.vendor_document,
    "PurchaseOrder": expenses.vendor_document,
    "BillPayment": expenses.bill_payment,
    "Invoice": sales.sales_form,
    "Estimate": sales.sales_form,
    "SalesReceipt": sales.sales_form,
    "CreditMemo": sales.sales_form,
    "Payment": sales.payment,
    "JournalEntry": journals.journal_entry,
    "Deposit": journals.deposit,
    "Transfer": journals.between_accounts,
    "CreditCardPayment": journals.between_accounts,
}


def to_intuit(entity: str, payload: dict[str, Any], names: NameIds | None = None) -> dict[str, Any]:
    """The JSON body Intuit expects for creating `entity` from a record's payload."""
    mapping = MAPPINGS.get(entity)
    if mapping is None:
        raise MappingError(f"'{entity}' is not a type Zera writes to QuickBooks.")
    return mapping(payload, names or {})


__all__ = ["MAPPINGS", "MappingError", "NameIds", "to_intuit"]
