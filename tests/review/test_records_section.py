"""The Records section: the client's records by status and type, one record with its lines,
source and history, and records typed by hand into a form checked the way Intuit checks them
(against the client's live lists in a connected sandbox company)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from typing import Any

import httpx
import pytest

from tests.conftest import OWNER, csrf_token, post_form, sign_in
from tests.documents.helpers import upload
from tests.extract.corpus import LAYOUTS_BY_NAME, TrueAccount, TrueTx
from tests.extract.render_statement import render
from tests.qbo.conftest import wait_for_jobs
from tests.review.conftest import Books
from tests.review.test_records_cli import open_transaction
from zera.accounts.audit import Actor
from zera.clients import ClientSummary
from zera.review import records
from zera.sync.lists import reference_lists

pytestmark = pytest.mark.db

NOW = dt.datetime.now(dt.UTC)
OLIVE = Actor(user_id=1, email=OWNER["email"])
STAFF_PASSWORD = "staff password 123"
BASE = "http://testserver"


def summary(books: Books) -> ClientSummary:
    return ClientSummary(books.client_id, "Juniper Landscaping", False, NOW, NOW)


async def names(books: Books) -> dict[str, str]:
    """A real vendor and customer of the seeded company."""
    lists = await reference_lists(books.client_id)
    vendor = next(e.name for e in lists.of("Vendor") if e.active)
    customer = next(e.name for e in lists.of("Customer") if e.active)
    return {"vendor": vendor, "customer": customer}


async def stored(books: Books) -> list[records.RecordView]:
    return await records.list_records(summary(books))


def text_of(response: httpx.Response) -> str:
    """The page as text: words only, inline markup dropped, one space between them."""
    inline = re.sub(r"</?(strong|del|ins|span|a|b)\b[^>]*>", "", response.text)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline)))


async def submit(books: Books, form: dict[str, Any], **headers: str) -> httpx.Response:
    """POST the new-record form as a browser does (lists as repeated fields)."""
    token = await csrf_token(books.http, f"/clients/{books.client_id}/records/new")
    return await books.http.post(
        f"/clients/{books.client_id}/records",
        data={**form, "_csrf_token": token},
        headers=headers,
    )


def record_id_of(response: httpx.Response) -> int:
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/clients/\d+/records/(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


async def test_the_new_record_form_offers_each_types_fields_and_live_lists(books: Books) -> None:
    """Given a connected client, when the owner opens New record for an Invoice (page) and a
    Journal entry and a Bill payment (fragments), then each offers its own fields, a line editor
    with the right columns and the company's active items and accounts to pick from."""
    base = f"/clients/{books.client_id}/records/new"
    invoice = await books.http.get(f"{base}?type=Invoice")
    assert invoice.status_code == 200
    assert "<html" in invoice.text and "New invoice" in invoice.text
    for name in ('name="CustomerRef"', 'name="TxnDate"', 'name="line_item"', 'name="line_qty"',
                 'name="line_price"', 'name="line_amount"', 'list="dl-items"'):  # fmt: skip
        assert name in invoice.text, name
    assert '<option value="Landscape Design">' in invoice.text
    assert "/static/records.js" in invoice.text

    journal = await books.http.get(f"{base}?type=JournalEntry", headers={"HX-Request": "true"})
    assert journal.status_code == 200 and "<html" not in journal.text
    assert 'name="line_posting"' in journal.text and 'name="CustomerRef"' not in journal.text
    assert '<option value="Business Checking">' in journal.text  # every account, on a journal

    payment = await books.http.get(f"{base}?type=BillPayment", headers={"HX-Request": "true"})
    assert 'name="PayType"' in payment.text and 'name="PaidFrom"' in payment.text
    assert 'name="line_txn"' in payment.text and "Bill Id" in payment.text

    chooser = await books.http.get(base)
    assert chooser.status_code == 200
    assert len(re.findall(r'href="/clients/\d+/records/new\?type=\w+"', chooser.text)) == 14
    unknown = await books.http.get(f"{base}?type=Cheque")
    assert unknown.status_code == 400 and "is not a record type" in text_of(unknown)


