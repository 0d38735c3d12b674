"""What Intuit answers that a sync client depends on, driven by python-quickbooks over HTTP:
sales forms' subtotal line, Preferences' OtherPrefs and EmailMessagesPrefs, and the attachable
queries clients use (entity names in FROM without regard to case, nested AttachableRef paths).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from quickbooks.objects.account import Account
from quickbooks.objects.attachable import Attachable, AttachableRef
from quickbooks.objects.base import Ref
from quickbooks.objects.bill import Bill
from quickbooks.objects.creditmemo import CreditMemo
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import (
    AccountBasedExpenseLine,
    AccountBasedExpenseLineDetail,
    DetailLine,
    DiscountLineDetail,
    SalesItemLine,
    SalesItemLineDetail,
)
from quickbooks.objects.estimate import Estimate
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.preferences import Preferences
from quickbooks.objects.salesreceipt import SalesReceipt
from quickbooks.objects.vendor import Vendor
from sandbox_harness import Api, Company, Sandbox

from zera.sandbox import fields

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SALES_FORMS = (Invoice, Estimate, SalesReceipt, CreditMemo)


def _customer(qb: Any) -> Customer:
    customer = Customer()
    customer.DisplayName = "Fidelity Customer"
    saved: Customer = customer.save(qb=qb)
    return saved


def _item(qb: Any) -> Item:
    item = Item()
    item.Name, item.Type = "Pest Control", "Service"
    item.IncomeAccountRef = Account.where("AccountType = 'Income'", qb=qb)[0].to_ref()
    saved: Item = item.save(qb=qb)
    return saved


def _item_line(item: Item, amount: str, description: str = "Pest Control Services") -> Any:
    line = SalesItemLine()
    line.Amount, line.Description = Decimal(amount), description
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = item.to_ref()
    return line


def _discount_line(amount: str) -> Any:
    line = DetailLine()
    line.Amount, line.DetailType = Decimal(amount), "DiscountLineDetail"
    line.DiscountLineDetail = DiscountLineDetail()
    line.DiscountLineDetail.PercentBased = True
    line.DiscountLineDetail.DiscountPercent = 10
    return line


def _kinds(form: Any) -> list[str]:
    return [line.DetailType for line in form.Line]


# -- sales forms: the subtotal line --------------------------------------------------------------

def test_an_estimate_with_a_discount_reads_back_item_subtotal_discount(company: Company) -> None:
    """python-quickbooks' Estimate integration test: an item line and a discount line go in;
    the discount comes back as the third line, after Intuit's subtotal line."""
    estimate = Estimate()
    estimate.CustomerRef = _customer(company.qb).to_ref()
    estimate.Line = [_item_line(_item(company.qb), "35.00"), _discount_line("3.50")]
    saved = estimate.save(qb=company.qb)

    fetched = Estimate.get(saved.Id, qb=company.qb)

    assert _kinds(fetched) == ["SalesItemLineDetail", "SubTotalLineDetail", "DiscountLineDetail"]
    assert Decimal(str(fetched.Line[1].Amount)) == Decimal("35")
    assert Decimal(str(fetched.Line[2].Amount)) == Decimal("3.5")
    assert fetched.Line[2].DiscountLineDetail.DiscountPercent == 10
    assert Decimal(str(fetched.TotalAmt)) == Decimal("31.5")
    raw = company.api.get(f"/estimate/{saved.Id}").json()["Estimate"]["Line"][1]
    assert raw == {"Amount": 35, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}


@pytest.mark.parametrize("form_class", SALES_FORMS, ids=lambda c: c.__name__)
def test_every_sales_form_gets_one_subtotal_after_its_item_lines(
    company: Company, form_class: Any,
) -> None:
    item = _item(company.qb)
    form = form_class()
    form.CustomerRef = _customer(company.qb).to_ref()
    form.Line = [_item_line(item, "40.00"), _item_line(item, "2.50", "Travel")]

    saved = form.save(qb=company.qb)

    assert _kinds(saved) == ["SalesItemLineDetail", "SalesItemLineDetail", "SubTotalLineDetail"]
    assert Decimal(str(saved.Line[2].Amount)) == Decimal("42.5")
    assert Decimal(str(saved.TotalAmt)) == Decimal("42.5")
    assert [line.LineNum for line in saved.Line[:2]] == [1, 2]


