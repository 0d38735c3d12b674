"""Proposals: each line of a stored statement batch becomes the record it most likely is, with
its payee, a category suggestion, a confidence and flags for what the reviewer must look at.

The statement's account is matched once per client to a QuickBooks Bank or Credit Card account
(by its last four digits in the account's name or number), else asked once on Review and
remembered. Then, for each line, the strongest evidence wins:

1. money moved between two of the client's own accounts (the opposite amount on another of its
   statements within three days, or the line naming another account's last digits): a Transfer,
   or a CreditCardPayment when a bank account pays a card (`zera.categorize.transfers`);
2. an open bill (money out) or invoice (money in) of that amount for the payee the line names:
   a BillPayment or Payment linked to it (`zera.categorize.open_items`);
3. card-payment words on a card ("PAYMENT THANK YOU"), or a bank line paying a card issuer: a
   CreditCardPayment;
4. an open bill or invoice of that amount when the line names no payee that says otherwise
   and no transfer;
5. otherwise money out is a Purchase (Check with its number, Cash, or CreditCard with refunds
   as credits) and money in a Deposit, its payee matched to an existing name or proposed as a
   new one, its category the suggester's first choice.

Every proposal is compared with the client's QuickBooks history and its other records: a likely
duplicate is flagged (and kept below the bulk-approval confidence), never dropped. Everything is
read once per batch and indexed by amount, so a line costs no query."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zera.accounts.audit import SYSTEM, Actor
from zera.accounts.users import CurrentUser
from zera.categorize import Booking, NameIndex, PayeeHistory, Suggester, Txn, name_key, payee_name
from zera.categorize.duplicates import DuplicateIndex, Seen
from zera.categorize.movements import check_number, says_transfer
from zera.categorize.open_items import OpenItem, OpenItems
from zera.categorize.transfers import Account, Line, Movement, OwnAccounts, statement_label
from zera.clients import ClientSummary, get_client
from zera.db.tables import Batch, BatchLine, Document, Record, StatementAccount
from zera.errors import InvalidInput, ZeraError
from zera.jsonmoney import loads
from zera.review import payloads
from zera.review.lines import LINE_COLUMNS, LineView, line_view
from zera.review.records import (
    EDITABLE,
    EXCLUDED,
    TO_REVIEW,
    Flag,
    NewRecord,
    Suggestion,
    add_records,
    delete_proposals,
    edit_record,
    list_records,
    record_flags,
)
from zera.review.summary import StatementSummary, decode_summaries
from zera.sync.known import KnownTxn, known_transactions, open_items
from zera.sync.lists import BANK, CREDIT_CARD, ListEntry, ReferenceLists, reference_lists

__all__ = [
    "account_kind",
    "match_account",
    "propose_batch",
    "remember_statement_account",
    "remembered_accounts",
    "statement_accounts_to_ask",
    "statement_key",
    "statement_label",
]

log = logging.getLogger("zera.review")

DAYS = 3  # how far apart two copies of one transaction may be dated
CENT = Decimal("0.01")
DUPLICATE_CONFIDENCE = 0.5  # below records.LOW_CONFIDENCE: bulk approval leaves it alone
OUTGOING = ("Purchase", "Bill", "VendorCredit")  # booked like spending, refunds included
# The worker proposes for the firm: it may read every client.
_WORKER = CurrentUser(id=0, email=SYSTEM.email, name="Zera", role="owner")


# -- statement accounts --------------------------------------------------------------------------


def statement_key(summary: StatementSummary) -> str:
    kind = "credit_card" if summary.account_type == "credit_card" else "bank"
    return f"{kind}:{summary.account or '?'}"


def account_kind(key: str) -> str:
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


async def remembered_accounts(client_id: int) -> dict[str, str]:
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


def _ref(entry: ListEntry | Account) -> dict[str, Any]:
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


def _question(key: str) -> Flag:
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
    question = _question(key)
    updated = 0
    for record in await list_records(client):
        if not record.editable:
            continue
        if record.statement_key == key:
            payload = _place_account(record.entity, record.payload, _ref(entry),
                                     amount=record.amount, card=record.card)  # fmt: skip
        elif question in record.flags:  # a movement whose other side is this account
            payload = _place_other(record.entity, record.payload, _ref(entry), card=entry.kind
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
    rows = (
        await Record.select(Record.statement_key)
        .where(
            (Record.client_id == client.id)
            & (Record.statement_key != "")
            & Record.status.is_in(list(EDITABLE))
        )
        .distinct()
        .run()
    )
    remembered = await remembered_accounts(client.id)
    lists = await reference_lists(client.id)
    return [
        (key, statement_label(key))
        for key in sorted({row["statement_key"] for row in rows})
        if _usable(lists.get("Account", remembered.get(key, "")), key) is None
    ]


# -- what is read once per batch -----------------------------------------------------------------


@dataclass(frozen=True)
class _Statement:
    key: str
    summary: StatementSummary | None
    bank: ListEntry | None

    @property
    def card(self) -> bool:
        return self.key.startswith("credit_card:")


@dataclass
class _Stored:
    """A record of the client near the batch's dates, or of the batch's document."""

    id: int
    entity: str
    status: str
    version: int
    payload: dict[str, Any]
    txn_date: dt.date | None
    amount: Decimal
    payee: str
    statement_key: str
    document_id: int | None
    line_id: int | None
    bank_text: str
    qbo_id: str | None


@dataclass
class _Books:
    lists: ReferenceLists
    accounts: dict[str, ListEntry | None]  # every statement key of the client -> its account
    history: list[KnownTxn]
    stored: list[_Stored]
    own: OwnAccounts
    vendors: NameIndex
    customers: NameIndex
    suggester: Suggester
    open: OpenItems
    people: dict[str, ListEntry] = field(default_factory=dict)  # "Vendor:56" -> active entry
    names: dict[str, str] = field(default_factory=dict)  # a person's Id -> name


async def _statement_keys(client_id: int) -> dict[tuple[int, int], str]:
    """(batch id, statement index) -> statement key, for every batch of the client."""
    rows = await Batch.select(Batch.id, Batch.statements).where(Batch.client_id == client_id).run()
    return {
        (row["id"], summary.index): statement_key(summary)
        for row in rows
        for summary in decode_summaries(row["statements"])
    }


async def _statement_accounts(
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


async def _other_lines(
    client_id: int, batch_id: int, keys: dict[tuple[int, int], str], lo: dt.date, hi: dt.date
) -> list[Line]:
    """The client's other statements' lines within DAYS of the batch's dates."""
    rows = (
        await BatchLine.select(
            BatchLine.id, BatchLine.batch_id, BatchLine.statement_index, BatchLine.txn_date,
            BatchLine.amount, BatchLine.description,
        )
        .where(
            (BatchLine.client_id == client_id)
            & (BatchLine.batch_id != batch_id)
            & (BatchLine.txn_date >= lo - dt.timedelta(days=DAYS))
            & (BatchLine.txn_date <= hi + dt.timedelta(days=DAYS))
        )
        .run()
    )  # fmt: skip
    return [
        Line(row["id"], row["batch_id"], keys.get((row["batch_id"], row["statement_index"]), ""),
             row["txn_date"], Decimal(row["amount"]), row["description"])
        for row in rows
    ]  # fmt: skip


