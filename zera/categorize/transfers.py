"""Money moved between two of the client's own accounts, found from evidence, not examples:

- the opposite amount on another of the client's statements within a few days;
- the line naming the last four digits of another of its accounts ("TO SAVINGS XXXXXX1010");
- card-payment words on a card ("PAYMENT THANK YOU", "AUTOPAY");
- a bank line paying a card issuer ("AMEX EPAYMENT ACH PMT") when the client has a card.

Both sides of a candidate must look like a movement (name no merchant, or say "transfer" or
"payment"), so a coffee on the card and a mobile deposit of the same amount stay apart.
Pure: no I/O."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from zera.categorize.movements import (
    account_endings,
    card_issuer_paid,
    card_payment,
    issuer_words,
    transfer_words,
)
from zera.categorize.names import name_key, payee_name

DAYS = 3


@dataclass(frozen=True)
class Account:
    """A QuickBooks Bank or Credit Card account of the client."""

    id: str
    name: str
    card: bool
    endings: frozenset[str] = frozenset()  # last four digits of its number and of its name


@dataclass(frozen=True)
class Line:
    """A statement line: `key` names its statement account ("bank:1000"); `batch` is 0 for
    the batch being proposed."""

    id: int
    batch: int
    key: str
    date: dt.date
    amount: Decimal
    description: str
    check_number: str | None = None


@dataclass(frozen=True)
class Other:
    """The client's other account a line moves money to or from."""

    key: str  # its statement key, when the client has a statement of it
    account: Account | None
    card: bool

    @property
    def label(self) -> str:
        if self.account:
            return self.account.name
        return statement_label(self.key) if self.key else "another account"


@dataclass(frozen=True)
class Movement:
    other: Other | None  # None: the account must be chosen
    card: bool  # the other side is a credit card (when `other` is None too)
    confidence: float
    explanation: str
    counterpart: Line | None = None  # the other statement's line, when one was found


def statement_label(key: str) -> str:
    kind, _, last4 = key.partition(":")
    what = "Credit card" if kind == "credit_card" else "Bank account"
    return f"{what} ····{last4}" if last4 and last4 != "?" else what


def is_card(key: str) -> bool:
    return key.startswith("credit_card:")


def looks_like_movement(text: str) -> bool:
    """A side of a transfer names no merchant, or says it moves money."""
    return not payee_name(text) or transfer_words(text)


def _words(name: str) -> str:
    """A name's words padded with spaces, to find a whole word or phrase in it."""
    return f" {' '.join(name_key(name))} "


def _money(amount: Decimal) -> str:
    return f"{abs(amount):,.2f}"


