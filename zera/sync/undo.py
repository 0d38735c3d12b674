"""Undo a push: what one push run wrote to QuickBooks is taken back, newest first.

1. Each transaction the run created is read (for its current SyncToken) and deleted; one that
   QuickBooks no longer has is only forgotten. Its record is approved again with its QuickBooks
   Id cleared, to be edited or pushed again, and its source document's Attachable loses the
   link (the Attachable is deleted once nothing is linked to it).
2. One QuickBooks will not delete, because its period is closed (6210) or it is deposited or
   linked (6540), stays. A JournalEntry dated today whose lines reverse its postings is
   proposed; with `reverse_with_journal` it is created (once: the record is flagged reversed).
   Every type a push writes can be deleted (QBO-API.md §8), so nothing is voided.
3. Names the run created are made inactive when no transaction in QuickBooks names them any
   more (asked by query; a query QuickBooks will not answer leaves the name active), and the
   push forgets them, so a later push finds the name again rather than use an inactive one.

Every step is audited and returned as an `UndoStep`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zera.accounts.audit import Actor
from zera.accounts.audit import record as audit
from zera.clients import ClientSummary
from zera.db.tables import PushedName, PushRun, Record
from zera.errors import NotFound
from zera.qbo import ClosedPeriod, ObjectNotFound, QBOClient, QBOError, StaleObject
from zera.review.records import CONFLICT, IN_QUICKBOOKS, RecordView, get_record
from zera.sync import records as pushed
from zera.sync.attachments import DELETED as ATTACHMENT_DELETED
from zera.sync.attachments import link_key, unlink
from zera.sync.lists import PAYABLE, RECEIVABLE

DELETED = "deleted"
GONE = "already gone"
JOURNAL_PROPOSED = "journal proposed"
JOURNAL_CREATED = "journal created"
LEFT = "left"
INACTIVE = "made inactive"
UNLINKED = "unlinked"
DEPOSITED = "6540"  # Intuit: deposited transaction cannot be changed


@dataclass(frozen=True)
class UndoStep:
    """What undo did about one thing the push wrote: a record's transaction (`record_id`), a
    name it created or a source document's Attachable (`record_id` None)."""

    record_id: int | None
    type: str
    action: str
    message: str
    qbo_id: str | None = None
    journal: dict[str, Any] | None = None  # the reversing JournalEntry, proposed or created

    def to_json(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "type": self.type,
            "action": self.action,
            "message": self.message,
            "qbo_id": self.qbo_id,
            "journal": self.journal,
        }


# -- reversing journal entries --------------------------------------------------------------------

Posting = tuple[str, str, Decimal, dict[str, Any] | None]  # (Debit|Credit, account, amount, name)


class CannotReverse(Exception):
    """Why Zera cannot work out a journal entry that reverses a transaction."""


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0))


def _ref(value: Any) -> str:
    return str((value or {}).get("value") or "") if isinstance(value, dict) else ""


def _name(ref: Any, kind: str) -> dict[str, Any] | None:
    """A journal line's Entity for a transaction's payee reference (header or line)."""
    value = _ref(ref)
    if not value:
        return None
    return {"Type": str(ref.get("type") or kind), "EntityRef": {"value": value}}


class _Accounts:
    """Accounts a transaction leaves implicit (A/P, A/R, an item's), looked up once."""

    def __init__(self, qbo: QBOClient) -> None:
        self.qbo = qbo
        self.found: dict[str, str] = {}

    async def of_type(self, kind: str) -> str:
        if kind not in self.found:
            answer = await self.qbo.query(
                f"SELECT * FROM Account WHERE AccountType = '{kind}'"  # noqa: S608 (our constant)
            )
            accounts = answer.get("Account") or []
            if len(accounts) != 1:
                raise CannotReverse(f"the company has {len(accounts)} {kind} accounts")
            self.found[kind] = str(accounts[0]["Id"])
        return self.found[kind]

    async def of_item(self, item_id: str, field: str) -> str:
        key = f"{item_id}:{field}"
        if key not in self.found:
            account = _ref((await self.qbo.read("Item", item_id)).get(field))
            if not account:
                raise CannotReverse(f"item {item_id} has no {field}")
            self.found[key] = account
        return self.found[key]