def _json(raw: Any) -> Any:
    return loads(raw) if isinstance(raw, str | bytes) else raw


async def _stored_records(
    client_id: int, document_id: int, lo: dt.date, hi: dt.date
) -> list[_Stored]:
    near = (Record.txn_date >= lo - dt.timedelta(days=DAYS)) & (
        Record.txn_date <= hi + dt.timedelta(days=DAYS)
    )
    rows = (
        await Record.select(
            Record.id, Record.entity, Record.status, Record.version, Record.payload,
            Record.txn_date, Record.amount, Record.payee, Record.statement_key,
            Record.document_id, Record.line_id, Record.bank_text, Record.qbo_id,
        )
        .where((Record.client_id == client_id) & (near | (Record.document_id == document_id)))
        .run()
    )  # fmt: skip
    return [
        _Stored(**{**row, "payload": _json(row["payload"]) or {},
                   "amount": Decimal(row["amount"])})
        for row in rows
    ]  # fmt: skip


def _bookings(history: list[KnownTxn], names: dict[str, str]) -> Iterable[Booking]:
    """The history as the suggester learns it: payee, main category, and the amount negative
    for spending (a purchase, a bill, a refund of either), positive for money received."""
    for txn in history:
        main = txn.main_line
        payee = names.get(txn.payee_id) or txn.payee
        if main is None or not txn.total or not payee:
            continue
        amount = -abs(txn.total) if txn.entity in OUTGOING else abs(txn.total)
        yield Booking(payee, main.account_id, main.account, amount, txn.txn_date)


