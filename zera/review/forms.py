"""The record form and the record page, without HTTP: which fields each of the 14 types asks for,
a submitted form turned into Intuit's JSON, each refusal placed beside the field it is about,
and a payload read back as labelled text. Pure: no I/O.

A form names a record's top-level fields as Intuit does (`CustomerRef`, `TxnDate`); its lines
come as repeated `line_<column>` fields, one value per row, so a row can be added or removed in
the page without renumbering anything. A row left blank is not a line. A row of a record
already in QuickBooks carries its line's Id in a hidden `line_id` field, so an edit sends back
the same lines (the two-way merge matches lines by Id) rather than "all removed, new added"."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from zera.review.payloads import (
    BALANCE_SHEET,
    CENT,
    TYPES,
    Problem,
    money,
)
from zera.review.typed import line_of, person_named
from zera.sync.lists import BANK, CREDIT_CARD, PAYABLE, PEOPLE, RECEIVABLE, ReferenceLists

OTHER_CURRENT_ASSET = "Other Current Asset"


@dataclass(frozen=True)
class Field:
    """One top-level input. `names` is the list (datalist) a reference offers, see `choices`."""

    name: str
    label: str
    kind: str = "text"  # text, date, money, ref, choice
    names: str = ""
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for a choice
    required: bool = False


COLUMN_LABELS = {
    "account": "Account",
    "item": "Product or service",
    "description": "Description",
    "qty": "Qty",
    "price": "Rate",
    "amount": "Amount",
    "posting": "Debit or credit",
}
LINE_COLUMNS: dict[str, tuple[str, ...]] = {
    "expense": ("account", "description", "amount"),
    "deposit": ("account", "description", "amount"),
    "sales": ("item", "description", "qty", "price", "amount"),
    "journal": ("posting", "account", "description", "amount"),
    "linked": ("txn", "amount"),
    "none": (),
}
COLUMN_NAMES = {"expense": "line-accounts", "deposit": "line-accounts", "journal": "accounts"}
LINE_ID = "id"  # the hidden column (`line_id`) holding a row's QuickBooks line Id


@dataclass(frozen=True)
class FormSpec:
    entity: str
    fields: tuple[Field, ...]
    linked: str = ""  # what a line of a payment pays: Bill or Invoice

    @property
    def label(self) -> str:
        return TYPES[self.entity].label

    @property
    def lines(self) -> str:
        return TYPES[self.entity].lines

    @property
    def columns(self) -> tuple[str, ...]:
        return LINE_COLUMNS[self.lines]

    def column_label(self, column: str) -> str:
        return f"{self.linked} Id" if column == "txn" else COLUMN_LABELS[column]

    def column_names(self, column: str) -> str:
        """The datalist a line column offers, if any."""
        if column == "item":
            return "items"
        return COLUMN_NAMES.get(self.lines, "") if column == "account" else ""

    def field_label(self, name: str) -> str:
        return next((f.label for f in self.fields if f.name == name), name)

    @property
    def datalists(self) -> tuple[str, ...]:
        used = [f.names for f in self.fields if f.names]
        used += [self.column_names(c) for c in self.columns if self.column_names(c)]
        return tuple(dict.fromkeys(used))


def _ref(name: str, label: str, names: str, *, required: bool = False) -> Field:
    return Field(name, label, "ref", names, required=required)


DATE = Field("TxnDate", "Date", "date")
MEMO = Field("PrivateNote", "Memo (not printed)")
VENDOR = _ref("VendorRef", "Vendor", "vendors", required=True)
CUSTOMER = _ref("CustomerRef", "Customer", "customers", required=True)


def _number(label: str = "No.") -> Field:
    return Field("DocNumber", label)


# fmt: off
FORMS: dict[str, FormSpec] = {
    spec.entity: spec
    for spec in (
        FormSpec("Purchase", (
            _ref("EntityRef", "Payee", "people"),
            Field("PaymentType", "Payment type", "choice", options=(
                ("Check", "Check"), ("CreditCard", "Credit card"), ("Cash", "Cash")),
                required=True),
            _ref("AccountRef", "Paid from", "payment-accounts", required=True),
            DATE, _number("Ref no."), MEMO)),
        FormSpec("Deposit", (
            _ref("DepositToAccountRef", "Deposit to", "deposit-accounts", required=True),
            _ref("ReceivedFrom", "Received from", "people"), DATE, MEMO)),
        FormSpec("Bill", (VENDOR, DATE, Field("DueDate", "Due date", "date"),
                          _number("Bill no."), MEMO)),
        FormSpec("BillPayment", (
            VENDOR,
            Field("PayType", "Paid by", "choice", options=(
                ("Check", "Check"), ("CreditCard", "Credit card")), required=True),
            _ref("PaidFrom", "Paid from", "payment-accounts", required=True),
            Field("TotalAmt", "Amount paid", "money", required=True),
            DATE, _number("Ref no."), MEMO), linked="Bill"),
        FormSpec("Invoice", (CUSTOMER, DATE, Field("DueDate", "Due date", "date"),
                             _number("Invoice no."), MEMO)),
        FormSpec("Payment", (
            CUSTOMER, Field("TotalAmt", "Amount received", "money", required=True),
            _ref("DepositToAccountRef", "Deposit to", "deposit-accounts"),
            Field("PaymentRefNum", "Reference no."), DATE, MEMO), linked="Invoice"),
        FormSpec("JournalEntry", (DATE, _number("Journal no."), MEMO)),
        FormSpec("CreditMemo", (CUSTOMER, DATE, _number("Credit memo no."), MEMO)),
        FormSpec("VendorCredit", (VENDOR, DATE, _number("Ref no."), MEMO)),
        FormSpec("Estimate", (CUSTOMER, DATE, Field("ExpirationDate", "Expiration date", "date"),
                              _number("Estimate no."), MEMO)),
        FormSpec("PurchaseOrder", (VENDOR, DATE, _number("P.O. no."), MEMO)),
        FormSpec("SalesReceipt", (
            _ref("CustomerRef", "Customer", "customers"),
            _ref("DepositToAccountRef", "Deposit to", "deposit-accounts"),
            DATE, _number("Sales receipt no."), MEMO)),
        FormSpec("Transfer", (
            _ref("FromAccountRef", "Transfer from", "transfer-accounts", required=True),
            _ref("ToAccountRef", "Transfer to", "transfer-accounts", required=True),
            Field("Amount", "Amount", "money", required=True), DATE, MEMO)),
        FormSpec("CreditCardPayment", (
            _ref("CreditCardAccountRef", "Credit card", "card-accounts", required=True),
            _ref("BankAccountRef", "Paid from", "bank-accounts", required=True),
            Field("Amount", "Amount", "money", required=True), DATE, MEMO)),
    )
}
# fmt: on


def choices(lists: ReferenceLists) -> dict[str, list[str]]:
    """The names each datalist offers: active entries only."""

    def accounts(*kinds: str) -> list[str]:
        return [a.name for a in lists.accounts(*kinds)]

    def active(entity: str) -> list[str]:
        return [e.name for e in lists.of(entity) if e.active]

    return {
        "accounts": accounts(),
        "line-accounts": [a.name for a in lists.accounts() if a.kind not in (RECEIVABLE, PAYABLE)],
        "payment-accounts": accounts(BANK, CREDIT_CARD, OTHER_CURRENT_ASSET),
        "deposit-accounts": accounts(BANK, OTHER_CURRENT_ASSET),
        "bank-accounts": accounts(BANK),
        "card-accounts": accounts(CREDIT_CARD),
        "transfer-accounts": accounts(*BALANCE_SHEET),
        "vendors": active("Vendor"),
        "customers": active("Customer"),
        "people": sorted({n for entity in PEOPLE for n in active(entity)}, key=str.casefold),
        "items": active("Item"),
    }


# -- what the user typed ------------------------------------------------------------------------


@dataclass
class Errors:
    """Messages placed beside the fields they are about."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    cells: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    rows: dict[int, list[str]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.cells or self.rows or self.lines or self.general)

    def field(self, name: str) -> list[str]:
        return self.fields.get(name, [])

    def cell(self, row: int, column: str) -> list[str]:
        return self.cells.get((row, column), [])

    def row(self, row: int) -> list[str]:
        return self.rows.get(row, [])