async def test_an_invoice_typed_by_hand_is_stored_to_review_and_shown(books: Books) -> None:
    """Given the invoice form filled in with a real customer and item (one blank row left),
    when it is saved, then the answer is a redirect to the new record, which is stored as to
    review with its references resolved, and its page shows the fields, lines, source and
    history."""
    who = await names(books)
    response = await submit(books, {
        "type": "Invoice", "CustomerRef": who["customer"], "TxnDate": "2026-03-02",
        "DocNumber": "INV-2041", "PrivateNote": "spring design",
        "line_item": ["Landscape Design", ""], "line_description": ["Backyard plan", ""],
        "line_qty": ["3", ""], "line_price": ["110.00", ""], "line_amount": ["330.00", ""],
    })  # fmt: skip
    record_id = record_id_of(response)
    [record] = await stored(books)
    assert (record.id, record.entity, record.status, record.source) == (
        record_id, "Invoice", "to_review", "manual")  # fmt: skip
    assert record.payload["CustomerRef"]["value"]  # resolved by name to the customer's Id
    assert record.payload["Line"] == [
        {"Amount": "330.00", "DetailType": "SalesItemLineDetail", "Description": "Backyard plan",
         "SalesItemLineDetail": {"ItemRef": record.payload["Line"][0]["SalesItemLineDetail"][
             "ItemRef"], "Qty": "3", "UnitPrice": "110.00"}}
    ]  # fmt: skip
    assert record.payload["Line"][0]["SalesItemLineDetail"]["ItemRef"]["name"] == (
        "Landscape Design")  # fmt: skip

    page = await books.http.get(response.headers["location"])
    assert page.status_code == 200
    text = text_of(page)
    for shown in ("Invoice INV-2041", who["customer"], "2026-03-02", "Landscape Design",
                  "Backyard plan", "330.00", "Typed by hand", "spring design",
                  "Created as to review", OWNER["email"]):  # fmt: skip
        assert shown in text, shown


async def test_an_estimate_and_a_purchase_order_for_a_new_vendor_are_stored(
    books: Books,
) -> None:
    """Given an estimate for a real customer and a purchase order to a vendor QuickBooks does not
    know yet, when each is saved, then both are stored; the new vendor is kept as a name, to be
    created on the first push."""
    who = await names(books)
    estimate = await submit(books, {
        "type": "Estimate", "CustomerRef": who["customer"], "ExpirationDate": "2026-04-30",
        "line_item": "Sod (pallet)", "line_qty": "2", "line_price": "325", "line_amount": "",
    })  # fmt: skip
    order = await submit(books, {
        "type": "PurchaseOrder", "VendorRef": "Bayside Stone Yard", "DocNumber": "PO-88",
        "line_account": "Cost of Materials", "line_description": "Flagstone",
        "line_amount": "1,240.00",
    })  # fmt: skip
    by_id = {r.id: r for r in await stored(books)}
    saved_estimate, saved_order = by_id[record_id_of(estimate)], by_id[record_id_of(order)]
    assert saved_estimate.entity == "Estimate"
    assert saved_estimate.payload["ExpirationDate"] == "2026-04-30"
    assert saved_estimate.payload["Line"][0]["Amount"] == "650.00"  # Qty x Rate when left blank
    assert saved_order.entity == "PurchaseOrder"
    assert saved_order.payload["VendorRef"] == {"name": "Bayside Stone Yard"}
    assert saved_order.payload["Line"][0]["Amount"] == "1240.00"
    detail = saved_order.payload["Line"][0]["AccountBasedExpenseLineDetail"]
    assert detail["AccountRef"]["name"] == "Cost of Materials" and detail["AccountRef"]["value"]


async def test_a_balanced_journal_entry_saved_from_htmx_shows_its_page(books: Books) -> None:
    """Given a journal entry whose debits equal its credits, when it is saved from the page
    (an HTMX request), then it is stored and its page is the answer, with the URL pushed."""
    response = await submit(books, {
        "type": "JournalEntry", "TxnDate": "2026-03-31", "DocNumber": "JE-7",
        "line_posting": ["Debit", "Credit", "Debit"],
        "line_account": ["Depreciation", "Accumulated Depreciation", ""],
        "line_description": ["March depreciation", "March depreciation", ""],
        "line_amount": ["412.50", "412.50", ""],
    }, **{"HX-Request": "true", "HX-Target": "client-body"})  # fmt: skip
    assert response.status_code == 200, response.text
    [record] = await stored(books)
    assert response.headers["HX-Push-Url"] == f"/clients/{books.client_id}/records/{record.id}"
    assert "<html" not in response.text
    text = text_of(response)
    assert "Journal entry JE-7" in text and "Accumulated Depreciation" in text
    postings = [line["JournalEntryLineDetail"]["PostingType"] for line in record.payload["Line"]]
    assert postings == ["Debit", "Credit"]


