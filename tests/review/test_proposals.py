"""Proposals: a statement uploaded over HTTP becomes records of the right type, payee, category,
confidence and flags, read back through zera.review.records.

Each test connects its own client to a seeded sandbox company (2 months of history up to today)
whose chart has Business Checking (1000), Business Savings (1010) and the Chase Ink Visa card
(2100): a statement "ending 1000" is matched to Business Checking by its last digits. What a
test needs in QuickBooks beyond the seed it creates through the Intuit API, then pulls."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import OWNER
from tests.documents.helpers import upload
from tests.extract.corpus import LAYOUTS_BY_NAME, TrueAccount, TrueTx
from tests.extract.render_statement import render
from tests.qbo.conftest import app_of, wait_for_jobs
from tests.review.conftest import Books
from zera.accounts.audit import Actor
from zera.accounts.users import CurrentUser
from zera.clients import ClientSummary, get_client
from zera.documents import get_document, list_documents, start_extraction
from zera.errors import InvalidInput
from zera.extract import Box, ExtractionResult, Statement, Transaction
from zera.review.batches import document_detail, get_batch, save_batch
from zera.review.proposals import (
    propose_batch,
    remember_statement_account,
    statement_accounts_to_ask,
)
from zera.review.records import APPROVED, RecordView, edit_record, list_records, set_status
from zera.sync.history import pull_history
from zera.sync.lists import reference_lists
from zera.sync.mirror import refresh_reference

pytestmark = pytest.mark.db

D = Decimal
TODAY = dt.date.today()
# A statement period inside the seeded history, ending before today.
START = TODAY - dt.timedelta(days=40)
END = TODAY - dt.timedelta(days=10)
ACTOR = Actor(user_id=1, email=OWNER["email"])


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def statement(last4: str, txs: list[TrueTx], *, card: bool = False) -> bytes:
    """A generated statement PDF of exactly these transactions (a check column on a bank)."""
    layout = LAYOUTS_BY_NAME["card_trans_post" if card else "us_split_checks"]
    opening = D("-800.00") if card else D("25000.00")
    return render(layout, [TrueAccount(last4, opening, (START, END), txs, "USD")], None)


async def client_of(books: Books) -> ClientSummary:
    return await get_client(CurrentUser(1, OWNER["email"], OWNER["name"], "owner"), books.client_id)


async def upload_statement(books: Books, name: str, pdf: bytes) -> list[RecordView]:
    """Upload over HTTP, wait for the reading job, return the document's records."""
    response = await upload(books.http, books.client_id, [(name, pdf)])
    assert response.status_code in (200, 303), response.text
    await wait_for_jobs(books.client_id)
    client = await client_of(books)
    document = next(d for d in await list_documents(client) if d.filename == name)
    assert document.status == "ok", document.message
    return await list_records(client, document_id=document.id)


async def account_id(books: Books, name: str) -> str:
    found = (await reference_lists(books.client_id)).named("Account", name)
    assert found is not None, name
    return found.qbo_id


Create = tuple[str, dict[str, Any]]  # an entity type and its Intuit JSON


async def in_quickbooks(books: Books, *creates: Create) -> list[dict[str, Any]]:
    """Create entities in the client's QuickBooks through the Intuit API, then pull lists and
    history as a refresh would."""
    made = []
    async with app_of(books.http).state.quickbooks.client_for(books.client_id) as qbo:
        for entity, payload in creates:
            made.append(await qbo.create(entity, payload, operation=f"test:{uuid.uuid4()}"))
        await refresh_reference(qbo, books.client_id)
        await pull_history(qbo, books.client_id)
    return made


def purchase(vendor_id: str, bank_id: str, account: str, amount: str, on: dt.date) -> Create:
    return "Purchase", {
        "PaymentType": "Cash", "TxnDate": on.isoformat(),
        "AccountRef": {"value": bank_id}, "EntityRef": {"value": vendor_id, "type": "Vendor"},
        "Line": [{"Amount": D(amount), "DetailType": "AccountBasedExpenseLineDetail",
                  "AccountBasedExpenseLineDetail": {"AccountRef": {"value": account}}}],
    }  # fmt: skip