@dataclass
class RecordForm:
    """A record form as the user filled it in: kept as typed, to be shown again."""

    entity: str
    values: dict[str, str] = field(default_factory=dict)
    rows: list[dict[str, str]] = field(default_factory=list)  # a row's "id": its line's Id
    errors: Errors = field(default_factory=Errors)
    kept: list[str] = field(default_factory=list)  # lines the form cannot show, kept as they are

    @property
    def spec(self) -> FormSpec:
        return FORMS[self.entity]

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def blank_rows(self) -> list[dict[str, str]]:
        """Empty rows to offer after the filled ones (a journal entry starts debit, credit)."""
        if self.spec.lines == "none":
            return []
        if self.spec.lines == "journal" and not self.rows:
            return [{"posting": "Debit"}, {"posting": "Credit"}]
        return [{}] * (2 if not self.rows else 1)


def read_form(entity: str, items: Iterable[tuple[str, Any]]) -> RecordForm:
    """The submitted fields of a form for `entity` (one of FORMS); blank rows are dropped."""
    spec = FORMS[entity]
    values: dict[str, str] = {}
    columns: dict[str, list[str]] = {}
    for key, raw in items:
        text = raw.strip() if isinstance(raw, str) else ""
        if key.startswith("line_"):
            columns.setdefault(key.removeprefix("line_"), []).append(text)
        else:
            values.setdefault(key, text)
    count = max((len(columns.get(c, [])) for c in spec.columns), default=0)
    rows = []
    for i in range(count):
        row = {}
        for column in (*spec.columns, LINE_ID):
            given = columns.get(column, [])
            row[column] = given[i] if i < len(given) else ""
        if any(value for column, value in row.items() if column not in ("posting", LINE_ID)):
            rows.append(row)
    known = {f.name for f in spec.fields}
    return RecordForm(entity, {k: v for k, v in values.items() if k in known}, rows)


