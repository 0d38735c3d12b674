"""Which account a transaction belongs to: ranked suggestions with a confidence and the reason.

`Suggester` is the interface the proposals use; `PayeeHistory` is the simplest honest one: the
account this payee was booked to most often in the client's own books, its share of that
payee's transactions as the confidence. A learner that also reads descriptions and amounts can
replace it behind the same interface. Pure: no I/O."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from zera.categorize.names import name_key


@dataclass(frozen=True)
class Txn:
    """A transaction to categorize: money out is negative, as the bank saw it."""

    payee: str
    description: str
    amount: Decimal
    date: dt.date


@dataclass(frozen=True)
class Ranked:
    account_id: str
    account: str
    confidence: float  # 0-1


@dataclass(frozen=True)
class Suggestions:
    ranked: tuple[Ranked, ...] = ()  # best first
    explanation: str = ""

    @property
    def top(self) -> Ranked | None:
        return self.ranked[0] if self.ranked else None

    @property
    def confidence(self) -> float:
        return self.ranked[0].confidence if self.ranked else 0.0


class Suggester(Protocol):
    def suggest(self, txn: Txn) -> Suggestions: ...


@dataclass(frozen=True)
class Booking:
    """One transaction of the client's history: who, which account it was booked to (its
    largest line's), and the amount as the bank saw it."""

    payee: str
    account_id: str
    account: str
    amount: Decimal
    date: dt.date | None = None


@dataclass
class _Tally:
    name: str = ""
    counts: Counter[str] = field(default_factory=Counter)
    last: dict[str, dt.date] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class PayeeHistory:
    """Suggests the account a payee's past transactions (in the same direction) went to most.

    `accounts` maps the accounts a suggestion may name (active, allowed on the record's lines)
    to their current names; past bookings to other accounts still count in the share."""

    def __init__(self, bookings: Iterable[Booking], accounts: Mapping[str, str]) -> None:
        self._accounts = dict(accounts)
        self._names: dict[str, str] = {}
        self._tallies: dict[tuple[tuple[str, ...], bool], _Tally] = defaultdict(_Tally)
        for booking in bookings:
            key = name_key(booking.payee)
            if not key or not booking.account_id or booking.amount == 0:
                continue
            tally = self._tallies[(key, booking.amount < 0)]
            tally.name = tally.name or booking.payee
            tally.counts[booking.account_id] += 1
            self._names.setdefault(booking.account_id, booking.account)
            if booking.date and booking.date > tally.last.get(booking.account_id, dt.date.min):
                tally.last[booking.account_id] = booking.date

    def suggest(self, txn: Txn) -> Suggestions:
        out = txn.amount < 0
        what = "purchases from" if out else "deposits from"
        if not txn.payee:
            return Suggestions(
                explanation="No payee could be read from the bank's text, so there is no "
                "history to go on; choose the category."
            )
        tally = self._tallies.get((name_key(txn.payee), out))
        if tally is None or not tally.total:
            return Suggestions(
                explanation=f"No {what} {txn.payee} in this client's QuickBooks history yet; "
                "choose the category."
            )
        total = tally.total
        ranked = sorted(
            (
                Ranked(account_id, self._accounts[account_id], round(count / total, 3))
                for account_id, count in tally.counts.items()
                if account_id in self._accounts
            ),
            key=lambda r: (-r.confidence, -tally.last.get(r.account_id, dt.date.min).toordinal(),
                           r.account),
        )  # fmt: skip
        noun = "purchases" if out else "deposits"
        if not ranked:
            gone = ", ".join(sorted({self._names[a] for a in tally.counts}))
            return Suggestions(
                explanation=f"{total} {tally.name} {noun} went to {gone}, which can no longer "
                "be used here; choose the category."
            )
        best = ranked[0]
        count = tally.counts[best.account_id]
        return Suggestions(
            tuple(ranked),
            f"{count} of {total} {tally.name} {noun} went to {best.account}.",
        )
