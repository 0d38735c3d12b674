"""What the review grid's edit and split forms offer and show: the type-ahead lists (accounts
and names, from the client's live lists), which of them a record's type uses, the types a row
may become, and a record's current category, class and payee as its form shows them. Pure: the
route reads the lists once and hands them in; `zera.review.edits` reads the forms back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from zera.review import payloads
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


def statement_facts(record: RecordView) -> payloads.BankFacts:
    """What a statement line's record says, as the payloads of its possible types are built."""
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
        return payloads.ref_name(statement_facts(record).category), False
    return record.account, False


def class_of(payload: dict[str, Any]) -> str:
    """The Id of the class the record's first tagged line has ("" when no line has one)."""
    for line in payloads.lines(payload):
        ref = payloads.line_detail(line).get("ClassRef")
        if isinstance(ref, dict):
            return payloads.ref_value(ref)
    return ""


def new_payee(record: RecordView) -> bool:
    """The payee is a name QuickBooks does not have yet (created on push)."""
    ref = payloads.payee_ref(record.entity, record.payload)
    return bool(ref and not payloads.ref_value(ref) and payloads.ref_name(ref))