# -- the payload ---------------------------------------------------------------------------------


def _amount(text: str) -> str:
    """An amount as typed, without thousands separators or a dollar sign."""
    cleaned = text.replace(",", "").replace("$", "").replace(" ", "")
    return cleaned if money(cleaned) is not None else text


def name_ref(text: str) -> dict[str, Any]:
    return {"name": " ".join(text.split())}


def _person(text: str, lists: ReferenceLists, default: str) -> dict[str, Any]:
    """A name reference that says which list it is on (a new name goes to `default`)."""
    found = person_named(lists, text)
    return {**name_ref(text), "type": found.entity if found else default}


def _line(spec: FormSpec, row: dict[str, str], payee: dict[str, Any] | None) -> dict[str, Any]:
    line: dict[str, Any] = {}
    amount = _amount(row.get("amount", ""))
    description = row.get("description", "")
    account = {"AccountRef": name_ref(row["account"])} if row.get("account") else {}
    if spec.lines == "linked":
        if amount:
            line["Amount"] = amount
        if row.get("txn"):
            line["LinkedTxn"] = [{"TxnId": row["txn"], "TxnType": spec.linked}]
        return line
    if spec.lines == "sales":
        qty, price = _amount(row.get("qty", "")), _amount(row.get("price", ""))
        if not (row.get("item") or amount or qty or price):
            return {"DetailType": "DescriptionOnly", "Description": description}
        number_qty, number_price = money(qty), money(price)
        if not amount and number_qty is not None and number_price is not None:
            amount = str((number_qty * number_price).quantize(CENT))
        detail: dict[str, Any] = {"ItemRef": name_ref(row["item"])} if row.get("item") else {}
        detail |= ({"Qty": qty} if qty else {}) | ({"UnitPrice": price} if price else {})
        kind = "SalesItemLineDetail"
    elif spec.lines == "journal":
        detail = {"PostingType": row["posting"]} if row.get("posting") else {}
        detail |= account
        kind = "JournalEntryLineDetail"
    elif spec.lines == "deposit":
        detail = {**account, **({"Entity": dict(payee)} if payee else {})}
        kind = "DepositLineDetail"
    else:
        detail, kind = account, "AccountBasedExpenseLineDetail"
    if amount:
        line["Amount"] = amount
    line["DetailType"] = kind
    if description:
        line["Description"] = description
    line[kind] = detail
    return line