def _account(entry: ListEntry) -> Account:
    return Account(entry.qbo_id, entry.name, entry.kind == CREDIT_CARD, _endings(entry))


def _open_items(history: list[KnownTxn], stored: list[_Stored], names: dict[str, str]) -> OpenItems:
    """Open bills and invoices no record of the client pays yet."""
    linked = {
        str(link.get("TxnId"))
        for record in stored
        if record.entity in ("BillPayment", "Payment") and record.status != EXCLUDED
        for line in payloads.lines(record.payload)
        for link in line.get("LinkedTxn") or []
        if isinstance(link, dict)
    }
    return OpenItems(
        OpenItem(t.entity, t.qbo_id, t.txn_date, t.balance or Decimal(0), t.payee_id,
                 names.get(t.payee_id) or t.payee, t.doc_number)
        for entity in ("Bill", "Invoice")
        for t in open_items(history, entity)
        if t.qbo_id not in linked
    )


async def _load(
    client_id: int, batch_id: int, document_id: int, lines: list[Line], batch_keys: list[str]
) -> _Books:
    lists = await reference_lists(client_id)
    keys = await _statement_keys(client_id)
    accounts = await _statement_accounts(client_id, [*keys.values(), *batch_keys], lists)
    lo, hi = min(line.date for line in lines), max(line.date for line in lines)
    history = await known_transactions(client_id)
    stored = await _stored_records(client_id, document_id, lo, hi)
    people = {f"{e.entity}:{e.qbo_id}": e for kind in ("Vendor", "Customer")
              for e in lists.of(kind) if e.active}  # fmt: skip
    names = {e.qbo_id: e.name for kind in ("Employee", "Customer", "Vendor")
             for e in lists.of(kind)}  # fmt: skip
    allowed = {a.qbo_id: a.name for a in lists.accounts()
               if a.kind not in payloads.category_types_excluded("Purchase")}  # fmt: skip
    own = OwnAccounts(
        {key: _account(entry) if entry else None for key, entry in accounts.items()},
        [_account(a) for a in lists.accounts(BANK, CREDIT_CARD)],
        [*lines, *await _other_lines(client_id, batch_id, keys, lo, hi)],
    )
    return _Books(
        lists=lists,
        accounts=accounts,
        history=history,
        stored=stored,
        own=own,
        vendors=NameIndex((k, e.name) for k, e in people.items() if e.entity == "Vendor"),
        customers=NameIndex((k, e.name) for k, e in people.items() if e.entity == "Customer"),
        suggester=PayeeHistory(_bookings(history, names), allowed),
        open=_open_items(history, stored, names),
        people=people,
        names=names,
    )


# -- proposing -----------------------------------------------------------------------------------


@dataclass
class _Draft:
    line: LineView
    st: _Statement
    entity: str = "Purchase"
    payload: dict[str, Any] = field(default_factory=dict)
    payee: ListEntry | None = None
    new_payee: str = ""
    suggestions: tuple[Suggestion, ...] = ()
    confidence: float = 0.0
    explanation: str = ""
    flags: list[Flag] = field(default_factory=list)
    other_key: str = ""  # the statement of a movement's other side, when the client has one


def _money(amount: Decimal) -> str:
    return f"{abs(amount).quantize(CENT):,.2f}"


def _movement_entity(card: bool, other_card: bool, amount: Decimal) -> str:
    """A bank account paying a card is a CreditCardPayment; any other movement a Transfer."""
    pays_card = (not card and other_card and amount < 0) or (card and not other_card and amount > 0)
    return "CreditCardPayment" if pays_card else "Transfer"