def by_text(records: list[RecordView], text: str) -> RecordView:
    found = [r for r in records if r.bank_text == text]
    assert len(found) == 1, [r.bank_text for r in records]
    return found[0]


def line_account(record: RecordView) -> str:
    line = record.payload["Line"][0]
    return str(line[line["DetailType"]].get("AccountRef", {}).get("value", ""))


# -- types -----------------------------------------------------------------------------------


async def test_money_out_of_a_bank_is_a_cash_purchase_or_a_check_with_its_number(
    books: Books,
) -> None:
    checking = await account_id(books, "Business Checking")
    pdf = statement("1000", [
        TrueTx(day(2), "HOME DEPOT #6621 CONF# 77A1", D("-182.40")),
        TrueTx(day(3), "CHECK", D("-250.00"), "1045"),
    ])  # fmt: skip

    records = await upload_statement(books, "checking.pdf", pdf)

    cash, check = by_text(records, "HOME DEPOT #6621 CONF# 77A1"), by_text(records, "CHECK")
    assert (cash.entity, cash.payload["PaymentType"]) == ("Purchase", "Cash")
    assert "DocNumber" not in cash.payload
    assert (check.entity, check.payload["PaymentType"]) == ("Purchase", "Check")
    assert check.payload["DocNumber"] == "1045"
    assert cash.payload["AccountRef"]["value"] == check.payload["AccountRef"]["value"] == checking
    assert cash.payload["Line"][0]["Amount"] == "182.40" and cash.amount == D("-182.40")
    assert cash.payload["TxnDate"] == day(2).isoformat()
    assert not [f for f in cash.flags if f.kind == "account"]


async def test_card_charges_are_credit_card_purchases_refunds_credits_and_payments_card_payments(
    books: Books,
) -> None:
    visa = await account_id(books, "Chase Ink Visa")
    pdf = statement("2100", [
        TrueTx(day(1), "SQ *BLUE BOTTLE COFFEE", D("-12.50")),
        TrueTx(day(4), "AMAZON MKTPLACE RETURN", D("25.00")),
        TrueTx(day(8), "PAYMENT THANK YOU", D("300.00")),
    ], card=True)  # fmt: skip

    records = await upload_statement(books, "visa.pdf", pdf)

    charge = by_text(records, "SQ *BLUE BOTTLE COFFEE")
    refund = by_text(records, "AMAZON MKTPLACE RETURN")
    payment = by_text(records, "PAYMENT THANK YOU")
    assert (charge.entity, charge.payload["PaymentType"]) == ("Purchase", "CreditCard")
    assert charge.payload["AccountRef"]["value"] == visa and "Credit" not in charge.payload
    assert (refund.entity, refund.payload["PaymentType"]) == ("Purchase", "CreditCard")
    assert refund.payload["Credit"] is True and refund.amount == D("25.00")
    assert payment.entity == "CreditCardPayment"
    assert payment.payload["CreditCardAccountRef"]["value"] == visa
    assert payment.payload["Amount"] == "300.00"


async def test_money_into_a_bank_is_a_deposit(books: Books) -> None:
    checking = await account_id(books, "Business Checking")
    pdf = statement("1000", [TrueTx(day(5), "MOBILE DEPOSIT", D("1234.56"))])

    [deposit] = await upload_statement(books, "deposit.pdf", pdf)

    assert deposit.entity == "Deposit"
    assert deposit.payload["DepositToAccountRef"]["value"] == checking
    assert deposit.payload["Line"][0]["Amount"] == "1234.56"
    assert deposit.payload["Line"][0]["DetailType"] == "DepositLineDetail"
    assert deposit.amount == D("1234.56")


