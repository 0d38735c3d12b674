"""Statement accounts: which QuickBooks Bank or Credit Card account a statement is. Matched once
per client by the last four digits in the account's name or number, else asked once on Review;
either way remembered, and put on every record of that statement still editable."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from zera.accounts.audit import Actor
from zera.categorize.transfers import Account, statement_label
from zera.clients import ClientSummary
from zera.db.tables import StatementAccount
from zera.errors import InvalidInput, ZeraError
from zera.review import payloads
from zera.review.records import (
    Flag,
    edit_record,
    editable_statement_keys,
    list_records,
    record_flags,
)
from zera.review.summary import StatementSummary
from zera.sync.lists import BANK, CREDIT_CARD, ListEntry, ReferenceLists, reference_lists

__all__ = [
    "account_kind",
    "account_question",
    "match_account",
    "own_account",
    "ref_of",
    "remember_statement_account",
    "remembered_accounts",
    "statement_accounts",
    "statement_accounts_to_ask",
    "statement_key",
    "statement_label",
]

log = logging.getLogger("zera.review")


def statement_key(summary: StatementSummary) -> str:
    """The statement's account as the records name it: "bank:1234", "credit_card:9876"."""
    kind = "credit_card" if summary.account_type == "credit_card" else "bank"
    return f"{kind}:{summary.account or '?'}"


def account_kind(key: str) -> str:
    """The QuickBooks account type a statement account is booked to: Bank or Credit Card."""
    return CREDIT_CARD if key.startswith("credit_card:") else BANK


def _endings(entry: ListEntry) -> frozenset[str]:
    """The last four digits of an account's number and of the digits in its name."""
    found = set()
    for text in (entry.number, entry.name):
        digits = "".join(c for c in text if c.isdigit())
        if len(digits) >= 4:
            found.add(digits[-4:])
    return frozenset(found)


def match_account(key: str, lists: ReferenceLists) -> ListEntry | None:
    """The one active account of the statement's kind whose name or number ends in its last
    four digits (None when none or several do)."""
    last4 = key.partition(":")[2]
    if not last4.isdigit():
        return None
    found = [a for a in lists.accounts(account_kind(key)) if last4 in _endings(a)]
    return found[0] if len(found) == 1 else None


def own_account(entry: ListEntry) -> Account:
    """A QuickBooks Bank or Credit Card account as the transfer finder knows it."""
    return Account(entry.qbo_id, entry.name, entry.kind == CREDIT_CARD, _endings(entry))


async def remembered_accounts(client_id: int) -> dict[str, str]:
    """Statement key -> the QuickBooks account Id remembered for it."""
    rows = (
        await StatementAccount.select(StatementAccount.key, StatementAccount.qbo_account_id)
        .where(StatementAccount.client_id == client_id)
        .run()
    )
    return {row["key"]: row["qbo_account_id"] for row in rows}


async def _remember(client_id: int, key: str, account_id: str) -> None:
    where = (StatementAccount.client_id == client_id) & (StatementAccount.key == key)
    if await StatementAccount.exists().where(where).run():
        await (
            StatementAccount.update({StatementAccount.qbo_account_id: account_id})
            .where(where)
            .run()
        )
    else:
        await StatementAccount.insert(
            StatementAccount(client_id=client_id, key=key, qbo_account_id=account_id)
        ).run()


def _usable(entry: ListEntry | None, key: str) -> ListEntry | None:
    return entry if entry and entry.active and entry.kind == account_kind(key) else None


def ref_of(entry: ListEntry | Account) -> dict[str, Any]:
    """The reference Intuit's JSON makes to a list entry or an own account: Id and name."""
    if isinstance(entry, Account):
        return {"value": entry.id, "name": entry.name}
    return {"value": entry.qbo_id, "name": entry.name}


def _place_account(
    entity: str, payload: dict[str, Any], ref: dict[str, Any], *, amount: Decimal, card: bool
) -> dict[str, Any]:
    """A copy of `payload` with the statement's own account where a record of `entity` keeps
    it; everything else (splits, classes, notes) as it was."""
    out = dict(payload)
    if entity == "Purchase":
        out["AccountRef"] = dict(ref)
    elif entity in ("Deposit", "Payment", "SalesReceipt"):
        out["DepositToAccountRef"] = dict(ref)
    elif entity == "BillPayment":
        part, name = ("CreditCardPayment", "CCAccountRef") if out.get("PayType") == "CreditCard" \
            else ("CheckPayment", "BankAccountRef")  # fmt: skip
        out[part] = {**(out.get(part) or {}), name: dict(ref)}
    elif entity == "Transfer":
        out["FromAccountRef" if amount < 0 else "ToAccountRef"] = dict(ref)
    elif entity == "CreditCardPayment":
        out["CreditCardAccountRef" if card else "BankAccountRef"] = dict(ref)
    elif entity == "JournalEntry":
        side = "Debit" if amount > 0 else "Credit"
        lines = [dict(line) for line in payloads.lines(out)]
        for line in reversed(lines):
            detail = payloads.line_detail(line)
            if detail.get("PostingType") == side:
                line[str(line["DetailType"])] = {**detail, "AccountRef": dict(ref)}
                break
        out["Line"] = lines
    return out


