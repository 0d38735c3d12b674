"""python-quickbooks + intuit-oauth, unchanged, against the sandbox over real HTTP.

These are the proof that a third-party QBO client works with only the base URLs changed.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pypdf
import pytest
from quickbooks.batch import batch_create, batch_delete
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import ObjectNotFoundException, QuickbooksException
from quickbooks.objects.account import Account
from quickbooks.objects.attachable import Attachable, AttachableRef
from quickbooks.objects.bill import Bill
from quickbooks.objects.billpayment import BillPayment, BillPaymentLine, CheckPayment
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import (
    AccountBasedExpenseLine,
    AccountBasedExpenseLineDetail,
    SalesItemLine,
    SalesItemLineDetail,
)
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.journalentry import JournalEntry, JournalEntryLine, JournalEntryLineDetail
from quickbooks.objects.payment import Payment, PaymentLine
from quickbooks.objects.vendor import Vendor
from sandbox_harness import Sandbox, auth_client, consent

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _unique(prefix: str) -> str:
    return f"{prefix} {datetime.now(UTC).strftime('%H%M%S%f')}"


def _customer(qb: Any, name: str | None = None) -> Customer:
    customer = Customer()
    customer.DisplayName = name or _unique("Customer")
    return customer.save(qb=qb)


def _service_item(qb: Any) -> Item:
    income = Account.where("AccountType = 'Income'", qb=qb)[0]
    item = Item()
    item.Name = _unique("Service")
    item.Type = "Service"
    item.IncomeAccountRef = income.to_ref()
    return item.save(qb=qb)


def _invoice(qb: Any, customer: Customer, item: Item, amount: str = "150.00") -> Invoice:
    line = SalesItemLine()
    line.Amount = Decimal(amount)
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = item.to_ref()
    invoice = Invoice()
    invoice.CustomerRef = customer.to_ref()
    invoice.Line = [line]
    return invoice.save(qb=qb)


def test_code_exchange_gives_intuit_shaped_tokens_and_refresh_keeps_value_within_window(
    sandbox: Sandbox,
) -> None:
    """Given the consent page's code, intuit-oauth exchanges it and refreshes it."""
    client = auth_client(sandbox.base)
    callback = consent(sandbox.base, realm=sandbox.realm, state="xyz")
    assert callback["state"] == "xyz" and callback["realmId"] == sandbox.realm

    client.get_bearer_token(callback["code"], realm_id=callback["realmId"])
    first_refresh = client.refresh_token
    assert client.access_token and client.expires_in == 3600
    assert 0 < client.x_refresh_token_expires_in <= 100 * 86400

    client.refresh()
    # Inside the 24 h rotation window the same refresh value comes back (QBO-API.md §1).
    assert client.refresh_token == first_refresh
    assert client.access_token


def test_create_read_and_sparse_update_bump_sync_token(qb: Any) -> None:
    created = _customer(qb)
    assert created.Id and created.SyncToken == "0"
    assert created.MetaData["CreateTime"]

    fetched = Customer.get(created.Id, qb=qb)
    assert fetched.DisplayName == created.DisplayName

    # The library's objects always send every attribute, so a sparse update goes through its
    # lower-level update_object with only the changed field.
    json_payload = {"Id": fetched.Id, "SyncToken": fetched.SyncToken, "sparse": True,
                    "CompanyName": "Sparse Ltd"}
    result = qb.update_object("Customer", json.dumps(json_payload))
    updated = result["Customer"]
    assert updated["SyncToken"] == "1"
    assert updated["CompanyName"] == "Sparse Ltd"
    assert updated["DisplayName"] == created.DisplayName  # sparse keeps what was not sent


