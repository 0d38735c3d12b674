"""The review grid's forms: what they offer from the client's live lists, the values a record
shows in them, and the Intuit payload a submitted form makes (built with `zera.review.payloads`'
helpers, never by hand). Pure: the route reads the lists once and hands them in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from litestar.datastructures import FormMultiDict

from zera.review import payloads
from zera.review.payloads import Part, Problem
from zera.review.records import RecordView
from zera.sync.lists import BANK, CREDIT_CARD, PEOPLE, ListEntry, ReferenceLists

# Datalists of account names, each offered once per page; a record's type picks one.
ACCOUNT_LISTS = ("acct-lines", "acct-any", "acct-balance", "acct-bank", "acct-card")
NAME_LISTS = ("names-vendor", "names-customer", "names-people")
SPLIT_TYPES = ("Purchase", "Deposit")


def account_list(entity: str, card: bool) -> str:
    """The datalist a record's category is chosen from."""
    if entity == "JournalEntry":
        return "acct-any"
    if entity == "Transfer":
        return "acct-balance"
    if entity == "CreditCardPayment":
        return "acct-bank" if card else "acct-card"
    return "acct-lines"


def names_list(entity: str) -> str | None:
    """The datalist a record's payee is chosen from; None when the type has no payee."""
    if entity == "Deposit":
        return "names-people"
    party = payloads.TYPES[entity].party_entity
    return {"Vendor": "names-vendor", "Customer": "names-customer"}.get(party or "")


def payee_kinds(entity: str) -> tuple[str, ...]:
    """The lists a typed payee name is looked up in, in order."""
    if entity == "Deposit":
        return ("Customer", "Vendor", "Employee")
    party = payloads.TYPES[entity].party_entity
    return (party,) if party else ()


def type_choices(record: RecordView) -> tuple[str, ...]:
    """The types a record may be turned into here: a statement line's, and its own."""
    if not record.from_statement:
        return (record.entity,)
    kinds = payloads.BANK_LINE_TYPES
    return kinds if record.entity in kinds else (record.entity, *kinds)


def has_category(entity: str) -> bool:
    """The record is booked to an account the form can change (not a bill or invoice paid)."""
    return payloads.TYPES[entity].lines != "linked"


def _kinds(list_id: str, lists: ReferenceLists) -> Iterable[ListEntry]:
    active = lists.accounts()
    if list_id == "acct-lines":
        excluded = payloads.category_types_excluded("Purchase")
        return (a for a in active if a.kind not in excluded)
    if list_id == "acct-balance":
        wanted = payloads.allowed_account_types("Transfer", "ToAccountRef", {})
        return (a for a in active if a.kind in wanted)
    if list_id == "acct-bank":
        return (a for a in active if a.kind == BANK)
    if list_id == "acct-card":
        return (a for a in active if a.kind == CREDIT_CARD)
    return active


@dataclass(frozen=True)
class Choices:
    """Everything the grid's forms offer, from one read of the live lists: active entries only."""

    accounts: dict[str, list[str]]
    names: dict[str, list[str]]
    classes: list[ListEntry]  # empty when the company does not track classes per line
    locations: list[ListEntry]  # empty when it does not track locations
    statement_accounts: dict[str, list[ListEntry]]  # Bank / Credit Card: the question's answers

    @classmethod
    def of(cls, lists: ReferenceLists, *, datalists: bool = True) -> Choices:
        """The choices; without `datalists` only what a row's own form holds (the page that
        the row is in has the type-ahead lists already)."""

        def active(entity: str) -> list[ListEntry]:
            return [e for e in lists.of(entity) if e.active]

        accounts: dict[str, list[str]] = {}
        names: dict[str, list[str]] = {}
        if datalists:
            accounts = {key: [a.name for a in _kinds(key, lists)] for key in ACCOUNT_LISTS}
            people = sorted(
                (e for kind in PEOPLE for e in active(kind)), key=lambda e: e.name.casefold()
            )
            names = {
                "names-vendor": [e.name for e in active("Vendor")],
                "names-customer": [e.name for e in active("Customer")],
                "names-people": [e.name for e in people],
            }
        return cls(
            accounts=accounts,
            names=names,
            classes=active("Class") if lists.class_per_line else [],
            locations=active("Department") if lists.locations else [],
            statement_accounts={
                BANK: lists.accounts(BANK),
                CREDIT_CARD: lists.accounts(CREDIT_CARD),
            },
        )


