"""Transfer and CreditCardPayment, driven by python-quickbooks over HTTP (and bare HTTP where the
library has no call): create, read, full and sparse update, delete, query, CDC, webhooks, void.

Facts: Finance.xsd `Transfer` and `CreditCardPaymentTxn` (fields, "Must be a Balance Sheet
account", "Must be a Credit Card account", "Must be a Bank account"); QBO-API.md §5 (CDC
exclusions) and §6 (webhook entity list, Void events); python-quickbooks
`objects/creditcardpayment_entity.py` (answers keyed `CreditCardPaymentTxn`).
"""

from __future__ import annotations

import json
import queue
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import ObjectNotFoundException, QuickbooksException
from quickbooks.objects.account import Account
from quickbooks.objects.creditcardpayment_entity import CreditCardPayment
from quickbooks.objects.transfer import Transfer
from sandbox_harness import Api, Company, webhook_events

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _account(qb: Any, name: str) -> Account:
    found: list[Account] = Account.where(f"Name = '{name}'", qb=qb)
    assert found, name
    return found[0]


def _ref(api: Api, name: str) -> dict[str, str]:
    found = api.query(f"SELECT * FROM Account WHERE Name = '{name}'").json()  # noqa: S608 (Intuit query)
    return {"value": found["QueryResponse"]["Account"][0]["Id"]}


def _transfer(qb: Any, amount: str = "100.00", source: str = "Checking",
              target: str = "Savings") -> Transfer:
    transfer = Transfer()
    transfer.Amount = Decimal(amount)
    transfer.FromAccountRef = _account(qb, source).to_ref()
    transfer.ToAccountRef = _account(qb, target).to_ref()
    transfer.PrivateNote = "Move to savings"
    saved: Transfer = transfer.save(qb=qb)
    return saved


def _card_payment(qb: Any, amount: str = "250.00") -> CreditCardPayment:
    payment = CreditCardPayment()
    payment.Amount = Decimal(amount)
    payment.TxnDate = "2026-03-05"
    payment.CreditCardAccountRef = _account(qb, "Visa Credit Card").to_ref()
    payment.BankAccountRef = _account(qb, "Checking").to_ref()
    payment.PrivateNote = "March statement"
    payment.Memo = "Visa ending 4242"
    saved: CreditCardPayment = payment.save(qb=qb)
    return saved