def test_stale_sync_token_surfaces_as_the_librarys_5010_exception(qb: Any) -> None:
    """python-quickbooks buckets codes by range; 5010 lands in its generic QuickbooksException
    (client.handle_exceptions), carrying Intuit's code and detail."""
    customer = _customer(qb)
    customer.CompanyName = "First writer"
    customer.save(qb=qb)

    customer.CompanyName = "Second writer"  # still holds SyncToken "0"
    with pytest.raises(QuickbooksException) as caught:
        customer.save(qb=qb)
    assert caught.value.error_code == 5010
    assert "Stale Object Error" in caught.value.detail


def test_invoice_totals_are_computed_and_payment_reduces_balance(qb: Any) -> None:
    customer, item = _customer(qb), _service_item(qb)
    invoice = _invoice(qb, customer, item, "150.00")
    assert Decimal(str(invoice.TotalAmt)) == Decimal("150")
    assert Decimal(str(invoice.Balance)) == Decimal("150")

    payment = Payment()
    payment.CustomerRef = customer.to_ref()
    payment.TotalAmt = Decimal("100.00")
    line = PaymentLine()
    line.Amount = Decimal("100.00")
    line.LinkedTxn = [invoice.to_linked_txn()]
    payment.Line = [line]
    payment.save(qb=qb)

    after = Invoice.get(invoice.Id, qb=qb)
    assert Decimal(str(after.Balance)) == Decimal("50")
    assert int(after.SyncToken) == int(invoice.SyncToken) + 1


def test_delete_and_void_through_the_library(qb: Any) -> None:
    customer, item = _customer(qb), _service_item(qb)
    doomed = _invoice(qb, customer, item)
    doomed.delete(qb=qb)
    with pytest.raises(ObjectNotFoundException):
        Invoice.get(doomed.Id, qb=qb)

    voided = _invoice(qb, customer, item, "80.00")
    result = voided.void(qb=qb)
    assert result["Invoice"]["TotalAmt"] == 0
    assert Invoice.get(voided.Id, qb=qb).PrivateNote == "Voided"


def test_query_pages_with_startposition_and_maxresults(qb: Any) -> None:
    for _ in range(5):
        _customer(qb, _unique("Pager"))
    total = Customer.count("DisplayName LIKE 'Pager%'", qb=qb)
    assert total >= 5
    first = Customer.where("DisplayName LIKE 'Pager%'", order_by="Id", start_position=1,
                           max_results=2, qb=qb)
    second = Customer.where("DisplayName LIKE 'Pager%'", order_by="Id", start_position=3,
                            max_results=2, qb=qb)
    assert len(first) == 2 and len(second) == 2
    assert int(first[-1].Id) < int(second[0].Id)


def test_batch_create_reports_a_per_item_fault(qb: Any) -> None:
    taken = _customer(qb)
    fresh, clash = Customer(), Customer()
    fresh.DisplayName = _unique("Batch")
    clash.DisplayName = taken.DisplayName  # duplicate name: 6240 for that item only

    results = batch_create([fresh, clash], qb=qb)

    assert [c.DisplayName for c in results.successes] == [fresh.DisplayName]
    assert len(results.faults) == 1
    assert results.faults[0].Error[0].code == "6240"


def test_batch_delete_of_a_missing_transaction_faults_alone(qb: Any) -> None:
    customer, item = _customer(qb), _service_item(qb)
    real = _invoice(qb, customer, item)
    ghost = Invoice()
    ghost.Id, ghost.SyncToken = "999999", "0"
    results = batch_delete([real, ghost], qb=qb)
    assert len(results.faults) == 1 and results.faults[0].Error[0].code == "610"


def test_cdc_returns_changes_and_deleted_stubs(qb: Any) -> None:
    since = datetime.now(UTC) - timedelta(minutes=1)
    customer, item = _customer(qb), _service_item(qb)
    kept = _invoice(qb, customer, item)
    gone = _invoice(qb, customer, item)
    gone.delete(qb=qb)

    response = change_data_capture([Invoice, Customer], since.isoformat(), qb=qb)

    invoices = {inv.Id: inv for inv in response.Invoice}
    assert kept.Id in invoices
    assert getattr(invoices[gone.Id], "status", None) == "Deleted"
    assert customer.Id in {c.Id for c in response.Customer}