class _Proposer:
    """Turns one batch's lines into drafts, against the books read once for the batch."""

    def __init__(self, books: _Books, statements: dict[int, _Statement], filename: str) -> None:
        self.books = books
        self.statements = statements
        self.filename = filename
        self.drafted: dict[int, _Draft] = {}
        self.by_line = {r.line_id: r for r in books.stored if r.line_id is not None}
        self.rewrites: list[tuple[_Stored, str, dict[str, Any]]] = []

    def propose(self, line: LineView) -> _Draft:
        st = self.statements[line.statement_index]
        here = _as_line(line, st.key)
        draft = _Draft(line, st, flags=[Flag(f.kind, f.message) for f in line.flags])
        movement = self.books.own.movement(here)
        if movement is not None:
            self._as_movement(draft, movement)
        else:
            payee, name = self._payee(line, spending=line.amount < 0 or st.card)
            item = self._open_item(draft, payee, name) if payee else None
            card_payment = None if item else self.books.own.card_payment(here)
            if (item is None and card_payment is None and payee is None
                    and not says_transfer(line.description)):  # fmt: skip
                item = self._open_item(draft, None, name)
            if item is not None:
                self._as_linked(draft, item, matched_payee=payee is not None)
            elif card_payment is not None:
                self._as_movement(draft, card_payment)
            else:
                self._as_purchase_or_deposit(draft, payee, name)
        if st.bank is None:
            draft.flags.append(_question(st.key))
        self.drafted[line.id] = draft
        return draft

    def _note(self, line: LineView) -> str:
        return f"{self.filename}, page {line.page}"

    def _facts(
        self,
        draft: _Draft,
        *,
        category: dict[str, Any] | None = None,
        payee: dict[str, Any] | None = None,
    ) -> payloads.BankFacts:
        line, st = draft.line, draft.st
        return payloads.BankFacts(
            bank=_ref(st.bank) if st.bank else None,
            amount=line.amount,
            card=st.card,
            txn_date=line.txn_date.isoformat(),
            payee=payee,
            category=category,
            description=line.description,
            note=self._note(line),
            doc_number=None if st.card else _check_number(line),
        )

    # -- movements between the client's own accounts ------------------------------------------

    def _as_movement(self, draft: _Draft, movement: Movement) -> None:
        other = movement.other
        draft.entity = _movement_entity(draft.st.card, movement.card, draft.line.amount)
        category = _ref(other.account) if other and other.account else None
        draft.payload = payloads.bank_payload(draft.entity, self._facts(draft, category=category))
        draft.other_key = other.key if other else ""
        draft.confidence = movement.confidence
        draft.explanation = movement.explanation
        if category is None:  # the other account is still to choose
            draft.confidence = min(draft.confidence, 0.5)
            if other and other.key and other.key != draft.st.key:
                draft.flags.append(_question(other.key))
        if movement.counterpart is not None:
            self._pair_with(draft, movement.counterpart)

    def _pair_with(self, draft: _Draft, counterpart: Line) -> None:
        """The same movement read from both statements: flag the second of the two, and turn
        the other side's untouched proposal into the same movement."""
        if counterpart.batch == 0:
            first = self.drafted.get(counterpart.id)
            if first is not None:
                what = payloads.TYPES[first.entity].label.lower()
                draft.flags.append(Flag("duplicate", (
                    f"likely duplicate of the same {what} read from "
                    f"{statement_label(first.st.key)} in this document, {first.line.txn_date}, "
                    f"{_money(first.line.amount)}")))  # fmt: skip
            return
        record = self.by_line.get(counterpart.id)
        untouched = record is not None and (record.status, record.version) == (TO_REVIEW, 1)
        if (record is None or draft.st.bank is None or not untouched
                or record.entity not in ("Purchase", "Deposit")
                or (record.bank_text, record.amount) != (counterpart.description,
                                                         counterpart.amount)):  # fmt: skip
            return
        own = self.books.accounts.get(counterpart.key)
        card = counterpart.key.startswith("credit_card:")
        facts = payloads.BankFacts(
            bank=_ref(own) if own else None,
            amount=record.amount,
            card=card,
            txn_date=record.payload.get("TxnDate"),
            payee=None,
            category=_ref(draft.st.bank),
            description=record.bank_text,
            note=str(record.payload.get("PrivateNote") or ""),
            doc_number=None,
        )
        entity = _movement_entity(card, draft.st.card, record.amount)
        self.rewrites.append((record, entity, payloads.bank_payload(entity, facts)))

    # -- bills and invoices -------------------------------------------------------------------

    def _open_item(self, draft: _Draft, payee: ListEntry | None, name: str) -> OpenItem | None:
        """The open bill (money out) or invoice (money in, on a bank) the line pays."""
        line, st = draft.line, draft.st
        entity = "Bill" if line.amount < 0 else ("" if st.card else "Invoice")
        wanted = "Vendor" if entity == "Bill" else "Customer"
        if not entity or (payee is not None and payee.entity != wanted):
            return None
        return self.books.open.find(entity, line.amount, line.txn_date,
                                    payee_id=payee.qbo_id if payee else "", name=name)  # fmt: skip

    def _as_linked(self, draft: _Draft, item: OpenItem, *, matched_payee: bool) -> None:
        line, st = draft.line, draft.st
        size = str(abs(line.amount).quantize(CENT))
        bank = _ref(st.bank) if st.bank else None
        party = {"value": item.payee_id, "name": item.payee}
        out: dict[str, Any] = {"TxnDate": line.txn_date.isoformat(),
                               "PrivateNote": self._note(line)}  # fmt: skip
        if item.entity == "Bill":
            draft.entity = "BillPayment"
            part, name = ("CreditCardPayment", "CCAccountRef") if st.card else (
                "CheckPayment", "BankAccountRef")  # fmt: skip
            pay_type = "CreditCard" if st.card else "Check"
            out |= {"VendorRef": party, "PayType": pay_type, part: {name: bank} if bank else {}}
            number = None if st.card else _check_number(line)
            if number:
                out["DocNumber"] = number
        else:
            draft.entity = "Payment"
            out["CustomerRef"] = party
            if bank:
                out["DepositToAccountRef"] = bank
        out["TotalAmt"] = size
        out["Line"] = [
            {"Amount": size, "LinkedTxn": [{"TxnId": item.id, "TxnType": item.entity}]}
        ]
        draft.payload = out
        number = f" {item.doc_number}" if item.doc_number else ""
        dated = f" of {item.date}" if item.date else ""
        who = item.payee if matched_payee else (
            f"{item.payee}, the only one open for this amount (the bank's words do not name a "
            "payee QuickBooks has)")  # fmt: skip
        draft.confidence = 0.9 if matched_payee else 0.6
        draft.explanation = (
            f"Pays open {item.entity.lower()}{number}{dated} from {who}: "
            f"{_money(item.balance)} still open, the amount of this line."
        )

    # -- purchases and deposits ---------------------------------------------------------------

    def _payee(self, line: LineView, *, spending: bool) -> tuple[ListEntry | None, str]:
        """The existing vendor (first, for spending and card refunds) or customer the line
        names, and the name read from it."""
        name = payee_name(line.description)
        if not name:
            return None, ""
        books = self.books
        order = (books.vendors, books.customers) if spending else (
            books.customers, books.vendors)  # fmt: skip
        for index in order:
            found = index.find(name)
            if found is not None:
                return books.people[found], name
        return None, name

    def _as_purchase_or_deposit(self, draft: _Draft, payee: ListEntry | None, name: str) -> None:
        line, st = draft.line, draft.st
        draft.entity = "Deposit" if line.amount > 0 and not st.card else "Purchase"
        ref: dict[str, Any] | None = None
        if payee is not None:
            ref = {**_ref(payee), "type": payee.entity}
        elif name:
            ref = {"name": name}
        draft.payee, draft.new_payee = payee, "" if payee else name
        # A card refund goes back to the account the purchase went to.
        spent = -abs(line.amount) if draft.entity == "Purchase" else abs(line.amount)
        found = self.books.suggester.suggest(
            Txn(payee.name if payee else name, line.description, spent, line.txn_date)
        )
        top = found.top
        category = {"value": top.account_id, "name": top.account} if top else None
        draft.payload = payloads.bank_payload(
            draft.entity, self._facts(draft, payee=ref, category=category)
        )
        draft.suggestions = tuple(
            Suggestion(r.account_id, r.account, r.confidence) for r in found.ranked[:5]
        )
        draft.confidence = found.confidence
        draft.explanation = found.explanation


