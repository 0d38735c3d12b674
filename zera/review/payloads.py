"""Records' payloads: Intuit's own JSON for each of the 14 types Zera writes, checked the way
Intuit checks a write, against the client's live lists. Pure: no I/O.

A payload is Intuit's JSON with two differences that keep it exact and honest before it reaches
QuickBooks: money is a string ("182.40", never a float), and a Vendor or Customer that does not
exist yet is referenced by name alone (`{"name": "New Bakery"}`); `zera/qbo/mapping` turns it into
the JSON sent on push. Field names and rules follow Intuit's schema (Finance.xsd) and the entity
rules the built-in sandbox enforces (required fields, line detail types, a JournalEntry's
debits equal to its credits, PaymentType against the account's type).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from zera.sync.lists import BANK, CREDIT_CARD, PAYABLE, PEOPLE, RECEIVABLE, ReferenceLists

CENT = Decimal("0.01")

# Intuit's limits (Finance.xsd: DocNumber max 21 characters; the API reference gives 500 for a
# name's DisplayName and 4000 for PrivateNote and a line's Description).
MAX_NAME = 500
MAX_DOC_NUMBER = 21
MAX_NOTE = 4000

EXPENSE_LINES = ("AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail")
SALES_LINES = ("SalesItemLineDetail", "DescriptionOnly", "DiscountLineDetail", "SubTotalLineDetail")
NOT_ON_LINES = (RECEIVABLE, PAYABLE)  # need a name; not offered as a category
BALANCE_SHEET = (BANK, CREDIT_CARD, "Other Current Asset", "Fixed Asset", "Other Asset",
                 "Other Current Liability", "Long Term Liability", "Equity")  # fmt: skip


@dataclass(frozen=True)
class TypeSpec:
    name: str
    label: str
    party: str | None  # the field naming the vendor or customer
    party_entity: str | None  # which list a new name goes to
    lines: str  # expense, deposit, sales, journal, linked, none
    sign: int  # +1: money in (or a sale), -1: money out, as the bank sees it


TYPES: dict[str, TypeSpec] = {
    s.name: s
    for s in (
        TypeSpec("Purchase", "Expense", "EntityRef", "Vendor", "expense", -1),
        TypeSpec("Deposit", "Deposit", None, None, "deposit", +1),
        TypeSpec("Bill", "Bill", "VendorRef", "Vendor", "expense", -1),
        TypeSpec("BillPayment", "Bill payment", "VendorRef", "Vendor", "linked", -1),
        TypeSpec("Invoice", "Invoice", "CustomerRef", "Customer", "sales", +1),
        TypeSpec("Payment", "Customer payment", "CustomerRef", "Customer", "linked", +1),
        TypeSpec("JournalEntry", "Journal entry", None, None, "journal", +1),
        TypeSpec("CreditMemo", "Credit memo", "CustomerRef", "Customer", "sales", -1),
        TypeSpec("VendorCredit", "Vendor credit", "VendorRef", "Vendor", "expense", +1),
        TypeSpec("Estimate", "Estimate", "CustomerRef", "Customer", "sales", +1),
        TypeSpec("PurchaseOrder", "Purchase order", "VendorRef", "Vendor", "expense", -1),
        TypeSpec("SalesReceipt", "Sales receipt", "CustomerRef", "Customer", "sales", +1),
        TypeSpec("Transfer", "Transfer", None, None, "none", -1),
        TypeSpec("CreditCardPayment", "Credit card payment", None, None, "none", -1),
    )
}
# Types a statement line can be turned into on Review without other documents.
BANK_LINE_TYPES = ("Purchase", "Deposit", "Transfer", "CreditCardPayment", "JournalEntry")

# Reference fields and the list they point at (as the sandbox and Intuit read them).
REF_LISTS: dict[str, str] = {
    "VendorRef": "Vendor", "CustomerRef": "Customer", "AccountRef": "Account",
    "APAccountRef": "Account", "ARAccountRef": "Account", "DepositToAccountRef": "Account",
    "BankAccountRef": "Account", "CCAccountRef": "Account", "FromAccountRef": "Account",
    "ToAccountRef": "Account", "CreditCardAccountRef": "Account", "ItemRef": "Item",
    "ClassRef": "Class", "DepartmentRef": "Department", "SalesTermRef": "Term",
    "PaymentMethodRef": "PaymentMethod", "TaxCodeRef": "TaxCode", "EntityRef": "Vendor",
    "Entity": "Vendor",
}  # fmt: skip
PSEUDO_TAX_CODES = ("TAX", "NON")
MONEY_KEYS = ("Amount", "TotalAmt")


@dataclass(frozen=True)
class Problem:
    """Why a payload would be refused: `field` is a dotted path ("Line[1].Amount")."""

    field: str
    message: str
    missing: bool = False  # something still to fill in, not something wrong

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


@dataclass(frozen=True)
class Summary:
    """What the grid and the duplicate check read from a payload."""

    txn_date: dt.date | None
    total: Decimal
    payee: str
    account: str
    memo: str


# -- reading -------------------------------------------------------------------------------------


def money(value: Any) -> Decimal | None:
    """A payload's amount as Decimal, or None when it is not a number (floats are refused)."""
    if isinstance(value, (bool, float)) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def ref_name(ref: Any) -> str:
    return str(ref.get("name") or "") if isinstance(ref, dict) else ""


