"""`zera records import` and `zera records list`, run as the real command on the app's own
database: a file of records is stored whole or not at all, checked against the client's
QuickBooks lists (a connected sandbox company), and listed back as JSON lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.review.conftest import Books
from zera.db.tables import QBOTransaction
from zera.jsonmoney import dumps, loads
from zera.settings import Settings
from zera.sync.lists import reference_lists

pytestmark = pytest.mark.db

REPO = Path(__file__).resolve().parents[2]
CLIENT_NAME = "Juniper Landscaping"  # the `books` fixture's client


def run_zera(
    settings: Settings, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `zera ARGS...` as a separate process with the test app's settings (its database,
    queue, keys and built-in sandbox)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZERA_")}
    env.update(
        ZERA_BASE_DIR=str(settings.base_dir),
        DATABASE_URL=settings.database_url,
        ZERA_QUEUE_URL=settings.queue_url,
        ZERA_SECRET_KEY=settings.secret_key,
        ZERA_TOKEN_KEYS=",".join(settings.token_keys),
        ZERA_PUBLIC_URL=settings.public_url,
        ZERA_SANDBOX_URL=settings.sandbox_url,
        ZERA_SANDBOX_CLIENT_ID=settings.sandbox_client_id,
        ZERA_SANDBOX_CLIENT_SECRET=settings.sandbox_client_secret,
        ZERA_SANDBOX_VERIFIER_TOKEN=settings.sandbox_verifier_token,
        ZERA_LOG_LEVEL="WARNING",
    )
    return subprocess.run(
        [sys.executable, "-m", "zera.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def zera_records(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `zera records ...` as a separate process on the test's database."""
    return run_zera(settings, "records", *args)


def write(tmp_path: Path, items: Any, name: str = "records.json") -> str:
    path = tmp_path / name
    path.write_text(items if isinstance(items, str) else json.dumps(items, default=str))
    return str(path)


def listed(settings: Settings, *args: str) -> list[dict[str, Any]]:
    done = zera_records(settings, "list", *args)
    assert done.returncode == 0, done.stderr
    return [loads(line) for line in done.stdout.splitlines() if line.strip()]


async def open_transaction(client_id: int, entity: str) -> dict[str, Any]:
    """An open (unpaid) Bill or Invoice from the client's pulled QuickBooks history."""
    rows = await QBOTransaction.select(QBOTransaction.payload).where(
        (QBOTransaction.client_id == client_id) & (QBOTransaction.entity == entity)
        & (QBOTransaction.deleted == False)  # noqa: E712
    ).run()  # fmt: skip
    for row in rows:
        payload = loads(row["payload"]) if isinstance(row["payload"], str) else row["payload"]
        if Decimal(str(payload.get("Balance", 0))) > 0:
            return dict(payload)
    raise AssertionError(f"no open {entity} in the pulled history")


def line(detail: str, amount: Any, **inner: Any) -> dict[str, Any]:
    return {"Amount": amount, "DetailType": detail, detail: inner}


def expense(account: str, amount: Any) -> dict[str, Any]:
    return line("AccountBasedExpenseLineDetail", amount, AccountRef={"name": account})


def sale(item: str, qty: int, price: str, amount: str) -> dict[str, Any]:
    return line("SalesItemLineDetail", amount, ItemRef={"name": item}, Qty=qty, UnitPrice=price)


