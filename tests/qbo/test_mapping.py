"""The JSON Zera sends to Intuit for each of the 14 types, held as a snapshot so any change to
what goes to QuickBooks shows up in review. Refresh after an intended change with
ZERA_UPDATE_SNAPSHOTS=1 pytest tests/qbo/test_mapping.py (never under CI)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.extract.test_extract_snapshot import may_update_snapshots
from zera.jsonmoney import dumps
from zera.qbo.mapping import MAPPINGS, MappingError, to_intuit
from zera.review.payloads import TYPES

SNAPSHOT = Path(__file__).with_name("snapshots") / "mapping.json"
BANK = {"value": "35", "name": "Business Checking"}
NAMES = {("Vendor", "fresh sod farms"): "301", ("Customer", "amy's bird sanctuary"): "302"}


def _line(detail: str, amount: str, **inner: Any) -> dict[str, Any]:
    return {"Amount": amount, "DetailType": detail, detail: inner}


def _expense(amount: str = "84.10") -> dict[str, Any]:
    return _line("AccountBasedExpenseLineDetail", amount,
                 AccountRef={"value": "57", "name": "Fuel"}, ClassRef={"value": "4"})  # fmt: skip


def _sale(amount: str = "220.00") -> dict[str, Any]:
    return _line("SalesItemLineDetail", amount, ItemRef={"value": "9", "name": "Landscape Design"},
                 Qty="2", UnitPrice="110.00")  # fmt: skip


SUBTOTAL = {"Amount": "220.00", "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}
NOTE = "statement-2026-03.pdf, page 2"
PAYLOADS: dict[str, dict[str, Any]] = {
    "Purchase": {"PaymentType": "Check", "AccountRef": BANK, "DocNumber": "1207",
                 "TxnDate": "2026-03-03", "PrivateNote": NOTE,
                 "EntityRef": {"name": "Fresh Sod Farms", "type": "Vendor"}, "Line": [_expense()]},
    "Deposit": {"DepositToAccountRef": BANK, "TxnDate": "2026-03-04", "PrivateNote": NOTE,
                "Line": [_line("DepositLineDetail", "500.00", AccountRef={"value": "80"},
                               Entity={"value": "58", "name": "Amy", "type": "Customer"})]},
    "Bill": {"VendorRef": {"value": "41", "name": "SiteOne"}, "DueDate": "2026-04-02",
             "Line": [_expense("1250.00")]},
    "BillPayment": {"VendorRef": {"value": "41"}, "PayType": "Check",
                    "CheckPayment": {"BankAccountRef": BANK}, "TotalAmt": "310.50",
                    "Line": [{"Amount": "310.50", "LinkedTxn": [{"TxnId": "144"}]}]},
    "Invoice": {"CustomerRef": {"name": "Amy's Bird Sanctuary"}, "Line": [_sale(), SUBTOTAL]},
    "Payment": {"CustomerRef": {"value": "58"}, "TotalAmt": "220.00",
                "Line": [{"Amount": "220.00", "LinkedTxn": [{"TxnId": "145"}]}]},
    "JournalEntry": {"TxnDate": "2026-03-31", "Line": [
        _line("JournalEntryLineDetail", "300.00", PostingType="Debit", AccountRef={"value": "90"}),
        _line("JournalEntryLineDetail", "300.00", PostingType="Credit",
              AccountRef={"value": "91"})]},
    "CreditMemo": {"CustomerRef": {"value": "58"}, "Line": [_sale("160.00")]},
    "VendorCredit": {"VendorRef": {"value": "41"}, "Line": [_expense("40.00")]},
    "Estimate": {"CustomerRef": {"value": "58"}, "Line": [_sale("975.00")]},
    "PurchaseOrder": {"VendorRef": {"value": "41"}, "Line": [_expense("612.00")]},
    "SalesReceipt": {"CustomerRef": {"value": "58"}, "DepositToAccountRef": {"value": "36"},
                     "Line": [_sale("190.00")]},
    "Transfer": {"FromAccountRef": BANK, "ToAccountRef": {"value": "36", "name": "Savings"},
                 "Amount": "1000.00", "TxnDate": "2026-03-05"},
    "CreditCardPayment": {"CreditCardAccountRef": {"value": "40", "name": "Chase Ink Visa"},
                          "BankAccountRef": BANK, "Amount": "750.00", "TxnDate": "2026-03-06"},
}  # fmt: skip


def test_every_type_zera_writes_has_a_mapping() -> None:
    assert set(MAPPINGS) == set(TYPES) == set(PAYLOADS)


def test_the_json_sent_for_every_type_matches_its_snapshot() -> None:
    got = {entity: to_intuit(entity, payload, NAMES) for entity, payload in PAYLOADS.items()}
    # Readable on review: amounts appear as their exact digits (the next test checks that they
    # leave as JSON numbers).
    text = json.dumps(got, indent=1, default=str) + "\n"
    if may_update_snapshots():
        SNAPSHOT.write_text(text)
    assert json.loads(text) == json.loads(SNAPSHOT.read_text())


def test_money_goes_out_as_exact_numbers_and_new_names_get_their_ids() -> None:
    body = to_intuit("Purchase", PAYLOADS["Purchase"], NAMES)
    assert body["EntityRef"] == {"value": "301", "type": "Vendor"}
    amount = body["Line"][0]["Amount"]
    assert isinstance(amount, Decimal) and amount == Decimal("84.10")
    assert '"Amount":84.10' in dumps(body)
    invoice = to_intuit("Invoice", PAYLOADS["Invoice"], NAMES)
    assert [line["DetailType"] for line in invoice["Line"]] == ["SalesItemLineDetail"]


def test_a_name_without_an_id_is_refused_rather_than_sent() -> None:
    with pytest.raises(MappingError, match="Fresh Sod Farms"):
        to_intuit("Purchase", PAYLOADS["Purchase"], {})
