"""Intuit's write rules as Zera checks them before anything is stored: each rule refuses with a
message naming the field, and names resolve against the client's lists (pure; no I/O)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from zera.review import payloads
from zera.sync.lists import ListEntry, ReferenceLists


def _account(qbo_id: str, name: str, kind: str, active: bool = True) -> ListEntry:
    return ListEntry("Account", qbo_id, name, active, kind)


LISTS = ReferenceLists(
    entries={
        "Account": [
            _account("1", "Business Checking", "Bank"),
            _account("2", "Chase Ink Visa", "Credit Card"),
            _account("3", "Repairs and Maintenance", "Expense"),
            _account("4", "Sales", "Income"),
            _account("5", "Old Fuel", "Expense", active=False),
            _account("6", "Accounts Payable (A/P)", "Accounts Payable"),
            _account("7", "Business Savings", "Bank"),
        ],
        "Vendor": [ListEntry("Vendor", "56", "Home Depot", True)],
        "Customer": [ListEntry("Customer", "9", "Amy's Bird Sanctuary", True)],
        "Item": [ListEntry("Item", "11", "Lawn Mowing", True, "Service")],
    },
    loaded=True,
)


def _line(account: dict[str, str], amount: str = "1.00") -> list[dict[str, Any]]:
    kind = "AccountBasedExpenseLineDetail"
    return [{"Amount": amount, "DetailType": kind, kind: {"AccountRef": account}}]


def _journal(debit: str, credit: str) -> list[dict[str, Any]]:
    kind = "JournalEntryLineDetail"
    return [
        {"Amount": debit, "DetailType": kind,
         kind: {"PostingType": "Debit", "AccountRef": {"value": "3"}}},
        {"Amount": credit, "DetailType": kind,
         kind: {"PostingType": "Credit", "AccountRef": {"value": "1"}}},
    ]  # fmt: skip


def _sales(amount: str, qty: object = None, price: object = None) -> list[dict[str, Any]]:
    detail: dict[str, Any] = {"ItemRef": {"value": "11"}}
    if qty is not None:
        detail |= {"Qty": qty, "UnitPrice": price}
    return [{"Amount": amount, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": detail}]


LINE = "Line[0].AccountBasedExpenseLineDetail.AccountRef"


def _purchase(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "PaymentType": "Cash",
        "AccountRef": {"value": "1"},
        "TxnDate": "2026-01-05",
        "EntityRef": {"name": "home depot", "type": "Vendor"},
        "Line": [
            {
                "Amount": Decimal("182.4"),
                "DetailType": "AccountBasedExpenseLineDetail",
                "AccountBasedExpenseLineDetail": {
                    "AccountRef": {"name": "Repairs and Maintenance"}
                },
            }
        ],
    }
    payload.update(changes)
    return payload


def _problems(entity: str, payload: dict[str, Any]) -> list[str]:
    payload, found = payloads.normalize(payload)
    found += payloads.resolve(entity, payload, LISTS)
    found += payloads.check(entity, payload, LISTS)
    return [str(p) for p in found]


def test_a_complete_purchase_resolves_names_and_keeps_money_as_strings() -> None:
    payload, problems = payloads.normalize(_purchase())
    assert problems == []
    assert payloads.resolve("Purchase", payload, LISTS) == []
    assert payloads.check("Purchase", payload, LISTS) == []
    assert payload["EntityRef"] == {"value": "56", "name": "Home Depot", "type": "Vendor"}
    line = payload["Line"][0]
    assert line["Amount"] == "182.40"
    category = line["AccountBasedExpenseLineDetail"]["AccountRef"]
    assert category == {"value": "3", "name": "Repairs and Maintenance"}
    assert payloads.signed_total("Purchase", payload) == Decimal("-182.40")


def test_a_new_payee_stays_a_name_but_a_long_one_is_refused() -> None:
    new_payee = {"name": "Fresh Bakery", "type": "Vendor"}
    assert _problems("Purchase", _purchase(EntityRef=new_payee)) == []
    long_name = "B" * 501
    assert _problems("Purchase", _purchase(EntityRef={"name": long_name})) == [
        "EntityRef: a name is at most 500 characters (501 given)."
    ]


@pytest.mark.parametrize(
    ("entity", "payload", "expected"),
    [
        ("Purchase", _purchase(AccountRef={"value": "3"}),
         "'Repairs and Maintenance' is an Expense account; this needs Bank or"),
        ("Purchase", _purchase(PaymentType="CreditCard", AccountRef={"value": "2"}, Credit=True,
                               TxnDate="05/01/2026"),
         "TxnDate: '05/01/2026' is not a date (YYYY-MM-DD)."),
        ("Purchase", _purchase(Credit=True),
         "Credit: a refund (Credit) is only for a credit card."),
        ("Purchase", _purchase(Line=_line({"value": "5"})),
         f"{LINE}: 'Old Fuel' is inactive in QuickBooks."),
        ("Purchase", _purchase(Line=_line({"name": "Fuel"})),
         f"{LINE}: 'Fuel' is not in this company's chart of accounts."),
        ("Purchase", _purchase(Line=_line({"value": "6"})),
         f"{LINE}: 'Accounts Payable (A/P)' (Accounts Payable) cannot be a line's category."),
        ("Purchase", _purchase(DocNumber="X" * 22), "DocNumber: is at most 21 characters."),
        ("Purchase", _purchase(Line=_line({"value": "3"}, amount="abc")),
         "Line[0].Amount: 'abc' is not an amount."),
        ("JournalEntry", {"Line": _journal("10.00", "9.00")},
         "Line: the debits (10.00) must equal the credits (9.00)."),
        ("Invoice", {"CustomerRef": {"value": "9"}, "Line": _sales("100.00", 3, "30")},
         "Line[0].Amount: is 100.00 but 3 x 30 is 90.00."),
        ("Invoice", {"Line": _sales("100.00")}, "CustomerRef: is required."),
        ("Transfer", {"FromAccountRef": {"value": "1"}, "ToAccountRef": {"value": "1"},
                      "Amount": "5"},
         "ToAccountRef: a transfer needs two different accounts."),
        ("CreditCardPayment", {"CreditCardAccountRef": {"value": "1"},
                               "BankAccountRef": {"value": "7"}, "Amount": "50"},
         "CreditCardAccountRef: 'Business Checking' is a Bank account; this needs Credit Card."),
        ("Deposit", {"DepositToAccountRef": {"value": "2"}, "Line": [
            {"Amount": "5.00", "DetailType": "DepositLineDetail",
             "DepositLineDetail": {"AccountRef": {"value": "4"}}}]},
         "'Chase Ink Visa' is a Credit Card account; this needs Bank or Other Current Asset."),
        ("Refund", {}, "type: 'Refund' is not a record type Zera writes."),
    ],
)  # fmt: skip
def test_each_rule_refuses_with_the_field_named(
    entity: str, payload: dict[str, Any], expected: str
) -> None:
    problems = _problems(entity, copy.deepcopy(payload))
    assert any(expected in problem for problem in problems), problems


def test_a_split_must_add_up_to_the_statement_line() -> None:
    payload, _ = payloads.normalize(_purchase())
    payloads.resolve("Purchase", payload, LISTS)
    halves = [payloads.Part(Decimal("100.00"), {"value": "3"}),
              payloads.Part(Decimal("80.00"), {"value": "3"})]  # fmt: skip
    split = payloads.split("Purchase", payload, halves)
    problems = payloads.check("Purchase", split, LISTS, expected_total=Decimal("-182.40"))
    assert [str(p) for p in problems] == [
        "Line: the lines add up to 180.00 but the statement line is 182.40."
    ]
    halves[1] = payloads.Part(Decimal("82.40"), {"value": "3"})
    split = payloads.split("Purchase", payload, halves)
    assert payloads.check("Purchase", split, LISTS, expected_total=Decimal("-182.40")) == []


@pytest.mark.parametrize("entity", payloads.BANK_LINE_TYPES)
def test_a_statement_line_keeps_its_facts_through_every_type(entity: str) -> None:
    facts = payloads.BankFacts(
        bank={"value": "1", "name": "Business Checking"}, amount=Decimal("-50.00"), card=False,
        txn_date="2026-01-05", payee=None, category={"value": "7", "name": "Business Savings"},
        description="ONLINE TRANSFER TO SAV 4411", note="statement.pdf, page 1", doc_number=None,
    )  # fmt: skip
    payload = payloads.bank_payload(entity, facts)
    again = payloads.bank_facts(entity, payload, amount=facts.amount, card=False,
                                description=facts.description)  # fmt: skip
    assert again.bank == facts.bank
    assert again.category == facts.category
    assert payloads.total(entity, payload) == Decimal("50.00")
    if entity != "CreditCardPayment":  # savings is not a card: the rule says so
        assert payloads.check(entity, payload, LISTS) == []
