"""The review grid's edit and split forms read back: a submitted row turned into the record's
new type and Intuit payload (built with `zera.review.payloads`' helpers, never by hand), saved
against the version the form was opened at, and each refusal placed under the field it is
about. Knows no HTTP: a submitted form is anything with `get` and `getall`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Protocol

from zera.accounts.audit import Actor
from zera.clients import ClientSummary
from zera.review import payloads
from zera.review.choices import (
    SPLIT_TYPES,
    category_lines,
    class_of,
    current_category,
    has_category,
    names_list,
    payee_kinds,
    statement_facts,
)
from zera.review.payloads import Part, Problem
from zera.review.records import InvalidRecord, RecordView, edit_record
from zera.review.typed import line_of, person_named
from zera.sync.lists import ReferenceLists


class SubmittedForm(Protocol):
    """A submitted form: a field's first value, and all the values of a repeated field (a web
    framework's form multi-dict is one)."""

    def get(self, key: str, /) -> Any: ...

    def getall(self, key: str, default: list[Any], /) -> list[Any]: ...


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
            class_id=class_of(record.payload),
            location_id=payloads.ref_value(record.payload.get("DepartmentRef")),
        )

    @classmethod
    def parse(cls, form: SubmittedForm, record: RecordView) -> EditForm:
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


def version_of(form: SubmittedForm) -> int:
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
    other = person_named(lists, name)
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
            payload = payloads.bank_payload(entity, statement_facts(record))
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
    if lists.class_per_line and form.class_id != class_of(payload):
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
    def parse(cls, form: SubmittedForm) -> SplitForm:
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
        elif (line := line_of(problem.field)) is not None:
            index = line[0]
            name = f"line-{origin[index]}" if index < len(origin) else ""
        out.setdefault(name, []).append(problem.message if name else str(problem))
    return out


def posted_ids(form: SubmittedForm) -> list[int]:
    """The record ids ticked in a bulk form (anything that is not a number is ignored)."""
    return [int(v) for v in form.getall("ids", []) if isinstance(v, str) and v.isdigit()]


# -- saving --------------------------------------------------------------------------------------


class RefusedForm(InvalidRecord):
    """The form or Intuit's rules refuse the change: `by_field` places each problem under the
    form's field (or split line) it is about, "" for the form as a whole."""

    def __init__(self, problems: Sequence[Problem], by_field: dict[str, list[str]]) -> None:
        super().__init__(problems)
        self.by_field = by_field


async def save_edit(
    actor: Actor, client: ClientSummary, record: RecordView, form: EditForm, lists: ReferenceLists
) -> RecordView:
    """Save an edit row made against `form.version`: the record's new type and payload, checked
    with Intuit's rules. Refused with RefusedForm (nothing saved), or StaleEdit or Conflict when
    the record has changed since the form was opened or can no longer be edited."""
    entity, payload, problems = build_edit(record, form, lists)
    try:
        # A stale or closed record is refused as such, not for what the form says.
        if problems and form.version == record.version and record.editable:
            raise InvalidRecord(problems)
        return await edit_record(actor, client, record.id, form.version, payload,
                                 entity=entity, lists=lists)  # fmt: skip
    except InvalidRecord as exc:
        raise RefusedForm(exc.problems, edit_problems(exc.problems, entity, record)) from exc


async def save_split(
    actor: Actor, client: ClientSummary, record: RecordView, form: SplitForm, lists: ReferenceLists
) -> RecordView:
    """Save the record split into the form's lines, made against `form.version`; refused as
    `save_edit` is."""
    payload, problems, origin = build_split(record, form, lists)
    try:
        if problems and form.version == record.version and record.editable:
            raise InvalidRecord(problems)
        return await edit_record(actor, client, record.id, form.version, payload, lists=lists)
    except InvalidRecord as exc:
        raise RefusedForm(exc.problems, split_problems(exc.problems, origin)) from exc