async def test_an_unbalanced_journal_entry_is_refused_and_nothing_is_stored(
    books: Books,
) -> None:
    """Given a journal entry with 412.50 of debits and 400.00 of credits, when it is saved, then
    the form comes back (422) saying the debits must equal the credits, with what was typed
    still in it, and nothing is stored."""
    response = await submit(books, {
        "type": "JournalEntry", "PrivateNote": "needs checking",
        "line_posting": ["Debit", "Credit"],
        "line_account": ["Depreciation", "Accumulated Depreciation"],
        "line_description": ["March depreciation", "March accumulated"],
        "line_amount": ["412.50", "400.00"],
    })  # fmt: skip
    assert response.status_code == 422
    text = text_of(response)
    assert "Nothing was saved" in text
    assert "The debits (412.50) must equal the credits (400.00)." in text
    for kept in ('value="412.50"', 'value="400.00"', 'value="March accumulated"',
                 'value="needs checking"', 'value="Accumulated Depreciation"'):  # fmt: skip
        assert kept in response.text, kept
    assert await stored(books) == []


async def test_an_invoice_without_customer_whose_line_does_not_add_up_is_refused(
    books: Books,
) -> None:
    """Given an invoice with no customer and a line of 2 x 110.00 for 200.00, when it is saved,
    then each problem is shown beside its field (422) and nothing is stored."""
    response = await submit(books, {
        "type": "Invoice", "line_item": "Landscape Design", "line_qty": "2",
        "line_price": "110.00", "line_amount": "200.00",
    }, **{"HX-Request": "true"})  # fmt: skip
    assert response.status_code == 422
    text = text_of(response)
    customer = re.search(r'name="CustomerRef".*?</label>', response.text, re.S)
    assert customer and "Customer is required." in customer.group(0)
    amount = re.search(r'name="line_amount" value="200.00".*?</td>', response.text, re.S)
    assert amount and "Amount is 200.00 but 2 x 110.00 is 220.00." in unescape(amount.group(0))
    assert "Nothing was saved" in text
    assert await stored(books) == []


async def test_an_account_not_in_the_chart_is_refused_by_name(books: Books) -> None:
    """Given a bill booked to an account the company does not have, when it is saved, then the
    form says the name is not in the chart of accounts and nothing is stored."""
    who = await names(books)
    response = await submit(books, {
        "type": "Bill", "VendorRef": who["vendor"], "line_account": "Imaginary Expenses",
        "line_amount": "75.00",
    })  # fmt: skip
    assert response.status_code == 422
    cell = re.search(r'value="Imaginary Expenses".*?</td>', response.text, re.S)
    assert cell and "'Imaginary Expenses' is not in this company's chart of accounts." in (
        unescape(cell.group(0)))  # fmt: skip
    assert await stored(books) == []


async def _three_records(books: Books) -> dict[str, int]:
    who = await names(books)
    client = summary(books)
    bill = {"VendorRef": {"name": who["vendor"]}, "Line": [
        {"Amount": "90.00", "DetailType": "AccountBasedExpenseLineDetail",
         "AccountBasedExpenseLineDetail": {"AccountRef": {"name": "Fuel"}}}]}  # fmt: skip
    invoice = {"CustomerRef": {"name": who["customer"]}, "Line": [
        {"Amount": "160.00", "DetailType": "SalesItemLineDetail",
         "SalesItemLineDetail": {"ItemRef": {"name": "Lawn Aeration"}}}]}  # fmt: skip
    transfer = {"FromAccountRef": {"name": "Business Checking"},
                "ToAccountRef": {"name": "Business Savings"}, "Amount": "500.00"}  # fmt: skip
    [b, i] = await records.create_records(
        OLIVE, client, [records.Draft("Bill", bill), records.Draft("Invoice", invoice)]
    )
    [t] = await records.create_records(
        OLIVE, client, [records.Draft("Transfer", transfer)], source="import", approve=True
    )
    return {"Bill": b.id, "Invoice": i.id, "Transfer": t.id}