async def _expense_lines(doc: dict[str, Any], accounts: _Accounts) -> list[tuple[str, Decimal]]:
    lines = []
    for line in doc.get("Line") or []:
        kind = line.get("DetailType")
        detail = line.get(kind) or {}
        if kind == "AccountBasedExpenseLineDetail":
            lines.append((_ref(detail.get("AccountRef")), _money(line.get("Amount"))))
        elif kind == "ItemBasedExpenseLineDetail":
            account = await accounts.of_item(_ref(detail.get("ItemRef")), "ExpenseAccountRef")
            lines.append((account, _money(line.get("Amount"))))
        elif kind not in ("DescriptionOnly", None):
            raise CannotReverse(f"it has a {kind} line")
    return lines


async def _postings(entity: str, doc: dict[str, Any], accounts: _Accounts) -> list[Posting]:
    """The transaction's effect on the books, as journal lines."""
    if _money((doc.get("TxnTaxDetail") or {}).get("TotalTax")):
        raise CannotReverse("it carries sales tax")
    if entity in ("Purchase", "Bill", "VendorCredit"):
        party = _name(doc.get("EntityRef") or doc.get("VendorRef"), "Vendor")
        lines = await _expense_lines(doc, accounts)
        if entity == "Purchase":
            other = _ref(doc.get("AccountRef"))
        else:
            other = _ref(doc.get("APAccountRef")) or await accounts.of_type(PAYABLE)
        spend = entity == "Bill" or (entity == "Purchase" and doc.get("Credit") is not True)
        side, opposite = ("Debit", "Credit") if spend else ("Credit", "Debit")
        total = sum((amount for _, amount in lines), Decimal(0))
        return [(side, a, amount, party) for a, amount in lines] + [(opposite, other, total, party)]
    if entity == "Deposit":
        postings: list[Posting] = []
        for line in doc.get("Line") or []:
            if line.get("LinkedTxn"):
                raise CannotReverse("it deposits payments received")
            detail = line.get("DepositLineDetail") or {}
            payer = _name(detail.get("Entity"), "Customer")
            account = _ref(detail.get("AccountRef"))
            postings.append(("Credit", account, _money(line.get("Amount")), payer))
        cash_back = doc.get("CashBack") or {}
        kept = _money(cash_back.get("Amount"))
        if kept:
            postings.append(("Debit", _ref(cash_back.get("AccountRef")), kept, None))
        total = sum((p[2] for p in postings if p[0] == "Credit"), Decimal(0)) - kept
        return [("Debit", _ref(doc.get("DepositToAccountRef")), total, None), *postings]
    if entity in ("Transfer", "CreditCardPayment"):
        to, source = (("ToAccountRef", "FromAccountRef") if entity == "Transfer"
                      else ("CreditCardAccountRef", "BankAccountRef"))  # fmt: skip
        amount = _money(doc.get("Amount"))
        return [("Debit", _ref(doc.get(to)), amount, None),
                ("Credit", _ref(doc.get(source)), amount, None)]  # fmt: skip
    if entity == "BillPayment":
        party = _name(doc.get("VendorRef"), "Vendor")
        payable = _ref(doc.get("APAccountRef")) or await accounts.of_type(PAYABLE)
        paid_from = _ref((doc.get("CheckPayment") or {}).get("BankAccountRef")) or _ref(
            (doc.get("CreditCardPayment") or {}).get("CCAccountRef")
        )
        amount = _money(doc.get("TotalAmt"))
        return [("Debit", payable, amount, party), ("Credit", paid_from, amount, party)]
    if entity == "Payment":
        party = _name(doc.get("CustomerRef"), "Customer")
        receivable = _ref(doc.get("ARAccountRef")) or await accounts.of_type(RECEIVABLE)
        deposit = _ref(doc.get("DepositToAccountRef"))
        if not deposit:
            raise CannotReverse("it names no account it was deposited to")
        amount = _money(doc.get("TotalAmt"))
        return [("Debit", deposit, amount, party), ("Credit", receivable, amount, party)]
    if entity == "JournalEntry":
        return [
            (str(detail.get("PostingType")), _ref(detail.get("AccountRef")),
             _money(line.get("Amount")), detail.get("Entity"))
            for line in doc.get("Line") or []
            if (detail := line.get("JournalEntryLineDetail"))
        ]  # fmt: skip
    raise CannotReverse(f"Zera does not work out the postings of a {entity}")