async def every_type(books: Books) -> list[dict[str, Any]]:
    """One record of each of the 14 types, naming the seeded company's real accounts, vendors,
    customers and items, and paying an open bill and an open invoice of its history."""
    lists = await reference_lists(books.client_id)
    vendor = next(e.name for e in lists.of("Vendor") if e.active)
    customer = next(e.name for e in lists.of("Customer") if e.active)
    bill = await open_transaction(books.client_id, "Bill")
    invoice = await open_transaction(books.client_id, "Invoice")
    bill_vendor = lists.get("Vendor", bill["VendorRef"]["value"])
    invoice_customer = lists.get("Customer", invoice["CustomerRef"]["value"])
    assert bill_vendor and invoice_customer
    owed, due = str(bill["Balance"]), str(invoice["Balance"])
    checking = {"name": "Business Checking"}
    records: dict[str, dict[str, Any]] = {
        "Purchase": {"PaymentType": "Check", "AccountRef": checking, "DocNumber": "1207",
                     "EntityRef": {"name": vendor, "type": "Vendor"}, "TxnDate": "2026-03-03",
                     "Line": [expense("Fuel", Decimal("84.10"))]},
        "Deposit": {"DepositToAccountRef": checking,
                    "Line": [line("DepositLineDetail", "500.00",
                                  AccountRef={"name": "Other Income"})]},
        "Bill": {"VendorRef": {"name": vendor}, "DueDate": "2026-04-02",
                 "Line": [expense("Subcontractors", Decimal("1250.00"))]},
        "BillPayment": {"VendorRef": {"name": bill_vendor.name}, "PayType": "Check",
                        "CheckPayment": {"BankAccountRef": checking}, "TotalAmt": owed,
                        "Line": [{"Amount": owed, "LinkedTxn": [
                            {"TxnId": bill["Id"], "TxnType": "Bill"}]}]},
        "Invoice": {"CustomerRef": {"name": customer},
                    "Line": [sale("Landscape Design", 2, "110.00", "220.00")]},
        "Payment": {"CustomerRef": {"name": invoice_customer.name}, "TotalAmt": due,
                    "DepositToAccountRef": {"name": "Undeposited Funds"},
                    "Line": [{"Amount": due, "LinkedTxn": [
                        {"TxnId": invoice["Id"], "TxnType": "Invoice"}]}]},
        "JournalEntry": {"Line": [
            line("JournalEntryLineDetail", "300.00", PostingType="Debit",
                 AccountRef={"name": "Depreciation"}),
            line("JournalEntryLineDetail", "300.00", PostingType="Credit",
                 AccountRef={"name": "Accumulated Depreciation"})]},
        "CreditMemo": {"CustomerRef": {"name": customer},
                       "Line": [sale("Lawn Aeration", 1, "160.00", "160.00")]},
        "VendorCredit": {"VendorRef": {"name": vendor}, "Line": [expense("Shop Supplies", 40)]},
        "Estimate": {"CustomerRef": {"name": customer},
                     "Line": [sale("Sod (pallet)", 3, "325.00", "975.00")]},
        "PurchaseOrder": {"VendorRef": {"name": vendor},
                          "Line": [expense("Cost of Materials", "612.00")]},
        "SalesReceipt": {"CustomerRef": {"name": customer},
                         "DepositToAccountRef": {"name": "Undeposited Funds"},
                         "Line": [sale("Irrigation Repair", 2, "95.00", "190.00")]},
        "Transfer": {"FromAccountRef": checking, "ToAccountRef": {"name": "Business Savings"},
                     "Amount": "1000.00"},
        "CreditCardPayment": {"CreditCardAccountRef": {"name": "Chase Ink Visa"},
                              "BankAccountRef": checking, "Amount": "750.00"},
    }  # fmt: skip
    return [{"type": entity, "record": record} for entity, record in records.items()]


def as_json(items: list[Any]) -> str:
    """The import file's text: amounts given as Decimals are written as JSON numbers."""
    return dumps(items)


async def test_a_file_with_every_type_is_stored_and_listed_back(
    books: Books, qbo_settings: Settings, tmp_path: Path
) -> None:
    """Given a file with one record of each of the 14 types (references by name, some amounts
    as JSON numbers), when it is imported for the client named by its name, then all are stored
    to review, the ids, types and statuses are printed, and `records list` prints each with its
    payload: references resolved to QuickBooks Ids and money as strings."""
    items = await every_type(books)
    done = zera_records(qbo_settings, "import", "--client", CLIENT_NAME,
                        write(tmp_path, as_json(items)))  # fmt: skip
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert [p["type"] for p in printed] == [i["type"] for i in items]
    assert {p["status"] for p in printed} == {"to_review"}
    assert len({p["id"] for p in printed}) == 14

    rows = {r["id"]: r for r in listed(qbo_settings, "--client", str(books.client_id))}
    assert set(rows) == {p["id"] for p in printed}
    for p in printed:
        row = rows[p["id"]]
        assert (row["type"], row["status"], row["qbo_id"], row["sync_token"]) == (
            p["type"], "to_review", None, None)  # fmt: skip
    by_type = {r["type"]: r["record"] for r in rows.values()}
    bill_line = by_type["Bill"]["Line"][0]
    assert bill_line["Amount"] == "1250.00"  # a JSON number in the file, a string once stored
    assert bill_line["AccountBasedExpenseLineDetail"]["AccountRef"]["value"]
    assert by_type["Purchase"]["Line"][0]["Amount"] == "84.10"
    assert by_type["VendorCredit"]["Line"][0]["Amount"] == "40.00"
    assert by_type["Transfer"]["ToAccountRef"]["value"]
    assert by_type["Invoice"]["Line"][0]["SalesItemLineDetail"]["Qty"] == "2"
    assert by_type["BillPayment"]["Line"][0]["LinkedTxn"][0]["TxnType"] == "Bill"
    assert by_type["BillPayment"]["VendorRef"]["value"]
    assert by_type["Payment"]["CustomerRef"]["value"]
    assert listed(qbo_settings, "--client", CLIENT_NAME, "--status", "approved") == []