def to_payload(form: RecordForm, lists: ReferenceLists) -> dict[str, Any]:
    """Intuit's JSON for what the form says, references by name (resolved when stored)."""
    spec = form.spec
    out: dict[str, Any] = {}
    for f in spec.fields:
        text = form.value(f.name)
        if not text or f.name in ("PaidFrom", "ReceivedFrom"):
            continue
        if f.name == "EntityRef":
            out[f.name] = _person(text, lists, "Vendor")
        elif f.kind == "ref":
            out[f.name] = name_ref(text)
        elif f.kind == "money":
            out[f.name] = _amount(text)
        else:
            out[f.name] = text
    if form.entity == "BillPayment" and form.value("PaidFrom"):
        if form.value("PayType") == "CreditCard":
            out["CreditCardPayment"] = {"CCAccountRef": name_ref(form.value("PaidFrom"))}
        else:
            out["CheckPayment"] = {"BankAccountRef": name_ref(form.value("PaidFrom"))}
    payee = (
        _person(form.value("ReceivedFrom"), lists, "Customer")
        if form.value("ReceivedFrom")
        else None
    )
    if spec.lines != "none":
        out["Line"] = [_with_id(row, _line(spec, row, payee)) for row in form.rows]
    return out


def _with_id(row: dict[str, str], line: dict[str, Any]) -> dict[str, Any]:
    return {"Id": row[LINE_ID], **line} if row.get(LINE_ID) else line


# -- refusals beside their fields ----------------------------------------------------------------

_COLUMN_OF = {
    "Amount": "amount",
    "AccountRef": "account",
    "ItemRef": "item",
    "PostingType": "posting",
    "Description": "description",
    "Qty": "qty",
    "UnitPrice": "price",
    "LinkedTxn": "txn",
    "TxnId": "txn",
}


def _sentence(label: str, message: str) -> str:
    """'is required.' beside the Customer field reads 'Customer is required.'"""
    return f"{label} {message}" if message[:1].islower() else message


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _add(bucket: list[str], message: str) -> None:
    if message not in bucket:
        bucket.append(message)


def place(form: RecordForm, problems: Iterable[Problem]) -> Errors:
    """Each problem beside the input it is about; what fits no input is said at the top."""
    spec, errors = form.spec, Errors()
    names = {f.name for f in spec.fields}
    for problem in problems:
        found = line_of(problem.field)
        if found is not None and found[0] >= len(form.rows):  # a line the form does not show
            k = found[0] - len(form.rows)
            what = form.kept[k] if k < len(form.kept) else f"line {found[0] + 1}"
            _add(errors.general, f"A line kept as it is ({what}): {problem.message}")
            continue
        if found is not None:
            row, rest = found
            last = re.sub(r"\[\d+\]", "", rest).split(".")
            key = next((p for p in reversed(last) if p in _COLUMN_OF or p == "Entity"), "")
            if key == "Entity" and "ReceivedFrom" in names:
                label = spec.field_label("ReceivedFrom")
                _add(
                    errors.fields.setdefault("ReceivedFrom", []), _sentence(label, problem.message)
                )
                continue
            column = _COLUMN_OF.get(key, "")
            if column in spec.columns:
                cell = errors.cells.setdefault((row, column), [])
                if not (cell and problem.message == "is required."):  # 'abc' is not an amount
                    _add(cell, _sentence(spec.column_label(column), problem.message))
            else:
                _add(
                    errors.rows.setdefault(row, []),
                    _capital(f"{rest}: {problem.message}" if rest else problem.message),
                )
            continue
        if problem.field == "Line":
            _add(errors.lines, _capital(problem.message))
            continue
        head = re.split(r"[.\[]", problem.field, maxsplit=1)[0]
        if form.entity == "BillPayment" and head in ("CheckPayment", "CreditCardPayment"):
            head = "PaidFrom"
        if head in names:
            label = spec.field_label(head)
            _add(errors.fields.setdefault(head, []), _sentence(label, problem.message))
        else:
            _add(errors.general, _capital(str(problem)))
    return errors