def test_vendor_name_is_unique_across_customers(qb: Any) -> None:
    customer = _customer(qb)
    vendor = Vendor()
    vendor.DisplayName = customer.DisplayName
    with pytest.raises(Exception) as caught:
        vendor.save(qb=qb)
    assert getattr(caught.value, "error_code", None) == 6240


def _expense_account(qb: Any) -> Account:
    return Account.where("AccountType = 'Expense'", qb=qb)[0]


def test_bill_payment_settles_the_bill_and_its_void_reopens_it(qb: Any) -> None:
    bank = Account.where("AccountType = 'Bank'", qb=qb)[0]
    vendor = Vendor()
    vendor.DisplayName = _unique("Vendor")
    vendor = vendor.save(qb=qb)
    line = AccountBasedExpenseLine()
    line.Amount = Decimal("40.00")
    line.AccountBasedExpenseLineDetail = AccountBasedExpenseLineDetail()
    line.AccountBasedExpenseLineDetail.AccountRef = _expense_account(qb).to_ref()
    bill = Bill()
    bill.VendorRef, bill.Line = vendor.to_ref(), [line]
    bill = bill.save(qb=qb)

    payment = BillPayment()
    payment.VendorRef, payment.PayType, payment.TotalAmt = vendor.to_ref(), "Check", Decimal("40")
    payment.CheckPayment = CheckPayment()
    payment.CheckPayment.BankAccountRef = bank.to_ref()
    paying = BillPaymentLine()
    paying.Amount, paying.LinkedTxn = Decimal("40"), [bill.to_linked_txn()]
    payment.Line = [paying]
    payment = payment.save(qb=qb)
    assert Bill.get(bill.Id, qb=qb).Balance == 0

    payment.void(qb=qb)  # operation=update&include=void with a sparse body
    assert Bill.get(bill.Id, qb=qb).Balance == 40


def test_attachable_upload_through_the_multipart_endpoint(qb: Any) -> None:
    customer = _customer(qb)
    attachable = Attachable()
    reference = AttachableRef()
    reference.EntityRef = customer.to_ref()
    attachable.AttachableRef.append(reference)
    attachable.FileName, attachable.ContentType = "note.txt", "text/plain"
    attachable._FileBytes = b"hello from the sandbox test"

    saved = attachable.save(qb=qb)

    fetched = Attachable.get(saved.Id, qb=qb)
    assert fetched.FileName == "note.txt" and fetched.Size == len(b"hello from the sandbox test")
    assert fetched.AttachableRef[0].EntityRef.value == customer.Id


def test_balanced_journal_entry_through_the_library(qb: Any) -> None:
    bank = Account.where("AccountType = 'Bank'", qb=qb)[0]
    entry = JournalEntry()
    for posting, account in (("Debit", _expense_account(qb)), ("Credit", bank)):
        line = JournalEntryLine()
        line.Amount = Decimal("25.00")
        line.JournalEntryLineDetail = JournalEntryLineDetail()
        line.JournalEntryLineDetail.PostingType = posting
        line.JournalEntryLineDetail.AccountRef = account.to_ref()
        entry.Line.append(line)
    saved = entry.save(qb=qb)
    assert Decimal(str(saved.TotalAmt)) == Decimal("25")


def test_invoice_pdf_download(qb: Any) -> None:
    invoice = _invoice(qb, _customer(qb), _service_item(qb), "75.00")
    content = invoice.download_pdf(qb=qb)
    assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
    text = pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert f"Invoice {invoice.DocNumber}" in text and "Total: 75" in text


def test_item_all_with_its_extra_sku_column_is_answered(qb) -> None:  # type: ignore[no-untyped-def]
    """python-quickbooks' Item.all() sends "SELECT *, Sku FROM Item"; it gets the items."""
    from quickbooks.objects.item import Item

    items = Item.all(max_results=1000, qb=qb)
    assert items and all(item.Name for item in items)
