"""Money the client earns: Invoice, Estimate, SalesReceipt, CreditMemo (QuickBooks adds their
subtotal line itself) and Payment (its lines LinkedTxn to Invoices or CreditMemos)."""

from __future__ import annotations

from typing import Any

from zera.qbo.mapping.common import NameIds, outgoing, without_subtotals


def sales_form(payload: dict[str, Any], names: NameIds) -> dict[str, Any]:
    return without_subtotals(outgoing(payload, names))


def payment(payload: dict[str, Any], names: NameIds) -> dict[str, Any]:
    out = outgoing(payload, names)
    for line in out.get("Line") or []:
        for link in line.get("LinkedTxn") or []:
            link.setdefault("TxnType", "Invoice")
    return out