def _fault(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 400, answer.text
    error: dict[str, Any] = answer.json()["Fault"]["Error"][0]
    return error


# -- Transfer ------------------------------------------------------------------------------------

def test_a_transfer_is_created_and_read_back_with_named_accounts(company: Company) -> None:
    """Given two bank accounts, when python-quickbooks saves a Transfer between them, then it
    reads back with its Amount, both references named, SyncToken 0 and no TotalAmt."""
    saved = _transfer(company.qb)

    fetched = Transfer.get(saved.Id, qb=company.qb)

    assert fetched.SyncToken == "0" and Decimal(str(fetched.Amount)) == Decimal("100")
    assert fetched.FromAccountRef.name == "Checking" and fetched.ToAccountRef.name == "Savings"
    assert fetched.PrivateNote == "Move to savings" and fetched.TxnDate
    raw = company.api.get(f"/transfer/{saved.Id}").json()["Transfer"]
    assert "TotalAmt" not in raw and raw["CurrencyRef"]["value"] == "USD"


def test_a_transfer_full_update_bumps_sync_token_and_a_stale_one_is_5010(
    company: Company,
) -> None:
    """python-quickbooks' own Transfer test: read one, add 1 to Amount, save, read it back."""
    transfer = Transfer.get(_transfer(company.qb).Id, qb=company.qb)
    transfer.Amount = Decimal(str(transfer.Amount)) + 1

    updated = transfer.save(qb=company.qb)

    assert updated.SyncToken == "1"
    assert Decimal(str(Transfer.get(transfer.Id, qb=company.qb).Amount)) == Decimal("101")
    with pytest.raises(QuickbooksException) as caught:
        transfer.save(qb=company.qb)  # still holds SyncToken "0"
    assert caught.value.error_code == 5010


def test_a_sparse_transfer_update_keeps_what_it_does_not_send(company: Company) -> None:
    saved = _transfer(company.qb, "40.00")
    body = {"Id": saved.Id, "SyncToken": saved.SyncToken, "sparse": True,
            "PrivateNote": "Reserve for taxes"}

    updated = company.qb.update_object("Transfer", json.dumps(body))["Transfer"]

    assert updated["SyncToken"] == "1" and updated["PrivateNote"] == "Reserve for taxes"
    assert Decimal(str(updated["Amount"])) == Decimal("40")
    assert updated["ToAccountRef"]["name"] == "Savings"


def test_a_deleted_transfer_is_gone_and_a_query_lists_the_rest(company: Company) -> None:
    kept, doomed = _transfer(company.qb, "10.00"), _transfer(company.qb, "20.00")

    doomed.delete(qb=company.qb)

    with pytest.raises(ObjectNotFoundException):
        Transfer.get(doomed.Id, qb=company.qb)
    assert [t.Id for t in Transfer.all(qb=company.qb)] == [kept.Id]
    assert [t.Id for t in Transfer.where("Amount > '5'", qb=company.qb)] == [kept.Id]


def test_cdc_returns_changed_transfers_and_deleted_stubs(company: Company) -> None:
    since = datetime.now(UTC) - timedelta(minutes=1)
    kept, gone = _transfer(company.qb, "11.00"), _transfer(company.qb, "12.00")
    gone.delete(qb=company.qb)

    response = change_data_capture([Transfer], since.isoformat(), qb=company.qb)

    transfers = {t.Id: t for t in response.Transfer}
    assert Decimal(str(transfers[kept.Id].Amount)) == Decimal("11")
    assert getattr(transfers[gone.Id], "status", None) == "Deleted"


@pytest.mark.parametrize(("change", "code", "element"), [
    ({"ToAccountRef": None}, "2020", "ToAccountRef"),
    ({"Amount": None}, "2020", "Amount"),
    ({"Amount": 0}, "6000", "Amount"),
    ({"Amount": -5}, "6000", "Amount"),
    ({"ToAccountRef": "Checking"}, "6000", "ToAccountRef"),
    ({"ToAccountRef": "Services"}, "6000", "ToAccountRef"),
    ({"FromAccountRef": "Accounts Receivable (A/R)"}, "6000", "FromAccountRef"),
    ({"ToAccountRef": {"value": "4040"}}, "2500", "ToAccountRef"),
], ids=["no target", "no amount", "zero", "negative", "same account", "income account",
        "receivable", "missing account"])
def test_a_transfer_needs_two_different_balance_sheet_accounts_and_a_positive_amount(
    api: Api, change: dict[str, Any], code: str, element: str,
) -> None:
    body: dict[str, Any] = {"FromAccountRef": _ref(api, "Checking"),
                            "ToAccountRef": _ref(api, "Savings"), "Amount": 50}
    for key, value in change.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = _ref(api, value) if isinstance(value, str) else value

    error = _fault(api.post("/transfer", body))

    assert (error["code"], error["element"]) == (code, element), error


def test_a_transfer_may_use_any_balance_sheet_account_but_not_an_inactive_one(
    api: Api,
) -> None:
    moved = api.post("/transfer", {"FromAccountRef": _ref(api, "Visa Credit Card"),
                                   "ToAccountRef": _ref(api, "Undeposited Funds"),
                                   "Amount": "75.50"})
    assert moved.status_code == 200, moved.text
    savings = api.get(f"/account/{_ref(api, 'Savings')['value']}").json()["Account"]
    closed = api.post("/account", {"Id": savings["Id"], "SyncToken": savings["SyncToken"],
                                   "sparse": True, "Active": False})
    assert closed.status_code == 200, closed.text

    error = _fault(api.post("/transfer", {"FromAccountRef": _ref(api, "Checking"),
                                          "ToAccountRef": {"value": savings["Id"]},
                                          "Amount": 5}))

    assert error["code"] == "610"


def test_a_voided_transfer_keeps_its_record_at_zero_and_says_voided(api: Api) -> None:
    created = api.post("/transfer", {"FromAccountRef": _ref(api, "Checking"),
                                     "ToAccountRef": _ref(api, "Savings"), "Amount": 30})
    transfer = created.json()["Transfer"]

    voided = api.post("/transfer", {"Id": transfer["Id"], "SyncToken": transfer["SyncToken"]},
                      operation="void")

    assert voided.status_code == 200, voided.text
    after = api.get(f"/transfer/{transfer['Id']}").json()["Transfer"]
    assert after["Amount"] == 0 and after["PrivateNote"] == "Voided"
    assert after["SyncToken"] == "1"


def test_transfer_create_update_void_and_delete_fire_webhooks(
    company: Company, receiver: queue.Queue[tuple[bytes, str]],
) -> None:
    """Transfer is in Intuit's webhook entity list and has a Void event (QBO-API.md §6)."""
    saved = _transfer(company.qb)
    updated = company.qb.update_object("Transfer", json.dumps(
        {"Id": saved.Id, "SyncToken": "0", "sparse": True, "Amount": 120}))["Transfer"]
    voided = company.api.post("/transfer", {"Id": saved.Id, "SyncToken": updated["SyncToken"]},
                              operation="void").json()["Transfer"]
    company.api.post("/transfer", {"Id": saved.Id, "SyncToken": voided["SyncToken"]},
                     operation="delete")

    events = webhook_events(receiver, company.realm, 4)

    assert [(e["name"], e["id"], e["operation"]) for e in events] == [
        ("Transfer", saved.Id, op) for op in ("Create", "Update", "Void", "Delete")]


# -- CreditCardPayment ---------------------------------------------------------------------------

def test_a_credit_card_payment_round_trips_through_python_quickbooks(company: Company) -> None:
    """Given a bank and a card account, when python-quickbooks saves a CreditCardPayment, then
    get, all and a full update work: the library reads Intuit's `CreditCardPaymentTxn` key."""
    saved = _card_payment(company.qb)

    fetched = CreditCardPayment.get(saved.Id, qb=company.qb)
    assert Decimal(str(fetched.Amount)) == Decimal("250")
    assert fetched.CreditCardAccountRef.name == "Visa Credit Card"
    assert fetched.BankAccountRef.name == "Checking"
    assert (fetched.TxnDate, fetched.PrivateNote, fetched.Memo) == (
        "2026-03-05", "March statement", "Visa ending 4242")
    assert [p.Id for p in CreditCardPayment.all(qb=company.qb)] == [saved.Id]

    fetched.Amount = Decimal(str(fetched.Amount)) + 1
    updated = fetched.save(qb=company.qb)
    assert updated.SyncToken == "1" and Decimal(str(updated.Amount)) == Decimal("251")


def test_credit_card_payments_are_answered_under_credit_card_payment_txn(api: Api) -> None:
    """The REST path and the query name are CreditCardPayment; every answer keys the entity
    CreditCardPaymentTxn (python-quickbooks `creditcardpayment_entity.py`)."""
    body = {"CreditCardAccountRef": _ref(api, "Visa Credit Card"),
            "BankAccountRef": _ref(api, "Checking"), "Amount": 90}
    created = api.post("/creditcardpayment", body).json()
    payment = created["CreditCardPaymentTxn"]

    read = api.get(f"/creditcardpayment/{payment['Id']}").json()
    listed = api.query("select * from CreditCardPayment").json()["QueryResponse"]
    deleted = api.post("/creditcardpayment", {"Id": payment["Id"], "SyncToken": "0"},
                       operation="delete").json()

    assert "CreditCardPayment" not in created and "TotalAmt" not in payment
    assert read["CreditCardPaymentTxn"]["Id"] == payment["Id"]
    assert [p["Id"] for p in listed["CreditCardPaymentTxn"]] == [payment["Id"]]
    assert deleted["CreditCardPaymentTxn"] == {"domain": "QBO", "status": "Deleted",
                                               "Id": payment["Id"]}


def test_credit_card_payments_come_through_cdc_and_batch(company: Company) -> None:
    """CreditCardPayment is not one of the CDC exclusions (QBO-API.md §5). A batch item may key
    it either way and is answered under CreditCardPaymentTxn like every other answer (so
    python-quickbooks' batch helper, which looks for `qbo_object_name`, is not used here)."""
    since = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    saved = _card_payment(company.qb, "60.00")
    body = {"CreditCardAccountRef": _ref(company.api, "Visa Credit Card"),
            "BankAccountRef": _ref(company.api, "Savings"), "Amount": 15}

    batch = company.api.post("/batch", {"BatchItemRequest": [
        {"bId": "1", "operation": "create", "CreditCardPayment": body},
        {"bId": "2", "operation": "create", "CreditCardPaymentTxn": body}]}).json()
    cdc = company.api.get("/cdc", entities="CreditCardPayment", changedSince=since).json()

    made = [item["CreditCardPaymentTxn"]["Id"] for item in batch["BatchItemResponse"]]
    changed = cdc["CDCResponse"][0]["QueryResponse"][0]["CreditCardPaymentTxn"]
    assert {p["Id"] for p in changed} == {saved.Id, *made} and len(made) == 2


def test_a_credit_card_payment_to_a_named_vendor_leaves_its_balance_alone(api: Api) -> None:
    """Paying the card moves money from the bank to the card account: no bill is settled, so
    the payee's open balance stays where it was (like any transaction without a VendorRef
    rule in `balances.py`)."""
    vendor = api.post("/vendor", {"DisplayName": "Card Issuer"}).json()["Vendor"]

    answer = api.post("/creditcardpayment", {
        "CreditCardAccountRef": _ref(api, "Visa Credit Card"),
        "BankAccountRef": _ref(api, "Checking"), "Amount": "410.10",
        "VendorRef": {"value": vendor["Id"]}, "CheckNum": "1001"})

    payment = answer.json()["CreditCardPaymentTxn"]
    assert payment["VendorRef"]["name"] == "Card Issuer"
    assert Decimal(str(payment["Amount"])) == Decimal("410.10")
    after = api.get(f"/vendor/{vendor['Id']}").json()["Vendor"]
    assert after["Balance"] == 0 and after["SyncToken"] == vendor["SyncToken"]


@pytest.mark.parametrize(("card", "bank", "amount", "element"), [
    ("Checking", "Checking", 10, "CreditCardAccountRef"),
    ("Visa Credit Card", "Undeposited Funds", 10, "BankAccountRef"),
    ("Visa Credit Card", "Checking", 0, "Amount"),
], ids=["card is a bank", "bank is an asset", "zero"])
def test_a_credit_card_payment_pays_a_card_account_from_a_bank_account(
    api: Api, card: str, bank: str, amount: int, element: str,
) -> None:
    error = _fault(api.post("/creditcardpayment", {
        "CreditCardAccountRef": _ref(api, card), "BankAccountRef": _ref(api, bank),
        "Amount": amount}))
    assert (error["code"], error["element"]) == ("6000", element)


def test_a_credit_card_payment_sends_no_webhook(
    company: Company, receiver: queue.Queue[tuple[bytes, str]],
) -> None:
    """CreditCardPayment is not in Intuit's webhook entity list (QBO-API.md §6): the next
    event the company sends is the transfer made after it."""
    _card_payment(company.qb)
    transfer = _transfer(company.qb)

    events = webhook_events(receiver, company.realm, 1)

    assert [(e["name"], e["id"]) for e in events] == [("Transfer", transfer.Id)]