def _journal(
    entity: str, doc: dict[str, Any], postings: list[Posting], record_id: int, day: dt.date
) -> dict[str, Any]:
    """A JournalEntry dated `day` whose lines undo `postings`."""
    if any(not account for _, account, _, _ in postings):
        raise CannotReverse("an account of it is missing")
    words = f"Reverses {entity} {doc.get('Id')} of {doc.get('TxnDate')}"
    lines = []
    for posting, account, amount, party in postings:
        side = "Credit" if posting == "Debit" else "Debit"
        if amount < 0:
            side, amount = posting, -amount
        if not amount:
            continue
        detail: dict[str, Any] = {"PostingType": side, "AccountRef": {"value": account}}
        if party:
            detail["Entity"] = party
        lines.append({"Amount": amount, "DetailType": "JournalEntryLineDetail",
                      "Description": words, "JournalEntryLineDetail": detail})  # fmt: skip
    if len(lines) < 2:
        raise CannotReverse("it moves no money")
    note = f"{words}: a Zera push undone. [zera undo {record_id}]"
    return {"TxnDate": day.isoformat(), "PrivateNote": note, "Line": lines}


# -- records --------------------------------------------------------------------------------------


async def _records_of(client: ClientSummary, run_id: int) -> list[RecordView]:
    rows = (
        await Record.select(Record.id)
        .where(
            (Record.client_id == client.id)
            & (Record.push_run_id == run_id)
            & Record.status.is_in([IN_QUICKBOOKS, CONFLICT])
            & Record.qbo_id.is_not_null()
        )
        .order_by(Record.id, ascending=False)
        .run()
    )
    return [await get_record(client, row["id"]) for row in rows]


async def _approve_again(actor: Actor, client: ClientSummary, record: RecordView) -> None:
    """Back to approved, reading the record again if it changed since it was read."""
    if await pushed.mark_undone(actor, record) is None:
        await pushed.mark_undone(actor, await get_record(client, record.id))


