"""Intuit's write rules (QBO-API.md §3 codes, §8 entity table), checked before storing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from zera.sandbox import faults, fields, ledger
from zera.sandbox.entities import (
    BY_NAME,
    NAME,
    PEOPLE,
    PSEUDO_TAX_CODES,
    REF_TARGETS,
    SERVER_KEYS,
    EntitySpec,
)
from zera.sandbox.jsonio import to_decimal
from zera.sandbox.store import SandboxStore, name_key

PAYMENT_TYPES = ("Cash", "Check", "CreditCard")
PAY_TYPES = ("Check", "CreditCard")
ACCOUNT_TYPES = {
    "Bank": "Asset", "Other Current Asset": "Asset", "Fixed Asset": "Asset",
    "Other Asset": "Asset", "Accounts Receivable": "Asset", "Equity": "Equity",
    "Expense": "Expense", "Other Expense": "Expense", "Cost of Goods Sold": "Expense",
    "Accounts Payable": "Liability", "Credit Card": "Liability",
    "Long Term Liability": "Liability", "Other Current Liability": "Liability",
    "Income": "Revenue", "Other Income": "Revenue",
}
BALANCE_SHEET = frozenset({"Asset", "Liability", "Equity"})
PARTY_ACCOUNTS = frozenset({"Accounts Receivable", "Accounts Payable"})
ITEM_TYPES = ("Inventory", "NonInventory", "Service", "Group", "Category", "Bundle",
              "Other Charge", "Discount", "Payment", "Subtotal", "Tax", "Tax Group",
              "Fixed Asset", "Assembly")
NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix", "CompanyName")


def check_field_names(entity: str, payload: dict[str, Any]) -> None:
    """2010 for the first property Intuit's schema does not define (QBO-API.md §3)."""
    unknown = fields.unknown_fields(entity, payload)
    if unknown:
        raise faults.unsupported_property(unknown[0])


def _blank(value: object) -> bool:
    return value is None or value == "" or value == {} or value == []