def account_question(key: str) -> Flag:
    """The flag that asks which QuickBooks account a statement account is."""
    return Flag("account", f"Which QuickBooks account is {statement_label(key)}?")


def _place_other(
    entity: str, payload: dict[str, Any], ref: dict[str, Any], *, card: bool
) -> dict[str, Any]:
    """A copy of a movement's `payload` with its missing other side filled in."""
    out = dict(payload)
    if entity == "CreditCardPayment":
        out.setdefault("CreditCardAccountRef" if card else "BankAccountRef", dict(ref))
    elif entity == "Transfer":
        side = "FromAccountRef" if "FromAccountRef" not in out else "ToAccountRef"
        out.setdefault(side, dict(ref))
    return out


async def remember_statement_account(
    actor: Actor, client: ClientSummary, key: str, qbo_account_id: str
) -> int:
    """Remember which QuickBooks account a statement account is, and put it on every record of
    that statement still editable (each edit a new version, the "account" flag removed);
    returns how many records were updated.

    Refused (InvalidInput) for an account QuickBooks does not have, an inactive one, or one of
    another kind than the statement (Bank for a bank statement, Credit Card for a card)."""
    lists = await reference_lists(client.id)
    entry = lists.get("Account", qbo_account_id)
    wanted = account_kind(key)
    if entry is None:
        raise InvalidInput("account", "That account is not in this client's QuickBooks.")
    if not entry.active:
        raise InvalidInput("account", f"'{entry.name}' is inactive in QuickBooks.")
    if entry.kind != wanted:
        raise InvalidInput(
            "account",
            f"'{entry.name}' is a {entry.kind} account; {statement_label(key)} needs a "
            f"{wanted} account.",
        )
    await _remember(client.id, key, entry.qbo_id)
    question = account_question(key)
    updated = 0
    for record in await list_records(client):
        if not record.editable:
            continue
        if record.statement_key == key:
            payload = _place_account(record.entity, record.payload, ref_of(entry),
                                     amount=record.amount, card=record.card)  # fmt: skip
        elif question in record.flags:  # a movement whose other side is this account
            payload = _place_other(record.entity, record.payload, ref_of(entry), card=entry.kind
                                   == CREDIT_CARD)  # fmt: skip
        else:
            continue
        flags = [f for f in record.flags if f != question]
        if payload == record.payload and flags == record.flags:
            continue
        try:
            if payload != record.payload:
                record = await edit_record(actor, client, record.id, record.version, payload,
                                           lists=lists)  # fmt: skip
            if flags != record.flags:
                await record_flags(actor, client, record.id, record.version, flags)
        except ZeraError as exc:
            log.warning("record %s kept its account: %s", record.id, exc)
            continue
        updated += 1
    return updated


async def statement_accounts_to_ask(client: ClientSummary) -> list[tuple[str, str]]:
    """(key, label) of each statement account of the client's editable records that is not
    matched to an active QuickBooks account of its kind yet."""
    keys = await editable_statement_keys(client)
    remembered = await remembered_accounts(client.id)
    lists = await reference_lists(client.id)
    return [
        (key, statement_label(key))
        for key in sorted(keys)
        if _usable(lists.get("Account", remembered.get(key, "")), key) is None
    ]


async def statement_accounts(
    client_id: int, keys: Iterable[str], lists: ReferenceLists
) -> dict[str, ListEntry | None]:
    """Each key's remembered account, else the one its last digits match (then remembered)."""
    remembered = await remembered_accounts(client_id)
    out: dict[str, ListEntry | None] = {}
    for key in sorted(set(keys)):
        if key in remembered:
            out[key] = _usable(lists.get("Account", remembered[key]), key)
            continue
        found = match_account(key, lists)
        if found is not None:
            await _remember(client_id, key, found.qbo_id)
        out[key] = found
    return out