async def test_money_out_of_an_open_bills_amount_is_a_bill_payment_linked_to_that_bill(
    books: Books,
) -> None:
    """Given an open bill from a vendor, when a check of the bill's amount naming the vendor
    leaves the bank, then it is a BillPayment of that bill by check from Business Checking."""
    checking = await account_id(books, "Business Checking")
    supplies = await account_id(books, "Shop Supplies")
    [vendor] = await in_quickbooks(books, ("Vendor", {"DisplayName": "Granite Bay Pavers"}))
    [bill] = await in_quickbooks(books, ("Bill", {
        "VendorRef": {"value": vendor["Id"]}, "TxnDate": day(1).isoformat(),
        "Line": [{"Amount": D("733.15"), "DetailType": "AccountBasedExpenseLineDetail",
                  "AccountBasedExpenseLineDetail": {"AccountRef": {"value": supplies}}}],
    }))  # fmt: skip
    pdf = statement("1000", [TrueTx(day(9), "BILL PAY GRANITE BAY PAVERS", D("-733.15"), "2201")])

    [payment] = await upload_statement(books, "billpay.pdf", pdf)

    assert payment.entity == "BillPayment"
    assert payment.payload["VendorRef"]["value"] == vendor["Id"]
    assert payment.payload["PayType"] == "Check"
    assert payment.payload["CheckPayment"]["BankAccountRef"]["value"] == checking
    assert payment.payload["TotalAmt"] == "733.15" and payment.payload["DocNumber"] == "2201"
    assert payment.payload["Line"] == [
        {"Amount": "733.15", "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}
    ]
    assert payment.confidence >= 0.9 and "Granite Bay Pavers" in payment.explanation


async def test_money_in_of_an_open_invoices_amount_is_a_payment_linked_to_that_invoice(
    books: Books,
) -> None:
    checking = await account_id(books, "Business Checking")
    lists = await reference_lists(books.client_id)
    item = next(i for i in lists.of("Item") if i.kind == "Service" and i.active)
    [customer] = await in_quickbooks(books, ("Customer", {"DisplayName": "Alder Creek HOA"}))
    [invoice] = await in_quickbooks(books, ("Invoice", {
        "CustomerRef": {"value": customer["Id"]}, "TxnDate": day(0).isoformat(),
        "Line": [{"Amount": D("1480.00"), "DetailType": "SalesItemLineDetail",
                  "SalesItemLineDetail": {"ItemRef": {"value": item.qbo_id}, "Qty": 1,
                                          "UnitPrice": D("1480.00")}}],
    }))  # fmt: skip
    pdf = statement("1000", [TrueTx(day(12), "DEPOSIT ALDER CREEK HOA", D("1480.00"))])

    [payment] = await upload_statement(books, "payment.pdf", pdf)

    assert payment.entity == "Payment"
    assert payment.payload["CustomerRef"]["value"] == customer["Id"]
    assert payment.payload["DepositToAccountRef"]["value"] == checking
    assert payment.payload["TotalAmt"] == "1480.00"
    assert payment.payload["Line"] == [
        {"Amount": "1480.00", "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}
    ]


async def test_a_transfer_read_from_both_statements_is_one_transfer_and_a_flagged_copy(
    books: Books,
) -> None:
    """Given the checking statement with 500.00 out, when the savings statement with 500.00 in
    two days later is uploaded, then both become the Transfer from Business Checking to
    Business Savings, and the second says it is likely a duplicate of the first."""
    checking = await account_id(books, "Business Checking")
    savings = await account_id(books, "Business Savings")
    text = "ONLINE BANKING TRANSFER CONF 88812"
    [first] = await upload_statement(
        books, "checking.pdf", statement("1000", [TrueTx(day(6), text, D("-500.00"))])
    )
    assert first.entity == "Purchase"  # nothing says where it went yet

    [second] = await upload_statement(
        books, "savings.pdf", statement("1010", [TrueTx(day(8), text, D("500.00"))])
    )

    first = (await list_records(await client_of(books), document_id=first.document_id))[0]
    for record in (first, second):
        assert record.entity == "Transfer", record
        assert record.payload["FromAccountRef"]["value"] == checking
        assert record.payload["ToAccountRef"]["value"] == savings
        assert record.payload["Amount"] == "500.00"
    assert first.version == 2  # rewritten by the system, its first proposal kept in history
    assert "Bank account ····1000" in second.explanation
    assert [f.message for f in second.flags if f.kind == "duplicate"] == [
        f"likely duplicate of record {first.id}, {day(6)}, {text}, 500.00"
    ]


async def test_a_bank_line_paying_the_card_issuer_is_a_credit_card_payment(books: Books) -> None:
    checking = await account_id(books, "Business Checking")
    visa = await account_id(books, "Chase Ink Visa")
    text = "CHASE CREDIT CRD AUTOPAY PPD ID 4760039224"
    pdf = statement("1000", [TrueTx(day(4), text, D("-642.18"))])

    [payment] = await upload_statement(books, "autopay.pdf", pdf)

    assert payment.entity == "CreditCardPayment"
    assert payment.payload["BankAccountRef"]["value"] == checking
    assert payment.payload["CreditCardAccountRef"]["value"] == visa
    assert payment.payload["Amount"] == "642.18"
    assert payment.amount == D("-642.18")


# -- payees, categories ---------------------------------------------------------------------


async def test_a_payee_is_matched_to_the_existing_vendor_by_its_normalized_name(
    books: Books,
) -> None:
    """Given a vendor "Blue Bottle Coffee", when the bank says "POS PURCHASE SQ *BLUE BOTTLE
    COFFEE 11/03 #4411", then the purchase names that vendor by Id; a merchant QuickBooks does
    not have is proposed as a new name."""
    [vendor] = await in_quickbooks(books, ("Vendor", {"DisplayName": "Blue Bottle Coffee"}))
    pdf = statement("1000", [
        TrueTx(day(2), "POS PURCHASE SQ *BLUE BOTTLE COFFEE 11/03", D("-18.75")),
        TrueTx(day(3), "TST* JOE'S PIZZA 1234 OAKLAND CA", D("-42.10")),
    ])  # fmt: skip

    known, new = await upload_statement(books, "payees.pdf", pdf)

    assert known.payload["EntityRef"] == {
        "value": vendor["Id"], "name": "Blue Bottle Coffee", "type": "Vendor"
    }  # fmt: skip
    assert known.payee == "Blue Bottle Coffee"
    assert new.payload["EntityRef"] == {"name": "Joe's Pizza", "type": "Vendor"}


async def test_the_category_is_the_payees_most_frequent_account_in_history_with_its_reason(
    books: Books,
) -> None:
    """Given three Blue Bottle Coffee purchases in QuickBooks, two to Meals and one to Office
    Supplies, then a new one is suggested Meals at 2/3 and Office Supplies at 1/3, and says
    why; a payee with no history gets no category, confidence 0 and says so."""
    petty = await account_id(books, "Petty Cash")
    meals = await account_id(books, "Meals")
    office = await account_id(books, "Office Supplies and Software")
    [vendor] = await in_quickbooks(books, ("Vendor", {"DisplayName": "Blue Bottle Coffee"}))
    before = START - dt.timedelta(days=10)
    await in_quickbooks(
        books,
        purchase(vendor["Id"], petty, meals, "14.20", before),
        purchase(vendor["Id"], petty, meals, "22.75", before + dt.timedelta(days=1)),
        purchase(vendor["Id"], petty, office, "64.00", before + dt.timedelta(days=2)),
    )
    pdf = statement("1000", [
        TrueTx(day(2), "SQ *BLUE BOTTLE COFFEE", D("-18.75")),
        TrueTx(day(3), "TST* JOE'S PIZZA", D("-42.10")),
    ])  # fmt: skip

    coffee, pizza = await upload_statement(books, "categories.pdf", pdf)

    assert line_account(coffee) == meals
    assert [(s.account_id, s.confidence) for s in coffee.suggestions] == [
        (meals, 0.667), (office, 0.333)
    ]  # fmt: skip
    assert coffee.confidence == pytest.approx(0.667)
    assert coffee.explanation == "2 of 3 Blue Bottle Coffee purchases went to Meals."
    assert coffee.account == "Meals"
    assert line_account(pizza) == "" and pizza.suggestions == [] and pizza.confidence == 0
    assert pizza.explanation == (
        "No purchases from Joe's Pizza in this client's QuickBooks history yet; choose the "
        "category."
    )


# -- duplicates -------------------------------------------------------------------------------


async def test_a_line_already_in_quickbooks_is_flagged_as_a_likely_duplicate_not_dropped(
    books: Books,
) -> None:
    checking = await account_id(books, "Business Checking")
    meals = await account_id(books, "Meals")
    [vendor] = await in_quickbooks(books, ("Vendor", {"DisplayName": "Blue Bottle Coffee"}))
    [booked] = await in_quickbooks(books, purchase(vendor["Id"], checking, meals, "182.40",
                                                   day(2)))  # fmt: skip
    pdf = statement("1000", [
        TrueTx(day(3), "SQ *BLUE BOTTLE COFFEE", D("-182.40")),
        TrueTx(day(3), "SQ *BLUE BOTTLE COFFEE", D("-18.40")),
    ])  # fmt: skip

    copy, other = await upload_statement(books, "dupes.pdf", pdf)

    assert [f.message for f in copy.flags if f.kind == "duplicate"] == [
        f"likely duplicate of QuickBooks Purchase {booked['Id']}, {day(2)}, Blue Bottle Coffee, "
        "182.40"
    ]
    assert copy.entity == "Purchase" and copy.confidence < 0.6
    assert not [f for f in other.flags if f.kind == "duplicate"]


async def test_a_line_read_from_another_document_is_flagged_as_a_likely_duplicate_of_its_record(
    books: Books,
) -> None:
    """Given a statement already uploaded, when the same lines arrive in another file (another
    layout, so not the same bytes), then each new record names the record it repeats."""
    txs = [TrueTx(day(2), "STAPLES STORE 1123", D("-64.99")),
           TrueTx(day(5), "MOBILE DEPOSIT", D("900.00"))]  # fmt: skip
    first = await upload_statement(books, "november.pdf", statement("1000", txs))
    again = render(LAYOUTS_BY_NAME["us_signed"],
                   [TrueAccount("1000", D("25000.00"), (START, END), txs, "USD")], None)

    second = await upload_statement(books, "november-copy.pdf", again)

    originals = {r.bank_text: r for r in first}
    for record in second:
        original = originals[record.bank_text]
        payee = f", {original.payee}" if original.payee else f", {original.bank_text}"
        assert [f.message for f in record.flags if f.kind == "duplicate"] == [
            f"likely duplicate of record {original.id}, {original.txn_date}{payee}, "
            f"{abs(original.amount):,.2f}"
        ]


# -- statement accounts -----------------------------------------------------------------------


async def test_a_statement_account_is_asked_once_then_fills_its_records_and_refuses_income(
    books: Books,
) -> None:
    savings = await account_id(books, "Business Savings")
    income = await account_id(books, "Design Income")
    pdf = statement("4321", [TrueTx(day(1), "STAPLES STORE 1123", D("-64.99")),
                             TrueTx(day(2), "MOBILE DEPOSIT", D("900.00"))])  # fmt: skip
    records = await upload_statement(books, "unknown.pdf", pdf)
    client = await client_of(books)
    assert all(
        [f.message for f in r.flags if f.kind == "account"]
        == ["Which QuickBooks account is Bank account ····4321?"]
        for r in records
    )
    assert await statement_accounts_to_ask(client) == [("bank:4321", "Bank account ····4321")]

    # A transfer from checking naming the account's digits waits for the same answer.
    [transfer] = await upload_statement(books, "checking.pdf", statement(
        "1000", [TrueTx(day(3), "ONLINE TRANSFER TO XXXXXX4321", D("-250.00"))]))  # fmt: skip
    assert transfer.entity == "Transfer" and "ToAccountRef" not in transfer.payload
    assert [f.message for f in transfer.flags] == [
        "Which QuickBooks account is Bank account ····4321?"]  # fmt: skip

    with pytest.raises(InvalidInput, match="Design Income"):
        await remember_statement_account(ACTOR, client, "bank:4321", income)
    updated = await remember_statement_account(ACTOR, client, "bank:4321", savings)

    assert updated == 3
    purchase_, deposit = await list_records(client, document_id=records[0].document_id)
    assert purchase_.payload["AccountRef"]["value"] == savings
    assert deposit.payload["DepositToAccountRef"]["value"] == savings
    transfer = (await list_records(client, document_id=transfer.document_id))[0]
    assert transfer.payload["ToAccountRef"]["value"] == savings
    assert not [f for f in purchase_.flags + deposit.flags + transfer.flags
                if f.kind == "account"]  # fmt: skip
    assert await statement_accounts_to_ask(client) == []
    # Remembered: the next statement of that account needs no question.
    [later] = await upload_statement(books, "unknown-2.pdf", statement(
        "4321", [TrueTx(day(9), "MOBILE DEPOSIT", D("75.00"))]))  # fmt: skip
    assert later.payload["DepositToAccountRef"]["value"] == savings and not later.flags


# -- reading again ----------------------------------------------------------------------------


async def test_reading_a_document_again_replaces_untouched_proposals_and_keeps_acted_on_ones(
    books: Books,
) -> None:
    meals = await account_id(books, "Meals")
    pdf = statement("1000", [
        TrueTx(day(1), "STAPLES STORE 1123", D("-64.99")),
        TrueTx(day(2), "SHELL OIL 57444", D("-48.10")),
        TrueTx(day(3), "MOBILE DEPOSIT", D("900.00")),
    ])  # fmt: skip
    edited, approved, untouched = await upload_statement(books, "again.pdf", pdf)
    client = await client_of(books)
    edited = await edit_record(ACTOR, client, edited.id, edited.version,
                               {**edited.payload, "PrivateNote": "printer paper"})  # fmt: skip
    line = approved.payload["Line"][0]
    categorized = {**approved.payload, "Line": [{**line, "AccountBasedExpenseLineDetail": {
        "AccountRef": {"value": meals}}}]}  # fmt: skip
    approved = await edit_record(ACTOR, client, approved.id, approved.version, categorized)
    approved = await set_status(ACTOR, client, approved.id, approved.version, APPROVED)

    document = await get_document(client, edited.document_id or 0)
    await start_extraction(app_of(books.http).state.queue, document)
    await wait_for_jobs(books.client_id)

    records = {r.bank_text: r for r in await list_records(client, document_id=document.id)}
    assert len(records) == 3
    batch_id = (await document_detail(client, document.id)).batch_id
    lines = {line.id: line.description for line in (await get_batch(client, batch_id or 0)).lines}
    for kept in (edited, approved):
        now = records[kept.bank_text]
        assert (now.id, now.version, now.status) == (kept.id, kept.version, kept.status)
        assert now.payload == kept.payload
        assert lines[now.line_id or 0] == now.bank_text  # the line as read again
    fresh = records[untouched.bank_text]
    # Proposed again (SQLite may hand the new row the old row's id).
    assert fresh.created_at > untouched.created_at
    assert fresh.entity == "Deposit" and fresh.version == 1


# -- scale ------------------------------------------------------------------------------------


async def test_a_thousand_line_statement_becomes_a_thousand_records(books: Books) -> None:
    """The batch is read once and indexed: every line of a long statement (purchases,
    deposits, checks, card payments, transfers) becomes one record."""
    [first] = await upload_statement(books, "long.pdf", statement(
        "1000", [TrueTx(day(1), "MOBILE DEPOSIT", D("10.00"))]))  # fmt: skip
    words = ["HOME DEPOT #6621", "SQ *BLUE BOTTLE COFFEE", "CHECK", "MOBILE DEPOSIT",
             "CHASE CREDIT CRD AUTOPAY", "ONLINE TRANSFER TO SAVINGS XXXXXX1010",
             "ACH DEBIT NORTHERN ELECTRIC COOPERATIVE INV 20418", "SHELL OIL 57444"]  # fmt: skip
    lines = [
        Transaction(date=day(n % 30), description=words[n % len(words)],
                    amount=D(n % 997 + 1) / 4 * (1 if words[n % len(words)] == "MOBILE DEPOSIT"
                                                 else -1),
                    check_number=str(3000 + n) if words[n % len(words)] == "CHECK" else None,
                    page=n // 25 + 1, box=Box(n // 25 + 1, 40, 100 + n % 25 * 20, 572, 112))
        for n in range(1000)
    ]  # fmt: skip
    result = ExtractionResult(
        file="long.pdf", sha256="0" * 64, kind="bank_statement", pages=40,
        statements=[Statement(account_number_last4="1000", period_start=START, period_end=END,
                              transactions=lines)],
    )  # fmt: skip
    batch_id = await save_batch(books.client_id, first.document_id or 0, result)

    assert await propose_batch(books.client_id, batch_id) == 1000

    records = await list_records(await client_of(books), document_id=first.document_id)
    assert len(records) == 1000
    kinds = {r.entity for r in records}
    assert kinds == {"Purchase", "Deposit", "CreditCardPayment", "Transfer"}