class OwnAccounts:
    """The client's statement accounts and QuickBooks Bank and Credit Card accounts, and the
    statement lines near a batch's dates, to tell a movement between them."""

    def __init__(
        self,
        statements: Mapping[str, Account | None],
        accounts: Iterable[Account],
        lines: Iterable[Line],
    ) -> None:
        self.statements = dict(statements)
        self.accounts = {a.id: a for a in accounts}
        self._by_amount: dict[Decimal, list[Line]] = defaultdict(list)
        for line in lines:
            if line.key:
                self._by_amount[line.amount].append(line)
        self.paired: dict[int, int] = {}  # line id -> the other side's line id
        self._endings: dict[str, set[tuple[str, str]]] = defaultdict(set)
        key_of = {a.id: k for k, a in self.statements.items() if a}
        for key, account in self.statements.items():
            last4 = key.partition(":")[2]
            if last4.isdigit():
                self._endings[last4].add((key, account.id if account else ""))
        for account in self.accounts.values():
            for last4 in account.endings:
                self._endings[last4].add((key_of.get(account.id, ""), account.id))

    def _other(self, key: str, account_id: str) -> Other:
        account = self.accounts.get(account_id) if account_id else self.statements.get(key)
        card = is_card(key) if key else bool(account and account.card)
        return Other(key, account, card)

    def movement(self, line: Line) -> Movement | None:
        """Strong evidence first: the other statement's line, then the digits the text names."""
        if not looks_like_movement(line.description):
            return None
        counterpart = self._counterpart(line)
        if counterpart is not None:
            self.paired[line.id] = counterpart.id
            self.paired[counterpart.id] = line.id
            other = self._other(counterpart.key, "")
            return Movement(
                other, other.card, 0.95,
                f"The opposite amount ({_money(line.amount)}) is on "
                f"{statement_label(counterpart.key)} on {counterpart.date}: money moved "
                "between two of the client's own accounts.",
                counterpart,
            )  # fmt: skip
        named = self._named(line)
        if named is not None:
            return Movement(named, named.card, 0.85,
                            f"The bank's text names {named.label} (its last digits): money "
                            "moved between two of the client's own accounts.")  # fmt: skip
        return None

    def _counterpart(self, line: Line) -> Line | None:
        """The opposite amount on another of the client's statements within DAYS days."""
        best: tuple[int, Line] | None = None
        for other in self._by_amount.get(-line.amount, ()):
            if other.key == line.key or other.id == line.id:
                continue
            if self.paired.get(other.id, line.id) != line.id:
                continue
            gap = abs((other.date - line.date).days)
            if gap > DAYS or not looks_like_movement(other.description):
                continue
            if best is None or gap < best[0]:
                best = (gap, other)
        return best[1] if best else None

    def _named(self, line: Line) -> Other | None:
        """Another of the client's accounts whose last four digits the line names."""
        own = self.statements.get(line.key)
        own_id = own.id if own else ""
        last4 = line.key.partition(":")[2]
        skip = (last4, *([line.check_number] if line.check_number else []))
        for ending in account_endings(line.description, exclude=skip):
            found = {(k, a) for k, a in self._endings.get(ending, set())
                     if k != line.key and (not a or a != own_id)}  # fmt: skip
            ids = {a for _, a in found if a}
            if len(ids) == 1:
                account_id = ids.pop()
                key = next((k for k, a in found if a == account_id and k), "")
                return self._other(key, account_id)
            if not ids and len(found) == 1:
                return self._other(found.pop()[0], "")
        return None

    def only(self, card: bool) -> Other | None:
        """The client's one statement account of a kind matched to QuickBooks, if just one."""
        found = {(k, a.id) for k, a in self.statements.items() if a and is_card(k) == card}
        ids = {a for _, a in found}
        if len(ids) != 1:
            return None
        account_id = ids.pop()
        return self._other(next(k for k, a in found if a == account_id), account_id)

    def card_payment(self, line: Line) -> Movement | None:
        """Card-payment words on a card, or a bank line paying a card issuer."""
        if is_card(line.key):
            if line.amount <= 0 or not card_payment(line.description):
                return None
            bank = self.only(card=False)
            found = f", from {bank.label}, the client's only bank statement account" if bank \
                else "; choose the bank account it was paid from"  # fmt: skip
            return Movement(bank, False, 0.85 if bank else 0.5,
                            f"'{line.description}' on a card statement is a payment of the "
                            f"card{found}.")  # fmt: skip
        cards = [a for a in self.accounts.values() if a.card]
        if line.amount >= 0 or not cards:
            return None
        issuer = card_issuer_paid(line.description)
        if issuer is None:
            return None
        card = self._issuer_card(issuer, cards)
        paid = f"pays the credit card {card.label}" if card else "pays a credit card; choose which"
        return Movement(card, True, 0.8 if card else 0.5, f"'{line.description}' {paid}.")

    def _issuer_card(self, issuer: str, cards: list[Account]) -> Other | None:
        """The card named for the issuer, else the client's only card."""
        if issuer:
            words = issuer_words(issuer)
            named = [c for c in cards if any(w in _words(c.name) for w in words)]
            if len(named) == 1:
                return self._other("", named[0].id)
        only = self.only(card=True)
        if only is not None:
            return only
        return self._other("", cards[0].id) if len(cards) == 1 else None