async def test_the_records_list_counts_and_filters_by_status_and_type(books: Books) -> None:
    """Given a bill and an invoice to review and an approved transfer, when the owner opens
    Records (page), then all three are listed with the counts by status; filtering by status or
    by type (HTMX, swapping only the list) lists only the matching ones."""
    ids = await _three_records(books)
    url = f"/clients/{books.client_id}/records"
    page = await books.http.get(url)
    assert page.status_code == 200 and "<html" in page.text
    for record_id in ids.values():
        assert f'id="record-{record_id}"' in page.text
    counts = dict(re.findall(r'data-status="(\w+)"><a [^>]*>[^<]*<span class="count">(\d+)',
                             page.text))  # fmt: skip
    assert counts["to_review"] == "2" and counts["approved"] == "1" and counts["failed"] == "0"

    fragment = {"HX-Request": "true", "HX-Target": "record-list"}
    approved = await books.http.get(url, params={"status": "approved"}, headers=fragment)
    assert approved.status_code == 200
    assert approved.text.lstrip().startswith('<div id="record-list">')
    assert f'id="record-{ids["Transfer"]}"' in approved.text
    assert f'id="record-{ids["Bill"]}"' not in approved.text
    assert "Imported" in approved.text

    bills = await books.http.get(url, params={"type": "Bill"}, headers=fragment)
    assert re.findall(r'id="record-(\d+)"', bills.text) == [str(ids["Bill"])]
    neither = await books.http.get(url, params={"type": "Bill", "status": "approved"},
                                   headers=fragment)  # fmt: skip
    assert "No approved bill records." in neither.text

    section = await books.http.get(url, params={"status": "to_review"},
                                   headers={"HX-Request": "true"})  # fmt: skip
    assert "<html" not in section.text and 'class="tabs"' in section.text
    assert sorted(re.findall(r'id="record-(\d+)"', section.text)) == sorted(
        [str(ids["Bill"]), str(ids["Invoice"])])  # fmt: skip
    assert '<option value="to_review" selected>' in section.text


async def test_the_record_page_shows_every_version_with_what_changed(books: Books) -> None:
    """Given a bill edited once (its memo and amount) and then approved, when its page is
    opened (as a page and as a fragment), then the history lists the three versions, newest
    first, with who, the action and each changed field before and after."""
    ids = await _three_records(books)
    client = summary(books)
    bill = await records.get_record(client, ids["Bill"])
    edited = {**bill.payload, "PrivateNote": "diesel for the mower"}
    edited["Line"] = [{**bill.payload["Line"][0], "Amount": "95.00"}]
    bill = await records.edit_record(
        Actor(None, "pat@example.com"), client, bill.id, bill.version, edited
    )
    await records.set_status(OLIVE, client, bill.id, bill.version, records.APPROVED)

    url = f"/clients/{books.client_id}/records/{bill.id}"
    for headers in ({}, {"HX-Request": "true"}):
        page = await books.http.get(url, headers=headers)
        assert page.status_code == 200
        assert ("<html" in page.text) is not bool(headers)
        text = text_of(page)
        versions = re.findall(r'<tr data-version="(\d+)">', page.text)
        assert versions == ["3", "2", "1"]
        assert "approve" in text and "pat@example.com" in text and "Created as to review" in text
        assert "Status: To review → Approved" in text
        assert "Memo (not printed): (empty) → diesel for the mower" in text
        assert "Lines: Fuel 90.00 → Fuel 95.00" in text
        assert "Bill" in text and "Typed by hand" in text


async def test_names_typed_into_a_record_are_shown_escaped(books: Books) -> None:
    """Given a bill for a new payee named like a script, when it is saved and shown, then the
    name is text on every page, never markup."""
    response = await submit(books, {
        "type": "Bill", "VendorRef": "<script>alert(1)</script>", "line_account": "Fuel",
        "line_amount": "10.00", "line_description": "<b>bold</b>",
    })  # fmt: skip
    record_page = await books.http.get(response.headers["location"])
    listing = await books.http.get(f"/clients/{books.client_id}/records")
    for page in (record_page, listing):
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<b>bold</b>" not in record_page.text