def _check_number(line: LineView) -> str | None:
    number = line.check_number or check_number(line.description)
    return number[: payloads.MAX_DOC_NUMBER] if number else None


def _as_line(line: LineView, key: str) -> Line:
    return Line(line.id, 0, key, line.txn_date, line.amount, line.description,
                _check_number(line))  # fmt: skip


# -- duplicates ----------------------------------------------------------------------------------

_SIDES = {
    "Transfer": (("FromAccountRef", -1), ("ToAccountRef", +1)),
    "CreditCardPayment": (("BankAccountRef", -1), ("CreditCardAccountRef", +1)),
}


def _touches(
    entity: str, payload: dict[str, Any], amount: Decimal, key: str, books: _Books
) -> dict[str, Decimal]:
    """Each account a record moves money through, with the amount as that account saw it (a
    statement account not matched to QuickBooks yet stands for itself)."""
    out: dict[str, Decimal] = {}
    if key:
        out[f"stmt:{key}"] = amount
        own = books.accounts.get(key)
        if own:
            out[f"acct:{own.qbo_id}"] = amount
    if entity in _SIDES:
        size = payloads.total(entity, payload)
        for name, sign in _SIDES[entity]:
            if value := payloads.ref_value(payload.get(name)):
                out[f"acct:{value}"] = size * sign
    elif entity in payloads.TYPES and (
        value := payloads.ref_value(payloads.bank_ref(entity, payload))
    ):
        out[f"acct:{value}"] = amount
    return out