@dataclass
class _Undo:
    qbo: QBOClient
    client: ClientSummary
    actor: Actor
    run_id: int
    reverse_with_journal: bool
    day: dt.date

    def __post_init__(self) -> None:
        self.accounts = _Accounts(self.qbo)

    def step(self, record: RecordView, action: str, message: str, **extra: Any) -> UndoStep:
        return UndoStep(record.id, record.entity, action, message, record.qbo_id, **extra)

    async def record(self, record: RecordView) -> UndoStep:
        reversed_ = [f.message for f in record.flags if f.kind == pushed.REVERSED]
        if reversed_:
            return self.step(record, LEFT, f"Left as it is: {reversed_[0]}")
        what = f"{record.label} {record.qbo_id}"
        gone = f"QuickBooks no longer has {what}; the record is approved again."
        for _attempt in range(2):  # changed between our read and the delete: read it again
            try:
                current = await self.qbo.read(record.entity, str(record.qbo_id))
            except ObjectNotFound:
                await _approve_again(self.actor, self.client, record)
                return self.step(record, GONE, gone)
            except QBOError as exc:
                return self.step(record, LEFT, f"Could not read {what} from QuickBooks: {exc}")
            token = str(current.get("SyncToken", "0"))
            try:
                await self.qbo.delete(
                    record.entity, str(record.qbo_id), token,
                    operation=f"undo:{self.client.id}:{record.entity}:{record.qbo_id}:{token}",
                )  # fmt: skip
            except StaleObject:
                continue
            except ObjectNotFound:
                await _approve_again(self.actor, self.client, record)
                return self.step(record, GONE, gone)
            except QBOError as exc:
                if isinstance(exc, ClosedPeriod) or exc.code == DEPOSITED:
                    return await self.reverse(record, current, exc)
                return self.step(record, LEFT, f"QuickBooks would not delete {what}: {exc}")
            await _approve_again(self.actor, self.client, record)
            return self.step(record, DELETED, f"Deleted {what} from QuickBooks; the record is "
                                              "approved again.")  # fmt: skip
        return self.step(record, LEFT, f"{what} kept changing in QuickBooks; try again.")

    async def reverse(
        self, record: RecordView, current: dict[str, Any], refusal: QBOError
    ) -> UndoStep:
        why = (
            "its period is closed" if isinstance(refusal, ClosedPeriod)
            else "it is deposited or linked to another transaction"
        )  # fmt: skip
        what = f"QuickBooks will not delete {record.label} {record.qbo_id}: {why} ({refusal.code})"
        try:
            postings = await _postings(record.entity, current, self.accounts)
            journal = _journal(record.entity, current, postings, record.id, self.day)
        except CannotReverse as exc:
            return self.step(record, LEFT, f"{what}. Reverse it by hand: {exc}.")
        except QBOError as exc:
            return self.step(record, LEFT, f"{what}. Reverse it by hand ({exc}).")
        if not self.reverse_with_journal:
            return self.step(record, JOURNAL_PROPOSED, f"{what}. A journal entry dated "
                             f"{self.day} would reverse it.", journal=journal)  # fmt: skip
        try:
            made = await self.qbo.create(
                "JournalEntry", journal,
                operation=f"reverse:{self.client.id}:{record.entity}:{record.qbo_id}",
            )  # fmt: skip
        except QBOError as exc:
            return self.step(record, LEFT, f"{what}, and it refused the reversing journal entry: "
                             f"{exc}", journal=journal)  # fmt: skip
        message = f"Reversed by journal entry {made['Id']} dated {self.day} ({what})."
        if await pushed.mark_reversed(self.actor, record, message) is None:
            fresh = await get_record(self.client, record.id)
            await pushed.mark_reversed(self.actor, fresh, message)
        return self.step(record, JOURNAL_CREATED, message, journal=made)

    # -- names --------------------------------------------------------------------------------

    async def first_use(self, entity: str, qbo_id: str) -> str:
        """The first transaction in QuickBooks naming the name ("" when none does)."""
        for txn, path in USES.get(entity, ()):
            answer = await self.qbo.query(
                f"SELECT * FROM {txn} WHERE {path} = '{qbo_id}' MAXRESULTS 1"  # noqa: S608 (an Id)
            )
            found = answer.get(txn) or answer.get(f"{txn}Txn") or []
            if found:
                return f"{txn} {found[0].get('Id')}"
        return ""

    async def name(self, row: dict[str, Any]) -> UndoStep:
        entity, qbo_id, name = row["entity"], str(row["qbo_id"]), row["key"]
        try:
            used = await self.first_use(entity, qbo_id)
            if used:
                return UndoStep(None, entity, LEFT, f"{entity} '{name}' stays active: {used} "
                                "names it.", qbo_id)  # fmt: skip
            current = await self.qbo.read(entity, qbo_id)
            name = str(current.get("DisplayName") or name)
            if current.get("Active") is not False:
                token = str(current["SyncToken"])
                await self.qbo.update(
                    entity,
                    {"Id": qbo_id, "SyncToken": token, "DisplayName": current.get("DisplayName"),
                     "Active": False},
                    operation=f"undo-name:{self.client.id}:{entity}:{qbo_id}:{token}",
                )  # fmt: skip
        except QBOError as exc:
            return UndoStep(None, entity, LEFT, f"{entity} '{name}' stays active: {exc}", qbo_id)
        await PushedName.delete().where(PushedName.id == row["id"]).run()
        return UndoStep(None, entity, INACTIVE, f"{entity} '{name}', created by the push, is "
                        "inactive: no transaction names it any more.", qbo_id)  # fmt: skip


