"""The decision for one line: the record it most likely is (its type, payee, category
suggestion, confidence and explanation), in the order the package's docstring gives. The
books are read once per batch (`books`); this module reads nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zera.categorize import Txn, payee_name
from zera.categorize.movements import says_transfer
from zera.categorize.open_items import OpenItem
from zera.categorize.transfers import Line, Movement, statement_label
from zera.review import payloads
from zera.review.lines import LineView
from zera.review.proposals.accounts import account_question, ref_of
from zera.review.proposals.books import Books, Statement, Stored, as_line, check_number_of
from zera.review.records import TO_REVIEW, Flag, Suggestion
from zera.sync.lists import ListEntry

CENT = Decimal("0.01")


@dataclass
class Draft:
    """What one line is proposed to be, as it is being decided."""

    line: LineView
    st: Statement
    entity: str = "Purchase"
    payload: dict[str, Any] = field(default_factory=dict)
    payee: ListEntry | None = None
    new_payee: str = ""
    suggestions: tuple[Suggestion, ...] = ()
    confidence: float = 0.0
    explanation: str = ""
    flags: list[Flag] = field(default_factory=list)
    other_key: str = ""  # the statement of a movement's other side, when the client has one


def money_text(amount: Decimal) -> str:
    """An amount as a message shows it: unsigned, with thousands separators."""
    return f"{abs(amount).quantize(CENT):,.2f}"


def movement_entity(card: bool, other_card: bool, amount: Decimal) -> str:
    """A bank account paying a card is a CreditCardPayment; any other movement a Transfer."""
    pays_card = (not card and other_card and amount < 0) or (card and not other_card and amount > 0)
    return "CreditCardPayment" if pays_card else "Transfer"


class Proposer:
    """Turns one batch's lines into drafts, against the books read once for the batch."""

    def __init__(self, books: Books, statements: dict[int, Statement], filename: str) -> None:
        self.books = books
        self.statements = statements
        self.filename = filename
        self.drafted: dict[int, Draft] = {}
        self.by_line = {r.line_id: r for r in books.stored if r.line_id is not None}
        self.rewrites: list[tuple[Stored, str, dict[str, Any]]] = []

    def propose(self, line: LineView) -> Draft:
        st = self.statements[line.statement_index]
        here = as_line(line, st.key)
        draft = Draft(line, st, flags=[Flag(f.kind, f.message) for f in line.flags])
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
            draft.flags.append(account_question(st.key))
        self.drafted[line.id] = draft
        return draft

    def _note(self, line: LineView) -> str:
        return f"{self.filename}, page {line.page}"

    def _facts(
        self,
        draft: Draft,
        *,
        category: dict[str, Any] | None = None,
        payee: dict[str, Any] | None = None,
    ) -> payloads.BankFacts:
        line, st = draft.line, draft.st
        return payloads.BankFacts(
            bank=ref_of(st.bank) if st.bank else None,
            amount=line.amount,
            card=st.card,
            txn_date=line.txn_date.isoformat(),
            payee=payee,
            category=category,
            description=line.description,
            note=self._note(line),
            doc_number=None if st.card else check_number_of(line),
        )

    # -- movements between the client's own accounts ------------------------------------------

    def _as_movement(self, draft: Draft, movement: Movement) -> None:
        other = movement.other
        draft.entity = movement_entity(draft.st.card, movement.card, draft.line.amount)
        category = ref_of(other.account) if other and other.account else None
        draft.payload = payloads.bank_payload(draft.entity, self._facts(draft, category=category))
        draft.other_key = other.key if other else ""
        draft.confidence = movement.confidence
        draft.explanation = movement.explanation
        if category is None:  # the other account is still to choose
            draft.confidence = min(draft.confidence, 0.5)
            if other and other.key and other.key != draft.st.key:
                draft.flags.append(account_question(other.key))
        if movement.counterpart is not None:
            self._pair_with(draft, movement.counterpart)

    def _pair_with(self, draft: Draft, counterpart: Line) -> None:
        """The same movement read from both statements: flag the second of the two, and turn
        the other side's untouched proposal into the same movement."""
        if counterpart.batch == 0:
            first = self.drafted.get(counterpart.id)
            if first is not None:
                what = payloads.TYPES[first.entity].label.lower()
                draft.flags.append(Flag("duplicate", (
                    f"likely duplicate of the same {what} read from "
                    f"{statement_label(first.st.key)} in this document, {first.line.txn_date}, "
                    f"{money_text(first.line.amount)}")))  # fmt: skip
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
            bank=ref_of(own) if own else None,
            amount=record.amount,
            card=card,
            txn_date=record.payload.get("TxnDate"),
            payee=None,
            category=ref_of(draft.st.bank),
            description=record.bank_text,
            note=str(record.payload.get("PrivateNote") or ""),
            doc_number=None,
        )
        entity = movement_entity(card, draft.st.card, record.amount)
        self.rewrites.append((record, entity, payloads.bank_payload(entity, facts)))

    # -- bills and invoices -------------------------------------------------------------------

    def _open_item(self, draft: Draft, payee: ListEntry | None, name: str) -> OpenItem | None:
        """The open bill (money out) or invoice (money in, on a bank) the line pays."""
        line, st = draft.line, draft.st
        entity = "Bill" if line.amount < 0 else ("" if st.card else "Invoice")
        wanted = "Vendor" if entity == "Bill" else "Customer"
        if not entity or (payee is not None and payee.entity != wanted):
            return None
        return self.books.open.find(entity, line.amount, line.txn_date,
                                    payee_id=payee.qbo_id if payee else "", name=name)  # fmt: skip

    def _as_linked(self, draft: Draft, item: OpenItem, *, matched_payee: bool) -> None:
        line, st = draft.line, draft.st
        size = str(abs(line.amount).quantize(CENT))
        bank = ref_of(st.bank) if st.bank else None
        party = {"value": item.payee_id, "name": item.payee}
        out: dict[str, Any] = {"TxnDate": line.txn_date.isoformat(),
                               "PrivateNote": self._note(line)}  # fmt: skip
        if item.entity == "Bill":
            draft.entity = "BillPayment"
            part, name = ("CreditCardPayment", "CCAccountRef") if st.card else (
                "CheckPayment", "BankAccountRef")  # fmt: skip
            pay_type = "CreditCard" if st.card else "Check"
            out |= {"VendorRef": party, "PayType": pay_type, part: {name: bank} if bank else {}}
            number = None if st.card else check_number_of(line)
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
            f"{money_text(item.balance)} still open, the amount of this line."
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

    def _as_purchase_or_deposit(self, draft: Draft, payee: ListEntry | None, name: str) -> None:
        line, st = draft.line, draft.st
        draft.entity = "Deposit" if line.amount > 0 and not st.card else "Purchase"
        ref: dict[str, Any] | None = None
        if payee is not None:
            ref = {**ref_of(payee), "type": payee.entity}
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