def _label(date: dt.date | None, payee: str, amount: Decimal) -> str:
    return ", ".join(p for p in (str(date) if date else "", payee, _money(amount)) if p)


def _flag_duplicates(books: _Books, drafts: list[_Draft], kept: set[int]) -> None:
    """Flag each draft that repeats a transaction in QuickBooks or another record (same
    account and amount, within DAYS days, same payee where both name one). The records kept
    for the lines read again are those lines, not copies of them."""
    in_quickbooks = {(t.entity, t.qbo_id) for t in books.history}
    from_quickbooks = DuplicateIndex(
        Seen({f"acct:{t.bank_id}": t.signed}, t.txn_date, payee_id=t.payee_id,
             label=f"QuickBooks {t.entity} {t.qbo_id}, "
             + _label(t.txn_date, books.names.get(t.payee_id) or t.payee, t.total))
        for t in books.history
        if t.bank_id and t.signed
    )  # fmt: skip
    records = DuplicateIndex(
        Seen(_touches(r.entity, r.payload, r.amount, r.statement_key, books), r.txn_date,
             payee_id=payloads.ref_value(payloads.payee_ref(r.entity, r.payload)),
             payee=" ".join(name_key(r.payee)),
             label=f"record {r.id}, " + _label(r.txn_date, r.payee or r.bank_text, r.amount))
        for r in books.stored
        if r.status != EXCLUDED and r.id not in kept and r.entity in payloads.TYPES
        and not (r.qbo_id and (r.entity, r.qbo_id) in in_quickbooks)
    )  # fmt: skip
    for draft in drafts:
        line = draft.line
        touches = _touches(draft.entity, draft.payload, line.amount, draft.st.key, books)
        if draft.other_key:
            touches[f"stmt:{draft.other_key}"] = -line.amount
        payee_id = draft.payee.qbo_id if draft.payee else ""
        name = " ".join(name_key(draft.payee.name if draft.payee else draft.new_payee))
        found = (
            from_quickbooks.find(Seen(touches, line.txn_date, payee_id=payee_id)),
            records.find(Seen(touches, line.txn_date, payee_id=payee_id, payee=name)),
        )
        for known in found:
            if known is not None:
                draft.flags.append(Flag("duplicate", f"likely duplicate of {known.label}"))
        if any(f.kind == "duplicate" for f in draft.flags):
            draft.confidence = min(draft.confidence, DUPLICATE_CONFIDENCE)