# -- what a record shows in the forms -----------------------------------------------------------


def _facts(record: RecordView) -> payloads.BankFacts:
    return payloads.bank_facts(
        record.entity, record.payload, amount=record.amount, card=record.card,
        description=record.bank_text,
    )  # fmt: skip


def category_lines(entity: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines that carry a category (an expense's or a deposit's)."""
    kinds = ("AccountBasedExpenseLineDetail", "DepositLineDetail")
    return [line for line in payloads.lines(payload) if line.get("DetailType") in kinds]


def current_category(record: RecordView) -> tuple[str, bool]:
    """The account the record is booked to, as the form shows it, and whether it is split."""
    if record.entity in SPLIT_TYPES:
        found = category_lines(record.entity, record.payload)
        if len(found) > 1:
            return "", True
        return (payloads.ref_name(payloads.line_account(found[0])) if found else ""), False
    if record.from_statement and record.entity in payloads.BANK_LINE_TYPES:
        return payloads.ref_name(_facts(record).category), False
    return record.account, False


def _class_of(payload: dict[str, Any]) -> str:
    for line in payloads.lines(payload):
        ref = payloads.line_detail(line).get("ClassRef")
        if isinstance(ref, dict):
            return payloads.ref_value(ref)
    return ""


def new_payee(record: RecordView) -> bool:
    """The payee is a name QuickBooks does not have yet (created on push)."""
    ref = payloads.payee_ref(record.entity, record.payload)
    return bool(ref and not payloads.ref_value(ref) and payloads.ref_name(ref))


@dataclass(frozen=True)
class EditForm:
    """An edit row's values: the record's when it opens, the user's when it comes back."""

    version: int
    entity: str
    date: str
    payee: str
    account: str
    split: bool  # the record has several lines; an empty account keeps them
    memo: str
    class_id: str
    location_id: str

    @classmethod
    def of_record(cls, record: RecordView) -> EditForm:
        account, split = current_category(record)
        return cls(
            version=record.version,
            entity=record.entity,
            date=str(record.payload.get("TxnDate") or ""),
            payee=record.payee,
            account=account,
            split=split,
            memo=record.memo,
            class_id=_class_of(record.payload),
            location_id=payloads.ref_value(record.payload.get("DepartmentRef")),
        )

    @classmethod
    def parse(cls, form: FormMultiDict, record: RecordView) -> EditForm:
        def text(name: str, default: str = "") -> str:
            value = form.get(name)
            return value.strip() if isinstance(value, str) else default

        current = cls.of_record(record)
        entity = text("type", record.entity)
        return cls(
            version=version_of(form),
            entity=entity,
            date=text("date"),
            payee=text("payee"),
            account=text("account"),
            split=current.split,
            memo=text("memo"),
            class_id=text("class", current.class_id),
            location_id=text("location", current.location_id),
        )


def version_of(form: FormMultiDict) -> int:
    """The version a form was opened at (0, which no record has, when it is missing)."""
    raw = form.get("version")
    try:
        return int(raw) if isinstance(raw, str) else 0
    except ValueError:
        return 0


# -- from a form to a payload -------------------------------------------------------------------


def _payee(
    entity: str, name: str, lists: ReferenceLists
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The reference a typed payee name makes: the entry so named, else a new name."""
    name = " ".join(name.split())
    if not name:
        return None, []
    kinds = payee_kinds(entity)
    for kind in kinds:
        found = lists.named(kind, name)
        if found is not None:
            ref = {"value": found.qbo_id, "name": found.name}
            return (ref | {"type": kind} if entity == "Deposit" else ref), []
    other = next((e for kind in PEOPLE if (e := lists.named(kind, name))), None)
    if other is not None:
        return None, [
            Problem("payee", f"'{other.name}' is a {other.entity.lower()} in QuickBooks; a "
                    f"{payloads.TYPES[entity].label.lower()}'s payee is a "
                    f"{kinds[0].lower()}. Choose one from the list, or change the type.")
        ]  # fmt: skip
    return {"name": name}, []


def _account(
    name: str, lists: ReferenceLists, field_name: str
) -> tuple[dict[str, Any] | None, list[Problem]]:
    found = lists.named("Account", name)
    if found is None:
        return None, [
            Problem(field_name, f"'{name}' is not in this company's chart of accounts. Choose an "
                    "account from the list (Refresh on Connection if it was just added in "
                    "QuickBooks).")
        ]  # fmt: skip
    return {"value": found.qbo_id, "name": found.name}, []


def _with_category(record: RecordView, entity: str, payload: dict[str, Any],
                   ref: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    if entity in SPLIT_TYPES:
        return payloads.with_category(entity, payload, ref)
    # A transfer's, a card payment's or a journal entry's other side depends on the sign and
    # on the statement's account: rebuild it from the line's facts.
    facts = payloads.bank_facts(
        entity, payload, amount=record.amount, card=record.card, description=record.bank_text
    )
    kept = {k: payload[k] for k in ("DepartmentRef",) if k in payload}
    return payloads.bank_payload(entity, replace(facts, category=ref)) | kept


def build_edit(
    record: RecordView, form: EditForm, lists: ReferenceLists
) -> tuple[str, dict[str, Any], list[Problem]]:
    """The record's new type and payload from an edit row, and what is wrong with the form
    itself (an account not in the chart, a date that is not one); Intuit's rules are checked
    when the record is saved."""
    problems: list[Problem] = []
    entity, payload = record.entity, dict(record.payload)
    if form.entity != record.entity:
        if not record.from_statement or form.entity not in payloads.BANK_LINE_TYPES:
            why = (
                "a statement line is an expense, deposit, transfer, card payment or journal entry."
            )
            problems.append(Problem("type", why))
        else:
            entity = form.entity
            payload = payloads.bank_payload(entity, _facts(record))
    if not form.date:
        problems.append(Problem("date", "is required."))
    else:
        try:
            dt.date.fromisoformat(form.date)
        except ValueError:
            problems.append(Problem("date", f"'{form.date}' is not a date (YYYY-MM-DD)."))
    payload = payloads.with_field(payload, "TxnDate", form.date)
    payload = payloads.with_field(payload, "PrivateNote", form.memo)
    if names_list(entity) is not None:
        current = payloads.payee_ref(entity, payload)
        if " ".join(form.payee.split()).casefold() != payloads.ref_name(current).casefold():
            ref, wrong = _payee(entity, form.payee, lists)
            problems += wrong
            if not wrong:
                payload = payloads.with_payee(entity, payload, ref)
    if form.account and has_category(entity):
        now, _ = current_category(replace(record, entity=entity, payload=payload))
        if form.account.casefold() != now.casefold():
            ref, wrong = _account(form.account, lists, "account")
            problems += wrong
            if ref is not None:
                payload = _with_category(record, entity, payload, ref)
    if lists.class_per_line and form.class_id != _class_of(payload):
        ref = {"value": form.class_id} if form.class_id else None
        payload = payloads.with_tag(entity, payload, "ClassRef", ref)
    if lists.locations and form.location_id != payloads.ref_value(payload.get("DepartmentRef")):
        ref = {"value": form.location_id} if form.location_id else None
        payload = payloads.with_tag(entity, payload, "DepartmentRef", ref)
    return entity, payload, problems


@dataclass(frozen=True)
class SplitLine:
    amount: str
    account: str
    description: str = ""

    @property
    def blank(self) -> bool:
        return not (self.amount or self.account or self.description)


@dataclass(frozen=True)
class SplitForm:
    version: int
    lines: list[SplitLine] = field(default_factory=list)

    @classmethod
    def of_record(cls, record: RecordView) -> SplitForm:
        found = [
            SplitLine(
                amount=str(payloads.money(line.get("Amount")) or ""),
                account=payloads.ref_name(payloads.line_account(line)),
                description=str(line.get("Description") or ""),
            )
            for line in category_lines(record.entity, record.payload)
        ]
        if len(found) < 2:
            found.append(SplitLine("", ""))
        return cls(record.version, found)

    @classmethod
    def parse(cls, form: FormMultiDict) -> SplitForm:
        def values(name: str) -> list[str]:
            return [v.strip() if isinstance(v, str) else "" for v in form.getall(name, [])]

        amounts, accounts, words = values("amount"), values("account"), values("description")
        size = max(len(amounts), len(accounts), len(words))
        pad = [""] * size
        lines = [
            SplitLine(a, b, c)
            for a, b, c in zip((amounts + pad)[:size], (accounts + pad)[:size],
                               (words + pad)[:size], strict=True)
        ]  # fmt: skip
        return cls(version_of(form), lines)

    def changed(self, change: str) -> SplitForm | None:
        """The form after "add" or "remove-N" (None for any other change: save)."""
        if change == "add":
            return replace(self, lines=[*self.lines, SplitLine("", "")])
        if change.startswith("remove-") and change[7:].isdigit():
            index = int(change[7:])
            kept = [line for i, line in enumerate(self.lines) if i != index]
            return replace(self, lines=kept or [SplitLine("", "")])
        return None

    def total(self) -> Decimal:
        return sum((payloads.money(line.amount) or Decimal(0) for line in self.lines), Decimal(0))


def build_split(
    record: RecordView, form: SplitForm, lists: ReferenceLists
) -> tuple[dict[str, Any], list[Problem], list[int]]:
    """The record's payload split into the form's lines (blank lines dropped), what is wrong
    with the form itself, and the form line each payload line came from."""
    if record.entity not in SPLIT_TYPES:
        label = payloads.TYPES[record.entity].label.lower()
        return record.payload, [Problem("", f"A {label} cannot be split here.")], []
    problems: list[Problem] = []
    parts: list[Part] = []
    origin: list[int] = []
    for i, line in enumerate(form.lines):
        if line.blank:
            continue
        amount = payloads.money(line.amount.replace(",", ""))
        if amount is None:
            problems.append(Problem(f"line-{i}", f"'{line.amount}' is not an amount."))
        if not line.account:
            problems.append(Problem(f"line-{i}", "needs an account."))
            continue
        ref, wrong = _account(line.account, lists, f"line-{i}")
        problems += wrong
        if amount is not None and ref is not None:
            parts.append(Part(amount, ref, line.description))
            origin.append(i)
    if not parts and not problems:
        problems.append(
            Problem("", "A split needs at least one line with an amount and an account.")
        )
    if problems:
        return record.payload, problems, origin
    return payloads.split(record.entity, record.payload, parts), [], origin


# -- problems next to their fields --------------------------------------------------------------

_EDIT_FIELDS = {"type": "type", "TxnDate": "date", "PrivateNote": "memo", "EntityRef": "payee",
                "VendorRef": "payee", "CustomerRef": "payee"}  # fmt: skip


def _category_field(entity: str, record: RecordView) -> str:
    if entity == "Transfer":
        return "ToAccountRef" if record.amount < 0 else "FromAccountRef"
    if entity == "CreditCardPayment":
        return "BankAccountRef" if record.card else "CreditCardAccountRef"
    return ""


def edit_problems(
    problems: Sequence[Problem], entity: str, record: RecordView
) -> dict[str, list[str]]:
    """Each problem under the edit row's field it belongs to ("" for the row as a whole)."""
    out: dict[str, list[str]] = {}
    for problem in problems:
        path = problem.field
        name = _EDIT_FIELDS.get(path, path if path in {
            "type", "date", "payee", "account", "memo", "class", "location"} else "")  # fmt: skip
        if path.endswith("ClassRef"):
            name = "class"
        elif path.endswith("DepartmentRef"):
            name = "location"
        elif path.endswith(".Entity"):
            name = "payee"
        elif (path.startswith("Line[") and "AccountRef" in path) or (
            path and path == _category_field(entity, record)
        ):
            name = "account"
        out.setdefault(name, []).append(problem.message if name else str(problem))
    return out


def split_problems(problems: Sequence[Problem], origin: Sequence[int]) -> dict[str, list[str]]:
    """Each problem under the split line it belongs to ("" for the split as a whole)."""
    out: dict[str, list[str]] = {}
    for problem in problems:
        name = ""
        if problem.field.startswith("line-"):
            name = problem.field
        elif problem.field.startswith("Line[") and "]" in problem.field:
            index = int(problem.field[5 : problem.field.index("]")])
            name = f"line-{origin[index]}" if index < len(origin) else ""
        out.setdefault(name, []).append(problem.message if name else str(problem))
    return out


def posted_ids(form: FormMultiDict) -> list[int]:
    """The record ids ticked in a bulk form (anything that is not a number is ignored)."""
    return [int(v) for v in form.getall("ids", []) if isinstance(v, str) and v.isdigit()]


def first(values: Mapping[str, list[str]], name: str) -> str:
    found = values.get(name)
    return found[0] if found else ""