def test_a_full_update_that_sends_the_subtotal_back_does_not_double_it(company: Company) -> None:
    """python-quickbooks saves every line it read, the subtotal included."""
    invoice = Invoice()
    invoice.CustomerRef = _customer(company.qb).to_ref()
    invoice.Line = [_item_line(_item(company.qb), "100.00")]
    invoice = Invoice.get(invoice.save(qb=company.qb).Id, qb=company.qb)
    invoice.Line[0].Amount = Decimal("120.00")
    invoice.PrivateNote = "Repriced"

    updated = invoice.save(qb=company.qb)
    again = Invoice.get(updated.Id, qb=company.qb)
    again.save(qb=company.qb)
    final = Invoice.get(updated.Id, qb=company.qb)

    assert _kinds(final) == ["SalesItemLineDetail", "SubTotalLineDetail"]
    assert Decimal(str(final.Line[1].Amount)) == Decimal("120")
    assert Decimal(str(final.TotalAmt)) == Decimal(str(final.Balance)) == Decimal("120")
    assert final.SyncToken == "2"


def test_a_sparse_update_keeps_the_one_subtotal(company: Company) -> None:
    receipt = SalesReceipt()
    receipt.Line = [_item_line(_item(company.qb), "18.00")]
    saved = receipt.save(qb=company.qb)

    body = {"Id": saved.Id, "SyncToken": saved.SyncToken, "sparse": True, "PrivateNote": "n"}
    updated = company.qb.update_object("SalesReceipt", json.dumps(body))["SalesReceipt"]

    assert [line["DetailType"] for line in updated["Line"]] == [
        "SalesItemLineDetail", "SubTotalLineDetail"]
    assert fields.unknown_fields("SalesReceipt", updated) == []


def test_seeded_sales_forms_carry_their_subtotal_detail(sandbox: Sandbox) -> None:
    api = Api(sandbox.base, sandbox.seeded_realm)
    invoice = api.query("SELECT * FROM Invoice MAXRESULTS 1").json()["QueryResponse"]["Invoice"][0]
    subtotals = [line for line in invoice["Line"] if line["DetailType"] == "SubTotalLineDetail"]
    items = [line for line in invoice["Line"] if line["DetailType"] == "SalesItemLineDetail"]
    assert len(subtotals) == 1 and subtotals[0]["SubTotalLineDetail"] == {}
    assert Decimal(str(subtotals[0]["Amount"])) == sum(
        (Decimal(str(line["Amount"])) for line in items), Decimal(0))


# -- Preferences ---------------------------------------------------------------------------------

def test_preferences_always_carry_other_prefs_and_email_messages(company: Company) -> None:
    """python-quickbooks' Preferences integration test reads both sections, then updates the
    estimate message's subject and reads it back."""
    preferences = Preferences.get(qb=company.qb)
    assert preferences.OtherPrefs.NameValue[0].Name == "SalesFormsPrefs.DefaultCustomerMessage"
    assert preferences.EmailMessagesPrefs.EstimateMessage.Subject

    preferences.EmailMessagesPrefs.EstimateMessage.Subject = "Your estimate from Fidelity Co"
    preferences.save(qb=company.qb)

    updated = Preferences.get(qb=company.qb)
    assert updated.EmailMessagesPrefs.EstimateMessage.Subject == "Your estimate from Fidelity Co"
    assert updated.OtherPrefs.NameValue


def test_a_full_preferences_update_without_the_sections_still_answers_with_them(
    api: Api,
) -> None:
    current = api.get("/preferences").json()["Preferences"]
    answer = api.post("/preferences", {"Id": current["Id"], "SyncToken": current["SyncToken"],
                                       "SalesFormsPrefs": {"CustomTxnNumbers": True}})
    assert answer.status_code == 200, answer.text
    for body in (answer.json()["Preferences"], api.get("/preferences").json()["Preferences"]):
        assert body["OtherPrefs"] == current["OtherPrefs"]
        assert set(body["EmailMessagesPrefs"]) == {"InvoiceMessage", "EstimateMessage",
                                                   "SalesReceiptMessage", "StatementMessage"}
        assert fields.unknown_fields("Preferences", body) == []


def test_the_seeded_company_has_both_sections_too(sandbox: Sandbox) -> None:
    body = Api(sandbox.base, sandbox.seeded_realm).get("/preferences").json()["Preferences"]
    assert body["OtherPrefs"]["NameValue"] and body["EmailMessagesPrefs"]["InvoiceMessage"]


# -- Attachable queries --------------------------------------------------------------------------

