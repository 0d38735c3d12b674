"""Money the client spends: Purchase (check, cash or card, a card refund as Credit), Bill,
VendorCredit, PurchaseOrder, and BillPayment (its lines LinkedTxn to the Bills it pays)."""

from __future__ import annotations

from typing import Any

from zera.qbo.mapping.common import NameIds, outgoing


def purchase(payload: dict[str, Any], names: NameIds) -> dict[str, Any]:
    out = outgoing(payload, names)
    if out.get("Credit") is not True:
        out.pop("Credit", None)  # Intuit's default; only a card refund says Credit
    return out


def vendor_document(payload: dict[str, Any], names: NameIds) -> dict[str, Any]:
    return outgoing(payload, names)


def bill_payment(payload: dict[str, Any], names: NameIds) -> dict[str, Any]:
    out = outgoing(payload, names)
    for line in out.get("Line") or []:
        for link in line.get("LinkedTxn") or []:
            link.setdefault("TxnType", "Bill")
    return out