async def test_approve_stores_the_records_approved(
    books: Books, qbo_settings: Settings, tmp_path: Path
) -> None:
    """Given a valid file, when it is imported with --approve, then its records are approved
    and `records list --status` tells approved from to review."""
    items = [i for i in await every_type(books) if i["type"] in ("Transfer", "JournalEntry")]
    done = zera_records(qbo_settings, "import", "--client", str(books.client_id),
                        write(tmp_path, as_json(items)), "--approve")  # fmt: skip
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert [(p["type"], p["status"]) for p in printed] == [
        ("JournalEntry", "approved"), ("Transfer", "approved")]  # fmt: skip
    approved = listed(qbo_settings, "--client", CLIENT_NAME, "--status", "approved")
    assert sorted(r["id"] for r in approved) == sorted(p["id"] for p in printed)
    assert listed(qbo_settings, "--client", CLIENT_NAME, "--status", "to_review") == []


async def test_one_bad_record_among_good_ones_stores_none_and_says_where(
    books: Books, qbo_settings: Settings, tmp_path: Path
) -> None:
    """Given a file of good records with a bill booked to an account the company does not have
    and an unbalanced journal entry among them, when it is imported, then nothing is stored,
    each problem is printed with the record's position and the field, and the exit status is 1.
    """
    good = await every_type(books)
    bad_bill = {"type": "Bill", "record": {"VendorRef": {"name": "Anyone"},
                                           "Line": [expense("Imaginary Expenses", "75.00")]}}
    unbalanced = {"type": "JournalEntry", "record": {"Line": [
        line("JournalEntryLineDetail", "300.00", PostingType="Debit",
             AccountRef={"name": "Depreciation"}),
        line("JournalEntryLineDetail", "290.00", PostingType="Credit",
             AccountRef={"name": "Accumulated Depreciation"})]}}  # fmt: skip
    no_customer = {"type": "Invoice", "record": {
        "Line": [sale("Landscape Design", 2, "110.00", "220.00")]}}  # fmt: skip
    items = [good[0], bad_bill, good[4], unbalanced, no_customer]
    done = zera_records(qbo_settings, "import", "--client", CLIENT_NAME,
                        write(tmp_path, as_json(items)))  # fmt: skip
    assert done.returncode == 1
    assert done.stdout == ""
    assert "nothing was stored" in done.stderr
    assert ("record 1 (Bill) Line[0].AccountBasedExpenseLineDetail.AccountRef: 'Imaginary "
            "Expenses' is not in this company's chart of accounts.") in done.stderr
    assert ("record 3 (JournalEntry) Line: the debits (300.00) must equal the credits "
            "(290.00).") in done.stderr  # fmt: skip
    assert "record 4 (Invoice) CustomerRef: is required." in done.stderr
    assert "record 0" not in done.stderr and "record 2" not in done.stderr
    assert listed(qbo_settings, "--client", CLIENT_NAME) == []


BAD_FILES = [  # (the file's text, what the command says)
    ('[{"type": "Bill", "record": {', "is not JSON"),
    ('{"type": "Bill", "record": {}}', "must hold a JSON array of"),
    ('"Bill"', "not a JSON string"),
    ("[]", "holds no records (an empty array)"),
]
BAD_ITEMS = [  # (the file's first item, good records after it; what the command says)
    ({"type": "Cheque", "record": {}}, "record 0: type 'Cheque' is not a record type"),
    ({"record": {}}, 'record 0: "type" is missing'),
    ({"type": "Bill"}, 'record 0: "record" must be an object'),
    ("Bill", "record 0: must be an object"),
]


@pytest.mark.parametrize(
    "text,item,message",
    [(text, None, message) for text, message in BAD_FILES]
    + [(None, item, message) for item, message in BAD_ITEMS],
)
async def test_a_malformed_file_is_refused_whole(
    books: Books, qbo_settings: Settings, tmp_path: Path, text: str | None, item: Any,
    message: str,
) -> None:
    """Given a file that is not JSON, not an array or empty, or whose first item has an unknown
    type or lacks its type or record (good records after it), when it is imported, then it is
    refused with a clear message, exit status 1, and nothing is stored."""
    if text is None:
        text = as_json([item, *(await every_type(books))[-2:]])
    done = zera_records(qbo_settings, "import", "--client", CLIENT_NAME, write(tmp_path, text))
    assert done.returncode == 1
    assert message in done.stderr, done.stderr
    assert "Nothing was stored." in done.stderr
    assert done.stdout == ""
    assert listed(qbo_settings, "--client", CLIENT_NAME) == []


async def test_an_unknown_client_is_refused(
    books: Books, qbo_settings: Settings, tmp_path: Path
) -> None:
    """Given a client reference that is neither an id nor an exact name, when records are
    imported or listed for it, then the command says so and exits 1."""
    path = write(tmp_path, as_json((await every_type(books))[-1:]))
    for args in (("import", "--client", "juniper landscaping", path),
                 ("list", "--client", "9999")):  # fmt: skip
        done = zera_records(qbo_settings, *args)
        assert done.returncode == 1, args
        assert "no client has the id or the exact name" in done.stderr
    assert listed(qbo_settings, "--client", CLIENT_NAME) == []
