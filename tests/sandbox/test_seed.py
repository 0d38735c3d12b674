"""The seeded company: deterministic, sized like a small business, internally consistent."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from zera.sandbox.fields import unknown_fields
from zera.sandbox.seed import ENTITY_ORDER, TRANSACTION_TYPES, SeedCompany, generate_company

TODAY = date(2026, 11, 24)
ZERO = Decimal("0")

# Which entity each reference field points at (TaxCodeRef "TAX"/"NON" are US pseudo-codes).
REF_TARGETS = {
    "VendorRef": "Vendor", "CustomerRef": "Customer", "AccountRef": "Account",
    "APAccountRef": "Account", "ARAccountRef": "Account", "DepositToAccountRef": "Account",
    "IncomeAccountRef": "Account", "ExpenseAccountRef": "Account", "BankAccountRef": "Account",
    "CCAccountRef": "Account", "ItemRef": "Item", "ClassRef": "Class",
    "DepartmentRef": "Department", "SalesTermRef": "Term", "TermRef": "Term",
    "PaymentMethodRef": "PaymentMethod", "TaxCodeRef": "TaxCode", "TxnTaxCodeRef": "TaxCode",
    "TaxRateRef": "TaxRate", "DefaultTerms": "Term",
}  # fmt: skip
NOT_ENTITY_REFS = {"CurrencyRef", "HomeCurrency"}


@pytest.fixture(scope="module")
def company() -> SeedCompany:
    return generate_company(7, today=TODAY)


def canonical(company: SeedCompany) -> str:
    return json.dumps([[entity, record] for entity, record in company.records()], default=str)


def walk(value: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """(key, path, value) for every key in a nested payload."""
    if isinstance(value, dict):
        for key, inner in value.items():
            here = f"{path}.{key}" if path else key
            yield key, here, inner
            yield from walk(inner, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")


def looks_like_reference(key: str, value: Any) -> bool:
    if key in NOT_ENTITY_REFS or key in ("EntityRef", "CustomerMemo"):
        return False
    return key.endswith("Ref") or (isinstance(value, dict) and set(value) == {"value"})


def paid_by(company: SeedCompany, payer: str, target: str) -> dict[str, Decimal]:
    """What `payer` transactions applied to each `target`, by target Id."""
    applied: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for record in company[payer]:
        for line in record["Line"]:
            for link in line.get("LinkedTxn", []):
                if link["TxnType"] == target:
                    applied[link["TxnId"]] += line["Amount"]
    return applied


# determinism ----------------------------------------------------------------------------------


def test_the_same_seed_and_day_give_an_identical_company(company: SeedCompany) -> None:
    assert canonical(generate_company(7, today=TODAY)) == canonical(company)


def test_a_different_seed_gives_a_different_company(company: SeedCompany) -> None:
    other = generate_company(8, today=TODAY)
    assert canonical(other) != canonical(company)
    assert [c["DisplayName"] for c in other["Customer"]] != [
        c["DisplayName"] for c in company["Customer"]
    ]


def test_history_covers_the_months_before_today_and_nothing_after() -> None:
    short = generate_company(3, today=date(2026, 3, 31), months=3)
    dates = {record["TxnDate"] for entity in TRANSACTION_TYPES for record in short[entity]}
    assert min(dates) == "2026-01-01"
    assert max(dates) <= "2026-03-31"
    assert short.transaction_count < generate_company(3, today=date(2026, 3, 31)).transaction_count


def test_another_process_with_another_hash_seed_generates_the_same_bytes(
    company: SeedCompany,
) -> None:
    """Nothing may depend on set or hash order: a fresh interpreter must agree byte for byte."""
    script = (
        "import json, sys; from datetime import date;"
        "from zera.sandbox.seed import generate_company;"
        "c = generate_company(7, today=date(2026, 11, 24));"
        "sys.stdout.write(json.dumps([[e, r] for e, r in c.records()], default=str))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True,
                            env={**os.environ, "PYTHONHASHSEED": "12345"})  # fmt: skip
    assert result.stdout.decode() == canonical(company)


@pytest.mark.parametrize("today", [date(2028, 2, 29), date(2027, 1, 1), date(2026, 12, 31)])
def test_any_day_can_end_the_history(today: date) -> None:
    generated = generate_company(5, today=today, months=12)
    dates = sorted(r["TxnDate"] for e in TRANSACTION_TYPES for r in generated[e])
    assert dates[-1] <= today.isoformat()
    assert date.fromisoformat(dates[0]) > date(today.year - 1, today.month, 1)


def test_months_must_be_positive() -> None:
    with pytest.raises(ValueError, match="months"):
        generate_company(1, today=TODAY, months=0)


# size and shape -------------------------------------------------------------------------------


def test_the_company_is_sized_like_a_small_business(company: SeedCompany) -> None:
    counts = company.counts()
    assert 55 <= counts["Account"] <= 70
    assert counts["Vendor"] == 40
    assert counts["Customer"] == 30
    assert 3 <= counts["Employee"] <= 6
    assert counts["CompanyInfo"] == counts["Preferences"] == 1
    for entity in ("TaxCode", "TaxRate", "Term", "PaymentMethod", "Class", "Department"):
        assert counts[entity] >= 2, entity
    assert 2000 <= company.transaction_count <= 5000
    for entity in TRANSACTION_TYPES:
        assert counts[entity] >= 10, entity


def test_the_chart_spans_every_account_type(company: SeedCompany) -> None:
    types = {account["AccountType"] for account in company["Account"]}
    assert types >= {
        "Bank", "Accounts Receivable", "Other Current Asset", "Fixed Asset", "Accounts Payable",
        "Credit Card", "Other Current Liability", "Long Term Liability", "Equity", "Income",
        "Cost of Goods Sold", "Expense", "Other Income", "Other Expense",
    }  # fmt: skip
    assert len({a["Name"] for a in company["Account"]}) == len(company["Account"])


def test_items_are_services_and_non_inventory_with_their_accounts(company: SeedCompany) -> None:
    assert {item["Type"] for item in company["Item"]} == {"Service", "NonInventory"}
    for item in company["Item"]:
        assert item["IncomeAccountRef"]["value"]
        if item["Type"] == "NonInventory":
            assert item["ExpenseAccountRef"]["value"]


def test_ids_run_from_one_per_entity_type(company: SeedCompany) -> None:
    for entity in ENTITY_ORDER:
        ids = [record["Id"] for record in company[entity]]
        assert ids == [str(n) for n in range(1, len(ids) + 1)], entity
    assert company.get("Invoice", "3") is company["Invoice"][2]
    assert company.get("Invoice", "0") is None
    assert company.get("Invoice", "x") is None


def test_document_numbers_are_unique_per_transaction_type(company: SeedCompany) -> None:
    """The company asks for unique numbers (CustomTxnNumbers), so its own history must comply."""
    assert company.preferences["SalesFormsPrefs"]["CustomTxnNumbers"] is True
    for entity in TRANSACTION_TYPES:
        numbers = [r["DocNumber"] for r in company[entity] if "DocNumber" in r]
        assert len(numbers) == len(set(numbers)), entity


def test_display_names_are_unique_across_customers_vendors_and_employees(
    company: SeedCompany,
) -> None:
    names = [record["DisplayName"].lower() for entity in ("Customer", "Vendor", "Employee")
             for record in company[entity]]  # fmt: skip
    assert len(names) == len(set(names))


# Intuit's shapes ------------------------------------------------------------------------------


def test_every_payload_uses_only_intuit_schema_field_names(company: SeedCompany) -> None:
    unknown = {(entity, path) for entity, record in company.records()
               for path in unknown_fields(entity, record)}  # fmt: skip
    assert unknown == set()


def test_money_is_decimal_to_the_cent_and_never_a_float(company: SeedCompany) -> None:
    for entity, record in company.records():
        for key, path, value in walk(record):
            assert not isinstance(value, float), (entity, path)
            if key in ("Amount", "TotalAmt", "Balance", "UnitPrice", "TotalTax"):
                assert isinstance(value, Decimal), (entity, path)
                assert value == value.quantize(Decimal("0.01")), (entity, path, value)


def test_dates_are_iso_days_and_times_carry_an_offset(company: SeedCompany) -> None:
    day = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    stamp = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-0[78]:00$")
    for entity, record in company.records():
        for key, path, value in walk(record):
            if key in ("TxnDate", "DueDate", "ServiceDate", "ExpirationDate", "AcceptedDate"):
                assert day.match(value), (entity, path, value)
            if key in ("CreateTime", "LastUpdatedTime"):
                assert stamp.match(value), (entity, path, value)


# consistency ----------------------------------------------------------------------------------


def test_every_reference_resolves_to_an_earlier_entity_type(company: SeedCompany) -> None:
    order = {entity: n for n, entity in enumerate(ENTITY_ORDER)}
    for entity, record in company.records():
        for key, path, value in walk(record):
            if key in REF_TARGETS and isinstance(value, dict):
                if key == "TaxCodeRef" and value["value"] in ("TAX", "NON"):
                    continue
                target = REF_TARGETS[key]
                assert company.get(target, value["value"]) is not None, (entity, path)
                assert order[target] < order[entity], (entity, path)
            elif looks_like_reference(key, value):
                raise AssertionError(f"unchecked reference {entity}.{path}")


def test_entity_and_linked_transaction_references_resolve(company: SeedCompany) -> None:
    for entity, record in company.records():
        for key, path, value in walk(record):
            if key == "EntityRef" and "type" in value:  # Purchase: {"value", "name", "type"}
                assert company.get(value["type"], value["value"]) is not None, (entity, path)
            if key == "Entity" and "Type" in value:  # JournalEntry line: {"Type", "EntityRef"}
                ref = value["EntityRef"]
                assert company.get(value["Type"], ref["value"]) is not None, (entity, path)
            if key == "LinkedTxn":
                for link in value:
                    assert company.get(link["TxnType"], link["TxnId"]) is not None, (entity, path)


def test_journal_entries_balance(company: SeedCompany) -> None:
    for entry in company["JournalEntry"]:
        sides: Counter[str] = Counter()
        for line in entry["Line"]:
            sides[line["JournalEntryLineDetail"]["PostingType"]] += line["Amount"]  # type: ignore[assignment]
        assert sides["Debit"] == sides["Credit"] == entry["TotalAmt"] > 0, entry["Id"]


def test_total_amounts_are_the_sum_of_the_lines(company: SeedCompany) -> None:
    for entity in TRANSACTION_TYPES:
        if entity == "JournalEntry":
            continue
        for record in company[entity]:
            lines = sum((line["Amount"] for line in record["Line"]
                         if line.get("DetailType") != "SubTotalLineDetail"), ZERO)  # fmt: skip
            tax = record.get("TxnTaxDetail", {}).get("TotalTax", ZERO)
            assert record["TotalAmt"] == lines + tax, (entity, record["Id"])


def test_sales_tax_lines_add_up_to_the_total_tax(company: SeedCompany) -> None:
    taxed = 0
    for entity in ("Invoice", "SalesReceipt", "Estimate"):
        for record in company[entity]:
            detail = record["TxnTaxDetail"]
            assert detail["TotalTax"] == sum((t["Amount"] for t in detail["TaxLine"]), ZERO)
            taxed += detail["TotalTax"] > 0
    assert taxed > 100


@pytest.mark.parametrize(
    ("payer", "target", "party"),
    [("Payment", "Invoice", "CustomerRef"), ("BillPayment", "Bill", "VendorRef")],
)
def test_payments_never_exceed_what_is_open_and_balances_agree(
    company: SeedCompany, payer: str, target: str, party: str
) -> None:
    applied = paid_by(company, payer, target)
    states = Counter()
    for record in company[target]:
        paid = applied.get(record["Id"], ZERO)
        assert ZERO <= paid <= record["TotalAmt"], record["Id"]
        assert record["Balance"] == record["TotalAmt"] - paid, record["Id"]
        states["open" if paid == 0 else "paid" if record["Balance"] == 0 else "partial"] += 1
    assert states["open"] and states["paid"] and states["partial"], states
    for payment in company[payer]:
        assert payment["TotalAmt"] == sum((line["Amount"] for line in payment["Line"]), ZERO)
        for line in payment["Line"]:
            paid_doc = company.get(target, line["LinkedTxn"][0]["TxnId"])
            assert paid_doc is not None
            assert paid_doc[party]["value"] == payment[party]["value"]
            assert paid_doc["TxnDate"] <= payment["TxnDate"]


def test_deposits_sweep_each_undeposited_receipt_once_and_whole(company: SeedCompany) -> None:
    undeposited = next(a["Id"] for a in company["Account"] if a["Name"] == "Undeposited Funds")
    seen: Counter[tuple[str, str]] = Counter()
    for deposit in company["Deposit"]:
        for line in deposit["Line"]:
            for link in line.get("LinkedTxn", []):
                source = company.get(link["TxnType"], link["TxnId"])
                assert source is not None
                assert source["DepositToAccountRef"]["value"] == undeposited
                assert line["Amount"] == source["TotalAmt"]
                assert source["TxnDate"] <= deposit["TxnDate"]
                seen[(link["TxnType"], link["TxnId"])] += 1
    assert seen and max(seen.values()) == 1


def test_account_and_party_balances_follow_from_the_transactions(company: SeedCompany) -> None:
    accounts = {a["Name"]: a["CurrentBalance"] for a in company["Account"]}
    receivable = sum((i["Balance"] for i in company["Invoice"]), ZERO) - sum(
        (m["Balance"] for m in company["CreditMemo"]), ZERO)  # fmt: skip
    payable = sum((b["Balance"] for b in company["Bill"]), ZERO) - sum(
        (v["Balance"] for v in company["VendorCredit"]), ZERO)  # fmt: skip
    assert accounts["Accounts Receivable (A/R)"] == receivable
    assert accounts["Accounts Payable (A/P)"] == payable
    assert sum((c["Balance"] for c in company["Customer"]), ZERO) == receivable
    assert sum((v["Balance"] for v in company["Vendor"]), ZERO) == payable
    deposited = {link["TxnId"] + link["TxnType"] for d in company["Deposit"] for line in d["Line"]
                 for link in line.get("LinkedTxn", [])}  # fmt: skip
    waiting = sum((r["TotalAmt"] for kind in ("Payment", "SalesReceipt") for r in company[kind]
                   if r["DepositToAccountRef"]["name"] == "Undeposited Funds"
                   and r["Id"] + kind not in deposited), ZERO)  # fmt: skip
    assert accounts["Undeposited Funds"] == waiting


def test_estimates_that_became_invoices_are_linked_both_ways(company: SeedCompany) -> None:
    converted = [e for e in company["Estimate"] if e["LinkedTxn"]]
    assert converted
    for estimate in converted:
        assert estimate["TxnStatus"] == "Closed"
        [link] = estimate["LinkedTxn"]
        invoice = company.get("Invoice", link["TxnId"])
        assert invoice is not None
        assert {"TxnId": estimate["Id"], "TxnType": "Estimate"} in invoice["LinkedTxn"]
        assert invoice["CustomerRef"] == estimate["CustomerRef"]


def test_purchases_are_paid_from_accounts_that_fit_the_payment_type(company: SeedCompany) -> None:
    kinds = {a["Id"]: a["AccountType"] for a in company["Account"]}
    fits = {"Check": {"Bank"}, "CreditCard": {"Credit Card"}, "Cash": {"Bank"}}
    for purchase in company["Purchase"]:
        assert kinds[purchase["AccountRef"]["value"]] in fits[purchase["PaymentType"]]
    for payment in company["BillPayment"]:
        if payment["PayType"] == "Check":
            assert kinds[payment["CheckPayment"]["BankAccountRef"]["value"]] == "Bank"
        else:
            assert kinds[payment["CreditCardPayment"]["CCAccountRef"]["value"]] == "Credit Card"