def ref_value(ref: Any) -> str:
    return str(ref.get("value") or "").strip() if isinstance(ref, dict) else ""


def lines(payload: dict[str, Any]) -> list[dict[str, Any]]:
    found = payload.get("Line")
    return [line for line in found if isinstance(line, dict)] if isinstance(found, list) else []


def line_detail(line: dict[str, Any]) -> dict[str, Any]:
    detail = line.get(str(line.get("DetailType") or ""))
    return detail if isinstance(detail, dict) else {}


def line_account(line: dict[str, Any]) -> dict[str, Any] | None:
    ref = line_detail(line).get("AccountRef") or line_detail(line).get("ItemRef")
    return ref if isinstance(ref, dict) else None


def total(entity: str, payload: dict[str, Any]) -> Decimal:
    """What the record moves: TotalAmt or Amount where Intuit keeps one, else its lines' sum
    (one side of a journal entry)."""
    spec = TYPES[entity]
    if spec.lines in ("linked", "none"):
        return money(payload.get("TotalAmt", payload.get("Amount"))) or Decimal(0)
    if spec.lines == "journal":
        debit, _ = journal_sides(payload)
        return debit
    return sum(
        (
            money(line.get("Amount")) or Decimal(0)
            for line in lines(payload)
            if line.get("DetailType") not in ("SubTotalLineDetail", "DescriptionOnly")
        ),
        Decimal(0),
    )


def journal_sides(payload: dict[str, Any]) -> tuple[Decimal, Decimal]:
    debit = credit = Decimal(0)
    for line in lines(payload):
        if line.get("DetailType") != "JournalEntryLineDetail":
            continue
        amount = money(line.get("Amount")) or Decimal(0)
        if line_detail(line).get("PostingType") == "Credit":
            credit += amount
        else:
            debit += amount
    return debit, credit


def signed_total(entity: str, payload: dict[str, Any]) -> Decimal:
    """The total as the bank account saw it: negative when money left."""
    sign = TYPES[entity].sign
    if entity == "Purchase" and payload.get("Credit") is True:
        sign = +1
    return total(entity, payload) * sign