# -- the batch -----------------------------------------------------------------------------------


def _keep(
    stored: list[_Stored], document_id: int, lines: list[LineView], keys: dict[int, str]
) -> dict[int, _Stored]:
    """The document's records someone acted on (edited, approved, excluded), matched to the
    lines read again by statement, amount and the bank's words: line id -> record. Those lines
    are not proposed again."""
    kept: dict[tuple[str, Decimal, str], list[_Stored]] = defaultdict(list)
    for record in stored:
        if record.document_id == document_id:
            kept[(record.statement_key, record.amount, record.bank_text)].append(record)
    out: dict[int, _Stored] = {}
    for line in lines:
        same = kept.get((keys[line.statement_index], line.amount, line.description))
        if same:
            same.sort(key=lambda r: abs(((r.txn_date or line.txn_date) - line.txn_date).days))
            out[line.id] = same.pop(0)
    return out


async def propose_batch(client_id: int, batch_id: int, *, actor: Actor = SYSTEM) -> int:
    """Turn the batch's lines into records to review, replacing the document's untouched
    proposals and keeping the ones someone acted on; returns how many were made."""
    batch = await Batch.select().where(Batch.id == batch_id).first().run()
    if batch is None or batch["client_id"] != client_id:
        return 0
    document_id = batch["document_id"]
    document = (
        await Document.select(Document.filename).where(Document.id == document_id).first().run()
    )
    rows = (
        await BatchLine.select(*LINE_COLUMNS)
        .where(BatchLine.batch_id == batch_id)
        .order_by(BatchLine.statement_index)
        .order_by(BatchLine.position)
        .run()
    )
    lines = [line_view(row) for row in rows]
    await delete_proposals(document_id)
    if not lines:
        return 0
    summaries = {s.index: s for s in decode_summaries(batch["statements"])}
    keys = {index: statement_key(s) for index, s in summaries.items()}
    books = await _load(client_id, batch_id, document_id,
                        [_as_line(line, keys[line.statement_index]) for line in lines],
                        list(keys.values()))  # fmt: skip
    statements = {i: _Statement(key, summaries[i], books.accounts.get(key))
                  for i, key in keys.items()}  # fmt: skip
    kept = _keep(books.stored, document_id, lines, keys)
    for line_id, record in kept.items():
        if record.line_id != line_id:  # the line's new row, for the source highlight
            await Record.update({Record.line_id: line_id}).where(Record.id == record.id).run()
    proposer = _Proposer(books, statements, document["filename"] if document else "")
    drafts = [proposer.propose(line) for line in lines if line.id not in kept]
    await _rewrite(actor, client_id, books, proposer.rewrites)
    _flag_duplicates(books, drafts, {r.id for r in kept.values()})
    await add_records(actor, client_id, [_new_record(d, document_id) for d in drafts])
    return len(drafts)


async def _rewrite(
    actor: Actor, client_id: int, books: _Books, rewrites: list[tuple[_Stored, str, dict[str, Any]]]
) -> None:
    """Turn the other statement's untouched proposal into the movement this batch found (a new
    version by the system); one that fails the checks stays as it was."""
    if not rewrites:
        return
    client = await get_client(_WORKER, client_id)
    for record, entity, payload in rewrites:
        try:
            done = await edit_record(actor, client, record.id, record.version, payload,
                                     entity=entity, lists=books.lists)  # fmt: skip
        except ZeraError as exc:
            log.info("record %s stays a %s: %s", record.id, record.entity, exc)
            continue
        record.entity, record.payload, record.version = done.entity, done.payload, done.version


def _new_record(draft: _Draft, document_id: int) -> NewRecord:
    st = draft.st
    return NewRecord(
        entity=draft.entity,
        payload=draft.payload,
        source="document",
        document_id=document_id,
        line_id=draft.line.id,
        statement_key=st.key,
        period_start=st.summary.period_start if st.summary else None,
        period_end=st.summary.period_end if st.summary else None,
        bank_text=draft.line.description,
        suggestions=draft.suggestions,
        confidence=draft.confidence,
        explanation=draft.explanation,
        flags=draft.flags,
        amount=draft.line.amount,
    )