async def _add_staff(books: Books) -> None:
    created = await post_form(books.http, "/users", {
        "name": "Sam Staff", "email": "sam@example.com", "password": STAFF_PASSWORD,
        "role": "staff"}, token_page="/users")  # fmt: skip
    assert created.status_code == 303


async def test_staff_without_access_gets_404_everywhere_in_records(books: Books) -> None:
    """Given staff not assigned to the client, when they open its records, a record, the new
    record form or post a record (with a valid token), then every answer is 404 and nothing is
    stored."""
    ids = await _three_records(books)
    base = f"/clients/{books.client_id}/records"
    await _add_staff(books)
    async with httpx.AsyncClient(transport=books.http._transport, base_url=BASE) as staff:
        assert (await sign_in(staff, "sam@example.com", STAFF_PASSWORD)).status_code == 303
        for path in (base, f"{base}/{ids['Bill']}", f"{base}/new?type=Invoice"):
            for headers in ({}, {"HX-Request": "true"}):
                response = await staff.get(path, headers=headers)
                assert response.status_code == 404, (path, headers)
                assert "Juniper" not in response.text
        token = await csrf_token(staff, "/")
        posted = await staff.post(base, data={
            "_csrf_token": token, "type": "Transfer", "FromAccountRef": "Business Checking",
            "ToAccountRef": "Business Savings", "Amount": "10.00"})  # fmt: skip
        assert posted.status_code == 404
    assert len(await stored(books)) == 3


async def test_another_clients_record_is_not_found(books: Books) -> None:
    """Given a record of the connected client, when it is asked for under another client the
    owner may see, then the answer is 404."""
    ids = await _three_records(books)
    other = await post_form(books.http, "/clients", {"name": "Other Books"})
    other_id = int(other.headers["location"].rsplit("/", 1)[1])
    response = await books.http.get(f"/clients/{other_id}/records/{ids['Bill']}")
    assert response.status_code == 404
    assert "Fuel" not in response.text


async def test_posting_a_record_without_the_csrf_token_is_refused(books: Books) -> None:
    """Given the owner's session, when a record is posted without the form's token, then it is
    refused (403) and nothing is stored."""
    response = await books.http.post(f"/clients/{books.client_id}/records", data={
        "type": "Transfer", "FromAccountRef": "Business Checking",
        "ToAccountRef": "Business Savings", "Amount": "10.00"})  # fmt: skip
    assert response.status_code == 403
    assert await stored(books) == []