def _bill(qb: Any, amount: str = "64.00") -> Bill:
    vendor = Vendor()
    vendor.DisplayName = f"Fidelity Vendor {amount}"
    line = AccountBasedExpenseLine()
    line.Amount = Decimal(amount)
    line.AccountBasedExpenseLineDetail = AccountBasedExpenseLineDetail()
    line.AccountBasedExpenseLineDetail.AccountRef = Account.where(
        "AccountType = 'Expense'", qb=qb)[0].to_ref()
    bill = Bill()
    bill.VendorRef, bill.Line = vendor.save(qb=qb).to_ref(), [line]
    saved: Bill = bill.save(qb=qb)
    return saved


def _attach(qb: Any, targets: list[Ref], name: str, tmp_path: Path) -> Attachable:
    attachable = Attachable()
    for target in targets:
        reference = AttachableRef()
        reference.EntityRef = target
        attachable.AttachableRef.append(reference)
    path = tmp_path / name
    path.write_bytes(f"receipt {name}".encode())
    attachable.FileName, attachable.ContentType = name, "text/plain"
    attachable._FilePath = str(path)
    saved: Attachable = attachable.save(qb=qb)
    return saved


def _typed(ref: Ref, kind: str) -> Ref:
    ref.type = kind
    return ref


def test_the_attachments_of_one_transaction_are_found_by_its_type_and_id(
    company: Company, tmp_path: Path,
) -> None:
    """Given files uploaded with python-quickbooks against two bills and an invoice, when a
    client lists one bill's attachments as Intuit's docs write it, then only that bill's come
    back (an Id alone could name an invoice too)."""
    bill, other = _bill(company.qb), _bill(company.qb, "12.00")
    invoice = Invoice()
    invoice.CustomerRef = _customer(company.qb).to_ref()
    invoice.Line = [_item_line(_item(company.qb), "9.00")]
    invoice = invoice.save(qb=company.qb)
    assert invoice.Id == bill.Id  # both numbered from 1: the type is what tells them apart
    mine = _attach(company.qb, [_typed(bill.to_ref(), "Bill")], "mine.txt", tmp_path)
    _attach(company.qb, [_typed(other.to_ref(), "Bill")], "other.txt", tmp_path)
    _attach(company.qb, [_typed(invoice.to_ref(), "Invoice")], "invoice.txt", tmp_path)

    found = Attachable.where(
        f"AttachableRef.EntityRef.Type = 'Bill' and AttachableRef.EntityRef.value = '{bill.Id}'",
        qb=company.qb)

    assert [a.Id for a in found] == [mine.Id]
    assert found[0].FileName == "mine.txt" and found[0].Size == len(b"receipt mine.txt")


def test_one_attachable_ref_must_match_every_condition_on_the_list(
    company: Company, tmp_path: Path,
) -> None:
    """An attachable linked to Bill 1 and to Invoice 2 is not "attached to Bill 2": the
    conditions on AttachableRef hold for one and the same reference."""
    bill = _bill(company.qb)
    customer, item = _customer(company.qb), _item(company.qb)
    invoices = []
    for amount in ("1.00", "2.00"):
        invoice = Invoice()
        invoice.CustomerRef, invoice.Line = customer.to_ref(), [_item_line(item, amount)]
        invoices.append(invoice.save(qb=company.qb))
    assert bill.Id != invoices[1].Id
    both = _attach(company.qb, [_typed(bill.to_ref(), "Bill"),
                                _typed(invoices[1].to_ref(), "Invoice")], "both.txt", tmp_path)

    def attached(kind: str, entity_id: str) -> list[str]:
        where = (f"AttachableRef.EntityRef.Type = '{kind}' "
                 f"AND AttachableRef.EntityRef.Value = '{entity_id}'")
        return [a.Id for a in Attachable.where(where, qb=company.qb)]

    assert attached("Bill", invoices[1].Id) == []
    assert attached("Bill", bill.Id) == attached("invoice", invoices[1].Id) == [both.Id]


def test_entity_names_in_from_are_read_without_regard_to_case(
    company: Company, tmp_path: Path,
) -> None:
    bill = _bill(company.qb)
    saved = _attach(company.qb, [_typed(bill.to_ref(), "Bill")], "any-case.txt", tmp_path)

    answer = company.qb.query("select * from attachable")

    assert [a["Id"] for a in answer["QueryResponse"]["Attachable"]] == [saved.Id]
    for entity in fields.SERVED_ENTITIES:
        exact = company.api.query(f"SELECT COUNT(*) FROM {entity}").json()  # noqa: S608 (Intuit query)
        lower = company.api.query(f"select count(*) from {entity.lower()}").json()  # noqa: S608
        assert lower["QueryResponse"] == exact["QueryResponse"], entity