# Where a transaction names a vendor, customer or employee. Header references first; the
# line references are asked too (a name on a deposit or journal line is a use).
_LINE_ENTITY = (("Deposit", "Line.DepositLineDetail.Entity"),
                ("JournalEntry", "Line.JournalEntryLineDetail.Entity.EntityRef"))  # fmt: skip
USES: dict[str, tuple[tuple[str, str], ...]] = {
    "Vendor": (("Purchase", "EntityRef"), ("Bill", "VendorRef"), ("BillPayment", "VendorRef"),
               ("VendorCredit", "VendorRef"), ("PurchaseOrder", "VendorRef"), *_LINE_ENTITY),
    "Customer": (("Invoice", "CustomerRef"), ("Payment", "CustomerRef"),
                 ("SalesReceipt", "CustomerRef"), ("CreditMemo", "CustomerRef"),
                 ("Estimate", "CustomerRef"), ("Purchase", "EntityRef"), *_LINE_ENTITY,
                 ("Purchase", "Line.AccountBasedExpenseLineDetail.CustomerRef"),
                 ("Bill", "Line.AccountBasedExpenseLineDetail.CustomerRef")),
    "Employee": (("Purchase", "EntityRef"), *_LINE_ENTITY),
}  # fmt: skip


async def undo_push(
    qbo: QBOClient,
    client: ClientSummary,
    actor: Actor,
    run_id: int,
    *,
    reverse_with_journal: bool = False,
) -> list[UndoStep]:
    """Take back what push run `run_id` wrote to the client's QuickBooks; one step per
    transaction, source document and created name, each audited. NotFound for a run of
    another client."""
    run = await PushRun.select(PushRun.id).where(
        (PushRun.id == run_id) & (PushRun.client_id == client.id)
    ).first().run()  # fmt: skip
    if run is None:
        raise NotFound("No such push.")
    undo = _Undo(qbo, client, actor, run_id, reverse_with_journal, dt.datetime.now(dt.UTC).date())
    steps: list[UndoStep] = []

    async def done(step: UndoStep) -> None:
        steps.append(step)
        journal_id = (step.journal or {}).get("Id")
        await audit(actor, "undo push", client_id=client.id, run=run_id, record=step.record_id,
                    type=step.type, outcome=step.action, qbo_id=step.qbo_id,
                    journal_id=journal_id, message=step.message)  # fmt: skip

    removed: dict[int, list[str]] = {}
    for record in await _records_of(client, run_id):
        step = await undo.record(record)
        await done(step)
        if step.action in (DELETED, GONE) and record.document_id is not None:
            key = link_key(record.entity, str(record.qbo_id))
            removed.setdefault(record.document_id, []).append(key)
    for document_id, keys in sorted(removed.items()):
        await done(await _unlink(qbo, client.id, document_id, keys))
    names = await PushedName.select().where(
        (PushedName.client_id == client.id) & (PushedName.push_run_id == run_id)
        & (PushedName.created == True)  # noqa: E712 (a Piccolo condition)
    ).order_by(PushedName.id, ascending=False).run()  # fmt: skip
    for row in names:
        await done(await undo.name(row))
    left = any(s.record_id is not None and s.action in (LEFT, JOURNAL_PROPOSED) for s in steps)
    await (
        PushRun.update({PushRun.state: "partly undone" if left else "undone"})
        .where(PushRun.id == run_id)
        .run()
    )
    return steps


async def _unlink(qbo: QBOClient, client_id: int, document_id: int, keys: list[str]) -> UndoStep:
    try:
        outcome = await unlink(qbo, client_id, document_id, keys)
    except QBOError as exc:
        return UndoStep(None, "Attachable", LEFT,
                        f"The source document stays attached in QuickBooks: {exc}")  # fmt: skip
    if outcome == ATTACHMENT_DELETED:
        return UndoStep(None, "Attachable", DELETED,
                        "The source document is no longer attached in QuickBooks.")  # fmt: skip
    if outcome:
        return UndoStep(None, "Attachable", UNLINKED, "The source document is unlinked from the "
                        "deleted transactions; it stays attached to the others.")  # fmt: skip
    return UndoStep(None, "Attachable", LEFT, "The source document was not attached to them.")