async def test_every_type_can_be_typed_by_hand(books: Books) -> None:
    """Given each of the 14 forms filled in with the company's real names (a bill payment and a
    customer payment paying an open bill and invoice of its history), when each is saved, then
    each is stored as its own type, with every reference resolved."""
    who = await names(books)
    lists = await reference_lists(books.client_id)
    bill = await open_transaction(books.client_id, "Bill")
    invoice = await open_transaction(books.client_id, "Invoice")
    bill_vendor = lists.get("Vendor", bill["VendorRef"]["value"])
    invoice_customer = lists.get("Customer", invoice["CustomerRef"]["value"])
    assert bill_vendor and invoice_customer
    expense = {"line_account": "Fuel", "line_description": "diesel", "line_amount": "61.20"}
    sale = {"line_item": "Lawn Aeration", "line_qty": "1", "line_price": "160.00"}
    forms: dict[str, dict[str, Any]] = {
        "Purchase": {"EntityRef": who["vendor"], "PaymentType": "CreditCard",
                     "AccountRef": "Chase Ink Visa", **expense},
        "Deposit": {"DepositToAccountRef": "Business Checking", "ReceivedFrom": who["customer"],
                    "line_account": "Other Income", "line_amount": "45.00"},
        "Bill": {"VendorRef": who["vendor"], "DueDate": "2026-05-01", **expense},
        "BillPayment": {"VendorRef": bill_vendor.name, "PayType": "Check",
                        "PaidFrom": "Business Checking", "TotalAmt": str(bill["Balance"]),
                        "line_txn": bill["Id"], "line_amount": str(bill["Balance"])},
        "Invoice": {"CustomerRef": who["customer"], **sale},
        "Payment": {"CustomerRef": invoice_customer.name, "TotalAmt": str(invoice["Balance"]),
                    "DepositToAccountRef": "Undeposited Funds", "line_txn": invoice["Id"],
                    "line_amount": str(invoice["Balance"])},
        "JournalEntry": {"line_posting": ["Debit", "Credit"],
                         "line_account": ["Owner's Draw", "Business Checking"],
                         "line_amount": ["800", "800"]},
        "CreditMemo": {"CustomerRef": who["customer"], **sale},
        "VendorCredit": {"VendorRef": who["vendor"], **expense},
        "Estimate": {"CustomerRef": who["customer"], **sale},
        "PurchaseOrder": {"VendorRef": who["vendor"], **expense},
        "SalesReceipt": {"CustomerRef": who["customer"], "DepositToAccountRef": "Business Checking",
                         **sale},
        "Transfer": {"FromAccountRef": "Business Checking", "ToAccountRef": "Business Savings",
                     "Amount": "2,500.00"},
        "CreditCardPayment": {"CreditCardAccountRef": "Chase Ink Visa",
                              "BankAccountRef": "Business Checking", "Amount": "640.00"},
    }  # fmt: skip
    saved = {}
    for entity, form in forms.items():
        page = await books.http.get(f"/clients/{books.client_id}/records/new?type={entity}")
        assert page.status_code == 200 and f'name="type" value="{entity}"' in page.text, entity
        response = await submit(books, {"type": entity, **form})
        assert response.status_code == 303, (entity, text_of(response)[-1500:])
        saved[record_id_of(response)] = entity
    by_id = {r.id: r for r in await stored(books)}
    assert {i: by_id[i].entity for i in saved} == saved
    payloads = {r.entity: r.payload for r in by_id.values()}
    assert payloads["Deposit"]["Line"][0]["DepositLineDetail"]["Entity"]["type"] == "Customer"
    assert payloads["BillPayment"]["CheckPayment"]["BankAccountRef"]["value"]
    assert payloads["Payment"]["Line"][0]["LinkedTxn"] == [
        {"TxnId": invoice["Id"], "TxnType": "Invoice"}]  # fmt: skip
    assert payloads["Transfer"]["Amount"] == "2500.00"
    assert payloads["Purchase"]["EntityRef"]["type"] == "Vendor"


@pytest.mark.queue
async def test_a_statement_lines_record_links_to_its_document_and_line(books: Books) -> None:
    """Given a statement uploaded for the client (one card payment), when the record proposed
    from its line is opened, then its source links to the document and to the line on its
    page."""
    start = dt.date.today() - dt.timedelta(days=40)
    tx = TrueTx(start + dt.timedelta(days=3), "SHELL OIL 5521", Decimal("-48.20"))
    pdf = render(LAYOUTS_BY_NAME["us_split_checks"],
                 [TrueAccount("1000", Decimal("2500.00"), (start, start + dt.timedelta(days=30)),
                              [tx], "USD")], None)  # fmt: skip
    assert (await upload(books.http, books.client_id, [("march.pdf", pdf)])).status_code in (
        200, 303)  # fmt: skip
    await wait_for_jobs(books.client_id)
    [record] = [r for r in await stored(books) if r.source == "document"]
    assert record.document_id is not None and record.line_id is not None

    page = await books.http.get(f"/clients/{books.client_id}/records/{record.id}")
    assert page.status_code == 200
    assert f'href="/clients/{books.client_id}/documents/{record.document_id}">march.pdf' in (
        page.text)  # fmt: skip
    line_link = re.search(rf'href="(/clients/{books.client_id}/batches/\d+/lines/'
                          rf'{record.line_id})"', page.text)  # fmt: skip
    assert line_link, page.text
    source = await books.http.get(line_link.group(1))
    assert source.status_code == 200 and "SHELL OIL 5521" in source.text
    listing = await books.http.get(f"/clients/{books.client_id}/records")
    assert f'href="/clients/{books.client_id}/documents/{record.document_id}"' in listing.text