def _refs(value: Any, path: str = "") -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every (field name, dotted path, reference) in a payload."""
    if isinstance(value, dict):
        for key, inner in value.items():
            here = f"{path}.{key}" if path else key
            if key in REF_TARGETS and isinstance(inner, dict):
                yield key, here, inner
            else:
                yield from _refs(inner, here)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item, path)


class Validator:
    """Checks one company's write against its current records."""

    def __init__(self, store: SandboxStore, realm: str) -> None:
        self.store = store
        self.realm = realm

    def target(self, entity: str, ref_id: str, element: str) -> dict[str, Any]:
        """A referenced record; 2500 if missing or deleted, 610 if made inactive."""
        found = self.store.get(self.realm, entity, ref_id)
        if found is None or found.status == "Deleted":
            raise faults.invalid_reference(element, ref_id, f"no {entity} with Id {ref_id}")
        if BY_NAME[entity].kind == NAME and found.doc.get("Active") is False:
            raise faults.object_not_found(entity, ref_id)
        return found.doc

    def check(self, spec: EntitySpec, doc: dict[str, Any], old: dict[str, Any] | None) -> None:
        """Every rule for writing `doc` (the full new state) of `spec`'s entity."""
        for name in spec.required:
            if _blank(doc.get(name)):
                raise faults.required_param(name)
        if spec.is_transaction:
            self._lines(spec, doc)
        self._references(doc)
        rule = getattr(self, f"_rules_{spec.name}", None)
        if rule is not None:
            rule(doc, old)
        if spec.name in PEOPLE:
            self._person(spec, doc)
        elif spec.kind == NAME and spec.name in {"Item", "Account"}:
            self._unique_name(spec, doc)

    # -- lines and references ------------------------------------------------------------------
    def _lines(self, spec: EntitySpec, doc: dict[str, Any]) -> None:
        lines = doc.get("Line") or []
        if len(lines) < spec.min_lines:
            raise faults.required_param("Line")
        for i, line in enumerate(lines):
            kind = line.get("DetailType")
            if spec.name in {"Payment", "BillPayment"} or (
                spec.name == "Deposit" and line.get("LinkedTxn") and not kind
            ):
                # Paying lines carry LinkedTxn, not a detail type; a Deposit line that links a
                # payment and still says DepositLineDetail needs its AccountRef (2020,
                # python-quickbooks #329).
                continue
            if not kind:
                raise faults.required_param("Line.DetailType")
            if kind not in spec.line_types:
                raise faults.invalid_enum(str(kind), f"Line[{i}].DetailType")
            if kind not in ledger.NON_AMOUNT_LINES and kind != "DescriptionOnly":
                ledger.amount(line, i)
            detail = line.get(kind)
            if kind == "DepositLineDetail" and _blank((detail or {}).get("AccountRef")):
                raise faults.required_param("Line.DepositLineDetail.AccountRef")
            if kind == "AccountBasedExpenseLineDetail" and _blank((detail or {}).get("AccountRef")):
                raise faults.required_param("Line.AccountBasedExpenseLineDetail.AccountRef")
            if kind == "ItemBasedExpenseLineDetail" and _blank((detail or {}).get("ItemRef")):
                raise faults.required_param("Line.ItemBasedExpenseLineDetail.ItemRef")
            if kind == "JournalEntryLineDetail":
                detail = detail or {}
                if detail.get("PostingType") not in ("Debit", "Credit"):
                    raise faults.invalid_enum(str(detail.get("PostingType")),
                                              "Line.JournalEntryLineDetail.PostingType")
                if _blank(detail.get("AccountRef")):
                    raise faults.required_param("Line.JournalEntryLineDetail.AccountRef")

    def _references(self, doc: dict[str, Any]) -> None:
        for key, path, ref in _refs({k: v for k, v in doc.items() if k not in SERVER_KEYS}):
            if key == "ParentRef":
                continue
            value = str(ref.get("value", "")).strip()
            if not value:
                raise faults.required_param(path)
            if key.endswith("TaxCodeRef") and value in PSEUDO_TAX_CODES:
                continue
            target = self.target(REF_TARGETS[key], value, path)
            # Intuit answers with each reference's display name filled in.
            name = (target.get("FullyQualifiedName") or target.get("DisplayName")
                    or target.get("Name"))
            if name:
                ref["name"] = name
        entity_ref = doc.get("EntityRef")
        if isinstance(entity_ref, dict) and entity_ref.get("value"):
            kind = entity_ref.get("type") or "Vendor"
            if kind not in PEOPLE:
                raise faults.invalid_enum(str(kind), "EntityRef.type")
            target = self.target(kind, str(entity_ref["value"]), "EntityRef")
            entity_ref["name"] = target.get("DisplayName", entity_ref.get("name", ""))

    def _account(self, ref: dict[str, Any] | None, path: str) -> dict[str, Any]:
        if _blank(ref):
            raise faults.required_param(path)
        assert ref is not None
        return self.target("Account", str(ref.get("value", "")), path)

    # -- per-entity rules --------------------------------------------------------------------
    def _rules_Purchase(self, doc: dict[str, Any], old: dict[str, Any] | None) -> None:
        kind = doc.get("PaymentType")
        if kind not in PAYMENT_TYPES:
            raise faults.invalid_enum(str(kind), "PaymentType")
        account = self._account(doc.get("AccountRef"), "AccountRef")
        wanted = {"Check": ("Bank",), "CreditCard": ("Credit Card",),
                  "Cash": ("Bank", "Other Current Asset", "Credit Card")}[str(kind)]
        if account.get("AccountType") not in wanted:
            raise faults.business(
                f"PaymentType {kind} needs an account of type {' or '.join(wanted)}; "
                f"account {account.get('Id')} is {account.get('AccountType')}.", "AccountRef")
        if doc.get("Credit") is True and kind != "CreditCard":
            raise faults.business("Credit (a refund) is only valid for PaymentType CreditCard.")

    def _rules_Deposit(self, doc: dict[str, Any], old: dict[str, Any] | None) -> None:
        account = self._account(doc.get("DepositToAccountRef"), "DepositToAccountRef")
        if account.get("AccountType") not in ("Bank", "Other Current Asset"):
            raise faults.business("Select a bank account for this deposit", "DepositToAccountRef")
        self._links("Deposit", doc, old)

    def _rules_JournalEntry(self, doc: dict[str, Any], old: dict[str, Any] | None) -> None:
        debit, credit = ledger.journal_sides(doc)
        if debit != credit:
            raise faults.business(
                "The total of the debits must equal the total of the credits "
                f"(debits {debit}, credits {credit}).")

    def _rules_Transfer(self, doc: dict[str, Any], old: dict[str, Any] | None) -> None:
        """Two different balance-sheet accounts and a positive Amount.

        Finance.xsd says of both refs "Must be a Balance Sheet account". A/R is left out as
        python-quickbooks' Transfer integration test leaves it out when it picks the accounts;
        A/P likewise, by the same reading (both need a customer or vendor on each posting).
        """
        self._positive_amount(doc)
        source = self._account(doc.get("FromAccountRef"), "FromAccountRef")
        target = self._account(doc.get("ToAccountRef"), "ToAccountRef")
        if str(source.get("Id")) == str(target.get("Id")):
            raise faults.business("You cannot transfer money to the account it comes from: "
                                  "choose two different accounts.", "ToAccountRef")
        for field, account in (("FromAccountRef", source), ("ToAccountRef", target)):
            kind = account.get("AccountType")
            if ACCOUNT_TYPES.get(str(kind)) not in BALANCE_SHEET or kind in PARTY_ACCOUNTS:
                raise faults.business(
                    f"A transfer moves money between balance-sheet accounts (bank, credit card, "
                    f"asset, liability or equity); account {account.get('Id')} is {kind}.",
                    field)

    def _rules_CreditCardPayment(self, doc: dict[str, Any], old: dict[str, Any] | None) -> None:
        """A Credit Card account paid from a Bank account (Finance.xsd CreditCardPaymentTxn)."""
        self._positive_amount(doc)
        card = self._account(doc.get("CreditCardAccountRef"), "CreditCardAccountRef")
        if card.get("AccountType") != "Credit Card":
            raise faults.business(
                f"CreditCardAccountRef must be a Credit Card account; account {card.get('Id')} "
                f"is {card.get('AccountType')}.", "CreditCardAccountRef")
        bank = self._account(doc.get("BankAccountRef"), "BankAccountRef")
        if bank.get("AccountType") != "Bank":
            raise faults.business(
                f"BankAccountRef must be a Bank account; account {bank.get('Id')} is "
                f"{bank.get('AccountType')}.", "BankAccountRef")

    @staticmethod
    def _positive_amount(doc: dict[str, Any]) -> None:
        try:
            value = to_decimal(doc.get("Amount"))
        except (ValueError, ArithmeticError):
            raise faults.invalid_number("Amount", doc.get("Amount")) from None
        if not value.is_finite() or value <= 0:
            raise faults.business("The amount must be greater than zero.", "Amount")

    def _rules_Payment(self, doc: dict[str, Any], old: dict[str, Any] | None) -> None:
        self._paying("Payment", doc, old, party="CustomerRef")

    def _rules_BillPayment(self, doc: dict[str, Any], old: dict[str, Any] | None) -> None:
        kind = doc.get("PayType")
        if kind not in PAY_TYPES:
            raise faults.invalid_enum(str(kind), "PayType")
        if kind == "Check":
            account = self._account((doc.get("CheckPayment") or {}).get("BankAccountRef"),
                                    "CheckPayment.BankAccountRef")
            if account.get("AccountType") != "Bank":
                raise faults.business("A check payment must come from a bank account.")
        else:
            account = self._account((doc.get("CreditCardPayment") or {}).get("CCAccountRef"),
                                    "CreditCardPayment.CCAccountRef")
            if account.get("AccountType") != "Credit Card":
                raise faults.business("A credit card payment must use a credit card account.")
        self._paying("BillPayment", doc, old, party="VendorRef")

    def _paying(self, entity: str, doc: dict[str, Any], old: dict[str, Any] | None,
                party: str) -> None:
        if _blank(doc.get("TotalAmt")):
            raise faults.business("You must set a transaction amount.", "TotalAmt")
        total = to_decimal(doc["TotalAmt"])
        if total < 0:
            raise faults.business("The transaction amount cannot be negative.", "TotalAmt")
        applied = self._links(entity, doc, old, party=party)
        if ledger.unapplied(entity, total, applied) < 0:
            raise faults.business(
                "The amount applied to transactions is more than the payment amount.", "Line")

    def _links(self, entity: str, doc: dict[str, Any], old: dict[str, Any] | None,
               party: str | None = None) -> list[ledger.Link]:
        """LinkedTxn targets exist, belong to the same party, and have that much open."""
        found = ledger.links(entity, doc)
        own_id = (old or {}).get("Id")
        for link in found:
            target = self.target(link.entity, link.id, "Line.LinkedTxn.TxnId")
            if party and (target.get(party) or {}).get("value") != (doc.get(party) or {}).get(
                "value"
            ):
                raise faults.business(
                    f"{link.entity} {link.id} belongs to another {party[:-3].lower()}.")
            if link.amount < 0:
                raise faults.business("A linked amount cannot be negative.", "Line.Amount")
            if entity == "Deposit":
                continue
            already = sum(
                (amt for src_entity, src_id, amt in
                 self.store.links_to(self.realm, link.entity, link.id)
                 if not (src_entity == entity and src_id == own_id)),
                Decimal(0),
            )
            open_amount = ledger.total(link.entity, target) - already
            if link.amount > open_amount:
                raise faults.business(
                    f"The amount applied to {link.entity} {link.id} ({link.amount}) is more "
                    f"than its open balance ({open_amount}).", "Line.Amount")
        return found

    def _rules_Account(self, doc: dict[str, Any], old: dict[str, Any] | None) -> None:
        kind = doc.get("AccountType")
        if kind not in ACCOUNT_TYPES:
            raise faults.invalid_enum(str(kind), "AccountType")
        name = str(doc.get("Name", ""))
        if ":" in name or '"' in name:
            raise faults.business('An account name cannot contain ":" or \'"\'.', "Name")

    def _rules_Item(self, doc: dict[str, Any], old: dict[str, Any] | None) -> None:
        kind = doc.get("Type") or "Service"
        if kind not in ITEM_TYPES:
            raise faults.invalid_enum(str(kind), "Type")
        if kind in ("Inventory", "Service", "NonInventory", "Other Charge", "Assembly") and _blank(
            doc.get("IncomeAccountRef")
        ):
            raise faults.required_param("IncomeAccountRef")
        if kind in ("Inventory", "Assembly"):
            for name in ("AssetAccountRef", "ExpenseAccountRef"):
                if _blank(doc.get(name)):
                    raise faults.required_param(name)

    def _rules_Term(self, doc: dict[str, Any], old: dict[str, Any] | None) -> None:
        if _blank(doc.get("DueDays")) and _blank(doc.get("DayOfMonthDue")):
            raise faults.required_param("DueDays")

    # -- names ---------------------------------------------------------------------------------
    def _person(self, spec: EntitySpec, doc: dict[str, Any]) -> None:
        if _blank(doc.get("DisplayName")) and all(_blank(doc.get(p)) for p in NAME_PARTS):
            raise faults.required_param("DisplayName")
        self._unique_name(spec, doc)

    def _unique_name(self, spec: EntitySpec, doc: dict[str, Any]) -> None:
        key = name_key(spec.name, doc)
        if key is None:
            return
        scope = PEOPLE if spec.name in PEOPLE else (spec.name,)
        own = (spec.name, str(doc["Id"])) if doc.get("Id") else None
        clash = self.store.find_name(self.realm, key, scope, exclude=own)
        if clash is not None:
            raise faults.duplicate_name(str(doc.get(spec.name_field)), clash[0], clash[1])

    # -- company preferences ---------------------------------------------------------------------
    def book_close_date(self) -> date | None:
        prefs = self.store.live_docs(self.realm, "Preferences")
        if not prefs:
            return None
        raw = (prefs[0].doc.get("AccountingInfoPrefs") or {}).get("BookCloseDate")
        return date.fromisoformat(str(raw)[:10]) if raw else None

    def check_period(self, *docs: dict[str, Any] | None) -> None:
        """6210 when any version of the transaction is dated on or before the close date."""
        closed = self.book_close_date()
        if closed is None:
            return
        for doc in docs:
            dated = doc.get("TxnDate") if doc else None
            if dated and date.fromisoformat(str(dated)[:10]) <= closed:
                raise faults.period_closed(closed.isoformat())

    def custom_txn_numbers(self) -> bool:
        prefs = self.store.live_docs(self.realm, "Preferences")
        return bool(prefs and (prefs[0].doc.get("SalesFormsPrefs") or {}).get("CustomTxnNumbers"))

    def check_doc_number(self, entity: str, doc: dict[str, Any]) -> None:
        """6140 for a DocNumber already used by this transaction type (when the company asks)."""
        number = doc.get("DocNumber")
        if _blank(number) or not self.custom_txn_numbers():
            return
        clash = self.store.find_doc_number(self.realm, entity, str(number), doc.get("Id"))
        if clash is not None:
            raise faults.duplicate_doc_number(str(number), entity, clash)