def payee_ref(entity: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    spec = TYPES[entity]
    if spec.party:
        ref = payload.get(spec.party)
        return ref if isinstance(ref, dict) else None
    if entity == "Deposit":
        for line in lines(payload):
            ref = line_detail(line).get("Entity")
            if isinstance(ref, dict):
                return ref
    return None


def bank_ref(entity: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The bank or card account the record moves money in or out of, if it has one."""
    key = {
        "Purchase": ("AccountRef",),
        "Deposit": ("DepositToAccountRef",),
        "Payment": ("DepositToAccountRef",),
        "SalesReceipt": ("DepositToAccountRef",),
        "Transfer": ("FromAccountRef",),
        "CreditCardPayment": ("BankAccountRef",),
    }.get(entity)
    if entity == "BillPayment":
        part = payload.get("CheckPayment") or payload.get("CreditCardPayment") or {}
        ref = part.get("BankAccountRef") or part.get("CCAccountRef")
        return ref if isinstance(ref, dict) else None
    for name in key or ():
        ref = payload.get(name)
        if isinstance(ref, dict):
            return ref
    return None


def category(entity: str, payload: dict[str, Any]) -> str:
    """The account (or item) the record is booked to, as the grid shows it."""
    if entity == "Transfer":
        source, target = payload.get("FromAccountRef"), payload.get("ToAccountRef")
        return f"{ref_name(source)} → {ref_name(target)}"
    if entity == "CreditCardPayment":
        return ref_name(payload.get("CreditCardAccountRef"))
    if entity in ("BillPayment", "Payment"):
        linked = [
            f"{link.get('TxnType', '')} {link.get('TxnId', '')}"
            for line in lines(payload)
            for link in line.get("LinkedTxn") or []
            if isinstance(link, dict)
        ]
        return ", ".join(linked)
    names = []
    for line in lines(payload):
        if entity == "JournalEntry" and line_detail(line).get("PostingType") == "Credit":
            continue
        name = ref_name(line_account(line))
        if name and name not in names:
            names.append(name)
    return names[0] if len(names) == 1 else (f"Split ({len(names)})" if names else "")


def summarize(entity: str, payload: dict[str, Any]) -> Summary:
    raw = payload.get("TxnDate")
    try:
        txn_date = dt.date.fromisoformat(str(raw)[:10]) if raw else None
    except ValueError:
        txn_date = None
    payee = payee_ref(entity, payload)
    memo = payload.get("PrivateNote") or ""
    return Summary(
        txn_date=txn_date,
        total=total(entity, payload),
        payee=ref_name(payee)[:MAX_NAME],
        account=category(entity, payload)[:400],
        memo=str(memo),
    )


def references(value: Any, path: str = "") -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every (field, dotted path, reference) in a payload, lines included."""
    if isinstance(value, dict):
        for key, inner in value.items():
            here = f"{path}.{key}" if path else key
            if key in REF_LISTS and isinstance(inner, dict):
                yield key, here, inner
            else:
                yield from references(inner, here)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from references(item, f"{path}[{i}]")


# -- normalizing and resolving -----------------------------------------------------------------


def normalize(payload: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """A copy with every amount as a two-decimal string; a problem for each amount that is not
    a number."""
    problems: list[Problem] = []

    def walk(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            out = {}
            for key, inner in value.items():
                here = f"{path}.{key}" if path else key
                if key in MONEY_KEYS:
                    number = money(inner)
                    if number is None:
                        problems.append(Problem(here, f"{inner!r} is not an amount."))
                        out[key] = inner
                    else:
                        out[key] = str(number.quantize(CENT))
                elif key in ("Qty", "UnitPrice") and inner is not None:
                    number = money(inner)
                    if number is None:
                        problems.append(Problem(here, f"{inner!r} is not a number."))
                        out[key] = inner
                    else:
                        out[key] = str(number)
                else:
                    out[key] = walk(inner, here)
            return out
        if isinstance(value, list):
            return [walk(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return value

    return walk(payload, ""), problems


def _person_list(key: str, ref: dict[str, Any], entity: str) -> tuple[str, ...]:
    if key in ("EntityRef", "Entity"):
        kind = ref.get("type")
        return (kind,) if kind in PEOPLE else PEOPLE
    if key == "VendorRef":
        return ("Vendor",)
    if key == "CustomerRef":
        return ("Customer",)
    return (REF_LISTS[key],)


def resolve(entity: str, payload: dict[str, Any], lists: ReferenceLists) -> list[Problem]:
    """Give every reference by name the Id of the entry so named (in place); a name Intuit does
    not have stays a name only for a vendor or customer (created on push). Fills each reference's
    display name from the lists."""
    problems: list[Problem] = []
    for key, path, ref in references(payload):
        value, name = ref_value(ref), " ".join(ref_name(ref).split())
        if key == "TaxCodeRef" and value in PSEUDO_TAX_CODES:
            continue
        targets = _person_list(key, ref, entity) if key in {
            "VendorRef", "CustomerRef", "EntityRef", "Entity"} else (REF_LISTS[key],)  # fmt: skip
        if value:
            found = next((e for t in targets if (e := lists.get(t, value))), None)
            if found is None:
                problems.append(Problem(path, f"no {targets[0]} with Id {value} in QuickBooks."))
            else:
                ref["name"] = found.name
            continue
        if not name:
            problems.append(Problem(path, "needs a value or a name."))
            continue
        found = next((e for t in targets if (e := lists.named(t, name))), None)
        if found is not None and not found.active and targets[0] in PEOPLE:
            found = None  # an inactive name stays a name: the push finds it and reactivates it
        if found is not None:
            ref["value"], ref["name"] = found.qbo_id, found.name
            if key in ("EntityRef", "Entity"):
                ref["type"] = found.entity
        elif targets[0] in PEOPLE:
            ref["name"] = name  # a new name, created on first push
            if len(name) > MAX_NAME:
                problems.append(
                    Problem(path, f"a name is at most {MAX_NAME} characters ({len(name)} given).")
                )
            if ":" in name:
                problems.append(Problem(path, "a name cannot contain ':'."))
        else:
            label = "chart of accounts" if targets[0] == "Account" else f"{targets[0]} list"
            problems.append(Problem(path, f"'{name}' is not in this company's {label}."))
    return problems


# -- checking ------------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


_ACCOUNT_RULES: dict[tuple[str, str], tuple[str, ...]] = {
    ("Deposit", "DepositToAccountRef"): (BANK, "Other Current Asset"),
    ("Payment", "DepositToAccountRef"): (BANK, "Other Current Asset"),
    ("SalesReceipt", "DepositToAccountRef"): (BANK, "Other Current Asset"),
    ("BillPayment", "CheckPayment.BankAccountRef"): (BANK,),
    ("BillPayment", "CreditCardPayment.CCAccountRef"): (CREDIT_CARD,),
    ("Transfer", "FromAccountRef"): BALANCE_SHEET,
    ("Transfer", "ToAccountRef"): BALANCE_SHEET,
    ("CreditCardPayment", "CreditCardAccountRef"): (CREDIT_CARD,),
    ("CreditCardPayment", "BankAccountRef"): (BANK,),
}
_PAYMENT_ACCOUNTS = {
    "Check": (BANK,),
    "CreditCard": (CREDIT_CARD,),
    "Cash": (BANK, "Other Current Asset", CREDIT_CARD),
}


def allowed_account_types(entity: str, path: str, payload: dict[str, Any]) -> tuple[str, ...]:
    """Account types a reference at `path` may name (empty: any type)."""
    if entity == "Purchase" and path == "AccountRef":
        return _PAYMENT_ACCOUNTS.get(str(payload.get("PaymentType")), ())
    return _ACCOUNT_RULES.get((entity, path), ())


def category_types_excluded(entity: str) -> tuple[str, ...]:
    """Account types not offered as a line's category for `entity`."""
    return () if entity == "JournalEntry" else NOT_ON_LINES


def check(
    entity: str,
    payload: dict[str, Any],
    lists: ReferenceLists,
    *,
    expected_total: Decimal | None = None,
) -> list[Problem]:
    """Every reason Intuit (or Zera's own rules) would refuse the payload. Resolve names first."""
    spec = TYPES.get(entity)
    if spec is None:
        return [Problem("type", f"'{entity}' is not a record type Zera writes.")]
    problems: list[Problem] = []
    problems += _header(entity, payload)
    problems += _lines(spec, payload)
    problems += _accounts(entity, payload, lists)
    if expected_total is not None and not problems:
        got = total(entity, payload)
        if got != abs(expected_total):
            problems.append(
                Problem(
                    "Line",
                    f"the lines add up to {got:,.2f} but the statement line is "
                    f"{abs(expected_total):,.2f}.",
                )
            )
    return problems


def _header(entity: str, payload: dict[str, Any]) -> list[Problem]:
    problems = []
    required = {
        "Purchase": ("PaymentType", "AccountRef"),
        "Deposit": ("DepositToAccountRef",),
        "Bill": ("VendorRef",),
        "BillPayment": ("VendorRef", "PayType", "TotalAmt"),
        "Invoice": ("CustomerRef",),
        "Payment": ("CustomerRef", "TotalAmt"),
        "CreditMemo": ("CustomerRef",),
        "VendorCredit": ("VendorRef",),
        "Estimate": ("CustomerRef",),
        "PurchaseOrder": ("VendorRef",),
        "Transfer": ("FromAccountRef", "ToAccountRef", "Amount"),
        "CreditCardPayment": ("CreditCardAccountRef", "BankAccountRef", "Amount"),
    }.get(entity, ())
    for name in required:
        if _blank(payload.get(name)):
            problems.append(Problem(name, "is required.", missing=True))
    raw = payload.get("TxnDate")
    if raw is not None:
        try:
            dt.date.fromisoformat(str(raw))
        except ValueError:
            problems.append(Problem("TxnDate", f"{raw!r} is not a date (YYYY-MM-DD)."))
    if len(str(payload.get("DocNumber") or "")) > MAX_DOC_NUMBER:
        problems.append(Problem("DocNumber", f"is at most {MAX_DOC_NUMBER} characters."))
    if len(str(payload.get("PrivateNote") or "")) > MAX_NOTE:
        problems.append(Problem("PrivateNote", f"is at most {MAX_NOTE} characters."))
    if entity == "Purchase":
        kind = payload.get("PaymentType")
        if kind is not None and kind not in _PAYMENT_ACCOUNTS:
            problems.append(Problem("PaymentType", "is Cash, Check or CreditCard."))
        if payload.get("Credit") is True and kind != "CreditCard":
            problems.append(Problem("Credit", "a refund (Credit) is only for a credit card."))
    if entity == "BillPayment":
        kind = payload.get("PayType")
        part = {"Check": "CheckPayment", "CreditCard": "CreditCardPayment"}.get(str(kind))
        if kind is not None and part is None:
            problems.append(Problem("PayType", "is Check or CreditCard."))
        elif part is not None:
            field = "BankAccountRef" if kind == "Check" else "CCAccountRef"
            if _blank((payload.get(part) or {}).get(field)):
                problems.append(Problem(f"{part}.{field}", "is required.", missing=True))
    for name in ("TotalAmt", "Amount"):
        amount = money(payload.get(name)) if payload.get(name) is not None else None
        if amount is not None and (amount < 0 or (amount == 0 and entity in (
                "Transfer", "CreditCardPayment"))):  # fmt: skip
            problems.append(Problem(name, "must be more than zero."))
    if entity == "Transfer" and ref_value(payload.get("FromAccountRef")) and ref_value(
        payload.get("FromAccountRef")
    ) == ref_value(payload.get("ToAccountRef")):
        problems.append(Problem("ToAccountRef", "a transfer needs two different accounts."))
    return problems


def _lines(spec: TypeSpec, payload: dict[str, Any]) -> list[Problem]:
    found = lines(payload)
    if spec.lines == "none":
        return []
    problems: list[Problem] = []
    minimum = {"journal": 2, "linked": 0}.get(spec.lines, 1)
    if len(found) < minimum:
        what = "two lines (a debit and a credit)" if minimum == 2 else "at least one line"
        return [Problem("Line", f"{_article(spec.name)} {spec.name} needs {what}.", missing=True)]
    allowed = {
        "expense": EXPENSE_LINES,
        "deposit": ("DepositLineDetail",),
        "sales": SALES_LINES,
        "journal": ("JournalEntryLineDetail", "DescriptionOnly"),
        "linked": (),
    }[spec.lines]
    for i, line in enumerate(found):
        here = f"Line[{i}]"
        kind = line.get("DetailType")
        amount = money(line.get("Amount")) if line.get("Amount") is not None else None
        if spec.lines == "linked":
            if amount is None or amount <= 0:
                problems.append(Problem(f"{here}.Amount", "must be more than zero."))
            if not line.get("LinkedTxn"):
                problems.append(Problem(f"{here}.LinkedTxn", "names the transaction it pays."))
            continue
        if kind not in allowed:
            problems.append(
                Problem(f"{here}.DetailType", f"must be one of {', '.join(allowed)} on a "
                        f"{spec.name}.")
            )
            continue
        if kind in ("DescriptionOnly", "SubTotalLineDetail"):
            continue
        if amount is None:
            problems.append(Problem(f"{here}.Amount", "is required."))
            continue
        detail = line_detail(line)
        if kind == "SalesItemLineDetail":
            if _blank(detail.get("ItemRef")):
                problems.append(Problem(f"{here}.{kind}.ItemRef", "is required."))
            qty, price = money(detail.get("Qty")), money(detail.get("UnitPrice"))
            if qty is not None and price is not None and (qty * price).quantize(CENT) != amount:
                problems.append(
                    Problem(f"{here}.Amount", f"is {amount:,.2f} but {qty} x {price} is "
                            f"{(qty * price).quantize(CENT):,.2f}.")
                )
        elif kind == "ItemBasedExpenseLineDetail":
            if _blank(detail.get("ItemRef")):
                problems.append(Problem(f"{here}.{kind}.ItemRef", "is required."))
        elif kind != "DiscountLineDetail" and _blank(detail.get("AccountRef")):
            problems.append(Problem(f"{here}.{kind}.AccountRef", "is required.", missing=True))
        if kind == "JournalEntryLineDetail":
            if detail.get("PostingType") not in ("Debit", "Credit"):
                problems.append(Problem(f"{here}.{kind}.PostingType", "is Debit or Credit."))
            if amount <= 0:
                problems.append(Problem(f"{here}.Amount", "must be more than zero."))
        elif amount < 0 and kind != "DiscountLineDetail":
            problems.append(Problem(f"{here}.Amount", "cannot be negative."))
        if len(str(line.get("Description") or "")) > MAX_NOTE:
            problems.append(Problem(f"{here}.Description", f"is at most {MAX_NOTE} characters."))
    if spec.lines == "journal" and not problems:
        debit, credit = journal_sides(payload)
        if debit != credit:
            problems.append(
                Problem("Line", f"the debits ({debit:,.2f}) must equal the credits "
                        f"({credit:,.2f}).")
            )
    return problems


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _accounts(entity: str, payload: dict[str, Any], lists: ReferenceLists) -> list[Problem]:
    """Every referenced account (and other list entry) exists, is active and is of a type the
    field allows."""
    problems: list[Problem] = []
    for key, path, ref in references(payload):
        value = ref_value(ref)
        if not value or (key == "TaxCodeRef" and value in PSEUDO_TAX_CODES):
            continue
        if key in ("VendorRef", "CustomerRef", "EntityRef", "Entity"):
            found = lists.person(value)
        else:
            found = lists.get(REF_LISTS[key], value)
        if found is None:
            problems.append(Problem(path, f"{ref_name(ref) or value} is not in QuickBooks."))
            continue
        if not found.active:
            problems.append(Problem(path, f"'{found.name}' is inactive in QuickBooks."))
        if found.entity != "Account":
            continue
        wanted = allowed_account_types(entity, path, payload)
        if ".Line" not in f".{path}" and wanted and found.kind not in wanted:
            problems.append(
                Problem(path, f"'{found.name}' is {_article(found.kind)} {found.kind} account; "
                        f"this needs {' or '.join(wanted)}.")
            )
        if path.startswith("Line[") and found.kind in category_types_excluded(entity):
            problems.append(
                Problem(path, f"'{found.name}' ({found.kind}) cannot be a line's category.")
            )
    return problems


# -- editing (each returns a new payload) --------------------------------------------------------


def with_payee(entity: str, payload: dict[str, Any], ref: dict[str, Any] | None) -> dict[str, Any]:
    spec = TYPES[entity]
    out = copy.deepcopy(payload)
    if spec.party:
        if ref is None:
            out.pop(spec.party, None)
        else:
            out[spec.party] = dict(ref, type=spec.party_entity) if spec.party == "EntityRef" else (
                {k: v for k, v in ref.items() if k != "type"})  # fmt: skip
    elif entity == "Deposit":
        for line in lines(out):
            detail = line_detail(line)
            if ref is None:
                detail.pop("Entity", None)
            else:
                detail["Entity"] = dict(ref, type=ref.get("type") or "Customer")
    return out


def with_category(entity: str, payload: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    """Book every line to one account (a split is replaced by one line)."""
    out = copy.deepcopy(payload)
    if entity == "Transfer":
        out["ToAccountRef"] = dict(ref)
        return out
    if entity == "CreditCardPayment":
        out["CreditCardAccountRef"] = dict(ref)
        return out
    found = lines(out)
    if entity == "JournalEntry":
        for line in found:
            if line_detail(line).get("PostingType") == "Debit":
                line_detail(line)["AccountRef"] = dict(ref)
        return out
    kind = {"expense": "AccountBasedExpenseLineDetail", "deposit": "DepositLineDetail"}.get(
        TYPES[entity].lines
    )
    if kind is None:
        return out
    amount = total(entity, out)
    first = found[0] if found else {}
    detail = {k: v for k, v in line_detail(first).items() if k != "AccountRef"}
    detail["AccountRef"] = dict(ref)
    out["Line"] = [
        {
            "Amount": str(amount.quantize(CENT)),
            "DetailType": kind,
            **({"Description": first["Description"]} if first.get("Description") else {}),
            kind: detail,
        }
    ]
    return out


@dataclass(frozen=True)
class Part:
    """One line of a split: its amount, account and words."""

    amount: Decimal
    account: dict[str, Any]
    description: str = ""


def split(entity: str, payload: dict[str, Any], parts: list[Part]) -> dict[str, Any]:
    kind = {"expense": "AccountBasedExpenseLineDetail", "deposit": "DepositLineDetail"}.get(
        TYPES[entity].lines
    )
    if kind is None:
        raise ValueError(f"a {TYPES[entity].label.lower()} cannot be split here")
    out = copy.deepcopy(payload)
    keep = {k: v for k, v in line_detail(lines(out)[0]).items() if k != "AccountRef"} if lines(
        out) else {}  # fmt: skip
    out["Line"] = [
        {
            "Amount": str(part.amount.quantize(CENT)),
            "DetailType": kind,
            **({"Description": part.description} if part.description else {}),
            kind: {**copy.deepcopy(keep), "AccountRef": dict(part.account)},
        }
        for part in parts
    ]
    return out


def with_field(payload: dict[str, Any], name: str, value: str) -> dict[str, Any]:
    """Set (or clear, with "") a top-level text field: TxnDate, PrivateNote, DocNumber."""
    out = copy.deepcopy(payload)
    if value:
        out[name] = value
    else:
        out.pop(name, None)
    return out


def with_tag(
    entity: str, payload: dict[str, Any], name: str, ref: dict[str, Any] | None
) -> dict[str, Any]:
    """Set a ClassRef (on every line, where Intuit keeps it) or a DepartmentRef (the location,
    on the transaction)."""
    out = copy.deepcopy(payload)
    if name == "DepartmentRef":
        if ref is None:
            out.pop("DepartmentRef", None)
        else:
            out["DepartmentRef"] = dict(ref)
        return out
    for line in lines(out):
        detail = line_detail(line)
        if line.get("DetailType") in ("DescriptionOnly", "SubTotalLineDetail"):
            continue
        if ref is None:
            detail.pop("ClassRef", None)
        else:
            detail["ClassRef"] = dict(ref)
    return out


@dataclass(frozen=True)
class BankFacts:
    """What a statement line says, whichever type it is booked as."""

    bank: dict[str, Any] | None
    amount: Decimal  # signed: negative when money left the account
    card: bool  # the statement account is a credit card
    txn_date: str | None
    payee: dict[str, Any] | None
    category: dict[str, Any] | None
    description: str
    note: str
    doc_number: str | None


def bank_payload(entity: str, facts: BankFacts) -> dict[str, Any]:
    """Intuit's JSON for a statement line booked as `entity` (one of BANK_LINE_TYPES)."""
    size = str(abs(facts.amount).quantize(CENT))
    out: dict[str, Any] = {}
    if facts.txn_date:
        out["TxnDate"] = facts.txn_date
    if facts.note:
        out["PrivateNote"] = facts.note
    described = {"Description": facts.description} if facts.description else {}
    category = {"AccountRef": dict(facts.category)} if facts.category else {}
    if entity == "Purchase":
        kind = "CreditCard" if facts.card else ("Check" if facts.doc_number else "Cash")
        out |= {"PaymentType": kind}
        if facts.bank:
            out["AccountRef"] = dict(facts.bank)
        if facts.doc_number:
            out["DocNumber"] = facts.doc_number
        if facts.card and facts.amount > 0:
            out["Credit"] = True
        if facts.payee:
            out["EntityRef"] = dict(facts.payee, type=facts.payee.get("type") or "Vendor")
        detail = "AccountBasedExpenseLineDetail"
        out["Line"] = [{"Amount": size, "DetailType": detail, **described, detail: category}]
    elif entity == "Deposit":
        if facts.bank:
            out["DepositToAccountRef"] = dict(facts.bank)
        detail_body: dict[str, Any] = dict(category)
        if facts.payee:
            detail_body["Entity"] = dict(facts.payee, type=facts.payee.get("type") or "Customer")
        out["Line"] = [
            {"Amount": size, "DetailType": "DepositLineDetail", **described,
             "DepositLineDetail": detail_body}
        ]  # fmt: skip
    elif entity == "Transfer":
        own, other = facts.bank, facts.category
        out_of = facts.amount < 0
        if own:
            out["FromAccountRef" if out_of else "ToAccountRef"] = dict(own)
        if other:
            out["ToAccountRef" if out_of else "FromAccountRef"] = dict(other)
        out["Amount"] = size
    elif entity == "CreditCardPayment":
        if facts.card:
            if facts.bank:
                out["CreditCardAccountRef"] = dict(facts.bank)
            if facts.category:
                out["BankAccountRef"] = dict(facts.category)
        else:
            if facts.bank:
                out["BankAccountRef"] = dict(facts.bank)
            if facts.category:
                out["CreditCardAccountRef"] = dict(facts.category)
        out["Amount"] = size
    elif entity == "JournalEntry":
        bank_side = "Debit" if facts.amount > 0 else "Credit"
        own = {"AccountRef": dict(facts.bank)} if facts.bank else {}
        other_side = "Credit" if bank_side == "Debit" else "Debit"
        out["Line"] = [
            {"Amount": size, "DetailType": "JournalEntryLineDetail", **described,
             "JournalEntryLineDetail": {"PostingType": other_side, **category}},
            {"Amount": size, "DetailType": "JournalEntryLineDetail", **described,
             "JournalEntryLineDetail": {"PostingType": bank_side, **own}},
        ]  # fmt: skip
    else:
        raise ValueError(f"a statement line cannot be booked as {entity}")
    return out


def bank_facts(
    entity: str, payload: dict[str, Any], *, amount: Decimal, card: bool, description: str
) -> BankFacts:
    """Read back what `bank_payload` wrote, so a record can change type and keep its facts."""
    category_ref: dict[str, Any] | None = None
    own: dict[str, Any] | None = bank_ref(entity, payload)
    if entity == "Transfer":
        out_of = amount < 0
        own = payload.get("FromAccountRef" if out_of else "ToAccountRef")
        category_ref = payload.get("ToAccountRef" if out_of else "FromAccountRef")
    elif entity == "CreditCardPayment":
        own = payload.get("CreditCardAccountRef" if card else "BankAccountRef")
        category_ref = payload.get("BankAccountRef" if card else "CreditCardAccountRef")
    elif entity == "JournalEntry":
        for line in lines(payload):
            ref = line_detail(line).get("AccountRef")
            if line is lines(payload)[-1]:
                own = ref
            elif category_ref is None:
                category_ref = ref
    else:
        found = lines(payload)
        category_ref = line_account(found[0]) if found else None
    return BankFacts(
        bank=own,
        amount=amount,
        card=card,
        txn_date=payload.get("TxnDate"),
        payee=payee_ref(entity, payload),
        category=category_ref if isinstance(category_ref, dict) else None,
        description=description,
        note=str(payload.get("PrivateNote") or ""),
        doc_number=payload.get("DocNumber"),
    )
